// What one core can sustain on the capture path: decode + count + track over a million frames
// held in memory, against a baseline that only copies the same bytes, in the same run. And
// what a tracked address costs in heap, since the tracker caps addresses, not bytes.
//
// Targets (bench/README.md): >= 10 M frames/s decode+track, <= 200 bytes per tracked address.
// A second corpus sends half the resolution traffic as IPv6 Neighbor Discovery instead, as on
// a dual-stack segment, for the mixed figure beside the ARP-only one.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/arp_decoder.h"
#include "core/arp_pipeline.h"
#include "core/claim_tracker.h"
#include "core/frame_counters.h"
#include "core/frame_decoder.h"
#include "core/nd_probe.h"
#include "core/vendor_registry.h"
#include "tests/unit/nd_frame_builder.h"

namespace arp {
namespace {

constexpr std::size_t kFrames = 1'000'000;
// Owners of (IP, VLAN) on the monitored link: more than fit in L2, as on a large segment.
constexpr std::uint32_t kHosts = 50'000;
constexpr std::uint32_t kFirstDot1qHost = 40'000;  // 40'000..47'999 behind one 802.1Q tag
constexpr std::uint32_t kFirstQinQHost = 48'000;   // 48'000..49'999 behind two tags
// The first hosts also have a rogue twin answering for their IP, interleaved with the owner.
constexpr std::uint32_t kContested = 300;
// 198.18.0.0/15 (RFC 2544 benchmarking): never routed, and nothing is sent anyway.
constexpr std::uint32_t kBenchmarkNet = 0xc612'0000;
constexpr std::uint32_t kBenchmarkNetSize = 1U << 17U;
// About 100 k frames/s on the link: what a busy segment's broadcast domain carries.
constexpr auto kFrameGap = std::chrono::microseconds(10);
constexpr auto kStart = Timestamp{} + std::chrono::hours(24 * 365 * 55);
constexpr std::size_t kMaxFrameSize = 64;

// splitmix64: the same sequence from every compiler and standard library, which the std
// distributions do not promise.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e37'79b9'7f4a'7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58'476d'1ce4'e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d0'49bb'1331'11ebULL;
    return z ^ (z >> 31U);
  }
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }

 private:
  std::uint64_t state_;
};

struct Host {
  Ipv4Address ip;
  MacAddress mac;
  Vlan vlan;
};

MacAddress make_mac(std::uint8_t oui0, std::uint8_t oui1, std::uint8_t oui2, std::uint32_t id) {
  return MacAddress({oui0, oui1, oui2, static_cast<std::uint8_t>(id >> 16U),
                     static_cast<std::uint8_t>(id >> 8U), static_cast<std::uint8_t>(id)});
}

Host host(std::uint32_t id) {
  Host h{.ip = Ipv4Address(kBenchmarkNet + id), .mac = make_mac(0x00, 0x1b, 0x21, id), .vlan = {}};
  if (id >= kFirstQinQHost) {
    // Reuses the IPs of the first untagged hosts: another VLAN, so another address.
    h.ip = Ipv4Address(kBenchmarkNet + id - kFirstQinQHost);
    h.vlan = Vlan{.outer = static_cast<std::uint16_t>(100 + id % 4),
                  .inner = static_cast<std::uint16_t>(200 + id % 8)};
  } else if (id >= kFirstDot1qHost) {
    h.vlan = Vlan{.outer = 0, .inner = static_cast<std::uint16_t>(10 + id % 16)};
  }
  return h;
}

MacAddress rogue_mac(std::uint32_t id) { return make_mac(0x00, 0x50, 0x56, id); }

// One ARP-over-Ethernet frame as the wire carries it, with knobs to break it.
struct FrameSpec {
  MacAddress destination = *MacAddress::parse("ff:ff:ff:ff:ff:ff");
  MacAddress source;
  Vlan vlan;
  std::uint16_t ether_type = 0x0806;
  std::uint16_t hardware_type = 1;
  std::uint8_t hardware_length = 6;
  std::uint8_t protocol_length = 4;
  std::uint16_t operation = 1;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
  bool padded = true;           // to the 60-byte minimum, as received; else as sent
  std::size_t truncate_to = 0;  // 0: whole frame
};

