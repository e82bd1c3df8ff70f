#include "exporter/capture_reader.h"

#include <sys/types.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace arp {
namespace {

// Large reads from the real stream: for a file they go to read(2) past its own buffer. It holds
// any record read here (those longer go through libpcap), and about 3 400 of the bench's.
constexpr std::size_t kBufferBytes = std::size_t{256} * 1024;
// The stdio buffer of the counting stream, when libpcap reads every packet (pcapng).
constexpr std::size_t kCountedBufferBytes = std::size_t{64} * 1024;

// Classic pcap, as its first four bytes read on this host: microsecond and nanosecond time
// stamps, in this host's byte order and in the other.
constexpr std::uint32_t kPcapMicroseconds = 0xa1b2'c3d4U;
constexpr std::uint32_t kPcapNanoseconds = 0xa1b2'3c4dU;
constexpr std::uint32_t kPcapMicrosecondsSwapped = 0xd4c3'b2a1U;
constexpr std::uint32_t kPcapNanosecondsSwapped = 0x4d3c'b2a1U;
// A classic record header: seconds, fraction, captured length, length; 32 bits each.
constexpr std::size_t kRecordHeaderBytes = 16;

std::uint32_t swap_bytes(std::uint32_t value) {
  return ((value & 0xffU) << 24U) | ((value & 0xff00U) << 8U) | ((value >> 8U) & 0xff00U) |
         (value >> 24U);
}

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

// libpcap reads through stdio and tells nothing of offsets; ftell() fails on a pipe, and the
// sum of record sizes is wrong for pcapng. So libpcap is handed a stream of our own
// (fopencookie) that takes its bytes from this buffer, and this buffer knows where in the
// capture each of its bytes lies.
//
// While records are read here, libpcap's stream is unbuffered, so that what it has taken is
// exactly what it has read and the rest is still here. That is slow (glibc then serves a cookie
// stream one byte per read call: `analyze` once spent 4 s of CPU on a million frames there),
// but only file headers and unusual records take that way. For pcapng, where libpcap reads
// everything, its stream is buffered, and its position is what ftell() says.
struct CaptureReader::Source {
  std::FILE* stream = nullptr;  // read here; owned_ when the reader opened it
  FileHandle owned;
  std::vector<u_char> buffer = std::vector<u_char>(kBufferBytes);
  std::size_t begin = 0;            // the next byte to hand out
  std::size_t end = 0;              // after the last byte read
  std::uint64_t buffer_offset = 0;  // where in the capture buffer[0] lies
  bool drained = false;             // the stream has no more bytes
  bool failed = false;              // reading the stream failed; read_errno says why
  int read_errno = 0;

  std::size_t available() const { return end - begin; }
  const u_char* data() const { return buffer.data() + begin; }
  std::uint64_t position() const { return buffer_offset + begin; }

  // Reads until `wanted` bytes (at most the buffer's size) are available, or the stream ends
  // or fails.
  void fill(std::size_t wanted) {
    if (available() >= wanted) return;
    if (begin != 0) {
      std::memmove(buffer.data(), data(), available());
      buffer_offset += begin;
      end -= begin;
      begin = 0;
    }
    while (end < wanted && !drained && !failed) {
      const std::size_t room = buffer.size() - end;
      const std::size_t got = std::fread(buffer.data() + end, 1, room, stream);
      end += got;
      if (got < room) {
        if (std::ferror(stream) != 0) {
          failed = true;
          read_errno = errno;
        } else {
          drained = true;
        }
      }
    }
  }

  static ssize_t read(void* cookie, char* out, std::size_t size) {
    auto& source = *static_cast<Source*>(cookie);
    source.fill(std::min(size, kBufferBytes));
    if (source.available() == 0) {
      if (!source.failed) return 0;
      // fread's errno, so libpcap's "error reading dump file: ..." names the cause.
      errno = source.read_errno;
      return -1;
    }
    const std::size_t given = std::min(size, source.available());
    std::memcpy(out, source.data(), given);
    source.begin += given;
    return static_cast<ssize_t>(given);
  }

  // Only ftell()'s question has an answer: libpcap never seeks in a capture it reads, and the
  // real stream may be a pipe.
  static int seek(void* cookie, off64_t* offset, int whence) {
    if (whence != SEEK_CUR || *offset != 0) {
      errno = ESPIPE;
      return -1;
    }
    *offset = static_cast<off64_t>(static_cast<Source*>(cookie)->position());
    return 0;
  }

