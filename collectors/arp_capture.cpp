#include "collectors/arp_capture.h"

#include <poll.h>

#include <algorithm>
#include <cstring>

namespace arp {
namespace {

// The first `vlan` in a BPF expression shifts every later offset, so ARP is tested untagged
// first, then behind one tag, then behind two (QinQ).
constexpr const char* kArpFilter = "arp or (vlan and (arp or (vlan and arp)))";
constexpr auto kPollInterval = std::chrono::milliseconds(200);
constexpr auto kStatisticsInterval = std::chrono::seconds(1);
constexpr auto kFirstRetry = std::chrono::milliseconds(500);
constexpr auto kLongestRetry = std::chrono::milliseconds(30'000);

std::string activation_error(pcap_t* handle, int status, const std::string& interface) {
  const std::string where = "capture on " + interface + ": ";
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
      return where +
             "permission denied: capturing needs the CAP_NET_RAW capability "
             "(run as root, or setcap cap_net_raw+ep on the binary)";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return where + "no such interface";
    case PCAP_ERROR_IFACE_NOT_UP:
      return where + "interface is down";
    default:
      return where + pcap_geterr(handle);
  }
}

}  // namespace

PcapHandle open_arp_capture(const std::string& interface, const CaptureOptions& options,
                            std::string& error) {
  std::array<char, PCAP_ERRBUF_SIZE> message{};
  PcapHandle handle(pcap_create(interface.c_str(), message.data()));
  if (!handle) {
    error = "capture on " + interface + ": " + message.data();
    return nullptr;
  }
  pcap_set_snaplen(handle.get(), options.snapshot_length);
  pcap_set_promisc(handle.get(), options.promiscuous ? 1 : 0);
  pcap_set_immediate_mode(handle.get(), 1);  // a page within a minute: no batching delay
  pcap_set_buffer_size(handle.get(), options.buffer_bytes);
  const int status = pcap_activate(handle.get());
  if (status < 0) {
    error = activation_error(handle.get(), status, interface);
    return nullptr;
  }
  if (pcap_datalink(handle.get()) != DLT_EN10MB) {
    error = "capture on " + interface + ": not an Ethernet interface (link type " +
            pcap_datalink_val_to_name(pcap_datalink(handle.get())) + ")";
    return nullptr;
  }
  BpfProgram program;
  if (program.compile(handle.get(), kArpFilter) != 0 ||
      pcap_setfilter(handle.get(), program.get()) != 0) {
    error = "capture on " + interface + ": filter: " + pcap_geterr(handle.get());
    return nullptr;
  }
  if (pcap_setnonblock(handle.get(), 1, message.data()) != 0) {
    error = "capture on " + interface + ": " + message.data();
    return nullptr;
  }
  return handle;
}

ArpCapture::ArpCapture(std::string interface, CaptureOptions options, SharedPipeline& pipeline,
                       const VendorRegistry& vendors, Logger& logger)
    : interface_(std::move(interface)),
      options_(options),
      pipeline_(pipeline),
      vendors_(vendors),
      logger_(logger),
      index_(pipeline.with([&](ArpPipeline& p) { return p.add_interface(interface_); })),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

ArpCapture::~ArpCapture() {
  thread_.request_stop();
  wake_.notify_all();
}

void ArpCapture::set_wanted(bool wanted) {
  {
    const std::lock_guard lock(mutex_);
    if (wanted_ == wanted) return;
    wanted_ = wanted;
    ++generation_;
  }
  wake_.notify_all();
}

CaptureStatistics ArpCapture::statistics() const {
  const std::lock_guard lock(mutex_);
  return statistics_;
}

bool ArpCapture::wait(const std::stop_token& stop, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const auto generation = generation_;
  wake_.wait_for(lock, stop, timeout, [&] { return generation_ != generation; });
  return !stop.stop_requested();
}

void ArpCapture::run(const std::stop_token& stop) {
  auto retry = kFirstRetry;
  std::string last_error;
  bool loss_reported = false;
  while (!stop.stop_requested()) {
    bool wanted = false;
    {
      const std::lock_guard lock(mutex_);
      wanted = wanted_;
    }
    if (!wanted) {
      wait(stop, kLongestRetry);
      continue;
    }
    std::string error;
    const auto handle = open_arp_capture(interface_, options_, error);
    if (!handle) {
      // Logged once per kind of failure, not once per retry, and not at all right after a
      // lost capture was reported: the interface is simply still gone.
      if (error != last_error && !loss_reported)
        logger_.warn("capture failed, retrying", {{"interface", interface_}, {"err", error}});
      last_error = error;
      wait(stop, retry);
      retry = std::min(retry * 2, kLongestRetry);
      continue;
    }
    logger_.info("capture started", {{"interface", interface_}});
    last_error.clear();
    loss_reported = false;
    retry = kFirstRetry;
    capture(handle.get(), stop);
    loss_reported = true;
    const std::lock_guard lock(mutex_);
    statistics_.up = false;
    closed_ = statistics_;
  }
}

void ArpCapture::capture(pcap_t* handle, const std::stop_token& stop) {
  {
    const std::lock_guard lock(mutex_);
    statistics_.up = true;
  }
  pollfd descriptor{.fd = pcap_get_selectable_fd(handle), .events = POLLIN, .revents = 0};
  auto next_statistics = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    {
      const std::lock_guard lock(mutex_);
      if (!wanted_) {
        logger_.info("capture stopped",
                     {{"interface", interface_}, {"reason", "interface down or gone"}});
        return;
      }
    }
    poll(&descriptor, 1, static_cast<int>(kPollInterval.count()));
    if ((descriptor.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
      // In non-blocking mode libpcap does not look at the socket error itself: ENETDOWN or
      // ENODEV after the interface went down or was deleted shows up here.
      logger_.warn("capture lost, retrying",
                   {{"interface", interface_}, {"err", "interface went down or was removed"}});
      return;
    }
    const int result = pcap_dispatch(
        handle, -1,
        [](unsigned char* self, const pcap_pkthdr* header, const unsigned char* bytes) {
          reinterpret_cast<ArpCapture*>(self)->handle_frame(*header, bytes);
        },
        reinterpret_cast<unsigned char*>(this));
    if (result < 0) {
      logger_.warn("capture lost, retrying",
                   {{"interface", interface_}, {"err", pcap_geterr(handle)}});
      return;
    }
    if (std::chrono::steady_clock::now() >= next_statistics) {
      update_statistics(handle);
      next_statistics += kStatisticsInterval;
    }
  }
}

void ArpCapture::handle_frame(const pcap_pkthdr& header, const unsigned char* bytes) {
  const std::span frame(reinterpret_cast<const std::byte*>(bytes), header.caplen);
  std::optional<ArpFrame> claim;
  ClaimEvent event = ClaimEvent::not_a_claim;
  // The frame's arrival on the monotonic clock, not its capture timestamp: libpcap stamps frames
  // with the wall clock, which NTP may step (immediate mode hands them over at once).
  const auto arrived = pipeline_.now();
  pipeline_.with([&](ArpPipeline& pipeline) {
    const auto outcome = pipeline.process(index_, frame, arrived);
    event = outcome.event;
    if (event == ClaimEvent::new_claimant && outcome.frame != nullptr) claim = *outcome.frame;
  });
  // A new MAC for an address somebody already claimed: the first sign of a move or conflict.
  if (!claim || !logger_.enabled(LogLevel::info)) return;
  const auto suppressed = new_claim_log_budget_.take(LogBudget::Clock::now());
  if (!suppressed) return;
  LogFields fields = {{"interface", interface_},
                      {"vlan", claim->vlan.to_string()},
                      {"ip", claim->sender_ip.to_string()},
                      {"mac", claim->sender_mac.to_string()},
                      {"vendor", std::string(vendors_.lookup(claim->sender_mac))}};
  if (*suppressed > 0) fields.emplace_back("suppressed", std::to_string(*suppressed));
  logger_.info("new MAC claims an address", fields);
}

void ArpCapture::update_statistics(pcap_t* handle) {
  pcap_stat current{};
  if (pcap_stats(handle, &current) != 0) return;
  const std::lock_guard lock(mutex_);
  statistics_.received = closed_.received + current.ps_recv;
  statistics_.dropped = closed_.dropped + current.ps_drop;
  statistics_.interface_dropped = closed_.interface_dropped + current.ps_ifdrop;
}

}  // namespace arp
