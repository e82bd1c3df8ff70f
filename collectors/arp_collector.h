// Turns the sniffer's state (claims, frame counters, capture health) into metric families.
#pragma once

#include <prometheus/collectable.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "collectors/capture_manager.h"
#include "collectors/shared_pipeline.h"
#include "core/vendor_registry.h"

namespace arp {

// A foreign MAC claiming one of this host's own addresses: "someone answers for my IP".
struct OwnAddressClaim {
  std::string interface;
  Vlan vlan;
  Ipv4Address ip;
  Claimant claimant;
};

// Everything one scrape (or the status page) shows, taken in one short critical section.
struct ArpState {
  Timestamp taken;
  PipelineSnapshot pipeline;
  std::map<std::string, CaptureStatistics> captures;
  std::vector<OwnAddressClaim> own_claims;
};

// Rendering is separate from gathering so tests can feed it any state.
std::vector<prometheus::MetricFamily> render_arp_metrics(const ArpState& state,
                                                         const VendorRegistry& vendors,
                                                         std::size_t max_address_series);

// Own addresses claimed by MACs that are not this host's: the tracker's claimants for every
// IPv4 address of every interface, minus the host's own MACs (Linux answers ARP for any of its
// addresses on any interface, so every local MAC counts as ours).
std::vector<OwnAddressClaim> find_own_address_claims(const std::vector<HostInterface>& host,
                                                     const ClaimTracker& tracker,
                                                     const TrackerSnapshot& snapshot,
                                                     Timestamp now);

class ArpCollector : public prometheus::Collectable {
 public:
  ArpCollector(SharedPipeline& pipeline, const CaptureManager& captures,
               const VendorRegistry& vendors, std::size_t max_address_series)
      : pipeline_(pipeline),
        captures_(captures),
        vendors_(vendors),
        max_address_series_(max_address_series) {}

  std::vector<prometheus::MetricFamily> Collect() const override;
  ArpState state() const;

 private:
  SharedPipeline& pipeline_;
  const CaptureManager& captures_;
  const VendorRegistry& vendors_;
  const std::size_t max_address_series_;
};

}  // namespace arp