class FrameBuilder {
 public:
  void append(const FrameSpec& spec) {
    const auto start = bytes_.size();
    put(spec.destination);
    put(spec.source);
    if (spec.vlan.outer != 0) {
      put16(0x88a8);
      put16(spec.vlan.outer);
    }
    if (spec.vlan.tagged()) {
      put16(0x8100);
      put16(spec.vlan.inner);
    }
    put16(spec.ether_type);
    put16(spec.hardware_type);
    put16(0x0800);
    put8(spec.hardware_length);
    put8(spec.protocol_length);
    put16(spec.operation);
    put(spec.sender_mac);
    put32(spec.sender_ip.to_u32());
    put(spec.target_mac);
    put32(spec.target_ip.to_u32());
    if (spec.padded) {
      while (bytes_.size() - start < 60) put8(0);
    }
    if (spec.truncate_to != 0 && spec.truncate_to < bytes_.size() - start) {
      bytes_.resize(start + spec.truncate_to);
    }
    sizes_.push_back(bytes_.size() - start);
  }

  void append(std::span<const std::byte> frame) {
    bytes_.insert(bytes_.end(), frame.begin(), frame.end());
    sizes_.push_back(frame.size());
  }

  // The frames as spans into one buffer, built once the buffer no longer moves.
  std::vector<std::span<const std::byte>> frames() const {
    std::vector<std::span<const std::byte>> spans;
    spans.reserve(sizes_.size());
    std::size_t offset = 0;
    for (const auto size : sizes_) {
      spans.emplace_back(bytes_.data() + offset, size);
      offset += size;
    }
    return spans;
  }

 private:
  void put8(std::uint8_t value) { bytes_.push_back(std::byte{value}); }
  void put16(std::uint16_t value) {
    put8(static_cast<std::uint8_t>(value >> 8U));
    put8(static_cast<std::uint8_t>(value));
  }
  void put32(std::uint32_t value) {
    put16(static_cast<std::uint16_t>(value >> 16U));
    put16(static_cast<std::uint16_t>(value));
  }
  void put(const MacAddress& mac) {
    for (const auto byte : mac.bytes()) put8(byte);
  }

  std::vector<std::byte> bytes_;
  std::vector<std::size_t> sizes_;
};

// A frame that the decoder must reject, each reason about as often as the others.
FrameSpec malformed(FrameSpec spec, Rng& rng) {
  switch (rng.below(6)) {
    case 0:
      spec.truncate_to = 10 + rng.below(32);
      spec.padded = false;
      break;
    case 1:
      spec.hardware_length = 16;
      break;
    case 2:
      spec.protocol_length = 16;
      break;
    case 3:
      spec.operation = static_cast<std::uint16_t>(3 + rng.below(8));
      break;
    case 4:
      spec.ether_type = 0x0800;
      break;  // IPv4: a capture filter slip
    default:
      spec.hardware_type = 6;
      break;
  }
  return spec;
}

struct Corpus {
  std::vector<std::span<const std::byte>> frames;
  std::size_t bytes = 0;
  FrameBuilder builder;
};

// The IPv6 twin of a benchmark IPv4 address: 2001:db8:: with the IPv4 address as its low 32
// bits, so every host has one, distinct per host and per VLAN like its IPv4 address.
IpAddress ipv6_twin(Ipv4Address ipv4) {
  IpAddress::Bytes bytes{0x20, 0x01, 0x0d, 0xb8};
  const auto value = ipv4.to_u32();
  for (unsigned i = 0; i < 4; ++i)
    bytes[12 + i] = static_cast<std::uint8_t>(value >> (24U - 8U * i));
  return IpAddress::from_bytes(bytes);
}

