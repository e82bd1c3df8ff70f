#include "core/arp_probe.h"

#include <cstdint>

#include "core/frame_writer.h"
#include "core/nd_probe.h"

namespace arp {
namespace {

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kHardwareEthernet = 1;
constexpr std::uint16_t kProtocolIpv4 = 0x0800;
constexpr std::uint16_t kOpRequest = 1;
constexpr std::size_t kMinimumFrame = 60;

}  // namespace

ProbeFrame build_arp_probe(const MacAddress& source, Vlan vlan, Ipv4Address target) {
  ProbeFrame frame;
  FrameWriter out(frame);
  out.ethernet(MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), source, vlan, kEtherTypeArp);
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

ProbeFrame build_probe(const MacAddress& source, Vlan vlan, const IpAddress& target) {
  return target.is_ipv4() ? build_arp_probe(source, vlan, target.ipv4())
                          : build_nd_probe(source, vlan, target);
}

}  // namespace arp
