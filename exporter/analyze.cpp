#include "exporter/analyze.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <queue>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/arp_pipeline.h"
#include "exporter/capture_reader.h"

namespace arp {
namespace {

// Ends the analysis; what() is the one line for `err`, after "analyze: ".
class AnalyzeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// What happened to each address over the whole capture. No I/O here: it only sees outcomes.

// The tracker forgets claims older than the window, which is right for a live exporter but
// would make a conflict that ended early in a long capture vanish from the final snapshot. So
// the tracker tells this observer every change of verdict, with the claimants as they stood,
// and the history keeps the worst verdict and the union of the claimants it was told of.
struct AddressHistory {
  AddressState worst = AddressState::stable;
  std::vector<Claimant> claimants;  // one per MAC; at most the tracker's cap per address
};

void merge_claimant(AddressHistory& history, const Claimant& seen) {
  const auto known = std::find_if(history.claimants.begin(), history.claimants.end(),
                                  [&](const Claimant& c) { return c.mac == seen.mac; });
  if (known == history.claimants.end()) {
    history.claimants.push_back(seen);
    return;
  }
  known->first_seen = std::min(known->first_seen, seen.first_seen);
  known->last_seen = std::max(known->last_seen, seen.last_seen);
  known->frames = std::max(known->frames, seen.frames);
}

class VerdictHistory final : public VerdictObserver {
 public:
  void verdict_changed(const AddressReport& address, AddressState /*previous*/,
                       Timestamp /*now*/) override {
    merge(address);
  }
  void merge(const AddressReport& address) {
    auto& history = addresses_[address.key];
    history.worst = std::max(history.worst, address.state);
    for (const auto& claimant : address.claimants) merge_claimant(history, claimant);
  }
  const std::unordered_map<AddressKey, AddressHistory, AddressKeyHash>& addresses() const {
    return addresses_;
  }

 private:
  std::unordered_map<AddressKey, AddressHistory, AddressKeyHash> addresses_;
};

struct ProbeHistory {
  std::uint64_t frames = 0;
  std::vector<MacAddress> claimed_by;  // who held the address when it was probed
};

// (interface, vlan, probed ip, prober): std::map keeps the probes in a stable order.
using ProbeKey = std::tuple<InterfaceIndex, Vlan, IpAddress, MacAddress>;

// Probes for addresses someone else held, which the tracker only counts: probes for an address
// already claimed, and probes a holder defended that had said nothing before (the usual IPv6
// Duplicate Address Detection failure: the probe, then the holder's advertisement).
class ProbeLog {
 public:
  // Called for every frame, in capture-time order, after the pipeline has processed it.
  void record(InterfaceIndex interface, const PipelineOutcome& outcome, Timestamp captured,
              const ClaimTracker& tracker) {
    if (outcome.frame == nullptr) return;
    const ResolutionFrame& frame = *outcome.frame;
    switch (outcome.event) {
      case ClaimEvent::probe:  // nobody holds it yet, as far as the capture knows
        unanswered_[AddressKey{frame.target_ip, frame.vlan, interface}] = frame.sender_mac;
        break;
      case ClaimEvent::probe_for_claimed: {
        auto& probe = probes_[ProbeKey{interface, frame.vlan, frame.target_ip, frame.sender_mac}];
        ++probe.frames;
        const AddressKey probed{frame.target_ip, frame.vlan, interface};
        for (const auto& claimant : tracker.claimants(probed, captured)) {
          if (claimant.mac != frame.sender_mac) add_holder(probe, claimant.mac);
        }
        break;
      }
      case ClaimEvent::probe_answered: {
        const auto probed = unanswered_.find(AddressKey{frame.sender_ip, frame.vlan, interface});
        if (probed == unanswered_.end()) break;
        auto& probe = probes_[ProbeKey{interface, frame.vlan, frame.sender_ip, probed->second}];
        ++probe.frames;
        add_holder(probe, frame.sender_mac);
        unanswered_.erase(probed);
        break;
      }
      default:
        break;
    }
  }

  const std::map<ProbeKey, ProbeHistory>& probes() const { return probes_; }

