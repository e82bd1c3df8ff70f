// CaptureReader reads the records of plain pcap files itself and leaves everything else to
// libpcap; either way it must hand over exactly what libpcap's own pcap_next_ex would: the same
// packets, headers, time stamps, and the same error or cut at the end. Each test builds a file,
// reads it both ways, and compares.
#include "exporter/capture_reader.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <array>
#include <cstdint>
#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "collectors/pcap_handle.h"

namespace arp {
namespace {

struct Record {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;  // microseconds or nanoseconds, as the file's magic says
  std::uint32_t length = 0;    // on the wire; 0 means the captured length
  std::vector<std::uint8_t> bytes;
};

struct FileLayout {
  bool big_endian = false;
  bool nanoseconds = false;
  std::uint16_t version_minor = 4;
  std::uint32_t snaplen = 65535;
  std::uint32_t link_type = DLT_EN10MB;
};

void put32(std::vector<std::uint8_t>& out, std::uint32_t value, bool big_endian) {
  for (int i = 0; i < 4; ++i) {
    const int shift = big_endian ? 24 - 8 * i : 8 * i;
    out.push_back(static_cast<std::uint8_t>(value >> static_cast<unsigned>(shift)));
  }
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t value, bool big_endian) {
  out.push_back(static_cast<std::uint8_t>(big_endian ? value >> 8U : value));
  out.push_back(static_cast<std::uint8_t>(big_endian ? value : value >> 8U));
}

std::vector<std::uint8_t> pcap_bytes(const FileLayout& layout, const std::vector<Record>& records) {
  std::vector<std::uint8_t> out;
  put32(out, layout.nanoseconds ? 0xa1b23c4dU : 0xa1b2c3d4U, layout.big_endian);
  put16(out, 2, layout.big_endian);
  put16(out, layout.version_minor, layout.big_endian);
  put32(out, 0, layout.big_endian);  // thiszone
  put32(out, 0, layout.big_endian);  // sigfigs
  put32(out, layout.snaplen, layout.big_endian);
  put32(out, layout.link_type, layout.big_endian);
  for (const auto& record : records) {
    const auto caplen = static_cast<std::uint32_t>(record.bytes.size());
    put32(out, record.seconds, layout.big_endian);
    put32(out, record.fraction, layout.big_endian);
    put32(out, caplen, layout.big_endian);
    put32(out, record.length == 0 ? caplen : record.length, layout.big_endian);
    out.insert(out.end(), record.bytes.begin(), record.bytes.end());
  }
  return out;
}

// Frames of every length from 0 to 1514 bytes and time stamps that libpcap reads as negative
// numbers or fractions past a second, so that any difference in reading them shows.
std::vector<Record> varied_records(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<Record> records;
  for (std::size_t i = 0; i < count; ++i) {
    Record record;
    record.seconds = i % 97 == 0 ? 0xf000'0000U + static_cast<std::uint32_t>(i)
                                 : 1'795'590'000U + static_cast<std::uint32_t>(i);
    record.fraction = i % 89 == 0 ? 0xffff'fff0U : static_cast<std::uint32_t>(random() % 2'000'000);
    record.bytes.resize(i % 13 == 0 ? random() % 1515 : 42 + random() % 20);
    for (auto& byte : record.bytes) byte = static_cast<std::uint8_t>(random());
    if (i % 7 == 0) record.length = static_cast<std::uint32_t>(record.bytes.size()) + 100;
    records.push_back(std::move(record));
  }
  return records;
}

// What a reader handed over: every packet, then how it ended.
struct Reading {
  struct Packet {
    long seconds = 0;
    long fraction = 0;
    std::uint32_t caplen = 0;
    std::uint32_t length = 0;
    std::vector<std::uint8_t> bytes;
    bool operator==(const Packet&) const = default;
  };
  std::vector<Packet> packets;
  std::string error;  // libpcap's message, when the reading ended in one
  std::optional<std::uint64_t> cut_at;

