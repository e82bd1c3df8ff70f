#include "exporter/civetweb_openssl.h"

#include <dlfcn.h>
#include <openssl/ssl.h>

#include <cstring>

namespace {

bool is_civetweb_openssl_name(const char* name) {
  // civetweb 1.15's SSL_LIB and CRYPTO_LIB.
  return name != nullptr &&
         (std::strcmp(name, "libssl.so") == 0 || std::strcmp(name, "libcrypto.so") == 0);
}

}  // namespace

// Interposes glibc's dlopen for the whole program (the executable exports it, see
// exporter/CMakeLists.txt); RTLD_NEXT is glibc's own. A null name is the global scope.
extern "C" void* dlopen(const char* file, int mode) noexcept {
  using Dlopen = void* (*)(const char*, int);
  static const auto real = reinterpret_cast<Dlopen>(dlsym(RTLD_NEXT, "dlopen"));
  if (real == nullptr) return nullptr;
  return real(is_civetweb_openssl_name(file) ? nullptr : file, mode);
}

// OpenSSL 1.1's name for what OpenSSL 3 calls SSL_get1_peer_certificate (same reference
// counting: the caller frees the certificate), for civetweb's dlsym.
#undef SSL_get_peer_certificate
extern "C" X509* SSL_get_peer_certificate(const SSL* ssl) { return SSL_get1_peer_certificate(ssl); }

namespace arp {

bool civetweb_openssl_bound() {
  // What civetweb will find: our forwarder, through the global scope the interposer hands out.
  void* global = dlopen("libssl.so", RTLD_LAZY);
  if (global == nullptr) return false;
  const bool bound = dlsym(global, "SSL_get_peer_certificate") != nullptr &&
                     dlsym(global, "SSL_CTX_new") != nullptr &&
                     dlsym(global, "ERR_get_error") != nullptr;
  dlclose(global);
  return bound;
}

}  // namespace arp