// What a dual-stack host sends instead of the ARP frame `arp`: a solicitation for a request,
// a DAD solicitation for a probe, a solicited advertisement for a reply, an unsolicited one to
// all nodes for an announcement or a gratuitous reply (RFC 4861 4.3, 4.4, RFC 4862 5.4.2).
testing::NdSpec nd_form(const FrameSpec& arp, const MacAddress& peer_mac) {
  const auto sender = ipv6_twin(arp.sender_ip);
  const auto target = ipv6_twin(arp.target_ip);
  const auto all_nodes = *IpAddress::parse("ff02::1");
  testing::NdSpec nd{.ethernet_destination = {},
                     .ethernet_source = arp.source,
                     .vlan = arp.vlan,
                     .source = sender,
                     .destination = {},
                     .target = target,
                     .options = {}};
  if (arp.operation == 1 && arp.sender_ip.is_unspecified()) {  // DAD probe
    nd.source = IpAddress::from_bytes({});
    nd.destination = solicited_node_group(target);
  } else if (arp.operation == 1 && arp.sender_ip != arp.target_ip) {  // who has target?
    nd.destination = solicited_node_group(target);
    nd.options = {testing::link_layer_option(1, arp.sender_mac)};
  } else if (arp.operation == 2 && arp.sender_ip != arp.target_ip) {  // solicited answer
    nd.type = 136;
    nd.flags = 0x60;
    nd.destination = ipv6_twin(arp.target_ip);
    nd.target = sender;
    nd.options = {testing::link_layer_option(2, arp.sender_mac)};
  } else {  // unsolicited advertisement
    nd.type = 136;
    nd.flags = 0x20;
    nd.destination = all_nodes;
    nd.target = sender;
    nd.options = {testing::link_layer_option(2, arp.sender_mac)};
  }
  nd.ethernet_destination =
      nd.destination == all_nodes || nd.type == 135 ? ipv6_multicast_mac(nd.destination) : peer_mac;
  return nd;
}

