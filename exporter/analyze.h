// `arp_health_exporter analyze FILE...`: the live exporter's decoder and tracker run over
// capture files after the fact, so an incident can be investigated from a tcpdump somebody
// took on one or more hosts, and the report names the same addresses the alerts would have.
#pragma once

#include <cstdio>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/claim_filter.h"
#include "core/claim_tracker.h"
#include "core/vendor_registry.h"

namespace arp {

struct AnalyzeOptions {
  // pcap or pcapng, Ethernet link type only. Each file is its own vantage point (interface),
  // named by its basename: the same IP seen from two hosts is two addresses in the report.
  // "-" is `standard_input` (`tcpdump -w - | arp_health_exporter analyze -`), path "-" and
  // interface "stdin" in the report: otherwise the report is the one the file would give.
  std::vector<std::string> files;
  // Borrowed, never closed: the program's stdin, or a stream a test or the fuzzer made.
  std::FILE* standard_input = stdin;
  enum class Format { text, json } format = Format::text;
  ClaimTrackerConfig tracker;
  ClaimFilter filter;
};

// Exit codes: scripts and CI jobs branch on them, so they are part of the interface.
inline constexpr int kAnalyzeNothingContested = 0;
inline constexpr int kAnalyzeContested = 1;
inline constexpr int kAnalyzeError = 2;

// Writes the report to `out` and returns kAnalyzeNothingContested or kAnalyzeContested; on
// any error writes nothing to `out`, one line to `err`, and returns kAnalyzeError.
//
// A capture cut short (its last record incomplete) is no error: what came before the cut is
// analyzed and reported, and `err` gets one warning line for that file, naming the byte offset
// of the cut, after the report. Anything else that stops a file being read is an error: a
// verdict on part of the evidence must not pass for one on all of it.
int run_analyze(const AnalyzeOptions& options, const VendorRegistry& vendors, std::ostream& out,
                std::ostream& err);
// The same with the registry still loading on another thread while the capture is read (its
// 4 MB of CSV took a sixth of a million-frame run): `vendors` waits for it, and is asked before
// anything is written, also when the analysis failed. What it throws (a registry that cannot be
// read) leaves run_analyze to the caller, with nothing written, as if the registry had been
// loaded first.
int run_analyze(const AnalyzeOptions& options,
                const std::function<const VendorRegistry&()>& vendors, std::ostream& out,
                std::ostream& err);

}  // namespace arp
