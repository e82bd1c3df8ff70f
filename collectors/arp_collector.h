// Turns the sniffer's state (claims, frame counters, capture health) into metric families.
#pragma once

#include <prometheus/collectable.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "collectors/capture_manager.h"
#include "collectors/partial_collectable.h"
#include "collectors/shared_pipeline.h"
#include "core/vendor_registry.h"

namespace arp {

// A foreign MAC claiming one of this host's own addresses, as pages and metrics name it.
struct NamedOwnAddressClaim {
  std::string interface;
  Vlan vlan;
  IpAddress ip;
  Claimant claimant;
};

// Everything one scrape (or the status page) shows, taken in one short critical section.
// Every time in it is wall-clock time, for people to read.
struct ArpState {
  Timestamp taken;
  PipelineSnapshot pipeline;
  std::map<std::string, CaptureStatistics> captures;
  std::uint64_t interfaces_forgotten = 0;  // vanished interfaces the capture forgot
  std::vector<NamedOwnAddressClaim> own_claims;
  std::vector<std::pair<std::string, MacAddress>> host_macs;  // this host's, by interface
  // The story of each address in trouble, for the status page (a scrape leaves it empty).
  std::vector<AddressTimeline> timelines;
  Duration window = std::chrono::minutes(5);  // the tracker's: how far back timelines reach
};

// Rendering is separate from gathering so tests can feed it any state.
// `max_series` bounds the per-IP series (samples), not the addresses: see docs/metrics.md.
std::vector<prometheus::MetricFamily> render_arp_metrics(const ArpState& state,
                                                         const VendorRegistry& vendors,
                                                         std::size_t max_series);

// The snapshot's own-address claims, with interface names.
std::vector<NamedOwnAddressClaim> name_own_claims(const PipelineSnapshot& snapshot);

// What take_arp_state copies: a scrape needs no timelines, the status page does.
enum class StateDetail : std::uint8_t { metrics, page };

// The state of a live pipeline, its times turned from the monotonic clock into wall-clock time.
ArpState take_arp_state(const SharedPipeline& pipeline, const CaptureView& captures,
                        StateDetail detail = StateDetail::metrics);

class ArpCollector : public PartialCollectable {
 public:
  ArpCollector(const SharedPipeline& pipeline, const CaptureManager& captures,
               const VendorRegistry& vendors, std::size_t max_address_series)
      : pipeline_(pipeline),
        captures_(captures),
        vendors_(vendors),
        max_address_series_(max_address_series) {}

  // Renders the scrape's shared snapshot; takes one of its own only outside a MetricsEndpoint.
  Collection collect(const ScrapeContext& scrape) const override;
  ArpState state(StateDetail detail = StateDetail::metrics) const;

 private:
  const SharedPipeline& pipeline_;
  const CaptureManager& captures_;
  const VendorRegistry& vendors_;
  const std::size_t max_address_series_;
};

}  // namespace arp
