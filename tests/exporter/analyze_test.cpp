#include "exporter/analyze.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>  // pipe

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "collectors/pcap_handle.h"
#include "collectors/vendor_files.h"
#include "tests/unit/nd_frame_builder.h"

namespace arp {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Json = nlohmann::json;

const auto kOwnerMac = *MacAddress::parse("00:1b:21:0a:00:0a");   // server A (Intel)
const auto kRogueMac = *MacAddress::parse("00:50:56:0b:00:0b");   // forgotten machine R (VMware)
const auto kNewNicMac = *MacAddress::parse("3c:fd:fe:00:00:0a");  // A's replacement NIC (Intel)
const auto kPeerMac = *MacAddress::parse("02:00:00:00:00:14");    // peer B, asking for A
const auto kProberMac = *MacAddress::parse("02:00:00:00:00:99");  // a host running RFC 5227 DAD
const auto kServerIp = *Ipv4Address::parse("192.0.2.10");
const auto kOtherIp = *Ipv4Address::parse("192.0.2.30");
const auto kPeerIp = *Ipv4Address::parse("192.0.2.20");
const auto kBroadcast = *MacAddress::parse("ff:ff:ff:ff:ff:ff");

// 2026-11-25T07:35:57.123Z: the milliseconds show up in the report's time stamps.
const Timestamp kStart = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} +
                         std::chrono::hours(7) + minutes(35) + seconds(57) + milliseconds(123);

const VendorRegistry& vendors() {
  static const VendorRegistry registry = load_vendor_registry(default_vendor_files());
  return registry;
}

// ---- frames, built by hand as they appear on the wire ----

struct Frame {
  Timestamp at;
  std::vector<std::uint8_t> bytes;
};

void put16(std::vector<std::uint8_t>& out, unsigned value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8U));
  out.push_back(static_cast<std::uint8_t>(value & 0xffU));
}
void put_mac(std::vector<std::uint8_t>& out, const MacAddress& mac) {
  out.insert(out.end(), mac.bytes().begin(), mac.bytes().end());
}
void put_ip(std::vector<std::uint8_t>& out, Ipv4Address ip) {
  put16(out, ip.to_u32() >> 16U);
  put16(out, ip.to_u32() & 0xffffU);
}

struct ArpFields {
  unsigned opcode = 1;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
  MacAddress destination = kBroadcast;
  std::uint16_t vlan = 0;  // 0: untagged
};

std::vector<std::uint8_t> arp_bytes(const ArpFields& fields) {
  std::vector<std::uint8_t> out;
  put_mac(out, fields.destination);
  put_mac(out, fields.sender_mac);
  if (fields.vlan != 0) {
    put16(out, 0x8100);
    put16(out, fields.vlan);
  }
  put16(out, 0x0806);
  put16(out, 1);       // Ethernet
  put16(out, 0x0800);  // IPv4
  out.push_back(6);
  out.push_back(4);
  put16(out, fields.opcode);
  put_mac(out, fields.sender_mac);
  put_ip(out, fields.sender_ip);
  put_mac(out, fields.target_mac);
  put_ip(out, fields.target_ip);
  return out;
}

// `mac` answers the peer: "`ip` is at `mac`".
Frame reply(Timestamp at, MacAddress mac, Ipv4Address ip, std::uint16_t vlan = 0) {
  return {at, arp_bytes({.opcode = 2,
                         .sender_mac = mac,
                         .sender_ip = ip,
                         .target_mac = kPeerMac,
                         .target_ip = kPeerIp,
                         .destination = kPeerMac,
                         .vlan = vlan})};
}

Frame probe(Timestamp at, MacAddress prober, Ipv4Address wanted) {
  return {at, arp_bytes({.opcode = 1,
                         .sender_mac = prober,
                         .sender_ip = Ipv4Address(),
                         .target_mac = MacAddress(),
                         .target_ip = wanted})};
}

// Server A and machine R both answer for `ip`, alternately: the incident.
std::vector<Frame> incident(Timestamp from, int replies_each, std::uint16_t vlan = 0,
                            Ipv4Address ip = kServerIp) {
  std::vector<Frame> frames;
  for (int i = 0; i < replies_each; ++i) {
    frames.push_back(reply(from + seconds(2 * i), kOwnerMac, ip, vlan));
    frames.push_back(reply(from + seconds(2 * i) + milliseconds(500), kRogueMac, ip, vlan));
  }
  return frames;
}

void append(std::vector<Frame>& to, const std::vector<Frame>& frames) {
  to.insert(to.end(), frames.begin(), frames.end());
}

