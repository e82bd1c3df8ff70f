#include "exporter/analyze.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/pcap_handle.h"
#include "collectors/vendor_files.h"

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
               AnalyzeOptions::Format format = AnalyzeOptions::Format::json) {
    options.files = std::move(files);
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
  EXPECT_EQ(json["rejected"]["not_arp"], 1);
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

TEST_F(AnalyzeTest, TruncatedCaptureIsAnError) {
  const auto path = capture("cut.pcap", incident(kStart, 3));
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  expect_one_error_line(run({path}), "analyze: " + path + ": ");
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

}  // namespace
}  // namespace arp
