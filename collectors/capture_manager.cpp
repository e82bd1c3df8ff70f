#include "collectors/capture_manager.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace arp {
namespace {

constexpr auto kStatisticsInterval = std::chrono::seconds(1);
// Link events come in bursts (a container's veth pair, its addresses, its link going up):
// one rescan for the burst, not one per message.
constexpr auto kEventRescanSpacing = std::chrono::milliseconds(100);
// Even with nothing to do the loop looks at the clock this often (a retry or rescan due).
constexpr auto kLongestSleep = std::chrono::seconds(1);

}  // namespace

bool is_selected(const HostInterface& interface, const InterfaceSelection& selection) {
  if (!interface.up || !interface.ethernet || interface.loopback) return false;
  if (selection.exclude && std::regex_match(interface.name, *selection.exclude)) return false;
  if (selection.include) return std::regex_match(interface.name, *selection.include);
  // Every up interface has an fe80:: address, a container's veth too: counting those would
  // capture every veth on a busy node. An address still tentative or whose DAD failed counts:
  // the interface is meant to be on that network, and the conflict is what we are here for.
  const auto counts = [](const IpAddress& ip) { return ip.is_ipv4() || !ip.is_ipv6_link_local(); };
  return std::any_of(interface.addresses.begin(), interface.addresses.end(), counts) ||
         std::any_of(interface.unusable.begin(), interface.unusable.end(), counts);
}

CaptureManager::CaptureManager(InterfaceSelection selection, CaptureOptions options,
                               std::chrono::milliseconds rescan_interval, SharedPipeline& pipeline,
                               const VendorRegistry& vendors, Logger& logger)
    : selection_(std::move(selection)),
      options_(options),
      rescan_interval_(rescan_interval),
      pipeline_(pipeline),
      vendors_(vendors),
      logger_(logger),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0)
    throw std::runtime_error(std::string("capture: eventfd: ") + std::strerror(errno));
}

void CaptureManager::start() {
  try {
    link_events_ = std::make_unique<LinkEvents>();
  } catch (const std::exception& error) {
    // Returning interfaces are still found by the periodic rescan, only later.
    logger_.warn("link events unavailable, relying on rescans", {{"err", error.what()}});
  }
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

CaptureManager::~CaptureManager() {
  thread_.request_stop();
  const std::uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  captures_.clear();  // closes the handles before the descriptor goes
  ::close(wake_fd_);
}

CaptureManager::Clock::time_point CaptureManager::next_wake(Clock::time_point now) const {
  auto wake = std::min({next_rescan_, next_statistics_, now + kLongestSleep});
  for (const auto& [name, entry] : captures_) {
    if (const auto retry = entry.capture->retry_at()) wake = std::min(wake, *retry);
  }
  return wake;
}

void CaptureManager::run(const std::stop_token& stop) {
  std::vector<pollfd> descriptors;
  std::vector<ArpCapture*> polled;  // parallel to descriptors, after the first two
  bool changed = true;  // something view() shows: published at once, not at the next tick
  while (!stop.stop_requested()) {
    auto now = Clock::now();
    if (now >= next_rescan_) {
      rescan(now);
      changed = true;
    }
    for (auto& [name, entry] : captures_) changed |= entry.capture->open_if_due(now);
    if (now >= next_statistics_) {
      for (auto& [name, entry] : captures_) entry.capture->update_statistics();
      next_statistics_ = now + kStatisticsInterval;
      changed = true;
    }
    if (std::exchange(changed, false)) publish();

    descriptors.clear();
    polled.clear();
    descriptors.push_back({.fd = wake_fd_, .events = POLLIN, .revents = 0});
    descriptors.push_back(
        {.fd = link_events_ ? link_events_->fd() : -1, .events = POLLIN, .revents = 0});
    for (auto& [name, entry] : captures_) {
      if (!entry.capture->is_open()) continue;
      descriptors.push_back({.fd = entry.capture->selectable_fd(), .events = POLLIN, .revents = 0});
      polled.push_back(entry.capture.get());
    }
    const auto sleep = std::chrono::ceil<std::chrono::milliseconds>(next_wake(now) - now);
    const int ready = poll(descriptors.data(), descriptors.size(),
                           static_cast<int>(std::max<std::int64_t>(0, sleep.count())));
    if (ready <= 0) continue;
    if ((descriptors[1].revents & POLLIN) != 0 && link_events_->drain()) {
      next_rescan_ = std::min(next_rescan_, last_rescan_ + kEventRescanSpacing);
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
      const auto events = descriptors[i + 2].revents;
      if ((events & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
        // In non-blocking mode libpcap does not look at the socket error itself: ENETDOWN or
        // ENODEV after the interface went down or was deleted shows up here.
        polled[i]->lost("interface went down or was removed");
        changed = true;
      } else if ((events & POLLIN) != 0) {
        changed |= !polled[i]->read();
      }
    }
  }
}

void CaptureManager::rescan(Clock::time_point now) {
  last_rescan_ = now;
  next_rescan_ = now + rescan_interval_;
  std::vector<HostInterface> host;
  try {
    host = list_host_interfaces();
  } catch (const std::exception& error) {
    logger_.warn("listing interfaces failed", {{"err", error.what()}});
    return;
  }
  for (const auto& interface : host) {
    if (captures_.contains(interface.name) || !is_selected(interface, selection_)) continue;
    captures_.emplace(interface.name,
                      Capture{.capture = std::make_unique<ArpCapture>(interface.name, options_,
                                                                      pipeline_, vendors_, logger_),
                              .vanished_since = std::nullopt});
  }
  for (auto it = captures_.begin(); it != captures_.end();) {
    // Not a structured binding: clang 14 (the TSan build) cannot capture one in a lambda.
    const std::string& name = it->first;
    Capture& entry = it->second;
    const auto current = std::find_if(host.begin(), host.end(),
                                      [&](const HostInterface& i) { return i.name == name; });
    entry.capture->set_wanted(current != host.end() && current->up);
    if (current != host.end()) {
      entry.vanished_since.reset();
    } else if (!entry.vanished_since) {
      entry.vanished_since = now;
    } else if (now - *entry.vanished_since >= options_.forget_after) {
      // Gone for the whole grace period: a container's veth, a removed bridge. Keeping it
      // would keep a down capture (and an alert) and its series forever.
      pipeline_.with([&](ArpPipeline& p) { p.forget_interface(name); });
      logger_.info("interface forgotten",
                   {{"interface", name},
                    {"gone_for", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                    now - *entry.vanished_since)
                                                    .count()) +
                                     "s"}});
      ++forgotten_;
      it = captures_.erase(it);
      continue;
    }
    ++it;
  }
  const std::lock_guard lock(mutex_);
  published_.host = std::move(host);
}

void CaptureManager::publish() {
  std::map<std::string, CaptureStatistics> statistics;
  for (const auto& [name, entry] : captures_) statistics.emplace(name, entry.capture->statistics());
  const std::lock_guard lock(mutex_);
  published_.captures = std::move(statistics);
  published_.forgotten = forgotten_;
}

CaptureView CaptureManager::view() const {
  const std::lock_guard lock(mutex_);
  return published_;
}

}  // namespace arp