// ---- capture files ----

struct DumperCloser {
  void operator()(pcap_dumper_t* dumper) const noexcept { pcap_dump_close(dumper); }
};

void write_capture(const std::filesystem::path& path, const std::vector<Frame>& frames,
                   int link_type = DLT_EN10MB) {
  const PcapHandle dead(pcap_open_dead(link_type, 65535));
  ASSERT_TRUE(dead);
  const std::unique_ptr<pcap_dumper_t, DumperCloser> dumper(
      pcap_dump_open(dead.get(), path.c_str()));
  ASSERT_TRUE(dumper) << pcap_geterr(dead.get());
  for (const auto& frame : frames) {
    const auto since_epoch = frame.at.time_since_epoch();
    const auto whole = std::chrono::floor<seconds>(since_epoch);
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(whole.count());
    header.ts.tv_usec = static_cast<suseconds_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - whole).count());
    header.caplen = static_cast<bpf_u_int32>(frame.bytes.size());
    header.len = header.caplen;
    // pcap_dump's first argument is the dumper, passed as pcap_loop's user pointer would be.
    pcap_dump(reinterpret_cast<u_char*>(dumper.get()), &header, frame.bytes.data());  // NOLINT
  }
}

// libpcap writes no pcapng, so this does, by hand: a section header, one Ethernet interface
// with nanosecond time stamps, and an enhanced packet block per frame (little-endian).
void put32le(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}
std::vector<std::uint8_t> pcapng_bytes(const std::vector<Frame>& frames) {
  std::vector<std::uint8_t> out;
  // Section header block: type, length 28, byte-order magic, version 1.0, section length -1.
  for (const std::uint32_t word :
       {0x0a0d0d0aU, 28U, 0x1a2b3c4dU, 0x00000001U, 0xffffffffU, 0xffffffffU, 28U}) {
    put32le(out, word);
  }
  // Interface description block: Ethernet, snaplen 65535, option if_tsresol = 9 (ns).
  for (const std::uint32_t word : {0x00000001U, 32U, 0x00000001U /* EN10MB, reserved */, 65535U,
                                   0x0001'0009U /* if_tsresol, length 1 */,
                                   0x00000009U /* 10^-9, padding */, 0U /* opt_endofopt */, 32U}) {
    put32le(out, word);
  }
  for (const auto& frame : frames) {
    const auto padded = (frame.bytes.size() + 3) / 4 * 4;
    const auto length = static_cast<std::uint32_t>(32 + padded);
    const auto ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(frame.at.time_since_epoch()).count());
    const auto caplen = static_cast<std::uint32_t>(frame.bytes.size());
    for (const std::uint32_t word : {6U, length, 0U, static_cast<std::uint32_t>(ns >> 32U),
                                     static_cast<std::uint32_t>(ns), caplen, caplen}) {
      put32le(out, word);
    }
    out.insert(out.end(), frame.bytes.begin(), frame.bytes.end());
    out.resize(out.size() + padded - frame.bytes.size(), 0);
    put32le(out, length);
  }
  return out;
}

std::vector<std::uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: ostream's byte type
             static_cast<std::streamsize>(bytes.size()));
}

constexpr std::size_t kPcapFileHeader = 24;
constexpr std::size_t kPcapRecordHeader = 16;

// Where record `index` begins in a pcap file of `frames`.
std::size_t pcap_record_offset(const std::vector<Frame>& frames, std::size_t index) {
  std::size_t offset = kPcapFileHeader;
  for (std::size_t i = 0; i < index; ++i) offset += kPcapRecordHeader + frames[i].bytes.size();
  return offset;
}

struct StreamCloser {
  void operator()(std::FILE* stream) const noexcept { std::fclose(stream); }
};
using Stream = std::unique_ptr<std::FILE, StreamCloser>;

struct Analysis {
  int code = -1;
  std::string out;
  std::string err;
  Json json() const { return Json::parse(out); }
};

class AnalyzeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "analyze_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string capture(const std::string& name, const std::vector<Frame>& frames,
                      int link_type = DLT_EN10MB) {
    const auto path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    write_capture(path, frames, link_type);
    return path.string();
  }

  Analysis run(std::vector<std::string> files,
               AnalyzeOptions::Format format = AnalyzeOptions::Format::json,
               std::FILE* standard_input = nullptr) {
    options.files = std::move(files);
    options.standard_input = standard_input;
    options.format = format;
    std::ostringstream out;
    std::ostringstream err;
    Analysis result;
    result.code = run_analyze(options, vendors(), out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  // An error is exactly one line on err, naming what failed, and nothing on out.
  static void expect_one_error_line(const Analysis& result, const std::string& mentions) {
    EXPECT_EQ(result.code, kAnalyzeError);
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.err.rfind("analyze: ", 0), 0U) << result.err;
    EXPECT_NE(result.err.find(mentions), std::string::npos) << result.err;
  }

  AnalyzeOptions options{.files = {},
                         .format = AnalyzeOptions::Format::json,
                         .tracker = {.window = minutes(5)},
                         .filter = {}};
  std::filesystem::path dir_;
};

TEST_F(AnalyzeTest, IncidentIsContestedWithBothMacsAndVendors) {
  const auto result = run({capture("A.pcap", incident(kStart, 10, 100))});

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  ASSERT_EQ(json["contested"].size(), 1U) << json.dump(2);
  const auto& address = json["contested"][0];
  EXPECT_EQ(address["ip"], "192.0.2.10");
  EXPECT_EQ(address["vlan"], "100");
  EXPECT_EQ(address["interface"], "A.pcap");
  ASSERT_EQ(address["claimants"].size(), 2U);
  const auto& owner = address["claimants"][0];
  EXPECT_EQ(owner["mac"], "00:1b:21:0a:00:0a");
  EXPECT_EQ(owner["vendor"], "Intel Corporate");
  EXPECT_EQ(owner["first_seen"], "2026-11-25T07:35:57.123Z");
  EXPECT_EQ(owner["last_seen"], "2026-11-25T07:36:15.123Z");
  EXPECT_EQ(owner["frames"], 10);
  const auto& rogue = address["claimants"][1];
  EXPECT_EQ(rogue["mac"], "00:50:56:0b:00:0b");
  EXPECT_EQ(rogue["vendor"], "VMware, Inc.");
  EXPECT_EQ(rogue["first_seen"], "2026-11-25T07:35:57.623Z");
  EXPECT_EQ(rogue["frames"], 10);
  EXPECT_TRUE(json["moved"].empty());
  EXPECT_EQ(json["frames"]["reply"], 20);
  EXPECT_EQ(json["files"][0]["frames"], 20);
}

TEST_F(AnalyzeTest, TextReportNamesAddressClaimantsAndVerdict) {
  const auto result =
      run({capture("A.pcap", incident(kStart, 3, 100))}, AnalyzeOptions::Format::text);

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  EXPECT_TRUE(result.err.empty());
  const auto& text = result.out;
  EXPECT_NE(text.find("192.0.2.10 (vlan 100, seen in A.pcap): 2 MACs\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  00:1b:21:0a:00:0a  Intel Corporate  first 2026-11-25T07:35:57.123Z"
                      "  last 2026-11-25T07:36:01.123Z  frames 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  00:50:56:0b:00:0b  VMware, Inc.     first 2026-11-25T07:35:57.623Z"),
            std::string::npos)
      << text;
  // CONTESTED comes before MOVED, and the verdict is the last line.
  EXPECT_LT(text.find("CONTESTED: 1 address"), text.find("MOVED: 0 addresses")) << text;
  const auto last_line = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_EQ(last_line.rfind("verdict: CONTESTED", 0), 0U) << last_line;
}

TEST_F(AnalyzeTest, NicReplacementIsMovedNotContested) {
  std::vector<Frame> frames;
  for (int i = 0; i < 5; ++i)
    frames.push_back(reply(kStart + seconds(10 * i), kOwnerMac, kServerIp));
  for (int i = 5; i < 10; ++i) {
    frames.push_back(reply(kStart + seconds(10 * i), kNewNicMac, kServerIp));
  }
  const auto result = run({capture("A.pcap", frames)});

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  const auto json = result.json();
  EXPECT_TRUE(json["contested"].empty());
  ASSERT_EQ(json["moved"].size(), 1U);
  EXPECT_EQ(json["moved"][0]["ip"], "192.0.2.10");
  EXPECT_EQ(json["moved"][0]["vlan"], "");
  ASSERT_EQ(json["moved"][0]["claimants"].size(), 2U);
  EXPECT_EQ(json["moved"][0]["claimants"][0]["mac"], "00:1b:21:0a:00:0a");
  EXPECT_EQ(json["moved"][0]["claimants"][0]["frames"], 5);
  EXPECT_EQ(json["moved"][0]["claimants"][1]["mac"], "3c:fd:fe:00:00:0a");
  EXPECT_EQ(json["moved"][0]["claimants"][1]["frames"], 5);
}