  void add(const pcap_pkthdr& header, const u_char* data) {
    packets.push_back(Packet{.seconds = header.ts.tv_sec,
                             .fraction = header.ts.tv_usec,
                             .caplen = header.caplen,
                             .length = header.len,
                             .bytes = {data, data + header.caplen}});
  }
};

Reading read_with_libpcap(const std::string& path) {
  std::array<char, PCAP_ERRBUF_SIZE> error{};
  const PcapHandle handle(pcap_open_offline_with_tstamp_precision(
      path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error.data()));
  if (!handle) throw std::runtime_error(error.data());
  Reading reading;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int result = 0;
  while ((result = pcap_next_ex(handle.get(), &header, &data)) == 1) reading.add(*header, data);
  if (result != PCAP_ERROR_BREAK) reading.error = pcap_geterr(handle.get());
  return reading;
}

Reading read_with_reader(const std::string& path) {
  auto reader = CaptureReader::open_file(path);
  Reading reading;
  try {
    while (const auto packet = reader.next()) reading.add(*packet->header, packet->data.data());
  } catch (const std::runtime_error& error) {
    const std::string text = error.what();
    reading.error = text.substr(path.size() + 2);  // after "<path>: "
  }
  if (const auto& cut = reader.cut()) {
    reading.error = cut->reason;
    reading.cut_at = cut->offset;
  }
  return reading;
}

class CaptureReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "capture_reader_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::vector<std::uint8_t>& bytes) {
    const auto path = (dir_ / ("capture" + std::to_string(files_++) + ".pcap")).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: ostream's byte type
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  // Reads `bytes` both ways and expects the same; returns the reader's reading.
  Reading expect_as_libpcap(const std::vector<std::uint8_t>& bytes) {
    const auto path = write(bytes);
    const auto expected = read_with_libpcap(path);
    auto actual = read_with_reader(path);
    EXPECT_EQ(actual.packets.size(), expected.packets.size());
    for (std::size_t i = 0; i < std::min(actual.packets.size(), expected.packets.size()); ++i) {
      EXPECT_EQ(actual.packets[i], expected.packets[i]) << "packet " << i;
    }
    EXPECT_EQ(actual.error, expected.error);
    return actual;
  }

  std::filesystem::path dir_;
  int files_ = 0;
};

TEST_F(CaptureReaderTest, EitherByteOrderEitherPrecision) {
  for (const bool big_endian : {false, true}) {
    for (const bool nanoseconds : {false, true}) {
      SCOPED_TRACE(std::string(big_endian ? "big" : "little") + " endian, " +
                   (nanoseconds ? "nanoseconds" : "microseconds"));
      // 20 000 records: many times the reader's buffer, so records straddle its refills.
      const auto reading = expect_as_libpcap(pcap_bytes(
          {.big_endian = big_endian, .nanoseconds = nanoseconds}, varied_records(20'000, 1)));
      EXPECT_EQ(reading.packets.size(), 20'000U);
      EXPECT_TRUE(reading.error.empty()) << reading.error;
    }
  }
}

TEST_F(CaptureReaderTest, RecordsLongerThanTheSnapshotLengthAreCutAsLibpcapCutsThem) {
  auto records = varied_records(300, 3);
  for (std::size_t i = 0; i < records.size(); i += 5) records[i].bytes.resize(300);
  const auto reading = expect_as_libpcap(pcap_bytes({.snaplen = 200}, records));
  EXPECT_EQ(reading.packets.size(), 300U);
  EXPECT_EQ(reading.packets[0].caplen, 200U);
}

TEST_F(CaptureReaderTest, OlderVersionsAndOtherLinkTypesAreLibpcapsToRead) {
  // Version 2.3 files may have the two lengths swapped; libpcap knows when.
  auto records = varied_records(200, 4);
  records[3].length = 10;  // shorter than captured: libpcap swaps them back
  expect_as_libpcap(pcap_bytes({.version_minor = 3}, records));
  expect_as_libpcap(pcap_bytes({.link_type = DLT_LINUX_SLL}, varied_records(200, 5)));
}

TEST_F(CaptureReaderTest, RecordsLargerThanTheBufferAreReadWhole) {
  auto records = varied_records(50, 6);
  records[10].bytes.resize(262'144);
  records[30].bytes.resize(262'130);
  const auto reading = expect_as_libpcap(pcap_bytes({.snaplen = 262'144}, records));
  ASSERT_EQ(reading.packets.size(), 50U);
  EXPECT_EQ(reading.packets[10].caplen, 262'144U);
}

TEST_F(CaptureReaderTest, ImpossibleCapturedLengthIsLibpcapsError) {
  auto bytes = pcap_bytes({}, varied_records(100, 7));
  // The 51st record's captured length, at its header's ninth byte.
  std::size_t offset = 24;
  const auto records = varied_records(100, 7);
  for (std::size_t i = 0; i < 50; ++i) offset += 16 + records[i].bytes.size();
  bytes[offset + 8] = bytes[offset + 9] = bytes[offset + 10] = bytes[offset + 11] = 0xff;
  const auto reading = expect_as_libpcap(bytes);
  EXPECT_EQ(reading.packets.size(), 50U);
  EXPECT_FALSE(reading.error.empty());
  EXPECT_FALSE(reading.cut_at);
}

TEST_F(CaptureReaderTest, CutsInsideAHeaderAndInsideTheDataAreAtTheRecordsStart) {
  const auto records = varied_records(3000, 8);
  const auto whole = pcap_bytes({}, records);
  std::size_t last = 24;
  for (std::size_t i = 0; i + 1 < records.size(); ++i) last += 16 + records[i].bytes.size();
  for (const std::size_t into_last : {std::size_t{1}, std::size_t{9}, std::size_t{16 + 3}}) {
    const std::vector<std::uint8_t> cut(
        whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(last + into_last));
    const auto reading = expect_as_libpcap(cut);
    EXPECT_EQ(reading.packets.size(), records.size() - 1);
    EXPECT_EQ(reading.cut_at, last) << "cut " << into_last << " bytes into the last record";
  }
}

}  // namespace
}  // namespace arp
