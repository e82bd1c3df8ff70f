// Decides which interfaces to capture on, and keeps deciding: interfaces that appear later and
// match are picked up, ones that go down or vanish keep their capture, reported down.
#pragma once

#include <chrono>
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

namespace arp {

struct InterfaceSelection {
  std::optional<std::regex> include;  // when set, an interface needs no IPv4 address to match
  std::optional<std::regex> exclude;
};

// Default: up, Ethernet, not loopback, with an IPv4 address. An include pattern replaces the
// address condition (a mirror port has no address); exclude always applies.
bool is_selected(const HostInterface& interface, const InterfaceSelection& selection);

struct CaptureView {
  std::map<std::string, CaptureStatistics> captures;  // every interface ever captured
  std::vector<HostInterface> host;                    // as of the last rescan
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
  void rescan();

  const InterfaceSelection selection_;
  const CaptureOptions options_;
  const std::chrono::milliseconds rescan_interval_;
  SharedPipeline& pipeline_;
  const VendorRegistry& vendors_;
  Logger& logger_;

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ArpCapture>> captures_;
  std::vector<HostInterface> host_;
  std::condition_variable_any wake_;

  std::jthread thread_;  // the rescan loop, from start() on
};

}  // namespace arp