 private:
  static void add_holder(ProbeHistory& probe, const MacAddress& mac) {
    if (std::find(probe.claimed_by.begin(), probe.claimed_by.end(), mac) == probe.claimed_by.end())
      probe.claimed_by.push_back(mac);
  }

  std::map<ProbeKey, ProbeHistory> probes_;
  // The last prober of each address probed while unclaimed, until someone answers for it.
  std::unordered_map<AddressKey, MacAddress, AddressKeyHash> unanswered_;
};

// ---------------------------------------------------------------------------------------------
// The report: plain values, sorted, ready for either format.

struct FileSummary {
  std::string path;
  std::string interface;
  std::uint64_t packets = 0;
  std::uint64_t arp_frames = 0;
  std::optional<Timestamp> first_packet;
  std::optional<Timestamp> last_packet;
  std::optional<CaptureCut> cut;
};

struct AddressEntry {
  std::string interface;
  AddressKey key;
  std::vector<Claimant> claimants;  // first_seen order
};

struct ProbeEntry {
  std::string interface;
  AddressKey key;
  MacAddress prober;
  std::uint64_t frames = 0;
  std::vector<MacAddress> claimed_by;
};

struct Report {
  std::vector<FileSummary> files;
  std::uint64_t packets = 0;
  std::optional<Timestamp> first_packet;
  std::optional<Timestamp> last_packet;
  Duration window{};
  std::array<std::uint64_t, kAllFrameKinds.size()> frames{};
  std::array<std::uint64_t, kAllRejectReasons.size()> rejected{};
  std::uint64_t ignored = 0;
  std::vector<AddressEntry> contested;
  std::vector<AddressEntry> flapped;
  std::vector<AddressEntry> moved;
  std::vector<ProbeEntry> probes_for_claimed;
};

// By interface name, not index: the order must not depend on the order files were given in.
template <typename Entry>
void sort_entries(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.interface, a.key.vlan, a.key.ip) <
           std::tie(b.interface, b.key.vlan, b.key.ip);
  });
}

void add_history(Report& report, const VerdictHistory& history, const ProbeLog& probes,
                 const ClaimTracker& tracker) {
  for (const auto& [key, address] : history.addresses()) {
    if (address.worst == AddressState::stable) continue;
    AddressEntry entry{.interface = std::string(tracker.interface_name(key.interface)),
                       .key = key,
                       .claimants = {}};
    entry.claimants = address.claimants;
    std::sort(entry.claimants.begin(), entry.claimants.end(),
              [](const Claimant& a, const Claimant& b) {
                return std::tie(a.first_seen, a.mac) < std::tie(b.first_seen, b.mac);
              });
    (address.worst == AddressState::contested ? report.contested
     : address.worst == AddressState::flapped ? report.flapped
                                              : report.moved)
        .push_back(std::move(entry));
  }
  sort_entries(report.contested);
  sort_entries(report.flapped);
  sort_entries(report.moved);

  for (const auto& [key, probe] : probes.probes()) {
    const auto& [interface, vlan, ip, prober] = key;
    report.probes_for_claimed.push_back(
        ProbeEntry{.interface = std::string(tracker.interface_name(interface)),
                   .key = AddressKey{ip, vlan, interface},
                   .prober = prober,
                   .frames = probe.frames,
                   .claimed_by = probe.claimed_by});
  }
  // Stable: probes of one address keep the prober order the map gave them.
  std::stable_sort(report.probes_for_claimed.begin(), report.probes_for_claimed.end(),
                   [](const ProbeEntry& a, const ProbeEntry& b) {
                     return std::tie(a.interface, a.key.vlan, a.key.ip) <
                            std::tie(b.interface, b.key.vlan, b.key.ip);
                   });
}

// ---------------------------------------------------------------------------------------------
// Rendering.

