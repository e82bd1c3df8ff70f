// One libpcap capture of ARP frames on one interface, on its own thread. It survives the
// interface going away: it reports itself down, retries with backoff, and resumes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "collectors/log_budget.h"
#include "collectors/logger.h"
#include "collectors/pcap_handle.h"
#include "collectors/shared_pipeline.h"
#include "core/vendor_registry.h"

namespace arp {

struct CaptureOptions {
  int snapshot_length = 256;           // ARP with two VLAN tags fits in 50 bytes
  int buffer_bytes = 4 * 1024 * 1024;  // kernel ring: absorbs an ARP storm between wakeups
  bool promiscuous = false;            // on a mirror/SPAN port, turn this on
};

struct CaptureStatistics {
  bool up = false;
  std::uint64_t received = 0;           // frames that passed the filter
  std::uint64_t dropped = 0;            // no room in the kernel buffer
  std::uint64_t interface_dropped = 0;  // dropped by the NIC or driver
};

// Opens a capture the way ArpCapture does; also used at start-up to check the privilege.
// On failure returns nullptr and sets `error` to one line.
PcapHandle open_arp_capture(const std::string& interface, const CaptureOptions& options,
                            std::string& error);

class ArpCapture {
 public:
  ArpCapture(std::string interface, CaptureOptions options, SharedPipeline& pipeline,
             const VendorRegistry& vendors, Logger& logger);
  ArpCapture(const ArpCapture&) = delete;
  ArpCapture& operator=(const ArpCapture&) = delete;
  ~ArpCapture();  // stops the thread and waits for it (well under a second)

  // The manager says whether the interface should be captured now (it exists and is up).
  void set_wanted(bool wanted);
  CaptureStatistics statistics() const;
  const std::string& interface() const { return interface_; }

 private:
  void run(const std::stop_token& stop);
  void capture(pcap_t* handle, const std::stop_token& stop);
  void handle_frame(const pcap_pkthdr& header, const unsigned char* bytes);
  void update_statistics(pcap_t* handle);
  bool wait(const std::stop_token& stop, std::chrono::milliseconds timeout);

  const std::string interface_;
  const CaptureOptions options_;
  SharedPipeline& pipeline_;
  const VendorRegistry& vendors_;
  Logger& logger_;
  InterfaceIndex index_;
  // Used by the capture thread only. A burst of 20 lines, then 2 a second: a real move or
  // conflict is a handful of lines; a MAC flood on one address is not a log line per frame.
  LogBudget new_claim_log_budget_{2.0, 20.0};

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  bool wanted_ = true;
  std::uint64_t generation_ = 0;  // bumped by set_wanted, so a waiting thread wakes
  CaptureStatistics statistics_;  // totals over every handle this capture opened
  CaptureStatistics closed_;      // the part from handles already closed

  std::jthread thread_;  // last: starts after every other member is ready
};

}  // namespace arp
