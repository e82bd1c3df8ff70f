#include "collectors/verifier.h"

#include <algorithm>
#include <chrono>

#include "core/arp_probe.h"

namespace arp {
namespace {

// Short enough that a round's probes go out on time (they are 250 ms apart) and a verdict is
// there about a second after the change; long enough to cost nothing when idle.
constexpr auto kTick = std::chrono::milliseconds(50);
constexpr auto kLearnInterval = std::chrono::seconds(1);

}  // namespace

std::vector<AddressKey> watched_addresses(const std::vector<Ipv4Network>& watch,
                                          const std::vector<HostInterface>& host,
                                          const ClaimTracker& tracker, std::size_t limit) {
  std::vector<AddressKey> keys;
  std::set<IpAddress> own;
  for (const auto& interface : host)
    own.insert(interface.addresses.begin(), interface.addresses.end());
  for (const auto& interface : host) {
    const auto index = tracker.find_interface(interface.name);
    if (!index) continue;  // not captured: never probed
    for (const auto& network : interface.networks) {
      if (!network.base().is_ipv4()) continue;  // a sweep is for IPv4 subnets: a /64 has no end
      const auto subnet = Ipv4Network::of(network.base().ipv4(), network.prefix_length());
      for (const auto& watched : watch) {
        // Two CIDR blocks overlap only when one contains the other.
        const auto& smaller = watched.prefix_length() >= subnet.prefix_length() ? watched : subnet;
        if (!watched.contains(smaller.base()) || !subnet.contains(smaller.base())) continue;
        for (std::uint64_t i = 0; i < smaller.size() && keys.size() < limit; ++i) {
          const IpAddress ip(Ipv4Address(static_cast<std::uint32_t>(smaller.base().to_u32() + i)));
          if (!own.contains(ip)) keys.push_back({ip, Vlan{}, *index});
        }
      }
    }
  }
  return keys;
}

Verifier::Verifier(VerifierOptions options, SharedPipeline& pipeline,
                   const CaptureManager& captures, const VendorRegistry& vendors, Logger& logger)
    : options_(std::move(options)),
      pipeline_(pipeline),
      captures_(captures),
      vendors_(vendors),
      logger_(logger) {
  if (options_.send_probes) socket_.emplace();
  pipeline_.with([&](ArpPipeline& p) {
    verdict_log_ = std::make_unique<VerdictLog>(p.tracker(), vendors_, logger_);
    p.set_observer(verdict_log_.get());
  });
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

Verifier::~Verifier() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  pipeline_.with([&](ArpPipeline& p) { p.set_observer(nullptr); });
}

void Verifier::set_watch(std::vector<Ipv4Network> watch) {
  const std::lock_guard lock(watch_mutex_);
  options_.watch = std::move(watch);
}

void Verifier::run(const std::stop_token& stop) {
  auto next_learn = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    if (std::chrono::steady_clock::now() >= next_learn) {
      learn_host(pipeline_.now());
      next_learn += kLearnInterval;
    }
    const auto probes = pipeline_.with([&](ArpPipeline& p) { return p.advance(pipeline_.now()); });
    if (socket_) send(probes);
    std::this_thread::sleep_for(kTick);
  }
}

void Verifier::learn_host(Timestamp now) {
  host_ = captures_.view().host;
  std::vector<MacAddress> macs;
  for (const auto& interface : host_) {
    if (interface.ethernet) macs.push_back(interface.mac);
  }
  std::vector<Ipv4Network> watch;
  {
    const std::lock_guard lock(watch_mutex_);
    watch = options_.watch;
  }
  const auto own = pipeline_.with([&](ArpPipeline& p) {
    std::vector<HostAddress> addresses;
    for (const auto& interface : host_) {
      const auto index = p.tracker().find_interface(interface.name);
      if (!index) continue;
      for (const auto ip : interface.addresses) addresses.push_back({*index, ip});
    }
    const auto watched = options_.send_probes
                             ? watched_addresses(watch, host_, p.tracker(), options_.max_watched)
                             : std::vector<AddressKey>{};
    p.set_host(addresses, macs, watched, now);
    const auto& tracker = p.tracker();
    OwnAddressTrouble trouble{
        .claims = find_own_address_claims(p.host(), tracker, now),
        .several_macs = find_own_address_macs(p.host(), tracker, tracker.interface_count(), now),
        .interface_names = {}};
    for (std::size_t i = 0; i < tracker.interface_count(); ++i) {
      trouble.interface_names.emplace_back(tracker.interface_name(static_cast<InterfaceIndex>(i)));
    }
    return trouble;
  });
  log_own_address_trouble(own);
}

void Verifier::log_own_address_trouble(const OwnAddressTrouble& trouble) {
  std::set<std::tuple<InterfaceIndex, IpAddress, MacAddress>> claims;
  for (const auto& claim : trouble.claims) {
    const auto key = std::make_tuple(claim.key.interface, claim.key.ip, claim.claimant.mac);
    claims.insert(key);
    if (logged_claims_.contains(key)) continue;
    logger_.warn("own address claimed",
                 {{"interface", trouble.interface_names.at(claim.key.interface)},
                  {"vlan", claim.key.vlan.to_string()},
                  {"ip", claim.key.ip.to_string()},
                  {"mac", mac_with_vendor(claim.claimant.mac, vendors_)}});
  }
  logged_claims_ = std::move(claims);

  std::set<IpAddress> several;
  for (const auto& macs : trouble.several_macs) {
    several.insert(macs.ip);
    if (logged_several_macs_.contains(macs.ip)) continue;
    std::string text;
    for (const auto& [interface, mac] : macs.answering) {
      if (!text.empty()) text += ", ";
      text += mac_with_vendor(mac, vendors_);
    }
    LogFields fields{{"ip", macs.ip.to_string()}, {"macs", text}};
    // ARP flux has a sysctl; several MACs on one link for an IPv6 address (bonding) has none.
    if (macs.ip.is_ipv4())
      fields.emplace_back("remedy", "sysctl net.ipv4.conf.all.arp_ignore=1 and arp_announce=2");
    logger_.info("own address answered by several of this host's MACs", fields);
  }
  logged_several_macs_ = std::move(several);
}

void Verifier::send(const std::vector<Probe>& probes) {
  for (const auto& probe : probes) {
    const auto name = pipeline_.with([&](ArpPipeline& p) {
      return std::string(p.tracker().interface_name(probe.key.interface));
    });
    const auto find = [&] {
      return std::find_if(host_.begin(), host_.end(),
                          [&](const HostInterface& i) { return i.name == name; });
    };
    auto interface = find();
    // A capture that started since the last look at the host (at most a second ago) is new to
    // host_, not gone: look again before giving up on the probe.
    if (interface == host_.end()) {
      host_ = captures_.view().host;
      interface = find();
    }
    std::string error = "probe on " + name + ": interface gone";
    if (interface != host_.end() && interface->ethernet) {
      const auto frame = build_probe(interface->mac, probe.key.vlan, probe.key.ip);
      error = socket_->send(name, frame.view());
    }
    if (error.empty()) continue;
    if (const auto suppressed = send_error_budget_.take(LogBudget::Clock::now())) {
      LogFields fields{{"err", error}, {"ip", probe.key.ip.to_string()}};
      if (*suppressed > 0) fields.emplace_back("suppressed", std::to_string(*suppressed));
      logger_.warn("probe not sent", fields);
    }
  }
}

}  // namespace arp
