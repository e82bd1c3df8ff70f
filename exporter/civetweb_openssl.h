// Binds Debian's libcivetweb1 to the OpenSSL this program links. civetweb 1.15 loads OpenSSL at
// run time: dlopen("libssl.so") and dlopen("libcrypto.so"), names only libssl-dev installs,
// then dlsym of the OpenSSL 1.1 API, in which one function, SSL_get_peer_certificate, has
// become a macro in OpenSSL 3 (civetweb calls it after every handshake; unresolved, it is a
// null pointer). The program's own dlopen, exported from the executable so it comes before
// glibc's, answers those two names with the program's global scope: the linked libssl3 and
// libcrypto3, and an exported SSL_get_peer_certificate that forwards to OpenSSL 3's
// SSL_get1_peer_certificate. Every other name passes through unchanged. So the installed
// exporter needs only the runtime libssl3, and civetweb and the exporter share one OpenSSL.
// See docs/architecture.md, "TLS".
#pragma once

namespace arp {

// True when civetweb's OpenSSL names will be answered (the program was linked exporting the
// interposer). Calling it also keeps this object linked into the program.
bool civetweb_openssl_bound();

}  // namespace arp
