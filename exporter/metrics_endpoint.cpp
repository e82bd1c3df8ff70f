#include "exporter/metrics_endpoint.h"

#include <prometheus/text_serializer.h>

#include <chrono>
#include <sstream>

#include "collectors/metric_family.h"
#include "collectors/partial_collectable.h"
#include "exporter/version.h"

namespace arp {

std::string MetricsEndpoint::scrape() const {
  std::vector<prometheus::MetricFamily> families;
  auto success = gauge("arp_scrape_collector_success",
                       "1 if the collector's last scrape succeeded, 0 if it failed.");
  auto duration =
      gauge("arp_scrape_collector_duration_seconds", "How long the collector took on this scrape.");
  std::shared_ptr<const ArpState> arp;
  try {
    if (snapshot_) arp = snapshot_();
  } catch (const std::exception& error) {  // the collectors then take their own, or go without
    logger_.error("scrape snapshot failed", {{"err", error.what()}});
  }
  const ScrapeContext context{.arp = arp.get()};
  for (const auto& [name, weak] : collectors_) {
    const auto collectable = weak.lock();
    if (!collectable) continue;
    const auto start = std::chrono::steady_clock::now();
    bool ok = true;
    try {
      Collection collected;
      if (const auto* partial = dynamic_cast<const PartialCollectable*>(collectable.get())) {
        collected = partial->collect(context);
      } else {
        collected.families = collectable->Collect();
      }
      ok = collected.complete;
      std::move(collected.families.begin(), collected.families.end(), std::back_inserter(families));
    } catch (const std::exception& error) {
      ok = false;
      logger_.error("collector failed", {{"collector", name}, {"err", error.what()}});
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    success.add({{"collector", name}}, ok ? 1 : 0);
    duration.add({{"collector", name}}, elapsed.count());
  }
  families.push_back(success.build());
  families.push_back(duration.build());
  families.push_back(gauge("arp_exporter_build_info",
                           "Version of the exporter and the compiler that built it; always 1.")
                         .add({{"version", kVersion}, {"compiler", __VERSION__}}, 1)
                         .build());
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, families);
  return text.str();
}

}  // namespace arp
