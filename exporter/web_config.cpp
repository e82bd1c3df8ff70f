#include "exporter/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

namespace arp {
namespace {

std::string at(const YAML::Node& node) {
  const auto mark = node.Mark();
  return mark.is_null() ? std::string() : " (line " + std::to_string(mark.line + 1) + ")";
}

[[noreturn]] void fail(const std::string& where, const std::string& what, const YAML::Node& node) {
  throw WebConfigError(where + ": " + what + at(node));
}

// Every mapping is read through this: each key once, and only keys the format has, as
// exporter-toolkit's strict unmarshalling does.
template <typename OnKey>
void each_key(const YAML::Node& map, const std::string& where, std::set<std::string> known,
              OnKey on_key) {
  if (map.IsNull()) return;
  if (!map.IsMap()) fail(where, "expected a mapping", map);
  std::set<std::string> seen;
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) fail(where, "keys must be strings", entry.first);
    const auto key = entry.first.Scalar();
    if (!seen.insert(key).second) fail(where, "duplicate key \"" + key + "\"", entry.first);
    if (!known.empty() && !known.contains(key)) {
      fail(where, "unknown key \"" + key + "\"", entry.first);
    }
    on_key(key, entry.second);
  }
}

std::string text(const YAML::Node& value, const std::string& where) {
  if (value.IsNull()) return {};
  if (!value.IsScalar()) fail(where, "expected a string", value);
  return value.Scalar();
}

bool boolean(const YAML::Node& value, const std::string& where) {
  try {
    return value.as<bool>();
  } catch (const YAML::Exception&) {
    fail(where, "expected true or false", value);
  }
}

std::vector<std::string> strings(const YAML::Node& value, const std::string& where) {
  std::vector<std::string> out;
  if (value.IsNull()) return out;
  if (!value.IsSequence()) fail(where, "expected a list", value);
  for (const auto& item : value) out.push_back(text(item, where));
  return out;
}

// Go's crypto/tls curve names, exporter-toolkit's spelling, to OpenSSL's group names.
std::string curve_group(const std::string& name, const YAML::Node& node) {
  static const std::map<std::string, std::string, std::less<>> groups = {
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  const auto found = groups.find(name);
  if (found == groups.end()) {
    fail("tls_server_config.curve_preferences",
         "unknown curve \"" + name + "\" (CurveP256, CurveP384, CurveP521, X25519)", node);
  }
  return found->second;
}

void set_pem(PemSource& source, bool is_file, const std::string& value,
             const std::filesystem::path& directory, const std::string& key,
             const std::string& other, const YAML::Node& node) {
  if (value.empty()) return;
  if (!source.empty()) fail("tls_server_config", key + " and " + other + " are exclusive", node);
  if (is_file) {
    const std::filesystem::path path(value);
    source.file = path.is_absolute() ? path : directory / path;
  } else {
    source.inline_pem = value;
  }
}

TlsServerConfig parse_tls(const YAML::Node& node, const std::filesystem::path& directory,
                          bool& enabled) {
  const std::string where = "tls_server_config";
  TlsServerConfig tls;
  bool auth_given = false;
  each_key(node, where,
           {"cert", "key", "client_ca", "cert_file", "key_file", "client_ca_file",
            "client_auth_type", "client_allowed_sans", "min_version", "max_version",
            "cipher_suites", "prefer_server_cipher_suites", "curve_preferences"},
           [&](const std::string& key, const YAML::Node& value) {
             const auto field = where + "." + key;
             if (key == "cert" || key == "cert_file") {
               set_pem(tls.certificate, key == "cert_file", text(value, field), directory, "cert",
                       "cert_file", value);
             } else if (key == "key" || key == "key_file") {
               set_pem(tls.key, key == "key_file", text(value, field), directory, "key", "key_file",
                       value);
             } else if (key == "client_ca" || key == "client_ca_file") {
               set_pem(tls.client_ca, key == "client_ca_file", text(value, field), directory,
                       "client_ca", "client_ca_file", value);
             } else if (key == "client_auth_type") {
               const auto name = text(value, field);
               const auto auth = parse_client_auth(name);
               if (!auth) {
                 fail(field,
                      "\"" + name +
                          "\" is not NoClientCert, RequestClientCert, RequireAnyClientCert, "
                          "VerifyClientCertIfGiven or RequireAndVerifyClientCert",
                      value);
               }
               tls.client_auth = *auth;
               auth_given = !name.empty();
             } else if (key == "client_allowed_sans") {
               // Refused rather than ignored: a file that relies on it must not silently let in
               // every certificate the CA signed.
               if (!strings(value, field).empty())
                 fail(field, "is not supported by this exporter", value);
             } else if (key == "min_version" || key == "max_version") {
               const auto name = text(value, field);
               const auto version = parse_tls_version(name);
               if (!version)
                 fail(field, "\"" + name + "\" is not TLS10, TLS11, TLS12 or TLS13", value);
               (key == "min_version" ? tls.min_version : tls.max_version) = *version;
             } else if (key == "cipher_suites") {
               tls.cipher_suites = strings(value, field);
             } else if (key == "prefer_server_cipher_suites") {
               tls.prefer_server_cipher_suites = boolean(value, field);
             } else if (key == "curve_preferences") {
               if (!value.IsNull() && !value.IsSequence()) fail(field, "expected a list", value);
               for (const auto& item : value) {
                 tls.curve_preferences.push_back(curve_group(text(item, field), item));
               }
             }
           });
  // exporter-toolkit's IsEnabled: any of these turns TLS on, and then a certificate is needed.
  enabled = !tls.certificate.empty() || !tls.key.empty() || !tls.client_ca.empty() || auth_given;
  if (!enabled) return tls;
  if (tls.certificate.empty()) fail(where, "missing one of cert or cert_file", node);
  if (tls.key.empty()) fail(where, "missing one of key or key_file", node);
  if (!tls.client_ca.empty() && tls.client_auth == ClientAuth::none) {
    fail(where, "a client CA is configured without a client_auth_type that uses it", node);
  }
  if ((tls.client_auth == ClientAuth::verify_if_given ||
       tls.client_auth == ClientAuth::require_and_verify) &&
      tls.client_ca.empty()) {
    fail(where, "client_auth_type verifies certificates but no client_ca_file is given", node);
  }
  if (tls.min_version > tls.max_version) fail(where, "min_version is above max_version", node);
  return tls;
}

// exporter-toolkit's list: only these headers, and for two of them only these values.
void parse_headers(const YAML::Node& node, WebConfig& config) {
  const std::string where = "http_server_config.headers";
  static const std::map<std::string, std::vector<std::string>, std::less<>> allowed = {
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  };
  each_key(node, where, {}, [&](const std::string& name, const YAML::Node& value) {
    const auto found = allowed.find(name);
    if (found == allowed.end()) fail(where, "header \"" + name + "\" can not be configured", value);
    const auto header_value = text(value, where + "." + name);
    if (header_value.empty()) return;  // blank: unset
    if (header_value.find_first_of("\r\n") != std::string::npos) {
      fail(where + "." + name, "must be one line", value);
    }
    const auto& values = found->second;
    if (!values.empty() && std::find(values.begin(), values.end(), header_value) == values.end()) {
      std::string expected;
      for (const auto& v : values) expected += (expected.empty() ? "" : ", ") + v;
      fail(where + "." + name, "\"" + header_value + "\" is not one of " + expected, value);
    }
    config.headers.emplace_back(name, header_value);
  });
}

// $2a$, $2b$ or $2y$, a two-digit cost from 04 to 31, 53 characters of salt and hash: what
// Go's bcrypt.Cost accepts, so a plain-text password fails at start-up, not at the first login.
bool is_bcrypt_hash(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9') return false;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  constexpr std::string_view alphabet =
      "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return hash.substr(7).find_first_not_of(alphabet) == std::string_view::npos;
}

}  // namespace

