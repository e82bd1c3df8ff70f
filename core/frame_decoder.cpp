#include "core/frame_decoder.h"

#include "core/ethernet_header.h"
#include "core/nd_decoder.h"

namespace arp {

DecodeResult decode_frame(std::span<const std::byte> frame) noexcept {
  // Decoded in place and returned by NRVO, as decode_arp_frame does (a copy of the finished
  // frame costs a quarter of the decoding).
  DecodeResult result(std::in_place);
  ByteReader reader(frame);
  std::uint16_t ether_type = 0;
  auto rejected = read_ethernet_header(reader, result.value(), ether_type);
  if (!rejected) {
    if (ether_type == kEtherTypeArp) {
      rejected = decode_arp_message(reader, result.value());
    } else if (ether_type == kEtherTypeIpv6) {
      rejected = decode_nd_message(reader, result.value());
    } else {
      rejected = RejectReason::unsupported_ethertype;
    }
  }
  if (rejected) result = Failure{*rejected};
  return result;
}

}  // namespace arp
