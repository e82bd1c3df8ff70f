// One libpcap capture of ARP frames on one interface. It owns no thread: the capture manager's
// one loop polls every capture's descriptor and calls read() when the kernel has frames, so a
// node with hundreds of interfaces still runs one capture thread. It survives the interface
// going away: it reports itself down, retries with backoff, and resumes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collectors/log_budget.h"
#include "collectors/logger.h"
#include "collectors/pcap_handle.h"
#include "collectors/shared_pipeline.h"
#include "core/vendor_registry.h"

namespace arp {

struct CaptureOptions {
  int snapshot_length = 256;           // ARP with two VLAN tags: 50 bytes; ND: about 110
  int buffer_bytes = 4 * 1024 * 1024;  // kernel ring: absorbs an ARP storm between wakeups
  bool promiscuous = false;            // on a mirror/SPAN port, turn this on
  // How long the kernel may hold frames before waking the capture (libpcap's buffer timeout,
  // TPACKET_V3's block retirement). Immediate mode woke the process once per frame; this
  // wakes it at most once per interval per interface, or when a ring block fills, and a
  // claim still reaches the tracker well under a second after it was on the wire.
  std::chrono::milliseconds buffer_timeout{50};
  // A vanished interface keeps its capture state and series this long (a link being
  // recreated keeps its counters), then is forgotten (--collector.arp.forget-after).
  std::chrono::milliseconds forget_after{30'000};
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
  using Clock = std::chrono::steady_clock;

  ArpCapture(std::string interface, CaptureOptions options, SharedPipeline& pipeline,
             const VendorRegistry& vendors, Logger& logger);
  ArpCapture(const ArpCapture&) = delete;
  ArpCapture& operator=(const ArpCapture&) = delete;
  ~ArpCapture() = default;

  // Whether the interface should be captured now (it exists and is up). Becoming wanted
  // makes the next open due at once; becoming unwanted closes the capture.
  void set_wanted(bool wanted);
  // Opens the capture when wanted, closed and its retry is due; failures back off. True when
  // it opened.
  bool open_if_due(Clock::time_point now);
  // When the next open attempt is due, if one is waiting.
  std::optional<Clock::time_point> retry_at() const;

  bool is_open() const { return handle_ != nullptr; }
  int selectable_fd() const { return fd_; }
  // Hands what the kernel buffered to the pipeline, one lock per batch. Returns false when
  // the capture was lost (interface down or removed): then it is closed and will retry.
  bool read();
  // The descriptor reported an error (ENETDOWN, ENODEV after the interface went away).
  void lost(std::string_view why);

  // Reads pcap_stats into the totals; cheap, called about once a second.
  void update_statistics();
  const CaptureStatistics& statistics() const { return statistics_; }
  const std::string& interface() const { return interface_; }

 private:
  void close();
  void log_new_claimants();

  const std::string interface_;
  const CaptureOptions options_;
  SharedPipeline& pipeline_;
  const VendorRegistry& vendors_;
  Logger& logger_;
  InterfaceIndex index_;

  PcapHandle handle_;
  int fd_ = -1;
  bool wanted_ = true;
  Clock::time_point next_retry_{};
  Clock::duration retry_delay_;
  std::string last_error_;
  bool loss_reported_ = false;

  // New claimants of a batch, logged after the pipeline's lock is released. A burst of 20
  // lines, then 2 a second: a real move or conflict is a handful of lines; a MAC flood on one
  // address is not a log line per frame.
  std::vector<ResolutionFrame> new_claimants_;
  LogBudget new_claim_log_budget_{2.0, 20.0};

  CaptureStatistics statistics_;  // totals over every handle this capture opened
  CaptureStatistics closed_;      // the part from handles already closed
};

}  // namespace arp
