// Builds prometheus-cpp MetricFamily values sample by sample, on every scrape.
#pragma once

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace arp {

class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type) {
    family_.name = std::move(name);
    family_.help = std::move(help);
    family_.type = type;
  }

  FamilyBuilder& add(std::initializer_list<std::pair<const char*, std::string>> labels,
                     double value) {
    prometheus::ClientMetric metric;
    for (const auto& [name, label_value] : labels) metric.label.push_back({name, label_value});
    if (family_.type == prometheus::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    family_.metric.push_back(std::move(metric));
    return *this;
  }

  bool empty() const { return family_.metric.empty(); }
  // Hands the family over; the builder is empty afterwards.
  prometheus::MetricFamily build() { return std::move(family_); }

 private:
  prometheus::MetricFamily family_;
};

inline FamilyBuilder gauge(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Gauge};
}
inline FamilyBuilder counter(std::string name, std::string help) {
  return {std::move(name), std::move(help), prometheus::MetricType::Counter};
}

}  // namespace arp