// Zero-padded decimal, for the fixed-width fields of dates and durations.
std::string padded(long long value, std::size_t width) {
  auto digits = std::to_string(value);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

// RFC 3339, UTC, milliseconds: what people paste into tickets and grep logs for.
std::string rfc3339(Timestamp time) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss clock{ms - day};
  return padded(static_cast<int>(date.year()), 4) + "-" +
         padded(static_cast<unsigned>(date.month()), 2) + "-" +
         padded(static_cast<unsigned>(date.day()), 2) + "T" + padded(clock.hours().count(), 2) +
         ":" + padded(clock.minutes().count(), 2) + ":" + padded(clock.seconds().count(), 2) + "." +
         padded(clock.subseconds().count(), 3) + "Z";
}

// "12.345s", "5m00s", "1h02m03s": the window and the capture's span, read at a glance.
std::string duration_text(Duration duration) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
  const auto s = ms / 1000;
  if (ms < 60'000) return std::to_string(s) + "." + padded(ms % 1000, 3) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + padded(s % 60, 2) + "s";
  return std::to_string(s / 3600) + "h" + padded(s / 60 % 60, 2) + "m" + padded(s % 60, 2) + "s";
}

std::string vlan_text(const Vlan& vlan) {
  return vlan.tagged() ? "vlan " + vlan.to_string() : std::string("untagged");
}

