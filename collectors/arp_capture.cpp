#include "collectors/arp_capture.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace arp {
namespace {

// ARP, and ICMPv6 Neighbor Solicitations (135) and Advertisements (136): the rest of IPv6
// (echo, router discovery, MLD) never reaches user space. Hosts send ND without extension
// headers (and RFC 6980 forbids fragmenting it), so the IPv6 header's next header (byte 6) is
// ICMPv6 (58) and the ICMPv6 type is the first byte after the 40-byte header; `icmp6` would
// also walk a fragment header, for nothing. The first `vlan` in a BPF expression shifts every
// later offset, so each is tested untagged first, then behind one tag, then behind two (QinQ).
std::string capture_filter() {
  const std::string frames = "arp or (ip6 and ip6[6] == 58 and (ip6[40] == 135 or ip6[40] == 136))";
  return frames + " or (vlan and (" + frames + " or (vlan and (" + frames + "))))";
}
constexpr auto kFirstRetry = std::chrono::milliseconds(500);
constexpr auto kLongestRetry = std::chrono::milliseconds(30'000);
// Frames handed to the pipeline under one lock; a scrape waits at most this many (~50 ns
// each). A ring block holds about 2,000 ARP frames.
constexpr int kBatchFrames = 1024;
// Batches read from one interface per wake-up, so a flood on one cannot starve the others.
constexpr int kBatchesPerRead = 64;

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
  // Not immediate mode: it makes libpcap wake the process for every frame (TPACKET_V2). The
  // timeout lets the kernel batch frames into ring blocks (TPACKET_V3) for at most that long.
  pcap_set_immediate_mode(handle.get(), 0);
  pcap_set_timeout(handle.get(),
                   static_cast<int>(std::max<std::int64_t>(1, options.buffer_timeout.count())));
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
  if (program.compile(handle.get(), capture_filter().c_str()) != 0 ||
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
      retry_delay_(kFirstRetry) {}

void ArpCapture::set_wanted(bool wanted) {
  if (wanted_ == wanted) return;
  wanted_ = wanted;
  if (wanted) {
    next_retry_ = {};
    retry_delay_ = kFirstRetry;
  } else if (is_open()) {
    logger_.info("capture stopped",
                 {{"interface", interface_}, {"reason", "interface down or gone"}});
    close();
  }
}

std::optional<ArpCapture::Clock::time_point> ArpCapture::retry_at() const {
  if (!wanted_ || is_open()) return std::nullopt;
  return next_retry_;
}

bool ArpCapture::open_if_due(Clock::time_point now) {
  if (!wanted_ || is_open() || now < next_retry_) return false;
  std::string error;
  auto handle = open_arp_capture(interface_, options_, error);
  if (!handle) {
    // Logged once per kind of failure, not once per retry, and not at all right after a lost
    // capture was reported: the interface is simply still gone.
    if (error != last_error_ && !loss_reported_)
      logger_.warn("capture failed, retrying", {{"interface", interface_}, {"err", error}});
    last_error_ = error;
    next_retry_ = now + retry_delay_;
    retry_delay_ = std::min<Clock::duration>(retry_delay_ * 2, kLongestRetry);
    return false;
  }
  handle_ = std::move(handle);
  fd_ = pcap_get_selectable_fd(handle_.get());
  logger_.info("capture started", {{"interface", interface_}});
  last_error_.clear();
  loss_reported_ = false;
  retry_delay_ = kFirstRetry;
  statistics_.up = true;
  return true;
}

void ArpCapture::close() {
  update_statistics();
  handle_.reset();
  fd_ = -1;
  statistics_.up = false;
  closed_ = statistics_;
}

void ArpCapture::lost(std::string_view why) {
  logger_.warn("capture lost, retrying", {{"interface", interface_}, {"err", std::string(why)}});
  close();
  loss_reported_ = true;
  next_retry_ = Clock::now() + retry_delay_;
}

bool ArpCapture::read() {
  if (!is_open()) return true;
  // A batch is decoded as libpcap walks the ring, outside the pipeline's lock (decoding reads
  // only the frame), and handed over under one lock: the frames' bytes live in a ring block
  // the kernel may refill once libpcap moves on, the decoded frames in these buffers. One set
  // per capture thread, reused: the manager's one loop reads every capture.
  thread_local std::vector<DecodeResult> decoded;
  thread_local std::vector<ClaimEvent> events;
  const auto handler = [](unsigned char* user, const pcap_pkthdr* header,
                          const unsigned char* bytes) {
    auto& batch = *reinterpret_cast<std::vector<DecodeResult>*>(user);
    decode_frame(std::span(reinterpret_cast<const std::byte*>(bytes), header->caplen),
                 batch.emplace_back(std::in_place));
  };
  for (int round = 0; round < kBatchesPerRead; ++round) {
    decoded.clear();
    const int result = pcap_dispatch(handle_.get(), kBatchFrames, handler,
                                     reinterpret_cast<unsigned char*>(&decoded));
    if (!decoded.empty()) {
      events.resize(decoded.size());
      // One reading of the monotonic clock for the batch, not the frames' capture timestamps:
      // libpcap stamps with the wall clock, which NTP may step. A batch waited at most the
      // buffer timeout, far inside the tracker's window. Read under the lock, so that the
      // tracker's clock never goes back between writers.
      pipeline_.with([&](ArpPipeline& pipeline) {
        pipeline.process_batch(index_, decoded, pipeline_.now(), events);
      });
      for (std::size_t i = 0; i < decoded.size(); ++i) {
        if (events[i] == ClaimEvent::new_claimant) new_claimants_.push_back(*decoded[i]);
      }
      log_new_claimants();
    }
    if (result < 0) {
      lost(pcap_geterr(handle_.get()));
      return false;
    }
    if (result < kBatchFrames) break;
  }
  return true;
}

void ArpCapture::log_new_claimants() {
  // A new MAC for an address somebody already claimed: the first sign of a move or conflict.
  if (new_claimants_.empty()) return;
  const bool enabled = logger_.enabled(LogLevel::info);
  for (const auto& claim : new_claimants_) {
    if (!enabled) break;
    const auto suppressed = new_claim_log_budget_.take(LogBudget::Clock::now());
    if (!suppressed) continue;
    LogFields fields = {{"interface", interface_},
                        {"vlan", claim.vlan.to_string()},
                        {"ip", claim.sender_ip.to_string()},
                        {"mac", claim.sender_mac.to_string()},
                        {"vendor", std::string(vendors_.lookup(claim.sender_mac))}};
    if (*suppressed > 0) fields.emplace_back("suppressed", std::to_string(*suppressed));
    logger_.info("new MAC claims an address", fields);
  }
  new_claimants_.clear();
}

void ArpCapture::update_statistics() {
  if (!is_open()) return;
  pcap_stat current{};
  if (pcap_stats(handle_.get(), &current) != 0) return;
  statistics_.received = closed_.received + current.ps_recv;
  statistics_.dropped = closed_.dropped + current.ps_drop;
  statistics_.interface_dropped = closed_.interface_dropped + current.ps_ifdrop;
}

}  // namespace arp
