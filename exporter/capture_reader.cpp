#include "exporter/capture_reader.h"

#include <sys/types.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace arp {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

// libpcap reads through stdio and tells nothing of offsets; ftell() fails on a pipe, and the
// sum of record sizes is wrong for pcapng. So libpcap is handed a stream of our own
// (fopencookie) in front of the real one, unbuffered so that what it has taken is exactly what
// this counts; the real stream below keeps its buffer, so reading stays cheap.
struct CaptureReader::CountedSource {
  std::FILE* stream = nullptr;  // read here; owned_ when the reader opened it
  FileHandle owned;
  std::uint64_t consumed = 0;
  bool at_end = false;  // a read came back short without an error: the bytes ran out
  bool failed = false;

  static ssize_t read(void* cookie, char* buffer, std::size_t size) {
    auto& source = *static_cast<CountedSource*>(cookie);
    const std::size_t got = std::fread(buffer, 1, size, source.stream);
    source.consumed += got;
    if (got < size) {
      if (std::ferror(source.stream) != 0) {
        source.failed = true;
        // errno is still fread's, so libpcap's "error reading dump file: ..." names the cause.
        if (got == 0) return -1;
      } else {
        source.at_end = true;
      }
    }
    return static_cast<ssize_t>(got);
  }

  // The real stream is closed (if ours) when this object dies, after libpcap is done.
  static int close(void* /*cookie*/) { return 0; }
};

CaptureReader CaptureReader::open_file(const std::string& path) {
  auto source = std::make_unique<CountedSource>();
  source->owned.reset(std::fopen(path.c_str(), "rb"));
  if (!source->owned) throw std::runtime_error(path + ": " + std::strerror(errno));
  source->stream = source->owned.get();
  return CaptureReader(std::move(source), path);
}

CaptureReader CaptureReader::open_stream(std::FILE* stream, const std::string& name) {
  auto source = std::make_unique<CountedSource>();
  source->stream = stream;
  return CaptureReader(std::move(source), name);
}

CaptureReader::CaptureReader(std::unique_ptr<CountedSource> source, const std::string& name)
    : name_(name), source_(std::move(source)) {
  const cookie_io_functions_t functions{.read = &CountedSource::read,
                                        .write = nullptr,
                                        .seek = nullptr,
                                        .close = &CountedSource::close};
  FileHandle counted(fopencookie(source_.get(), "rb", functions));
  if (!counted || setvbuf(counted.get(), nullptr, _IONBF, 0) != 0) {
    throw std::runtime_error(name_ + ": " + std::strerror(errno));
  }
  std::array<char, PCAP_ERRBUF_SIZE> error{};
  // Nanoseconds: pcapng and nanosecond pcap keep them, and frames a microsecond apart must
  // stay in order.
  handle_.reset(pcap_fopen_offline_with_tstamp_precision(counted.get(), PCAP_TSTAMP_PRECISION_NANO,
                                                         error.data()));
  if (!handle_) throw std::runtime_error(name_ + ": " + error.data());
  (void)counted.release();  // pcap_close closes it from now on
}

CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

std::optional<CapturePacket> CaptureReader::next() {
  if (cut_) return std::nullopt;
  const std::uint64_t before = source_->consumed;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int result = pcap_next_ex(handle_.get(), &header, &data);
  if (result == 1) return CapturePacket{.header = header, .data = {data, header->caplen}};
  if (result == PCAP_ERROR_BREAK) return std::nullopt;
  // libpcap words a short read as "truncated dump file"; the counted stream tells it apart
  // from an I/O error or a record header no capture can have without parsing that text.
  if (source_->at_end && !source_->failed) {
    cut_ = CaptureCut{.offset = before, .reason = pcap_geterr(handle_.get())};
    return std::nullopt;
  }
  throw std::runtime_error(name_ + ": " + pcap_geterr(handle_.get()));
}

std::uint64_t CaptureReader::bytes_read() const { return source_->consumed; }

}  // namespace arp
