// libFuzzer target: any bytes as the capture `arp_health_exporter analyze -` reads on standard
// input, through libpcap (not instrumented: its bugs are not ours to find, its output is), the
// counting stream, the pipeline, the history and both report formats, under ASan and UBSan.
//
// Beyond not crashing, what analyze promises its callers is checked: an exit code of 0, 1 or 2;
// on 2 one line on err and nothing on out; otherwise a whole report, at most one warning (a cut)
// and a verdict that agrees with the report, the same in text and in JSON.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/vendor_registry.h"
#include "exporter/analyze.h"

namespace arp {
namespace {

// abort() rather than assert(): the fuzz build may define NDEBUG, and the check must stay.
void require(bool condition) {
  if (!condition) std::abort();
}

const VendorRegistry& vendors() {
  // Two real OUIs and a name with a comma, so the vendor columns have something to align.
  static const VendorRegistry registry = [] {
    VendorRegistry made;
    require(made.add_csv("Registry,Assignment,Organization Name,Organization Address\n"
                         "MA-L,001B21,Intel Corporate,a\n"
                         "MA-L,005056,\"VMware, Inc.\",b\n")
                .ok());
    return made;
  }();
  return registry;
}

struct StreamCloser {
  void operator()(std::FILE* stream) const noexcept { std::fclose(stream); }
};

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

Outcome analyze_bytes(std::vector<char>& bytes, AnalyzeOptions::Format format) {
  // fmemopen refuses a zero size on some C libraries: an empty stream is /dev/null's.
  const std::unique_ptr<std::FILE, StreamCloser> stream(
      bytes.empty() ? std::fopen("/dev/null", "rb") : fmemopen(bytes.data(), bytes.size(), "rb"));
  require(stream != nullptr);
  // A short window and small caps, so that expiry and eviction run on inputs of a few frames.
  AnalyzeOptions options{.files = {"-"},
                         .standard_input = stream.get(),
                         .format = format,
                         .tracker = {.window = std::chrono::seconds(30),
                                     .max_addresses = 16,
                                     .max_claimants_per_address = 4},
                         .filter = {}};
  std::ostringstream out;
  std::ostringstream err;
  Outcome outcome;
  outcome.code = run_analyze(options, vendors(), out, err);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

void check(const Outcome& outcome) {
  const auto lines = std::count(outcome.err.begin(), outcome.err.end(), '\n');
  if (outcome.code == kAnalyzeError) {
    require(outcome.out.empty());
    require(lines == 1 && outcome.err.back() == '\n');
    require(outcome.err.starts_with("analyze: -: "));
    return;
  }
  require(outcome.code == kAnalyzeNothingContested || outcome.code == kAnalyzeContested);
  require(!outcome.out.empty() && outcome.out.back() == '\n');
  require(lines <= 1);
  if (lines == 1) require(outcome.err.starts_with("warning: analyze: - is cut short at byte "));
}

void fuzz_one(const std::uint8_t* data, std::size_t size) {
  std::vector<char> bytes(data, data + size);
  const auto text = analyze_bytes(bytes, AnalyzeOptions::Format::text);
  check(text);
  const auto json = analyze_bytes(bytes, AnalyzeOptions::Format::json);
  check(json);
  // The format changes how the report looks, never what it says or how the run ends.
  require(text.code == json.code && text.err == json.err);
  if (text.code == kAnalyzeError) return;

  const auto last_line = text.out.substr(text.out.rfind('\n', text.out.size() - 2) + 1);
  require(last_line.starts_with(text.code == kAnalyzeContested ? "verdict: CONTESTED"
                                                               : "verdict: no IP conflict"));
  const auto report = nlohmann::json::parse(json.out, nullptr, /*allow_exceptions=*/false);
  require(!report.is_discarded());
  require(report["files"].size() == 1 && report["files"][0]["path"] == "-");
  require(report["contested"].empty() == (json.code == kAnalyzeNothingContested));
  require(report["files"][0]["cut_short_at"].is_null() == json.err.empty());
  if (!json.err.empty()) {
    const auto offset = report["files"][0]["cut_short_at"].get<std::uint64_t>();
    require(offset <= size);
    require(json.err.starts_with("warning: analyze: - is cut short at byte " +
                                 std::to_string(offset) + " ("));
  }
}

}  // namespace
}  // namespace arp

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arp::fuzz_one(data, size);
  return 0;
}
