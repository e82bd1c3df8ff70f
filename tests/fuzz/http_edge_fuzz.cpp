// libFuzzer target: the text the HTTP edge parses. The first byte picks the parser, the rest is
// its input: an Authorization header and an Accept-Encoding header come from anyone who can
// reach the port; the web config comes from the operator, but must still fail as a
// WebConfigError, never a crash. Under ASan and UBSan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "exporter/basic_auth.h"
#include "exporter/gzip_encoding.h"
#include "exporter/web_config.h"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: {
      const auto credentials = arp::parse_basic_authorization(text);
      // A user never holds the colon that ends it.
      if (credentials) require(credentials->user.find(':') == std::string::npos);
      break;
    }
    case 1:
      (void)arp::accepts_gzip(text);
      break;
    default:
      try {
        const auto config = arp::parse_web_config(text, "/etc/arp_health_exporter");
        for (const auto& [name, value] : config.headers) {
          // A header value can never split the response.
          require(value.find_first_of("\r\n") == std::string::npos);
        }
      } catch (const arp::WebConfigError&) {
      }
      break;
  }
  return 0;
}