std::string plural(std::uint64_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

void write_address_entries(std::ostream& out, const std::vector<AddressEntry>& entries,
                           const VendorRegistry& vendors) {
  for (const auto& entry : entries) {
    out << entry.key.ip.to_string() << " (" << vlan_text(entry.key.vlan) << ", seen in "
        << entry.interface << "): " << plural(entry.claimants.size(), "MAC", "MACs") << '\n';
    std::size_t vendor_width = 0;
    for (const auto& claimant : entry.claimants) {
      vendor_width = std::max(vendor_width, vendors.lookup(claimant.mac).size());
    }
    for (const auto& claimant : entry.claimants) {
      const auto vendor = vendors.lookup(claimant.mac);
      out << "  " << claimant.mac.to_string() << "  " << vendor
          << std::string(vendor_width - vendor.size(), ' ') << "  first "
          << rfc3339(claimant.first_seen) << "  last " << rfc3339(claimant.last_seen) << "  frames "
          << claimant.frames << '\n';
    }
  }
}

void write_text(std::ostream& out, const Report& report, const VendorRegistry& vendors) {
  out << "arp_health_exporter analyze: " << plural(report.files.size(), "file", "files") << ", "
      << plural(report.packets, "frame", "frames");
  if (report.first_packet && report.last_packet) {
    out << " from " << rfc3339(*report.first_packet) << " to " << rfc3339(*report.last_packet)
        << " (" << duration_text(*report.last_packet - *report.first_packet) << ")";
  }
  out << '\n';
  for (const auto& file : report.files) {
    out << "  " << file.path;
    if (file.interface != file.path) out << " (as " << file.interface << ")";
    out << ": " << plural(file.packets, "frame", "frames") << ", " << file.arp_frames
        << " ARP or ND";
    if (file.cut) out << ", cut short at byte " << file.cut->offset;
    out << '\n';
  }
  out << "ARP and ND frames:";
  for (std::size_t i = 0; i < kAllFrameKinds.size(); ++i) {
    out << (i == 0 ? " " : ", ") << report.frames[i] << ' ' << to_string(kAllFrameKinds[i]);
  }
  out << "; " << report.ignored << " ignored by filter rules\n";
  out << "window: " << duration_text(report.window)
      << " (an address is contested when two MACs each claim it again within the window after "
         "another did; one return alone is a flap)\n";

  out << "\nCONTESTED: " << plural(report.contested.size(), "address", "addresses")
      << " (two or more MACs kept claiming it: an IP conflict, find and fix the duplicate)\n";
  write_address_entries(out, report.contested, vendors);

  out << "\nFLAPPED ONCE: " << plural(report.flapped.size(), "address", "addresses")
      << " (went back to an earlier MAC once: a stray announcement such as a VRRP backup's, not a "
         "conflict)\n";
  write_address_entries(out, report.flapped, vendors);

  out << "\nMOVED: " << plural(report.moved.size(), "address", "addresses")
      << " (the MAC changed and the old one went silent: NIC swap, VM migration, failover)\n";
  write_address_entries(out, report.moved, vendors);

  out << "\nPROBES FOR CLAIMED ADDRESSES: " << report.probes_for_claimed.size()
      << " (a host checked whether an address in use was free: a stale DHCP lease or a "
         "conflict about to happen)\n";
  for (const auto& probe : report.probes_for_claimed) {
    out << probe.key.ip.to_string() << " (" << vlan_text(probe.key.vlan) << ", seen in "
        << probe.interface << "): " << plural(probe.frames, "probe", "probes") << " from "
        << probe.prober.to_string() << "  " << vendors.lookup(probe.prober);
    if (!probe.claimed_by.empty()) {
      out << "; claimed by";
      for (const auto& mac : probe.claimed_by) {
        out << ' ' << mac.to_string() << " (" << vendors.lookup(mac) << ")";
      }
    }
    out << '\n';
  }

  std::uint64_t rejected = 0;
  for (const auto count : report.rejected) rejected += count;
  out << "\nREJECTED FRAMES: " << rejected
      << " (neither ARP nor Neighbor Discovery, or malformed)\n";
  for (std::size_t i = 0; i < kAllRejectReasons.size(); ++i) {
    if (report.rejected[i] != 0) {
      out << "  " << to_string(kAllRejectReasons[i]) << "  " << report.rejected[i] << '\n';
    }
  }

  out << '\n';
  if (!report.contested.empty()) {
    out << "verdict: CONTESTED, "
        << plural(report.contested.size(), "address has", "addresses have") << " an IP conflict\n";
  } else {
    out << "verdict: no IP conflict, " << plural(report.flapped.size(), "address", "addresses")
        << " flapped once, " << plural(report.moved.size(), "address", "addresses") << " moved, "
        << plural(report.probes_for_claimed.size(), "probe", "probes")
        << " for claimed addresses\n";
  }
}

using Json = nlohmann::ordered_json;

Json optional_time(const std::optional<Timestamp>& time) {
  return time ? Json(rfc3339(*time)) : Json(nullptr);
}

Json address_entries_json(const std::vector<AddressEntry>& entries, const VendorRegistry& vendors) {
  Json array = Json::array();
  for (const auto& entry : entries) {
    Json claimants = Json::array();
    for (const auto& claimant : entry.claimants) {
      claimants.push_back(Json{{"mac", claimant.mac.to_string()},
                               {"vendor", vendors.lookup(claimant.mac)},
                               {"first_seen", rfc3339(claimant.first_seen)},
                               {"last_seen", rfc3339(claimant.last_seen)},
                               {"frames", claimant.frames}});
    }
    array.push_back(Json{{"ip", entry.key.ip.to_string()},
                         {"vlan", entry.key.vlan.to_string()},
                         {"interface", entry.interface},
                         {"claimants", std::move(claimants)}});
  }
  return array;
}

void write_json(std::ostream& out, const Report& report, const VendorRegistry& vendors) {
  Json files = Json::array();
  for (const auto& file : report.files) {
    files.push_back(Json{{"path", file.path},
                         {"interface", file.interface},
                         {"frames", file.packets},
                         {"arp_frames", file.arp_frames},
                         {"first_frame", optional_time(file.first_packet)},
                         {"last_frame", optional_time(file.last_packet)},
                         {"cut_short_at", file.cut ? Json(file.cut->offset) : Json(nullptr)}});
  }
  Json frames = Json::object();
  for (std::size_t i = 0; i < kAllFrameKinds.size(); ++i) {
    frames[std::string(to_string(kAllFrameKinds[i]))] = report.frames[i];
  }
  Json rejected = Json::object();
  for (std::size_t i = 0; i < kAllRejectReasons.size(); ++i) {
    rejected[std::string(to_string(kAllRejectReasons[i]))] = report.rejected[i];
  }
  Json probes = Json::array();
  for (const auto& probe : report.probes_for_claimed) {
    Json claimed_by = Json::array();
    for (const auto& mac : probe.claimed_by) claimed_by.push_back(mac.to_string());
    probes.push_back(Json{{"ip", probe.key.ip.to_string()},
                          {"vlan", probe.key.vlan.to_string()},
                          {"interface", probe.interface},
                          {"mac", probe.prober.to_string()},
                          {"vendor", vendors.lookup(probe.prober)},
                          {"frames", probe.frames},
                          {"claimed_by", std::move(claimed_by)}});
  }
  const Json document{{"files", std::move(files)},
                      {"frames", std::move(frames)},
                      {"rejected", std::move(rejected)},
                      {"ignored", report.ignored},
                      {"contested", address_entries_json(report.contested, vendors)},
                      {"flapped", address_entries_json(report.flapped, vendors)},
                      {"moved", address_entries_json(report.moved, vendors)},
                      {"probes_for_claimed", std::move(probes)}};
  // Registry names are UTF-8 as published, but one bad byte must not cost the whole report.
  out << document.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

// ---------------------------------------------------------------------------------------------
// The edge: capture files.

// The name "-" stands for standard input, as it does for tcpdump -r.
constexpr std::string_view kStandardInput = "-";
// How standard input is called where a file would be called by its basename.
constexpr std::string_view kStandardInputInterface = "stdin";

// How many packets of a file are read and decoded before they are processed: their addresses
// in the tracker are fetched from memory meanwhile (its index slot when a packet is read, its
// record halfway), instead of a cache miss or two stalling each frame in turn: most of a large
// capture's time went to those.
constexpr std::size_t kReadAhead = 8;

// The packets of one file read and decoded ahead of the one processed next, oldest first: a
// fixed ring (with a std::deque, its node and index bookkeeping took about 8 % of a run).
class ReadAhead {
 public:
  struct Packet {
    Timestamp captured;
    DecodeResult decoded{std::in_place};
    std::size_t bucket = ClaimTracker::kNoHint;  // from the first hint, for the second
  };

  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == kReadAhead; }
  std::size_t size() const { return count_; }
  // i = 0 is the oldest.
  const Packet& operator[](std::size_t i) const { return ring_[(first_ + i) % kReadAhead]; }
  const Packet& front() const { return (*this)[0]; }
  // A slot after the newest, to decode into.
  Packet& push(Timestamp captured) {
    auto& packet = ring_[(first_ + count_++) % kReadAhead];
    packet.captured = captured;
    return packet;
  }
  void pop() {
    first_ = (first_ + 1) % kReadAhead;
    --count_;
  }

 private:
  std::array<Packet, kReadAhead> ring_{};
  std::size_t first_ = 0;
  std::size_t count_ = 0;
};

struct CaptureFile {
  std::string path;
  std::string interface;
  InterfaceIndex index = 0;
  std::optional<CaptureReader> reader;
  std::uint64_t packets = 0;
  std::optional<Timestamp> first_packet;
  std::optional<Timestamp> last_packet;
  ReadAhead ahead;
};

// Keeps `err` to one line, whatever libpcap put in its message.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

CaptureReader open_capture(const std::string& path, std::FILE* standard_input) {
  if (path == kStandardInput && standard_input == nullptr) {
    throw AnalyzeError(path + ": no standard input to read");
  }
  auto reader = path == kStandardInput ? CaptureReader::open_stream(standard_input, path)
                                       : CaptureReader::open_file(path);
  const int link = reader.link_type();
  if (link != DLT_EN10MB) {
    const char* name = pcap_datalink_val_to_name(link);
    throw AnalyzeError(path + ": link type " + (name != nullptr ? name : "unknown") + " (" +
                       std::to_string(link) +
                       ") is not Ethernet (EN10MB), the only link type analyzed");
  }
  return reader;
}

// Times the tracker and the report can do arithmetic on without overflowing (a Timestamp
// holds nanoseconds in 64 bits: up to 2262). Captures are from after 1970; the end leaves the
// window and the capture's span room.
constexpr auto kLatestCaptureTime = std::chrono::sys_days{std::chrono::year{2200} / 1 / 1};

// Reads and decodes packets of `file` until kReadAhead wait, or the file ends or is cut (the
// reader keeps where), hinting the pipeline of each. A time stamp outside 1970..2200 is
// corruption, not a cut: the pcapng format can carry one (64-bit time stamps), and no verdict
// can be built on a clock that wraps.
void read_ahead(CaptureFile& file, const ArpPipeline& pipeline) {
  while (!file.ahead.full()) {
    const auto packet = file.reader->next();
    if (!packet) return;
    const auto seconds = packet->header->ts.tv_sec;
    if (seconds < 0 || std::chrono::seconds(seconds) >= kLatestCaptureTime.time_since_epoch()) {
      throw AnalyzeError(file.path + ": packet " + std::to_string(file.packets + 1) +
                         " has the time stamp " + std::to_string(seconds) +
                         " s, outside 1970 to 2200: the file is corrupt");
    }
    const auto captured = Timestamp{} + std::chrono::duration_cast<Duration>(
                                            std::chrono::seconds(seconds) +
                                            // Opened with nanosecond precision, libpcap puts
                                            // nanoseconds in tv_usec.
                                            std::chrono::nanoseconds(packet->header->ts.tv_usec));
    ++file.packets;
    // Min and max, not first and last: captures merged from several CPUs are not always sorted.
    file.first_packet = std::min(file.first_packet.value_or(captured), captured);
    file.last_packet = std::max(file.last_packet.value_or(captured), captured);
    // libpcap hands out u_char; the decoder reads std::byte. Same object representation.
    const std::span frame(reinterpret_cast<const std::byte*>(packet->data.data()),  // NOLINT
                          packet->data.size());
    auto& ahead = file.ahead.push(captured);
    decode_frame(frame, ahead.decoded);
    ahead.bucket = pipeline.prefetch_bucket(file.index, ahead.decoded);
    if (file.ahead.size() > kReadAhead / 2) {
      pipeline.prefetch_record(file.ahead[file.ahead.size() - 1 - kReadAhead / 2].bucket);
    }
  }
}

// Basenames keep the report readable; where two files share one, their paths as given, so two
// vantage points are never merged into one.
std::vector<std::string> interface_names(const std::vector<std::string>& paths) {
  std::map<std::string, std::size_t> uses;
  std::vector<std::string> names;
  for (const auto& path : paths) {
    names.push_back(path == kStandardInput ? std::string(kStandardInputInterface)
                                           : std::filesystem::path(path).filename().string());
    ++uses[names.back()];
  }
  std::map<std::string, std::size_t> given;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (++given[paths[i]] > 1) throw AnalyzeError(paths[i] + ": given more than once");
    if (uses[names[i]] > 1 || names[i].empty()) names[i] = paths[i];
  }
  return names;
}

