#include "collectors/capture_manager.h"

#include <algorithm>

namespace arp {

bool is_selected(const HostInterface& interface, const InterfaceSelection& selection) {
  if (!interface.up || !interface.ethernet || interface.loopback) return false;
  if (selection.exclude && std::regex_match(interface.name, *selection.exclude)) return false;
  if (selection.include) return std::regex_match(interface.name, *selection.include);
  return !interface.addresses.empty();
}

CaptureManager::CaptureManager(InterfaceSelection selection, CaptureOptions options,
                               std::chrono::milliseconds rescan_interval, SharedPipeline& pipeline,
                               const VendorRegistry& vendors, Logger& logger)
    : selection_(std::move(selection)),
      options_(options),
      rescan_interval_(rescan_interval),
      pipeline_(pipeline),
      vendors_(vendors),
      logger_(logger) {}

void CaptureManager::start() {
  thread_ = std::jthread([this](const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      rescan();
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, rescan_interval_, [] { return false; });
    }
  });
}

CaptureManager::~CaptureManager() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  // Ask every capture to stop now, so they wind down together rather than one poll interval
  // after another as their destructors run.
  for (auto& [name, capture] : captures_) capture->set_wanted(false);
}

void CaptureManager::rescan() {
  std::vector<HostInterface> host;
  try {
    host = list_host_interfaces();
  } catch (const std::exception& error) {
    logger_.warn("listing interfaces failed", {{"err", error.what()}});
    return;
  }
  const std::lock_guard lock(mutex_);
  for (const auto& interface : host) {
    if (captures_.contains(interface.name) || !is_selected(interface, selection_)) continue;
    captures_.emplace(interface.name, std::make_unique<ArpCapture>(interface.name, options_,
                                                                   pipeline_, vendors_, logger_));
  }
  for (auto& [name, capture] : captures_) {
    const auto current = std::find_if(host.begin(), host.end(),
                                      [&](const HostInterface& i) { return i.name == name; });
    const bool present = current != host.end() && current->up;
    capture->set_wanted(present);
  }
  host_ = std::move(host);
}

CaptureView CaptureManager::view() const {
  const std::lock_guard lock(mutex_);
  CaptureView view{.captures = {}, .host = host_};
  for (const auto& [name, capture] : captures_) view.captures.emplace(name, capture->statistics());
  return view;
}

}  // namespace arp
