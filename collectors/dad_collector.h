// The kernel's Duplicate Address Detection verdicts on this host's own addresses, as metrics:
// an address whose DAD failed (another machine holds it; the kernel never uses it) and one
// still tentative. Read from the address event listener's table: no dump per scrape.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "collectors/address_events.h"
#include "collectors/partial_collectable.h"

namespace arp {

// The interface's name now; nullopt when it is gone (its addresses leave the exposition).
using InterfaceNameOf = std::function<std::optional<std::string>(int ifindex)>;

// if_indextoname(3), in this network namespace.
std::optional<std::string> kernel_interface_name(int ifindex);

std::vector<prometheus::MetricFamily> render_dad_metrics(const DadSnapshot& snapshot,
                                                         const InterfaceNameOf& name_of);

class DadCollector : public PartialCollectable {
 public:
  // `events` (not owned) may be null: the listener could not start, and every scrape reports
  // the collector failed rather than "no address in trouble".
  explicit DadCollector(const AddressEventListener* events,
                        InterfaceNameOf name_of = kernel_interface_name)
      : events_(events), name_of_(std::move(name_of)) {}

  Collection collect(const ScrapeContext& scrape) const override;

 private:
  const AddressEventListener* events_;
  InterfaceNameOf name_of_;
};

}  // namespace arp
