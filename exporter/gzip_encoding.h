// Content negotiation for /metrics: gzip when the client's Accept-Encoding allows it
// (Prometheus asks for it on every scrape), identity otherwise.
#pragma once

#include <string>
#include <string_view>

namespace arp {

// RFC 9110 12.5.3: "gzip" (or its alias "x-gzip") or "*" with a q-value above 0; "gzip;q=0"
// refuses it even when "*" would allow it. Case-insensitive.
bool accepts_gzip(std::string_view accept_encoding);

// The gzip member (RFC 1952) of `data`, via zlib. Throws std::runtime_error when zlib fails.
std::string gzip_compress(std::string_view data);

}  // namespace arp