TEST_F(AnalyzeTest, ConflictThatEndedEarlyInALongCaptureIsStillReported) {
  options.tracker.window = minutes(1);
  // Ten seconds of conflict at the start, then two hours in which A alone keeps its address
  // and another host talks: by the end the tracker has long forgotten R.
  auto frames = incident(kStart, 5);
  for (int i = 1; i <= 240; ++i) {
    frames.push_back(reply(kStart + seconds(30 * i), kOwnerMac, kServerIp));
    frames.push_back(reply(kStart + seconds(30 * i) + seconds(1), kPeerMac, kOtherIp));
  }
  const auto result = run({capture("long.pcap", frames)});

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  ASSERT_EQ(json["contested"].size(), 1U);
  const auto& claimants = json["contested"][0]["claimants"];
  ASSERT_EQ(claimants.size(), 2U);
  // Every claim A made is counted, including the two hours after the last flap.
  EXPECT_EQ(claimants[0]["frames"], 5 + 240);
  EXPECT_EQ(claimants[0]["last_seen"], "2026-11-25T09:35:57.123Z");
  EXPECT_EQ(claimants[1]["frames"], 5);
  EXPECT_EQ(claimants[1]["last_seen"], "2026-11-25T07:36:05.623Z");
}

TEST_F(AnalyzeTest, ProbesForALiveAddressAreCountedButNotAConflict) {
  std::vector<Frame> frames{reply(kStart, kOwnerMac, kPeerIp)};
  for (int i = 1; i <= 3; ++i) frames.push_back(probe(kStart + seconds(i), kProberMac, kPeerIp));
  // A probe for a free address is ordinary DAD and not reported.
  frames.push_back(probe(kStart + seconds(4), kProberMac, kOtherIp));
  const auto result = run({capture("A.pcap", frames)});

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  const auto json = result.json();
  EXPECT_TRUE(json["contested"].empty());
  EXPECT_EQ(json["frames"]["probe"], 4);
  ASSERT_EQ(json["probes_for_claimed"].size(), 1U);
  const auto& probed = json["probes_for_claimed"][0];
  EXPECT_EQ(probed["ip"], "192.0.2.20");
  EXPECT_EQ(probed["vlan"], "");
  EXPECT_EQ(probed["interface"], "A.pcap");
  EXPECT_EQ(probed["mac"], "02:00:00:00:00:99");
  EXPECT_EQ(probed["vendor"], "locally administered");
  EXPECT_EQ(probed["frames"], 3);
  EXPECT_EQ(probed["claimed_by"], Json::array({"00:1b:21:0a:00:0a"}));
}

// ---- IPv6 Neighbor Discovery in a capture ----

const auto kServerIp6 = *IpAddress::parse("2001:db8::10");
const auto kPeerIp6 = *IpAddress::parse("2001:db8::14");

Frame nd_frame(Timestamp at, const testing::NdSpec& spec) {
  const auto bytes = testing::build_nd_frame(spec);
  Frame frame{at, {}};
  for (const auto b : bytes) frame.bytes.push_back(std::to_integer<std::uint8_t>(b));
  return frame;
}

// `mac` answers the peer's solicitation: a solicited advertisement for `ip`.
Frame advertisement(Timestamp at, MacAddress mac, const IpAddress& ip) {
  return nd_frame(at, testing::solicited_advertisement(mac, ip, kPeerMac, kPeerIp6));
}

TEST_F(AnalyzeTest, TwoMacsAdvertisingOneIpv6AddressAreContested) {
  std::vector<Frame> frames;
  for (int i = 0; i < 5; ++i) {
    frames.push_back(advertisement(kStart + seconds(2 * i), kOwnerMac, kServerIp6));
    frames.push_back(
        advertisement(kStart + seconds(2 * i) + milliseconds(500), kRogueMac, kServerIp6));
  }
  const auto result = run({capture("A.pcap", frames)});

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  ASSERT_EQ(json["contested"].size(), 1U);
  EXPECT_EQ(json["contested"][0]["ip"], "2001:db8::10");
  ASSERT_EQ(json["contested"][0]["claimants"].size(), 2U);
  EXPECT_EQ(json["frames"]["reply"], 10);
  EXPECT_EQ(json["files"][0]["arp_frames"], 10);
}

