// The live edge of active verification: a thread that, a few times a second, tells the
// pipeline what this host is (its MACs and addresses, re-read once a second), moves the probe
// planner on, and sends the probes it asks for. It reads no answers: those come back as
// captured frames, through the captures, like any other frame. It also writes the log lines
// of verdicts and of this host's own addresses being claimed.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "collectors/capture_manager.h"
#include "collectors/log_budget.h"
#include "collectors/packet_socket.h"
#include "collectors/shared_pipeline.h"
#include "collectors/verdict_log.h"

namespace arp {

struct VerifierOptions {
  bool send_probes = true;           // off: --no-collector.arp.probe, nothing is ever sent
  std::vector<Ipv4Network> watch;    // --collector.arp.probe.watch
  std::size_t max_watched = 65'536;  // addresses swept, all networks together
};

// The watched addresses that lie in a subnet of a captured interface, as tracker keys (the
// interface that reaches them), without this host's own; at most `limit`.
std::vector<AddressKey> watched_addresses(const std::vector<Ipv4Network>& watch,
                                          const std::vector<HostInterface>& host,
                                          const ClaimTracker& tracker, std::size_t limit);

class Verifier {
 public:
  // Throws when probes are to be sent and no packet socket can be opened.
  Verifier(VerifierOptions options, SharedPipeline& pipeline, const CaptureManager& captures,
           const VendorRegistry& vendors, Logger& logger);
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;
  ~Verifier();

  // SIGHUP: the networks to sweep from the next look at the host on (within a second); the
  // planner keeps the place of addresses still swept.
  void set_watch(std::vector<Ipv4Network> watch);

 private:
  void run(const std::stop_token& stop);
  void learn_host(Timestamp now);
  void send(const std::vector<Probe>& probes);
  struct OwnAddressTrouble {
    std::vector<OwnAddressClaim> claims;
    std::vector<OwnAddressMacs> several_macs;
    std::vector<std::string> interface_names;  // by InterfaceIndex
  };
  void log_own_address_trouble(const OwnAddressTrouble& trouble);

  VerifierOptions options_;  // options_.watch only under watch_mutex_: set_watch() changes it
  std::mutex watch_mutex_;
  SharedPipeline& pipeline_;
  const CaptureManager& captures_;
  const VendorRegistry& vendors_;
  Logger& logger_;
  std::optional<PacketSocket> socket_;
  std::unique_ptr<VerdictLog> verdict_log_;
  std::vector<HostInterface> host_;  // as of the last learn_host()
  LogBudget send_error_budget_{0.2, 5.0};
  // What was already logged, so that each claim is one line, not one a second.
  std::set<std::tuple<InterfaceIndex, IpAddress, MacAddress>> logged_claims_;
  std::set<IpAddress> logged_several_macs_;

  std::jthread thread_;  // last: starts after every other member is ready
};

}  // namespace arp
