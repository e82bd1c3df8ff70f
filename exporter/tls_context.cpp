#include "exporter/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "exporter/civetweb_openssl.h"

namespace arp {

struct TlsSettings {
  struct FreeContext {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  };
  std::unique_ptr<SSL_CTX, FreeContext> context;  // certificate, key, chain, client CAs
  std::shared_ptr<const WebConfig> config;        // what they were built from
  int verify_mode = SSL_VERIFY_NONE;
  bool verify_chain = false;  // false: a client certificate is asked for but not verified
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string cipher_list;  // OpenSSL's names, TLS 1.2 and older; "" for OpenSSL's default
  std::string groups;       // "" for OpenSSL's default
  bool server_preference = true;
};

namespace {

struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct FreeX509 {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeSsl {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using Certificate = std::unique_ptr<X509, FreeX509>;

// The oldest queued OpenSSL error as text, and the queue emptied.
std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error given";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

struct Pem {
  std::string what;  // "cert_file /etc/x.crt" or "cert (inline)", for messages
  std::string text;
};

Pem read_pem(const PemSource& source, const char* file_key, const char* inline_key) {
  if (source.file.empty()) return {std::string(inline_key) + " (inline)", source.inline_pem};
  std::string error;
  auto text = read_text_file(source.file, error);
  if (!text) throw WebConfigError(std::string(file_key) + ": " + error);
  return {std::string(file_key) + " " + source.file.string(), std::move(*text)};
}

// What the settings are built from, read once per handshake: the certificate, key and client
// CA as they are now. `text` is all three together, to tell whether any of them changed.
struct TlsMaterial {
  Pem certificate;
  Pem key;
  std::optional<Pem> client_ca;
  std::string text;
};

TlsMaterial read_material(const TlsServerConfig& tls) {
  TlsMaterial material{.certificate = read_pem(tls.certificate, "cert_file", "cert"),
                       .key = read_pem(tls.key, "key_file", "key"),
                       .client_ca = std::nullopt,
                       .text = {}};
  if (!tls.client_ca.empty())
    material.client_ca = read_pem(tls.client_ca, "client_ca_file", "client_ca");
  material.text = material.certificate.text + '\0' + material.key.text + '\0' +
                  (material.client_ca ? material.client_ca->text : "");
  return material;
}

std::vector<Certificate> certificates(const Pem& pem) {
  std::vector<Certificate> out;
  const std::unique_ptr<BIO, FreeBio> bio(
      BIO_new_mem_buf(pem.text.data(), static_cast<int>(pem.text.size())));
  while (Certificate certificate{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    // OpenSSL decodes a certificate's extensions on first use and caches them in the X509: in
    // a handshake, that would be whichever worker verifies against the shared CA (or sends the
    // shared chain) first, while the others read the cache behind an atomic flag of OpenSSL's
    // own. Filled here instead (purpose -1: only the cache), by the thread that builds the
    // settings, before they are shared under TlsContext's mutex: handshakes only read them.
    X509_check_purpose(certificate.get(), -1, 0);
    out.push_back(std::move(certificate));
  }
  ERR_clear_error();  // the end of the text reads as an error (and a bad extension did too)
  if (out.empty()) throw WebConfigError(pem.what + ": no PEM certificate in it");
  return out;
}

int openssl_version(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls10:
      return TLS1_VERSION;
    case TlsVersion::tls11:
      return TLS1_1_VERSION;
    case TlsVersion::tls12:
      return TLS1_2_VERSION;
    case TlsVersion::tls13:
      return TLS1_3_VERSION;
  }
  return TLS1_3_VERSION;
}

// Go's (IANA) cipher suite names, as exporter-toolkit's files carry them, to OpenSSL's.
std::string openssl_cipher_list(SSL_CTX* context, const std::vector<std::string>& names) {
  if (names.empty()) return {};
  const std::unique_ptr<SSL, FreeSsl> probe(SSL_new(context));
  if (!probe) throw WebConfigError("tls_server_config: " + openssl_error());
  // Every cipher this OpenSSL has, not only the default list.
  SSL_set_cipher_list(probe.get(), "ALL:COMPLEMENTOFALL");
  const auto* available = SSL_get_ciphers(probe.get());
  std::string list;
  for (const auto& name : names) {
    std::string found;
    for (int i = 0; i < sk_SSL_CIPHER_num(available); ++i) {
      const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(available, i);
      const char* standard = SSL_CIPHER_standard_name(cipher);
      if (standard != nullptr && name == standard &&
          SSL_CIPHER_get_version(cipher) != std::string("TLSv1.3")) {
        found = SSL_CIPHER_get_name(cipher);
      }
    }
    if (found.empty()) {
      throw WebConfigError("tls_server_config.cipher_suites: unknown cipher suite \"" + name +
                           "\" (IANA names of TLS 1.2 suites, as Go spells them)");
    }
    list += (list.empty() ? "" : ":") + found;
  }
  return list;
}

std::shared_ptr<const TlsSettings> build_settings(std::shared_ptr<const WebConfig> config,
                                                  const TlsMaterial& material) {
  const Pem& certificate_pem = material.certificate;
  const Pem& key_pem = material.key;
  const TlsServerConfig& tls = *config->tls;
  auto settings = std::make_shared<TlsSettings>();
  settings->context.reset(SSL_CTX_new(TLS_server_method()));
  SSL_CTX* context = settings->context.get();
  if (context == nullptr) throw WebConfigError("TLS: " + openssl_error());

  auto chain = certificates(certificate_pem);
  if (SSL_CTX_use_certificate(context, chain.front().get()) != 1) {
    throw WebConfigError(certificate_pem.what + ": " + openssl_error());
  }
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(context, chain[i].get()) != 1) {
      throw WebConfigError(certificate_pem.what + ": " + openssl_error());
    }
  }
  const std::unique_ptr<BIO, FreeBio> key_bio(
      BIO_new_mem_buf(key_pem.text.data(), static_cast<int>(key_pem.text.size())));
  const std::unique_ptr<EVP_PKEY, FreeKey> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw WebConfigError(key_pem.what + ": no unencrypted PEM private key in it");
  if (SSL_CTX_use_PrivateKey(context, key.get()) != 1 || SSL_CTX_check_private_key(context) != 1) {
    ERR_clear_error();
    throw WebConfigError(key_pem.what + ": the key does not belong to " + certificate_pem.what);
  }

  if (material.client_ca) {
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    for (const auto& ca : certificates(*material.client_ca)) {
      if (X509_STORE_add_cert(store, ca.get()) != 1 ||
          SSL_CTX_add_client_CA(context, ca.get()) != 1) {
        throw WebConfigError(material.client_ca->what + ": " + openssl_error());
      }
    }
  }

  switch (tls.client_auth) {
    case ClientAuth::none:
      settings->verify_mode = SSL_VERIFY_NONE;
      break;
    case ClientAuth::request:
      settings->verify_mode = SSL_VERIFY_PEER;
      break;
    case ClientAuth::require_any:
      settings->verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
    case ClientAuth::verify_if_given:
      settings->verify_mode = SSL_VERIFY_PEER;
      settings->verify_chain = true;
      break;
    case ClientAuth::require_and_verify:
      settings->verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      settings->verify_chain = true;
      break;
  }
  settings->min_version = openssl_version(tls.min_version);
  settings->max_version = openssl_version(tls.max_version);
  settings->cipher_list = openssl_cipher_list(context, tls.cipher_suites);
  for (const auto& group : tls.curve_preferences) {
    settings->groups += (settings->groups.empty() ? "" : ":") + group;
  }
  if (!settings->groups.empty() &&
      SSL_CTX_set1_groups_list(context, settings->groups.c_str()) != 1) {
    throw WebConfigError("tls_server_config.curve_preferences: " + openssl_error());
  }
  settings->server_preference = tls.prefer_server_cipher_suites;
  settings->config = std::move(config);
  return settings;
}

// RequestClientCert and RequireAnyClientCert take any certificate, as Go's do.
int accept_any_certificate(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) { return 1; }

}  // namespace

void TlsContext::FreeContext::operator()(ssl_ctx_st* context) const { SSL_CTX_free(context); }

TlsContext::TlsContext(WebConfigFile& file, Logger& logger) : file_(file), logger_(logger) {
  if (!civetweb_openssl_bound()) {
    throw WebConfigError(
        "TLS: civetweb cannot be given this program's OpenSSL (link with "
        "--export-dynamic-symbol=dlopen)");
  }
  front_.reset(SSL_CTX_new(TLS_server_method()));
  if (!front_) throw WebConfigError("TLS: " + openssl_error());
  // Every handshake a full one, checked against the files as they are now.
  SSL_CTX_set_session_cache_mode(front_.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(front_.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                        SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_num_tickets(front_.get(), 0);
  SSL_CTX_set_client_hello_cb(front_.get(), &TlsContext::on_client_hello, this);
  // Start-up: an unusable file is an error here, not a log line.
  const auto config = file_.initial();
  try {
    auto material = read_material(*config->tls);
    settings_ = build_settings(config, material);
    material_ = std::move(material.text);
  } catch (const WebConfigError& error) {
    throw WebConfigError("web config " + file_.path().string() + ": " + error.what());
  }
}

TlsContext::~TlsContext() = default;

std::shared_ptr<const TlsSettings> TlsContext::settings_now() {
  const auto config = file_.current();
  std::string error;
  std::shared_ptr<const TlsSettings> built;
  std::string material;
  if (config == nullptr) {
    error = "the web config is unusable";  // WebConfigFile has logged why
  } else if (!config->tls) {
    error = "tls_server_config no longer enables TLS; the port stays TLS until a restart";
  } else {
    try {
      auto read = read_material(*config->tls);
      material = std::move(read.text);
      {
        const std::lock_guard lock(mutex_);
        if (settings_->config == config && material == material_) {
          if (!error_.empty())
            logger_.info("TLS settings usable again", {{"file", file_.path().string()}});
          error_.clear();
          return settings_;
        }
      }
      built = build_settings(config, read);
    } catch (const WebConfigError& invalid) {
      error = invalid.what();
    }
  }
  const std::lock_guard lock(mutex_);
  if (built) {
    // Handshakes that began together after an edit each built the same settings: the first
    // publishes them and logs the change, the others take those.
    if (settings_->config == built->config && material == material_) return settings_;
    settings_ = built;
    material_ = std::move(material);
    error_.clear();
    logger_.info("TLS settings reloaded", {{"file", file_.path().string()}});
    return settings_;
  }
  if (error != error_) {
    logger_.error("TLS settings unusable, keeping the last good ones",
                  {{"file", file_.path().string()}, {"err", error}});
    error_ = error;
  }
  return settings_;
}

int TlsContext::on_client_hello(ssl_st* ssl, int* alert, void* self) {
  auto& context = *static_cast<TlsContext*>(self);
  std::shared_ptr<const TlsSettings> settings;
  try {
    settings = context.settings_now();
  } catch (const std::exception&) {
    settings = nullptr;
  }
  if (!settings) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  // The certificate, its chain and key, and the client CAs (verification store and the names
  // sent in the CertificateRequest) come with the SSL_CTX; the rest is set on the connection.
  SSL_set_SSL_CTX(ssl, settings->context.get());
  SSL_set_verify(ssl, settings->verify_mode,
                 settings->verify_chain ? nullptr : accept_any_certificate);
  const bool ok =
      SSL_set_min_proto_version(ssl, settings->min_version) == 1 &&
      SSL_set_max_proto_version(ssl, settings->max_version) == 1 &&
      (settings->cipher_list.empty() ||
       SSL_set_cipher_list(ssl, settings->cipher_list.c_str()) == 1) &&
      (settings->groups.empty() || SSL_set1_groups_list(ssl, settings->groups.c_str()) == 1);
  if (settings->server_preference) {
    SSL_set_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    SSL_clear_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  if (!ok) {
    ERR_clear_error();
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace arp