// A host's DAD for an address whose holder had been silent: its solicitation from ::, then the
// holder's defence to all nodes. The joining host gives the address up; the report says who
// wanted it and who holds it.
TEST_F(AnalyzeTest, ADefendedDadProbeIsAProbeForAClaimedAddress) {
  const auto dad = nd_frame(kStart, testing::dad_solicitation(kProberMac, kServerIp6));
  const auto defence =
      nd_frame(kStart + milliseconds(2), testing::unsolicited_advertisement(kOwnerMac, kServerIp6));
  const auto result = run({capture("A.pcap", {dad, defence})});

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  const auto json = result.json();
  EXPECT_EQ(json["frames"]["probe"], 1);
  ASSERT_EQ(json["probes_for_claimed"].size(), 1U);
  const auto& probed = json["probes_for_claimed"][0];
  EXPECT_EQ(probed["ip"], "2001:db8::10");
  EXPECT_EQ(probed["mac"], "02:00:00:00:00:99");
  EXPECT_EQ(probed["frames"], 1);
  EXPECT_EQ(probed["claimed_by"], Json::array({"00:1b:21:0a:00:0a"}));
}

TEST_F(AnalyzeTest, IgnoredMacIsCountedNotContested) {
  options.filter.ignore(kRogueMac);
  const auto result = run({capture("A.pcap", incident(kStart, 10))});

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  const auto json = result.json();
  EXPECT_TRUE(json["contested"].empty());
  EXPECT_TRUE(json["moved"].empty());
  EXPECT_EQ(json["ignored"], 10);
}

TEST_F(AnalyzeTest, FramesThatAreNotArpAreCountedByReason) {
  auto not_arp = reply(kStart, kOwnerMac, kServerIp);
  not_arp.bytes[12] = 0x08;  // EtherType 0x0800: IPv4
  not_arp.bytes[13] = 0x00;
  auto cut = reply(kStart + seconds(1), kOwnerMac, kServerIp);
  cut.bytes.resize(30);
  const auto result = run({capture("A.pcap", {not_arp, cut})});

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  const auto json = result.json();
  EXPECT_EQ(json["rejected"]["unsupported_ethertype"], 1);
  EXPECT_EQ(json["rejected"]["truncated"], 1);
  EXPECT_EQ(json["frames"]["reply"], 0);
}

TEST_F(AnalyzeTest, EachFileIsItsOwnVantagePointAndTheOrderIsStable) {
  // Host B saw the conflict on two addresses and two VLANs; host C saw only A.
  auto seen_by_b = incident(kStart, 3, 100);
  append(seen_by_b, incident(kStart, 3, 0, kOtherIp));
  append(seen_by_b, incident(kStart, 3));
  std::vector<Frame> seen_by_c;
  for (int i = 0; i < 3; ++i) seen_by_c.push_back(reply(kStart + seconds(i), kOwnerMac, kServerIp));
  std::sort(seen_by_b.begin(), seen_by_b.end(),
            [](const Frame& a, const Frame& b) { return a.at < b.at; });
  const auto b = capture("host-b.pcap", seen_by_b);
  const auto c = capture("host-c.pcap", seen_by_c);

  const auto forward = run({b, c});
  const auto backward = run({c, b});

  EXPECT_EQ(forward.code, kAnalyzeContested) << forward.err;
  const auto json = forward.json();
  ASSERT_EQ(json["contested"].size(), 3U);
  EXPECT_EQ(json["contested"][0]["ip"], "192.0.2.10");
  EXPECT_EQ(json["contested"][0]["vlan"], "");
  EXPECT_EQ(json["contested"][1]["ip"], "192.0.2.30");
  EXPECT_EQ(json["contested"][1]["vlan"], "");
  EXPECT_EQ(json["contested"][2]["ip"], "192.0.2.10");
  EXPECT_EQ(json["contested"][2]["vlan"], "100");
  for (const auto& address : json["contested"]) EXPECT_EQ(address["interface"], "host-b.pcap");
  EXPECT_EQ(json["contested"], backward.json()["contested"]);
}

TEST_F(AnalyzeTest, FilesWithTheSameBasenameKeepTheirPaths) {
  const auto first = capture("b/cap.pcap", incident(kStart, 3));
  const auto second = capture("c/cap.pcap", incident(kStart, 3));
  const auto result = run({first, second});

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  ASSERT_EQ(json["contested"].size(), 2U);
  EXPECT_EQ(json["contested"][0]["interface"], first);
  EXPECT_EQ(json["contested"][1]["interface"], second);
}

