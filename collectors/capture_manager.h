// Decides which interfaces to capture on, and keeps deciding: interfaces that appear later and
// match are picked up (at once on a netlink link event, else at the next rescan), ones that go
// down keep their capture, reported down, and ones that vanish are forgotten after a grace
// period (CaptureOptions::forget_after) with their series and tracker state.
//
// One thread captures on every interface: it polls every capture's descriptor, the link
// events and a wake-up descriptor, so the thread count does not grow with the interfaces.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "collectors/arp_capture.h"
#include "collectors/host_interfaces.h"
#include "collectors/link_events.h"

namespace arp {

struct InterfaceSelection {
  std::optional<std::regex> include;  // when set, an interface needs no address to match
  std::optional<std::regex> exclude;
};

// Default: up, Ethernet, not loopback, with an IPv4 address or an IPv6 one that is not
// link-local (tentative or DAD-failed ones count). An include pattern replaces the address
// condition (a mirror port has no address); exclude always applies.
bool is_selected(const HostInterface& interface, const InterfaceSelection& selection);

struct CaptureView {
  std::map<std::string, CaptureStatistics> captures;  // every captured interface not forgotten
  std::vector<HostInterface> host;                    // as of the last rescan
  std::uint64_t forgotten = 0;  // vanished interfaces forgotten after the grace period
};

class CaptureManager {
 public:
  CaptureManager(InterfaceSelection selection, CaptureOptions options,
                 std::chrono::milliseconds rescan_interval, SharedPipeline& pipeline,
                 const VendorRegistry& vendors, Logger& logger);
  CaptureManager(const CaptureManager&) = delete;
  CaptureManager& operator=(const CaptureManager&) = delete;
  ~CaptureManager();

  // Starts capturing and rescanning; until then the manager is idle.
  void start();
  CaptureView view() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Capture {
    std::unique_ptr<ArpCapture> capture;
    std::optional<Clock::time_point> vanished_since;  // not listed by the last rescan
  };

  void run(const std::stop_token& stop);
  void rescan(Clock::time_point now);
  void publish();
  Clock::time_point next_wake(Clock::time_point now) const;

  const InterfaceSelection selection_;
  const CaptureOptions options_;
  const std::chrono::milliseconds rescan_interval_;
  SharedPipeline& pipeline_;
  const VendorRegistry& vendors_;
  Logger& logger_;

  // The capture thread's own; nobody else touches them.
  std::map<std::string, Capture> captures_;
  std::unique_ptr<LinkEvents> link_events_;
  Clock::time_point next_rescan_{};
  Clock::time_point last_rescan_{};
  Clock::time_point next_statistics_{};
  std::uint64_t forgotten_ = 0;

  // What view() returns, published by the capture thread.
  mutable std::mutex mutex_;
  CaptureView published_;

  int wake_fd_ = -1;     // an eventfd: the destructor rings it to stop the loop at once
  std::jthread thread_;  // the capture loop, from start() on
};

}  // namespace arp
