// --web.config.file: Prometheus exporter-toolkit's web configuration (TLS, basic auth, response
// headers), so one file serves node_exporter and this exporter. Parsing is pure: it is handed
// the file's text and directory; reading the files it names is the TLS context's job.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arp {

// A web configuration that cannot be used: one line, naming the key or file at fault.
class WebConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Go's crypto/tls ClientAuthType, by the names exporter-toolkit reads.
enum class ClientAuth {
  none,                // NoClientCert
  request,             // RequestClientCert: asked for, not verified
  require_any,         // RequireAnyClientCert: required, not verified
  verify_if_given,     // VerifyClientCertIfGiven
  require_and_verify,  // RequireAndVerifyClientCert
};

enum class TlsVersion { tls10, tls11, tls12, tls13 };

// A PEM source: a file (relative paths are taken from the web config's directory, as
// exporter-toolkit does) or text given inline.
struct PemSource {
  std::filesystem::path file;
  std::string inline_pem;
  bool empty() const { return file.empty() && inline_pem.empty(); }
};

struct TlsServerConfig {
  PemSource certificate;
  PemSource key;
  PemSource client_ca;
  ClientAuth client_auth = ClientAuth::none;
  TlsVersion min_version = TlsVersion::tls12;  // exporter-toolkit's defaults
  TlsVersion max_version = TlsVersion::tls13;
  std::vector<std::string> cipher_suites;  // IANA names (Go's), TLS 1.2 and older
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curve_preferences;  // OpenSSL group names, in order
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;  // set: the port speaks TLS only
  std::map<std::string, std::string, std::less<>> basic_auth_users;  // user -> bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;          // added to every response
};

// Throws WebConfigError for YAML that is not a mapping, unknown keys (exporter-toolkit reads
// strictly), values outside the format, a client CA without a client_auth_type that uses it,
// a password that is not a bcrypt hash, a header exporter-toolkit does not allow.
WebConfig parse_web_config(std::string_view yaml, const std::filesystem::path& directory);

// "TLS12" -> TlsVersion::tls12; exposed for the error texts and tests.
std::optional<TlsVersion> parse_tls_version(std::string_view name);
std::optional<ClientAuth> parse_client_auth(std::string_view name);

}  // namespace arp
