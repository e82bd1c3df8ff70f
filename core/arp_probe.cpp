#include "core/arp_probe.h"

#include <cstdint>

namespace arp {
namespace {

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;
constexpr std::uint16_t kEtherTypeServiceVlan = 0x88a8;
constexpr std::uint16_t kHardwareEthernet = 1;
constexpr std::uint16_t kProtocolIpv4 = 0x0800;
constexpr std::uint16_t kOpRequest = 1;
constexpr std::size_t kMinimumFrame = 60;

class FrameWriter {
 public:
  explicit FrameWriter(ProbeFrame& frame) : frame_(frame) {}
  void u8(std::uint8_t value) { frame_.bytes.at(frame_.size++) = std::byte{value}; }
  void be16(std::uint16_t value) {
    u8(static_cast<std::uint8_t>(value >> 8U));
    u8(static_cast<std::uint8_t>(value & 0xffU));
  }
  void be32(std::uint32_t value) {
    be16(static_cast<std::uint16_t>(value >> 16U));
    be16(static_cast<std::uint16_t>(value & 0xffffU));
  }
  void mac(const MacAddress& address) {
    for (const auto byte : address.bytes()) u8(byte);
  }

 private:
  ProbeFrame& frame_;
};

}  // namespace

ProbeFrame build_arp_probe(const MacAddress& source, Vlan vlan, Ipv4Address target) {
  ProbeFrame frame;
  FrameWriter out(frame);
  out.mac(MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  out.mac(source);
  if (vlan.outer != 0) {
    out.be16(kEtherTypeServiceVlan);
    out.be16(vlan.outer);
  }
  // Under an S-tag the customer tag is written even when it is 0 (priority-tagged): the
  // decoder reads S-tag X alone as {0, X}, and the answers would reach no round.
  if (vlan.inner != 0 || vlan.outer != 0) {
    out.be16(kEtherTypeVlan);
    out.be16(vlan.inner);
  }
  out.be16(kEtherTypeArp);
  out.be16(kHardwareEthernet);
  out.be16(kProtocolIpv4);
  out.u8(6);
  out.u8(4);
  out.be16(kOpRequest);
  out.mac(source);
  out.be32(0);  // sender IP 0.0.0.0: RFC 5227 section 2.1.1
  out.mac(MacAddress{});
  out.be32(target.to_u32());
  while (frame.size < kMinimumFrame) out.u8(0);
  return frame;
}

}  // namespace arp