TEST_F(AnalyzeTest, EmptyCaptureIsNothingContested) {
  const auto result = run({capture("empty.pcap", {})}, AnalyzeOptions::Format::text);

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  EXPECT_NE(result.out.find("verdict: no IP conflict"), std::string::npos) << result.out;
}

// ---- captures cut short ----

// The one warning line a cut capture gives, on err, after a report on out.
void expect_cut_warning(const Analysis& result, const std::string& path, std::size_t offset,
                        std::size_t packets) {
  EXPECT_FALSE(result.out.empty());
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  const auto expected_start =
      "warning: analyze: " + path + " is cut short at byte " + std::to_string(offset) + " (";
  EXPECT_EQ(result.err.rfind(expected_start, 0), 0U) << result.err;
  const auto expected_end = "); analyzed the " + std::to_string(packets) +
                            (packets == 1 ? " packet" : " packets") + " before it\n";
  EXPECT_TRUE(result.err.ends_with(expected_end)) << result.err;
}

TEST_F(AnalyzeTest, CaptureCutInsideARecordIsAnalyzedUpToTheCut) {
  // tcpdump killed while writing the 12th frame: the conflict before it must not be lost.
  auto frames = incident(kStart, 6);
  const auto path = capture("cut.pcap", frames);
  const auto last = frames.size() - 1;
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);  // inside the body

  const auto result = run({path});

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  ASSERT_EQ(json["contested"].size(), 1U) << json.dump(2);
  EXPECT_EQ(json["contested"][0]["ip"], "192.0.2.10");
  EXPECT_EQ(json["contested"][0]["claimants"].size(), 2U);
  EXPECT_EQ(json["files"][0]["frames"], last);
  EXPECT_EQ(json["files"][0]["cut_short_at"], pcap_record_offset(frames, last));
  expect_cut_warning(result, path, pcap_record_offset(frames, last), last);
  EXPECT_NE(result.err.find("truncated"), std::string::npos) << result.err;  // libpcap's reason
}

TEST_F(AnalyzeTest, CaptureCutInsideARecordHeaderIsAnalyzedUpToTheCut) {
  const auto frames = incident(kStart, 3);
  const auto path = capture("cut.pcap", frames);
  std::filesystem::resize_file(path, pcap_record_offset(frames, 4) + 7);

  const auto result = run({path}, AnalyzeOptions::Format::text);

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  EXPECT_NE(result.out.find(path + " (as cut.pcap): 4 frames, 4 ARP or ND, cut short at byte " +
                            std::to_string(pcap_record_offset(frames, 4)) + "\n"),
            std::string::npos)
      << result.out;
  expect_cut_warning(result, path, pcap_record_offset(frames, 4), 4);
}

TEST_F(AnalyzeTest, CaptureCutBeforeItsFirstPacketIsAnEmptyReportAndAWarning) {
  const auto path = capture("cut.pcap", incident(kStart, 1));
  std::filesystem::resize_file(path, kPcapFileHeader + 5);

  const auto result = run({path});

  EXPECT_EQ(result.code, kAnalyzeNothingContested) << result.err;
  EXPECT_EQ(result.json()["files"][0]["frames"], 0);
  expect_cut_warning(result, path, kPcapFileHeader, 0);
}

TEST_F(AnalyzeTest, WholeCaptureHasNoCut) {
  const auto result = run({capture("A.pcap", incident(kStart, 3))});

  EXPECT_EQ(result.code, kAnalyzeContested);
  EXPECT_TRUE(result.err.empty()) << result.err;
  EXPECT_TRUE(result.json()["files"][0]["cut_short_at"].is_null());
}

TEST_F(AnalyzeTest, PcapngCutInsideAPacketBlockIsAnalyzedUpToTheCut) {
  const auto frames = incident(kStart, 4);
  auto bytes = pcapng_bytes(frames);
  const auto whole = (dir_ / "whole.pcapng").string();
  write_bytes(whole, bytes);
  const auto intact = run({whole});
  ASSERT_EQ(intact.code, kAnalyzeContested) << intact.err;
  ASSERT_EQ(intact.json()["files"][0]["frames"], frames.size());
  // Frames are 42 bytes, so every enhanced packet block is 32 + 44.
  const std::size_t blocks_start = 28 + 32;
  const std::size_t block = 32 + 44;
  bytes.resize(bytes.size() - 20);
  const auto path = (dir_ / "cut.pcapng").string();
  write_bytes(path, bytes);

  const auto result = run({path});

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  EXPECT_EQ(json["files"][0]["frames"], frames.size() - 1);
  ASSERT_EQ(json["contested"].size(), 1U);
  expect_cut_warning(result, path, blocks_start + (frames.size() - 1) * block, frames.size() - 1);
}

