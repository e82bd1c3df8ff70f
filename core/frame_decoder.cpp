#include "core/frame_decoder.h"

#include "core/ethernet_header.h"
#include "core/nd_decoder.h"

namespace arp {

void decode_frame(std::span<const std::byte> frame, DecodeResult& out) noexcept {
  auto& decoded = out.emplace();
  ByteReader reader(frame);
  std::uint16_t ether_type = 0;
  auto rejected = read_ethernet_header(reader, decoded, ether_type);
  if (!rejected) {
    if (ether_type == kEtherTypeArp) {
      rejected = decode_arp_message(reader, decoded);
    } else if (ether_type == kEtherTypeIpv6) {
      rejected = decode_nd_message(reader, decoded);
    } else {
      rejected = RejectReason::unsupported_ethertype;
    }
  }
  if (rejected) out = Failure{*rejected};
}

DecodeResult decode_frame(std::span<const std::byte> frame) noexcept {
  // Decoded in place and returned by NRVO, as decode_arp_frame does (a copy of the finished
  // frame costs a quarter of the decoding).
  DecodeResult result(std::in_place);
  decode_frame(frame, result);
  return result;
}

}  // namespace arp