Report analyze(const AnalyzeOptions& options) {
  if (options.files.empty()) throw AnalyzeError("no capture files given");
  if (options.files.size() > std::numeric_limits<InterfaceIndex>::max()) {
    throw AnalyzeError("more than " + std::to_string(std::numeric_limits<InterfaceIndex>::max()) +
                       " files");
  }

  ArpPipeline pipeline(options.tracker, options.filter);
  const auto names = interface_names(options.files);
  std::vector<CaptureFile> files(options.files.size());
  // Every file is opened (and its link type checked) before any is read, so a bad argument
  // fails fast instead of after minutes of reading the others.
  for (std::size_t i = 0; i < files.size(); ++i) {
    files[i].path = options.files[i];
    files[i].interface = names[i];
    files[i].reader.emplace(open_capture(files[i].path, options.standard_input));
    files[i].index = pipeline.add_interface(files[i].interface);
  }

  // The tracker has one clock: frames from all files are fed in capture-time order (files
  // from hosts whose clocks are synchronised interleave as the traffic did). Ties go to the
  // earlier file so the result does not depend on heap internals.
  using Pending = std::pair<Timestamp, std::size_t>;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending;
  for (std::size_t i = 0; i < files.size(); ++i) {
    read_ahead(files[i], pipeline);
    if (!files[i].ahead.empty()) pending.emplace(files[i].ahead.front().captured, i);
  }

  VerdictHistory history;
  pipeline.set_observer(&history);
  ProbeLog probes;
  std::optional<Timestamp> latest;
  while (!pending.empty()) {
    const auto i = pending.top().second;
    pending.pop();
    auto& file = files[i];
    for (;;) {
      const auto& packet = file.ahead.front();
      const auto captured = packet.captured;
      latest = std::max(latest.value_or(captured), captured);
      const auto outcome = pipeline.process_decoded(file.index, packet.decoded, captured);
      probes.record(file.index, outcome, captured, pipeline.tracker());
      file.ahead.pop();

      read_ahead(file, pipeline);
      if (file.ahead.empty()) break;
      // The file goes on while its next packet comes first, in the order the queue would give:
      // one file (or long runs of one) costs no queue operation a frame.
      const Pending next{file.ahead.front().captured, i};
      if (!pending.empty() && pending.top() < next) {
        pending.push(next);
        break;
      }
    }
  }

  Report report;
  report.window = options.tracker.window;
  const auto end = latest.value_or(Timestamp{});
  pipeline.refresh(end);
  const auto snapshot = pipeline.snapshot(end);
  for (const auto& address : snapshot.tracker.addresses) history.merge(address);
  pipeline.set_observer(nullptr);
  for (const auto& file : files) {
    const auto& counters = snapshot.counters.at(file.index);
    report.files.push_back(FileSummary{.path = file.path,
                                       .interface = file.interface,
                                       .packets = file.packets,
                                       .arp_frames = counters.frames.total_frames(),
                                       .first_packet = file.first_packet,
                                       .last_packet = file.last_packet,
                                       .cut = file.reader->cut()});
    report.packets += file.packets;
    if (file.first_packet) {
      report.first_packet =
          std::min(report.first_packet.value_or(*file.first_packet), *file.first_packet);
      report.last_packet =
          std::max(report.last_packet.value_or(*file.last_packet), *file.last_packet);
    }
    for (std::size_t k = 0; k < kAllFrameKinds.size(); ++k) {
      report.frames[k] += counters.frames.frames(kAllFrameKinds[k]);
    }
    for (std::size_t r = 0; r < kAllRejectReasons.size(); ++r) {
      report.rejected[r] += counters.frames.rejected(kAllRejectReasons[r]);
    }
    report.ignored += counters.ignored;
  }
  add_history(report, history, probes, pipeline.tracker());
  return report;
}

}  // namespace

