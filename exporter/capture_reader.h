// One capture file (pcap or pcapng) read packet by packet, knowing how far into its bytes it
// is: a capture cut short (tcpdump killed, a full disk, a file still being written) ends at a
// byte offset the operator can be told, and everything before it is still read.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "collectors/pcap_handle.h"

namespace arp {

// Where a capture stops being whole.
struct CaptureCut {
  // The byte after the last whole packet. For pcap that is exactly where the incomplete record
  // begins; in pcapng, blocks that carry no packet (statistics, a new interface) may lie
  // between it and the incomplete block.
  std::uint64_t offset = 0;
  std::string reason;  // libpcap's words, e.g. "truncated dump file; tried to read ..."
};

struct CapturePacket {
  const pcap_pkthdr* header = nullptr;
  std::span<const u_char> data;  // caplen bytes
};

// libpcap opens every capture and has the last word on anything unusual in one: a record it
// would shorten or refuse, the end, a cut, an I/O error, and every pcapng file. The records of
// a classic pcap file that libpcap would hand over unchanged are read here instead, straight
// from a buffer: libpcap reads each record with two fread calls, and those cost more than
// decoding and tracking the frame together (`analyze` spent half its instructions there).
class CaptureReader {
 public:
  // Throws std::runtime_error("<path>: <why>") when the file cannot be opened or does not begin
  // as a capture. Time stamps are read in nanoseconds.
  static CaptureReader open_file(const std::string& path);
  // Reads `stream` from where it stands; borrowed: it is never closed here, so it may be stdin
  // or a stream a test or the fuzzer made. `name` is what errors call it.
  static CaptureReader open_stream(std::FILE* stream, const std::string& name);

  // Out of line: Source is complete only in the .cpp. No assignment: it would free the old
  // source before closing the old handle that reads it.
  CaptureReader(CaptureReader&&) noexcept;
  CaptureReader& operator=(CaptureReader&&) = delete;
  ~CaptureReader();

  int link_type() const { return pcap_datalink(handle_.get()); }

  // The next packet, valid until the next call; nullopt at the end, whether the capture ended
  // whole or was cut short (then cut() says where). Throws std::runtime_error for anything
  // else that stops the reading: an I/O error, a record header no capture can have. The same
  // packets, time stamps, errors and cut as libpcap's pcap_next_ex would give.
  std::optional<CapturePacket> next();

  const std::optional<CaptureCut>& cut() const { return cut_; }
  // How many bytes of the capture have been taken as packets and headers so far (bytes read
  // ahead into a buffer are not counted).
  std::uint64_t bytes_read() const;

  // The bytes under libpcap and under the records read here: one buffer, counted.
  struct Source;

 private:
  // How the records of a classic pcap file are laid out, when they are read here.
  struct PlainRecords {
    bool swapped = false;       // written in the other byte order
    bool microseconds = false;  // time stamps in microseconds, scaled up as libpcap does
    std::uint32_t max_caplen = 0;
  };

  CaptureReader(std::unique_ptr<Source> source, const std::string& name);
  std::optional<CapturePacket> next_from_libpcap();

  std::string name_;
  // Declared before handle_: pcap_close closes the counting stream, which still reads it.
  std::unique_ptr<Source> source_;
  PcapHandle handle_;
  std::FILE* counted_ = nullptr;  // the stream libpcap reads; closed by pcap_close
  bool counted_buffered_ = false;
  std::optional<PlainRecords> plain_;
  pcap_pkthdr header_{};  // of the last record read here
  std::optional<CaptureCut> cut_;
};

}  // namespace arp