std::optional<TlsVersion> parse_tls_version(std::string_view name) {
  if (name == "TLS10") return TlsVersion::tls10;
  if (name == "TLS11") return TlsVersion::tls11;
  if (name == "TLS12") return TlsVersion::tls12;
  if (name == "TLS13") return TlsVersion::tls13;
  return std::nullopt;
}

std::optional<ClientAuth> parse_client_auth(std::string_view name) {
  if (name.empty() || name == "NoClientCert") return ClientAuth::none;
  if (name == "RequestClientCert") return ClientAuth::request;
  // RequireClientCert: exporter-toolkit's older spelling, still accepted there.
  if (name == "RequireAnyClientCert" || name == "RequireClientCert") return ClientAuth::require_any;
  if (name == "VerifyClientCertIfGiven") return ClientAuth::verify_if_given;
  if (name == "RequireAndVerifyClientCert") return ClientAuth::require_and_verify;
  return std::nullopt;
}

WebConfig parse_web_config(std::string_view yaml, const std::filesystem::path& directory) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& error) {
    throw WebConfigError("not YAML: " + error.msg + " (line " +
                         std::to_string(error.mark.line + 1) + ")");
  }
  WebConfig config;
  each_key(root, "web config",
           {"tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"},
           [&](const std::string& key, const YAML::Node& value) {
             if (key == "tls_server_config") {
               bool enabled = false;
               auto tls = parse_tls(value, directory, enabled);
               if (enabled) config.tls = std::move(tls);
             } else if (key == "http_server_config") {
               each_key(value, key, {"http2", "headers"},
                        [&](const std::string& inner, const YAML::Node& inner_value) {
                          // HTTP/1.1 only (civetweb); http2 is accepted so one file serves
                          // both, and changes nothing here.
                          if (inner == "http2") (void)boolean(inner_value, key + ".http2");
                          if (inner == "headers") parse_headers(inner_value, config);
                        });
             } else if (key == "basic_auth_users") {
               each_key(value, key, {}, [&](const std::string& user, const YAML::Node& hash) {
                 const auto bcrypt = text(hash, key + "." + user);
                 if (!is_bcrypt_hash(bcrypt)) {
                   fail(key + "." + user, "is not a bcrypt hash ($2y$..., 60 characters)", hash);
                 }
                 config.basic_auth_users.emplace(user, bcrypt);
               });
             } else if (key == "rate_limit") {
               fail(key, "is not supported by this exporter", value);
             }
           });
  return config;
}

}  // namespace arp