// The mix, per 1000 frames: 50 contested claims, 400 requests, 340 replies, 50 probes, 50
// announcements, 20 gratuitous replies, 90 malformed (truncated, bad lengths, wrong opcode,
// hardware type or EtherType); 16 % of senders behind one tag, 4 % behind two; a fifth of the
// frames unpadded, as captured on the sending host. With `nd_share` > 0 that share of the
// well-formed frames is the same exchange in Neighbor Discovery, for the sender's IPv6 twin.
// Fixed seed: every run decodes the same million frames.
Corpus build_corpus(unsigned nd_percent) {
  Corpus corpus;
  Rng rng(0x5eed'a4b0'0000'0001ULL);
  std::array<bool, kContested> rogue_turn{};
  for (std::size_t i = 0; i < kFrames; ++i) {
    const auto roll = rng.below(1000);
    const Host sender = host(rng.below(kHosts));
    const Host peer = host(rng.below(kHosts));
    FrameSpec spec;
    spec.source = spec.sender_mac = sender.mac;
    spec.sender_ip = sender.ip;
    spec.target_ip = peer.ip;
    spec.vlan = sender.vlan;
    spec.padded = rng.below(5) != 0;
    if (roll < 50) {  // owner and rogue take turns answering for the same IP
      const auto id = rng.below(kContested);
      const Host owner = host(id);
      spec.source = spec.sender_mac = rogue_turn[id] ? rogue_mac(id) : owner.mac;
      spec.sender_ip = owner.ip;
      spec.vlan = owner.vlan;
      spec.operation = 2;
      spec.destination = spec.target_mac = peer.mac;
      rogue_turn[id] = !rogue_turn[id];
    } else if (roll < 450) {  // who-has
    } else if (roll < 790) {  // is-at, unicast back to the asker
      spec.operation = 2;
      spec.destination = spec.target_mac = peer.mac;
    } else if (roll < 840) {  // RFC 5227 probe
      spec.sender_ip = Ipv4Address();
    } else if (roll < 890) {  // RFC 5227 announcement
      spec.target_ip = spec.sender_ip;
    } else if (roll < 910) {  // gratuitous reply (failover stacks)
      spec.operation = 2;
      spec.target_ip = spec.sender_ip;
      spec.target_mac = spec.destination;
    } else {
      spec = malformed(spec, rng);
    }
    if (roll < 910 && rng.below(100) < nd_percent) {
      corpus.builder.append(testing::build_nd_frame(nd_form(spec, peer.mac)));
    } else {
      corpus.builder.append(spec);
    }
  }
  corpus.frames = corpus.builder.frames();
  for (const auto frame : corpus.frames) corpus.bytes += frame.size();
  return corpus;
}

const Corpus& corpus() {
  static const Corpus built = build_corpus(0);
  return built;
}

// Half of the well-formed frames in Neighbor Discovery: a dual-stack segment.
const Corpus& mixed_corpus() {
  static const Corpus built = build_corpus(50);
  return built;
}

void report_frames(benchmark::State& state, const Corpus& frames) {
  const auto processed = static_cast<std::int64_t>(frames.frames.size()) * state.iterations();
  state.SetItemsProcessed(processed);
  state.SetBytesProcessed(static_cast<std::int64_t>(frames.bytes) * state.iterations());
  state.counters["frames_per_second"] =
      benchmark::Counter(static_cast<double>(processed), benchmark::Counter::kIsRate);
}

// The floor: what reading the frames out of memory costs, with no parsing at all.
void BM_CopyBaseline(benchmark::State& state) {
  const auto& frames = corpus();
  std::array<std::byte, kMaxFrameSize> buffer{};
  std::uint64_t checksum = 0;
  for (auto _ : state) {
    for (const auto frame : frames.frames) {
      std::memcpy(buffer.data(), frame.data(), frame.size());
      benchmark::DoNotOptimize(buffer.data());
      for (std::size_t i = 0; i < frame.size(); ++i) {
        checksum += std::to_integer<unsigned>(buffer[i]);
      }
    }
  }
  benchmark::DoNotOptimize(checksum);
  report_frames(state, frames);
}
BENCHMARK(BM_CopyBaseline)->Unit(benchmark::kMillisecond);

void BM_Decode(benchmark::State& state) {
  const auto& frames = corpus();
  std::uint64_t sink = 0;
  for (auto _ : state) {
    for (const auto frame : frames.frames) {
      const auto decoded = decode_arp_frame(frame);
      if (decoded) {
        sink += static_cast<unsigned>(decoded->kind) + decoded->sender_ip.bytes()[15] +
                decoded->vlan.to_u32() + decoded->sender_mac.bytes()[5];
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  report_frames(state, frames);
}
BENCHMARK(BM_Decode)->Unit(benchmark::kMillisecond);

// The capture thread's whole job per frame. One tracker across iterations, with the clock
// running on: after the first pass it is the steady state of a long-running exporter.
template <typename Decoder>
void decode_and_track(benchmark::State& state, const Corpus& frames, Decoder decode) {
  ClaimTracker tracker(ClaimTrackerConfig{});
  const auto link = tracker.add_interface("bench0");
  FrameCounters counters;
  auto now = kStart;
  for (auto _ : state) {
    for (const auto frame : frames.frames) {
      now += kFrameGap;
      const auto decoded = decode(frame);
      counters.count(decoded);
      if (decoded) benchmark::DoNotOptimize(tracker.observe(link, *decoded, now));
    }
  }
  report_frames(state, frames);
  // Not timed: proof that the mix is what it claims to be.
  tracker.refresh(now);
  const auto snapshot = tracker.snapshot();
  state.counters["tracked"] = static_cast<double>(tracker.tracked());
  state.counters["contested"] = static_cast<double>(snapshot.interfaces[link].contested);
  state.counters["rejected_share"] =
      static_cast<double>(counters.total_rejected()) /
      static_cast<double>(counters.total_rejected() + counters.total_frames());
  std::uint64_t nd = 0;
  for (const auto kind : kAllFrameKinds) nd += counters.frames(IpFamily::ipv6, kind);
  state.counters["nd_share"] =
      static_cast<double>(nd) /
      static_cast<double>(counters.total_rejected() + counters.total_frames());
}

void BM_DecodeAndTrack(benchmark::State& state) {
  decode_and_track(state, corpus(), [](auto frame) { return decode_arp_frame(frame); });
}
BENCHMARK(BM_DecodeAndTrack)->Unit(benchmark::kMillisecond);

// The dual-stack segment, through the decoder the exporter runs (by EtherType, ARP or ND).
void BM_DecodeAndTrackMixed(benchmark::State& state) {
  decode_and_track(state, mixed_corpus(), [](auto frame) { return decode_frame(frame); });
}
BENCHMARK(BM_DecodeAndTrackMixed)->Unit(benchmark::kMillisecond);

// The live exporter's per-frame path: the whole pipeline (decode, count, filter, track, and
// with verification on, answers routed to the planner and a round asked for on every change),
// with advance() every 50 ms of the frames' clock, as the Verifier thread calls it. Its ratio
// to BM_DecodeAndTrack is what verification costs per frame.
void run_pipeline(benchmark::State& state, std::optional<ProbePlannerConfig> probing) {
  const auto& frames = corpus();
  ArpPipeline pipeline(ClaimTrackerConfig{}, ClaimFilter{}, probing);
  const auto link = pipeline.add_interface("bench0");
  auto now = kStart;
  auto next_advance = now;
  std::size_t probes = 0;
  for (auto _ : state) {
    for (const auto frame : frames.frames) {
      now += kFrameGap;
      benchmark::DoNotOptimize(pipeline.process(link, frame, now).event);
      if (now >= next_advance) {
        probes += pipeline.advance(now).size();
        next_advance = now + std::chrono::milliseconds(50);
      }
    }
  }
  report_frames(state, frames);
  state.counters["probes"] = static_cast<double>(probes);
}

void BM_PipelinePassive(benchmark::State& state) { run_pipeline(state, std::nullopt); }
BENCHMARK(BM_PipelinePassive)->Unit(benchmark::kMillisecond);

void BM_PipelineVerifying(benchmark::State& state) { run_pipeline(state, ProbePlannerConfig{}); }
BENCHMARK(BM_PipelineVerifying)->Unit(benchmark::kMillisecond);

// The capture's path (collectors/arp_capture.cpp): batches of up to 1,024 frames, decoded
// first, then handed to process_batch() at one time stamp, which fetches the tracker's memory
// for the frames ahead while it handles earlier ones. With the exporter's defaults
// (verification on), so its ratio is to BM_PipelineVerifying.
void BM_PipelineBatch(benchmark::State& state) {
  constexpr std::size_t kBatch = 1024;
  const auto& frames = corpus();
  ArpPipeline pipeline(ClaimTrackerConfig{}, ClaimFilter{}, ProbePlannerConfig{});
  const auto link = pipeline.add_interface("bench0");
  std::vector<DecodeResult> decoded;
  decoded.reserve(kBatch);
  std::vector<ClaimEvent> events(kBatch);
  auto now = kStart;
  auto next_advance = now;
  std::size_t probes = 0;
  for (auto _ : state) {
    for (std::size_t first = 0; first < frames.frames.size(); first += kBatch) {
      const auto end = std::min(first + kBatch, frames.frames.size());
      decoded.clear();
      for (auto i = first; i < end; ++i) decoded.push_back(decode_frame(frames.frames[i]));
      now += kFrameGap * static_cast<int>(end - first);
      pipeline.process_batch(link, decoded, now, std::span(events).first(decoded.size()));
      benchmark::DoNotOptimize(events.data());
      if (now >= next_advance) {
        probes += pipeline.advance(now).size();
        next_advance = now + std::chrono::milliseconds(50);
      }
    }
  }
  report_frames(state, frames);
  state.counters["probes"] = static_cast<double>(probes);
}
BENCHMARK(BM_PipelineBatch)->Unit(benchmark::kMillisecond);

// Bytes malloc hands out: small blocks from the arenas plus the large ones it mmaps (a big
// vector or hash table lives there, and uordblks alone would not see it).
std::size_t heap_in_use() {
  const auto info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

void BM_HeapPerAddress(benchmark::State& state) {
  const auto addresses = static_cast<std::uint32_t>(state.range(0));
  double bytes_per_address = 0;
  for (auto _ : state) {
    const auto before = heap_in_use();
    ClaimTracker tracker({.max_addresses = addresses});
    const auto link = tracker.add_interface("bench0");
    auto now = kStart;
    for (std::uint32_t i = 0; i < addresses; ++i) {
      ResolutionFrame frame;
      frame.kind = FrameKind::reply;
      frame.sender_mac = make_mac(0x00, 0x1b, 0x21, i);
      // Past 2^17 addresses the benchmark net repeats in the next VLAN: still distinct keys.
      frame.sender_ip = Ipv4Address(kBenchmarkNet + i % kBenchmarkNetSize);
      frame.vlan.inner = static_cast<std::uint16_t>(i / kBenchmarkNetSize);
      now += kFrameGap;
      benchmark::DoNotOptimize(tracker.observe(link, frame, now));
    }
    const auto after = heap_in_use();
    bytes_per_address =
        static_cast<double>(after - before) / static_cast<double>(tracker.tracked());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(addresses) * state.iterations());
  state.counters["bytes_per_address"] = bytes_per_address;
}
BENCHMARK(BM_HeapPerAddress)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// What the vendor names cost the start-up of every command: add_csv over Debian's ieee-data
// registries (about 4 MiB, 46 000 assignments), as the exporter loads them. The files are read
// once, outside the timing; skipped when ieee-data is not installed.
void BM_LoadVendorRegistry(benchmark::State& state) {
  std::vector<std::string> texts;
  for (const char* name : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"}) {
    std::ifstream file(std::string("/usr/share/ieee-data/") + name, std::ios::binary);
    if (!file) {
      state.SkipWithError("/usr/share/ieee-data is missing (install ieee-data)");
      return;
    }
    texts.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  std::size_t bytes = 0;
  for (const auto& text : texts) {
    bytes += text.size();
  }
  for (auto _ : state) {
    VendorRegistry registry;
    for (const auto& text : texts) {
      if (!registry.add_csv(text).ok()) {
        state.SkipWithError("a registry file does not parse");
        return;
      }
    }
    benchmark::DoNotOptimize(registry.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
}
BENCHMARK(BM_LoadVendorRegistry)->Unit(benchmark::kMillisecond);

// The console output plus, at the end, the ratios the README asks every benchmark to print.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(OO_None) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      // With --benchmark_repetitions the median stands for the run; it comes after the
      // repetitions, so it overwrites them.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if ((run.run_type != Run::RT_Iteration && !median) || run.error_occurred) continue;
      const auto name = run.run_name.function_name;
      if (const auto rate = run.counters.find("frames_per_second"); rate != run.counters.end()) {
        frames_per_second_[name] = rate->second.value;
      }
      if (const auto bytes = run.counters.find("bytes_per_address"); bytes != run.counters.end()) {
        bytes_per_address_[name + "/" + run.run_name.args] = bytes->second.value;
      }
    }
  }

  void print_summary() const {
    const auto rate = [&](const char* name) {
      const auto found = frames_per_second_.find(name);
      return found == frames_per_second_.end() ? 0.0 : found->second;
    };
    const double baseline = rate("BM_CopyBaseline");
    const double decode = rate("BM_Decode");
    const double track = rate("BM_DecodeAndTrack");
    if (baseline > 0 && decode > 0) {
      std::printf("ratio decode / baseline:         %.3f\n", decode / baseline);
    }
    if (baseline > 0 && track > 0) {
      std::printf("ratio decode+track / baseline:   %.3f\n", track / baseline);
    }
    if (decode > 0 && track > 0) {
      std::printf("ratio decode+track / decode:     %.3f\n", track / decode);
    }
    const double mixed = rate("BM_DecodeAndTrackMixed");
    if (track > 0 && mixed > 0) {
      std::printf("ratio decode+track mixed ARP/ND / ARP only: %.3f\n", mixed / track);
    }
    const double passive = rate("BM_PipelinePassive");
    const double verifying = rate("BM_PipelineVerifying");
    if (track > 0 && passive > 0 && verifying > 0) {
      std::printf("ratio pipeline passive / decode+track:   %.3f\n", passive / track);
      std::printf("ratio pipeline verifying / decode+track: %.3f\n", verifying / track);
    }
    const double batch = rate("BM_PipelineBatch");
    if (verifying > 0 && batch > 0) {
      std::printf("ratio pipeline batch / pipeline verifying: %.3f\n", batch / verifying);
    }
    if (track > 0) {
      std::printf("decode+track: %.2f M frames/s (target >= 10): %s\n", track / 1e6,
                  track >= 10e6 ? "met" : "MISSED");
    }
    if (mixed > 0) {
      std::printf("decode+track mixed ARP/ND: %.2f M frames/s\n", mixed / 1e6);
    }
    for (const auto& [name, bytes] : bytes_per_address_) {
      std::printf("%s: %.1f bytes per tracked address (target <= 200): %s\n", name.c_str(), bytes,
                  bytes <= 200 ? "met" : "MISSED");
    }
  }

 private:
  std::map<std::string, double> frames_per_second_;
  std::map<std::string, double> bytes_per_address_;
};

}  // namespace
}  // namespace arp

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  arp::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary();
  benchmark::Shutdown();
  return 0;
}
