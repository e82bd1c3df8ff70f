// An ArpState with every kind of trouble in it, built through the real pipeline.
#pragma once

#include <prometheus/text_serializer.h>

#include <sstream>

#include "collectors/arp_collector.h"
#include "collectors/vendor_files.h"
#include "tests/unit/snapshot_at.h"

namespace arp::testing {

inline const VendorRegistry& real_vendors() {
  static const auto registry = load_vendor_registry(default_vendor_files());
  return registry;
}

inline ResolutionFrame claim_frame(const char* mac, const char* ip, Vlan vlan = {}) {
  ResolutionFrame frame;
  frame.kind = FrameKind::reply;
  frame.ethernet_source = frame.sender_mac = *MacAddress::parse(mac);
  frame.sender_ip = *Ipv4Address::parse(ip);
  frame.target_ip = *Ipv4Address::parse("192.0.2.20");
  frame.vlan = vlan;
  return frame;
}

// Two contested addresses on eth0 (one untagged, one in VLAN 100) and a foreign claim on this
// host's own address 192.0.2.20.
inline ArpState incident_state() {
  ArpPipeline pipeline({}, {}, ProbePlannerConfig{});  // verifying, as the exporter does by default
  const auto eth0 = pipeline.add_interface("eth0");
  Timestamp now{std::chrono::hours(24 * 365 * 50)};
  // This host is 192.0.2.20 on eth0 (MAC 02:00:00:00:00:14), held since before the frames.
  pipeline.set_host({{eth0, *Ipv4Address::parse("192.0.2.20")}},
                    {*MacAddress::parse("02:00:00:00:00:14")}, {}, now);
  const auto see = [&](const ResolutionFrame& frame) {
    now += std::chrono::seconds(1);
    pipeline.tracker().observe(eth0, frame, now);
  };
  for (int i = 0; i < 3; ++i) {
    see(claim_frame("00:1b:21:0a:00:0a", "192.0.2.10"));
    see(claim_frame("00:50:56:0b:00:0b", "192.0.2.10"));
    see(claim_frame("02:00:00:00:01:01", "198.51.100.7", Vlan{.outer = 0, .inner = 100}));
    see(claim_frame("02:00:00:00:01:02", "198.51.100.7", Vlan{.outer = 0, .inner = 100}));
  }
  see(claim_frame("00:50:56:0b:00:0b", "192.0.2.20"));

  ArpState state;
  state.taken = now;
  state.pipeline = testing::snapshot_at(pipeline, now);
  state.captures["eth0"] =
      CaptureStatistics{.up = true, .received = 13, .dropped = 1, .interface_dropped = 0};
  state.own_claims = name_own_claims(state.pipeline);
  return state;
}

inline std::string serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, families);
  return text.str();
}

}  // namespace arp::testing
