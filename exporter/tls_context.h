// The TLS side of --web.config.file: the SSL_CTX civetweb serves with, built with the OpenSSL
// this program links. Like exporter-toolkit, every handshake reads the web config and the
// certificate, key and CA files again (a rotated certificate applies to the next connection);
// a change rebuilds the settings, which are then applied to that connection in OpenSSL's
// ClientHello callback, before the protocol version is chosen or a client certificate asked
// for. Sessions are never resumed, so no connection skips the checks of the file as it is now.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "collectors/logger.h"
#include "exporter/web_config.h"
#include "exporter/web_config_file.h"

struct ssl_ctx_st;
struct ssl_st;

namespace arp {

// What one handshake is served with: a certificate, its key and chain, the client CAs (an
// SSL_CTX holding them), and the per-connection rules.
struct TlsSettings;

class TlsContext {
 public:
  // Throws WebConfigError (one line naming the file) when the certificate, key or CA cannot
  // be read or used, the key does not match the certificate, or a cipher or curve is unknown.
  TlsContext(WebConfigFile& file, Logger& logger);
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();

  // For civetweb's external_ssl_ctx callback; stays owned by this object.
  ssl_ctx_st* civetweb_context() const { return front_.get(); }

 private:
  static int on_client_hello(ssl_st* ssl, int* alert, void* self);
  // The settings for a handshake starting now: rebuilt when the file or a file it names
  // changed; the last good ones while they are unusable (logged once per change).
  std::shared_ptr<const TlsSettings> settings_now();

  WebConfigFile& file_;
  Logger& logger_;
  struct FreeContext {
    void operator()(ssl_ctx_st* context) const;
  };
  std::unique_ptr<ssl_ctx_st, FreeContext> front_;
  std::mutex mutex_;
  std::string material_;  // the config's and the PEM files' text the settings were built from
  std::string error_;     // why the file is unusable now, "" when it is fine
  std::shared_ptr<const TlsSettings> settings_;
};

}  // namespace arp