int run_analyze(const AnalyzeOptions& options,
                const std::function<const VendorRegistry&()>& vendors, std::ostream& out,
                std::ostream& err) {
  std::optional<Report> report;
  try {
    report = analyze(options);
  } catch (const std::exception& error) {
    // Told after the registry is there: its errors are the caller's and come first, as when
    // it was loaded before the capture was read.
    vendors();
    err << "analyze: " << one_line(error.what()) << '\n';
    return kAnalyzeError;
  }
  const VendorRegistry& registry = vendors();
  try {
    // Rendered whole before writing, so an error never leaves half a report on `out`.
    std::ostringstream text;
    if (options.format == AnalyzeOptions::Format::json) {
      write_json(text, *report, registry);
    } else {
      write_text(text, *report, registry);
    }
    out << text.str();
    out.flush();
    // A report cut short by a full disk or a closed pipe must not pass for a clean one.
    if (!out) throw AnalyzeError("cannot write the report");
    // After the report, so that on a terminal the warning is not scrolled away by it.
    for (const auto& file : report->files) {
      if (!file.cut) continue;
      err << "warning: analyze: " << file.path << " is cut short at byte " << file.cut->offset
          << " (" << one_line(file.cut->reason) << "); analyzed the "
          << plural(file.packets, "packet", "packets") << " before it\n";
    }
    return report->contested.empty() ? kAnalyzeNothingContested : kAnalyzeContested;
  } catch (const std::exception& error) {
    err << "analyze: " << one_line(error.what()) << '\n';
    return kAnalyzeError;
  }
}

int run_analyze(const AnalyzeOptions& options, const VendorRegistry& vendors, std::ostream& out,
                std::ostream& err) {
  return run_analyze(
      options, [&]() -> const VendorRegistry& { return vendors; }, out, err);
}

}  // namespace arp