TEST_F(AnalyzeTest, CorruptRecordIsAnErrorNotACut) {
  // A record claiming 4 GiB: no capture is cut there, this is not a capture (any more).
  const auto frames = incident(kStart, 3);
  const auto path = capture("corrupt.pcap", frames);
  auto bytes = file_bytes(path);
  const auto caplen_at = pcap_record_offset(frames, 2) + 8;
  std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(caplen_at), 4, 0xff);
  write_bytes(path, bytes);

  expect_one_error_line(run({path}), "analyze: " + path + ": ");
}

TEST_F(AnalyzeTest, TimeStampBeyondTheClockIsAnErrorNotAnOverflow) {
  // pcapng's 64-bit time stamps reach past 2262, where nanoseconds since 1970 overflow 64 bits
  // (the fuzzer found it: tests/fuzz/corpus/analyze_capture/time-stamp-overflow). Here: the
  // largest one in nanoseconds, the year 2554.
  auto bytes = pcapng_bytes(incident(kStart, 2));
  const std::size_t second_block = 28 + 32 + (32 + 44);
  std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(second_block + 12), 8, 0xff);
  const auto path = (dir_ / "far-future.pcapng").string();
  write_bytes(path, bytes);

  expect_one_error_line(run({path}), "analyze: " + path + ": packet 2 has the time stamp ");
}

TEST_F(AnalyzeTest, CutCaptureAmongOthersStillFailsWhenAnotherIsBroken) {
  const auto cut = capture("cut.pcap", incident(kStart, 3));
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 10);
  const auto garbage = (dir_ / "garbage.pcap").string();
  std::ofstream(garbage) << "this is not a capture file, just some text that is long enough\n";

  // One line: the error. A warning about the cut would describe a report nobody gets.
  expect_one_error_line(run({cut, garbage}), "analyze: " + garbage + ": ");
}

// ---- standard input ----

