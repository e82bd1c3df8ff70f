#include "collectors/dad_collector.h"

#include <net/if.h>

#include <array>
#include <set>
#include <utility>

#include "collectors/metric_family.h"

namespace arp {

std::optional<std::string> kernel_interface_name(int ifindex) {
  std::array<char, IF_NAMESIZE> name{};
  if (ifindex <= 0 || if_indextoname(static_cast<unsigned>(ifindex), name.data()) == nullptr) {
    return std::nullopt;
  }
  return std::string(name.data());
}

std::vector<prometheus::MetricFamily> render_dad_metrics(const DadSnapshot& snapshot,
                                                         const InterfaceNameOf& name_of) {
  auto failed = gauge("arp_own_address_dad_failed",
                      "1 for each address of this host whose Duplicate Address Detection failed "
                      "(IFA_F_DADFAILED): another machine holds it, the kernel does not use it.");
  auto tentative = gauge("arp_own_address_tentative",
                         "1 for each address of this host still tentative (IFA_F_TENTATIVE): DAD "
                         "in progress, or waiting for carrier.");
  // One series per (interface, ip): an IPv4 address held with two prefix lengths is one.
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& entry : snapshot.addresses) {
    const auto interface = name_of(entry.key.ifindex);
    if (!interface) continue;  // vanished since its last event: its deletion is on the way
    auto ip = address_text(entry.key);
    if (!seen.emplace(*interface, ip).second) continue;
    auto& family = entry.state == DadState::failed ? failed : tentative;
    family.add({{"interface", *interface}, {"ip", std::move(ip)}}, 1);
  }
  std::vector<prometheus::MetricFamily> families;
  families.push_back(failed.build());
  families.push_back(tentative.build());
  families.push_back(counter("arp_own_address_netlink_overruns_total",
                             "Times the kernel dropped address events (ENOBUFS) and a dump "
                             "resynchronised.")
                         .add({}, static_cast<double>(snapshot.overruns))
                         .build());
  families.push_back(counter("arp_own_address_dad_overflows_total",
                             "Addresses in DAD trouble left unfollowed because the table of them "
                             "was full.")
                         .add({}, static_cast<double>(snapshot.overflows))
                         .build());
  return families;
}

Collection DadCollector::collect(const ScrapeContext& /*scrape*/) const {
  Collection result;
  if (events_ == nullptr) {
    result.complete = false;
    return result;
  }
  const auto snapshot = events_->snapshot();
  result.families = render_dad_metrics(snapshot, name_of_);
  result.complete = snapshot.synchronised;
  return result;
}

}  // namespace arp