  // The real stream is closed (if ours) when this object dies, after libpcap is done.
  static int close(void* /*cookie*/) { return 0; }
};

CaptureReader CaptureReader::open_file(const std::string& path) {
  auto source = std::make_unique<Source>();
  source->owned.reset(std::fopen(path.c_str(), "rb"));
  if (!source->owned) throw std::runtime_error(path + ": " + std::strerror(errno));
  source->stream = source->owned.get();
  return CaptureReader(std::move(source), path);
}

CaptureReader CaptureReader::open_stream(std::FILE* stream, const std::string& name) {
  auto source = std::make_unique<Source>();
  source->stream = stream;
  return CaptureReader(std::move(source), name);
}

CaptureReader::CaptureReader(std::unique_ptr<Source> source, const std::string& name)
    : name_(name), source_(std::move(source)) {
  std::uint32_t magic = 0;
  source_->fill(sizeof magic);
  if (source_->available() >= sizeof magic) std::memcpy(&magic, source_->data(), sizeof magic);
  const bool classic = magic == kPcapMicroseconds || magic == kPcapNanoseconds ||
                       magic == kPcapMicrosecondsSwapped || magic == kPcapNanosecondsSwapped;
  counted_buffered_ = !classic;

  const cookie_io_functions_t functions{
      .read = &Source::read, .write = nullptr, .seek = &Source::seek, .close = &Source::close};
  FileHandle counted(fopencookie(source_.get(), "rb", functions));
  if (!counted || setvbuf(counted.get(), nullptr, counted_buffered_ ? _IOFBF : _IONBF,
                          counted_buffered_ ? kCountedBufferBytes : 0) != 0) {
    throw std::runtime_error(name_ + ": " + std::strerror(errno));
  }
  std::array<char, PCAP_ERRBUF_SIZE> error{};
  // Nanoseconds: pcapng and nanosecond pcap keep them, and frames a microsecond apart must
  // stay in order.
  handle_.reset(pcap_fopen_offline_with_tstamp_precision(counted.get(), PCAP_TSTAMP_PRECISION_NANO,
                                                         error.data()));
  if (!handle_) throw std::runtime_error(name_ + ": " + error.data());
  counted_ = counted.release();  // pcap_close closes it from now on

  // Records libpcap hands over as they are written: version 2.4 (older ones may have the two
  // lengths swapped), 16-byte record headers (the classic magic numbers), a link type without
  // pseudo-headers to byte-swap. A record longer than the file's snapshot length libpcap cuts
  // to it (or refuses), so such records stay libpcap's.
  pcap_t* const handle = handle_.get();
  if (classic && pcap_major_version(handle) == 2 && pcap_minor_version(handle) >= 4 &&
      pcap_datalink(handle) == DLT_EN10MB && pcap_snapshot(handle) > 0) {
    plain_ = PlainRecords{
        .swapped = pcap_is_swapped(handle) == 1,
        .microseconds = magic == kPcapMicroseconds || magic == kPcapMicrosecondsSwapped,
        .max_caplen = static_cast<std::uint32_t>(std::min<std::size_t>(
            static_cast<std::size_t>(pcap_snapshot(handle)), kBufferBytes - kRecordHeaderBytes))};
  }
}

CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

std::optional<CapturePacket> CaptureReader::next() {
  if (cut_) return std::nullopt;
  if (plain_) {
    auto& source = *source_;
    if (source.available() < kRecordHeaderBytes) source.fill(kRecordHeaderBytes);
    if (source.available() >= kRecordHeaderBytes) {
      std::array<std::uint32_t, 4> fields{};
      std::memcpy(fields.data(), source.data(), kRecordHeaderBytes);
      if (plain_->swapped) std::ranges::transform(fields, fields.begin(), swap_bytes);
      const std::uint32_t caplen = fields[2];
      if (caplen <= plain_->max_caplen) {
        if (source.available() < kRecordHeaderBytes + caplen) {
          source.fill(kRecordHeaderBytes + caplen);
        }
        if (source.available() >= kRecordHeaderBytes + caplen) {
          // As libpcap 1.10 reads the time fields: signed 32-bit numbers in this host's byte
          // order, unsigned ones once swapped (its byte swap yields an unsigned number).
          // capture_reader_test holds the two to the same time stamps.
          header_.ts.tv_sec =
              plain_->swapped ? time_t{fields[0]} : time_t{static_cast<std::int32_t>(fields[0])};
          const auto fraction = plain_->swapped ? suseconds_t{fields[1]}
                                                : suseconds_t{static_cast<std::int32_t>(fields[1])};
          header_.ts.tv_usec = plain_->microseconds ? fraction * 1000 : fraction;
          header_.caplen = caplen;
          header_.len = fields[3];
          const u_char* const data = source.data() + kRecordHeaderBytes;
          source.begin += kRecordHeaderBytes + caplen;
          return CapturePacket{.header = &header_, .data = {data, caplen}};
        }
      }
    }
    // The end, a cut, a read error, a record libpcap would cut or refuse: libpcap reads it
    // (from where this left off) and words it.
  }
  return next_from_libpcap();
}

std::optional<CapturePacket> CaptureReader::next_from_libpcap() {
  const std::uint64_t before = bytes_read();
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int result = pcap_next_ex(handle_.get(), &header, &data);
  if (result == 1) return CapturePacket{.header = header, .data = {data, header->caplen}};
  if (result == PCAP_ERROR_BREAK) return std::nullopt;
  // libpcap words a short read as "truncated dump file"; the counting stream tells it apart
  // from an I/O error or a record header no capture can have without parsing that text: its
  // end-of-file flag is set only when one of libpcap's reads asked for more than was left.
  if (std::feof(counted_) != 0 && !source_->failed) {
    cut_ = CaptureCut{.offset = before, .reason = pcap_geterr(handle_.get())};
    return std::nullopt;
  }
  throw std::runtime_error(name_ + ": " + pcap_geterr(handle_.get()));
}

std::uint64_t CaptureReader::bytes_read() const {
  if (!counted_buffered_) return source_->position();
  // What the stream has taken, less what waits in its buffer. Cannot fail: the stream's seek
  // answers this question, and nothing is written.
  const off_t position = ftello(counted_);
  return position < 0 ? source_->position() : static_cast<std::uint64_t>(position);
}

}  // namespace arp