// `analyze FILE`'s report with FILE's names replaced by standard input's ("-", "stdin"), which
// is what `analyze -` must print for the same bytes.
std::string as_standard_input(std::string report, const std::string& path,
                              const std::string& basename) {
  for (const auto& [from, to] : {std::pair{path, std::string("-")}, {basename, "stdin"}}) {
    for (auto at = report.find(from); at != std::string::npos; at = report.find(from, at)) {
      report.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return report;
}

TEST_F(AnalyzeTest, StandardInputGivesTheReportTheFileGives) {
  const auto path = capture("A.pcap", incident(kStart, 5, 100));
  for (const auto format : {AnalyzeOptions::Format::text, AnalyzeOptions::Format::json}) {
    const Stream stream(std::fopen(path.c_str(), "rb"));
    ASSERT_TRUE(stream);
    const auto from_file = run({path}, format);
    const auto from_stdin = run({"-"}, format, stream.get());

    EXPECT_EQ(from_stdin.code, kAnalyzeContested) << from_stdin.err;
    EXPECT_EQ(from_stdin.code, from_file.code);
    EXPECT_TRUE(from_stdin.err.empty()) << from_stdin.err;
    EXPECT_EQ(from_stdin.out, as_standard_input(from_file.out, path, "A.pcap"));
  }
  const Stream stream(std::fopen(path.c_str(), "rb"));
  const auto json = run({"-"}, AnalyzeOptions::Format::json, stream.get()).json();
  EXPECT_EQ(json["files"][0]["path"], "-");
  EXPECT_EQ(json["contested"][0]["interface"], "stdin");
}

TEST_F(AnalyzeTest, CutCaptureOnAPipeIsCutAtTheSameOffset) {
  // A pipe cannot tell its position (ftell fails): the offset must come from counting.
  const auto frames = incident(kStart, 4);
  const auto path = capture("cut.pcap", frames);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  const auto bytes = file_bytes(path);
  std::array<int, 2> ends{};
  ASSERT_EQ(pipe(ends.data()), 0);
  std::thread writer([&] {
    std::size_t written = 0;
    while (written < bytes.size()) {
      const auto n = write(ends[1], bytes.data() + written, bytes.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    close(ends[1]);
  });
  const Stream stream(fdopen(ends[0], "rb"));
  ASSERT_TRUE(stream);

  const auto result = run({"-"}, AnalyzeOptions::Format::json, stream.get());
  writer.join();

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  expect_cut_warning(result, "-", pcap_record_offset(frames, frames.size() - 1), frames.size() - 1);
}

TEST_F(AnalyzeTest, StandardInputAndAFileNamedStdinAreTwoVantagePoints) {
  const auto file = capture("stdin", incident(kStart, 3));
  const Stream stream(std::fopen(capture("B.pcap", incident(kStart, 3)).c_str(), "rb"));

  const auto result = run({"-", file}, AnalyzeOptions::Format::json, stream.get());

  EXPECT_EQ(result.code, kAnalyzeContested) << result.err;
  const auto json = result.json();
  ASSERT_EQ(json["contested"].size(), 2U) << json.dump(2);
  EXPECT_EQ(json["contested"][0]["interface"], "-");
  EXPECT_EQ(json["contested"][1]["interface"], file);
}

TEST_F(AnalyzeTest, StandardInputThatIsNoCaptureIsAnError) {
  const auto path = (dir_ / "garbage").string();
  std::ofstream(path) << "this is not a capture file, just some text that is long enough\n";
  const Stream stream(std::fopen(path.c_str(), "rb"));
  expect_one_error_line(run({"-"}, AnalyzeOptions::Format::json, stream.get()), "analyze: -: ");
  expect_one_error_line(run({"-", "-"}, AnalyzeOptions::Format::json, stream.get()),
                        "given more than once");
}

TEST_F(AnalyzeTest, GarbageFileIsAnError) {
  const auto path = (dir_ / "garbage.pcap").string();
  std::ofstream(path) << "this is not a capture file, just some text that is long enough\n";
  expect_one_error_line(run({path}), "analyze: " + path + ": ");
}

TEST_F(AnalyzeTest, MissingFileIsAnErrorNamingItOnce) {
  const auto path = (dir_ / "missing.pcap").string();
  const auto result = run({path});
  expect_one_error_line(result, "analyze: " + path + ": ");
  EXPECT_EQ(result.err.find(path), result.err.rfind(path)) << result.err;
}

TEST_F(AnalyzeTest, NonEthernetLinkTypeIsAnError) {
  const auto path =
      capture("raw.pcap", {Frame{kStart, std::vector<std::uint8_t>(20, 0x45)}}, DLT_RAW);
  const auto result = run({path, capture("A.pcap", incident(kStart, 3))});
  expect_one_error_line(result, "analyze: " + path + ": ");
  EXPECT_NE(result.err.find("RAW"), std::string::npos) << result.err;
}

TEST_F(AnalyzeTest, NoFilesOrTheSameFileTwiceIsAnError) {
  expect_one_error_line(run({}), "no capture files");
  const auto path = capture("A.pcap", incident(kStart, 3));
  expect_one_error_line(run({path, path}), "given more than once");
}

TEST_F(AnalyzeTest, UnwritableOutputIsAnError) {
  options.files = {capture("A.pcap", incident(kStart, 3))};
  std::ostringstream out;
  out.setstate(std::ios::badbit);  // as a closed pipe or a full disk leaves it
  std::ostringstream err;

  EXPECT_EQ(run_analyze(options, vendors(), out, err), kAnalyzeError);
  EXPECT_EQ(err.str(), "analyze: cannot write the report\n");
}

// main() loads the registry on another thread while the capture is read: the report waits for
// it, and a registry that cannot be loaded is the caller's error, with nothing written, whether
// the analysis worked or not (as when the registry was loaded first).
TEST_F(AnalyzeTest, TheRegistryIsWaitedForAndItsErrorIsTheCallers) {
  int asked = 0;
  const auto loaded = [&]() -> const VendorRegistry& {
    ++asked;
    return vendors();
  };
  options.files = {capture("A.pcap", incident(kStart, 3))};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_analyze(options, loaded, out, err), kAnalyzeContested);
  EXPECT_EQ(asked, 1);
  EXPECT_NE(out.str().find("Intel Corporate"), std::string::npos);  // a vendor from it

  const auto broken = []() -> const VendorRegistry& {
    throw std::runtime_error("vendor registry oui.csv: line 2: bad");
  };
  for (const auto& files : {options.files, std::vector<std::string>{"/nonexistent.pcap"}}) {
    options.files = files;
    std::ostringstream out_broken;
    std::ostringstream err_broken;
    EXPECT_THROW((void)run_analyze(options, broken, out_broken, err_broken), std::runtime_error);
    EXPECT_EQ(out_broken.str(), "");
    EXPECT_EQ(err_broken.str(), "");
  }
}

}  // namespace
}  // namespace arp
