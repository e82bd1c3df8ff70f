#include "exporter/check.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "collectors/arp_capture.h"
#include "collectors/host_interfaces.h"
#include "collectors/neighbor_source.h"
#include "collectors/packet_socket.h"
#include "core/arp_probe.h"
#include "core/frame_decoder.h"
#include "core/neighbor.h"

namespace arp {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kProbeSpacing = std::chrono::milliseconds(250);

class CheckError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Answerer {
  MacAddress mac;
  std::vector<double> reply_ms;  // after the probe sent last before each reply
};

struct HostEntry {
  std::string interface;
  std::string mac;  // empty while unresolved
  std::string state;
};

struct CheckReport {
  std::string ip;
  std::string interface;
  unsigned probes = 0;
  bool own_address = false;
  std::vector<Answerer> answers;
  std::optional<HostEntry> host_entry;
};

HostInterface choose_interface(const ExporterConfig& config) {
  const auto host = list_host_interfaces();
  if (!config.check_interface.empty()) {
    const auto named = std::find_if(host.begin(), host.end(), [&](const HostInterface& i) {
      return i.name == config.check_interface;
    });
    if (named == host.end()) throw CheckError("no such interface: " + config.check_interface);
    if (!named->ethernet || named->loopback)
      throw CheckError(config.check_interface + " is not an Ethernet interface");
    return *named;
  }
  // fe80::/64 is on every link: only the operator knows which one is meant.
  if (config.check_ip.is_ipv6_link_local()) {
    throw CheckError(config.check_ip.to_string() +
                     " is link-local, on every link at once: name the interface with -i");
  }
  for (const auto& interface : host) {
    if (!interface.up || !interface.ethernet || interface.loopback) continue;
    for (const auto& network : interface.networks) {
      if (network.contains(config.check_ip)) return interface;
    }
  }
  throw CheckError("no interface has a subnet holding " + config.check_ip.to_string() +
                   ": name one with -i");
}

std::optional<HostEntry> host_entry_for(const IpAddress& ip) {
  const auto family = ip.is_ipv4() ? NeighborFamily::inet : NeighborFamily::inet6;
  const NetlinkNeighborSource source;
  const auto names = source.interfaces();
  std::optional<HostEntry> found;
  try {
    (void)source.neighbors([&](const NeighborEntry& entry) {
      if (entry.key.family != family || ip_of(entry.key) != ip) return;
      const auto name = names.find(entry.key.ifindex);
      found = HostEntry{
          .interface = name == names.end() ? std::to_string(entry.key.ifindex) : name->second,
          .mac = entry.lladdr ? entry.lladdr->to_string() : std::string(),
          .state = std::string(to_string(entry.state))};
    });
  } catch (const std::exception&) {
    return std::nullopt;  // the answers are the point; a missing entry is said as such
  }
  return found;
}

// An ARP answer to a probe from 0.0.0.0 comes back to the prober's MAC alone; another
// prober's answers are not ours to count. A Neighbor Discovery answer to a DAD solicitation
// goes to all nodes (RFC 4861 7.2.4), so whoever asked, every holder's answer is heard.
bool sent_to_us(const ResolutionFrame& reply, const MacAddress& ours) {
  return reply.protocol == ResolutionProtocol::nd || reply.target_mac == ours;
}

CheckReport probe_and_listen(const ExporterConfig& config, const HostInterface& interface) {
  std::string error;
  const auto capture = open_arp_capture(interface.name, {}, error);
  if (!capture) throw CheckError(error);
  const PacketSocket socket;
  const auto frame = build_probe(interface.mac, Vlan{}, config.check_ip);

  CheckReport report{
      .ip = config.check_ip.to_string(),
      .interface = interface.name,
      .probes = 0,
      .own_address = std::find(interface.addresses.begin(), interface.addresses.end(),
                               config.check_ip) != interface.addresses.end(),
      .answers = {},
      .host_entry = std::nullopt};
  auto next_probe = Clock::now();
  auto last_probe = next_probe;
  const auto spacing = std::chrono::duration_cast<Clock::duration>(kProbeSpacing);
  const auto listen = std::chrono::duration_cast<Clock::duration>(config.check_timeout);
  const auto deadline = [&] { return last_probe + listen; };
  pollfd descriptor{.fd = pcap_get_selectable_fd(capture.get()), .events = POLLIN, .revents = 0};
  while (report.probes < config.check_count || Clock::now() < deadline()) {
    if (report.probes < config.check_count && Clock::now() >= next_probe) {
      if (const auto failed = socket.send(interface.name, frame.view()); !failed.empty())
        throw CheckError(failed);
      last_probe = Clock::now();
      next_probe = last_probe + spacing;
      ++report.probes;
    }
    const auto until = report.probes < config.check_count ? next_probe : deadline();
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    poll(&descriptor, 1, static_cast<int>(std::clamp<long>(wait.count(), 0, 250)));
    const auto received = Clock::now();
    pcap_pkthdr* header = nullptr;
    const unsigned char* bytes = nullptr;
    while (pcap_next_ex(capture.get(), &header, &bytes) == 1) {
      const auto decoded =
          decode_frame(std::span(reinterpret_cast<const std::byte*>(bytes), header->caplen));
      if (!decoded) continue;
      const auto& reply = *decoded;
      if (!answers_probe(reply) || reply.sender_ip != config.check_ip || reply.vlan.tagged() ||
          !sent_to_us(reply, interface.mac)) {
        continue;
      }
      auto answerer = std::find_if(report.answers.begin(), report.answers.end(),
                                   [&](const Answerer& a) { return a.mac == reply.sender_mac; });
      if (answerer == report.answers.end()) {
        report.answers.push_back({.mac = reply.sender_mac, .reply_ms = {}});
        answerer = report.answers.end() - 1;
      }
      answerer->reply_ms.push_back(
          std::chrono::duration<double, std::milli>(received - last_probe).count());
    }
  }
  return report;
}

int verdict_of(const CheckReport& report) {
  if (report.answers.empty()) return kCheckNoAnswer;
  return report.answers.size() == 1 ? kCheckOneMac : kCheckConflict;
}

std::string format_ms(double ms) {
  std::ostringstream text;
  text.precision(ms < 10 ? 2 : 1);
  text << std::fixed << ms << " ms";
  return text.str();
}

void print_text(const CheckReport& report, const VendorRegistry& vendors, std::ostream& out) {
  const auto code = verdict_of(report);
  out << report.ip << " on " << report.interface << ": " << report.probes << " probes, ";
  if (code == kCheckNoAnswer) {
    out << "no answer";
    if (report.own_address) out << " (this host holds the address and does not answer itself)";
    out << '\n';
  } else if (code == kCheckOneMac) {
    out << "one MAC answers\n";
  } else {
    out << report.answers.size() << " MACs answer: DUPLICATE ADDRESS\n";
  }
  for (const auto& answerer : report.answers) {
    out << "  " << answerer.mac.to_string() << "  " << vendors.lookup(answerer.mac) << "  "
        << answerer.reply_ms.size() << (answerer.reply_ms.size() == 1 ? " reply" : " replies");
    for (std::size_t i = 0; i < answerer.reply_ms.size(); ++i) {
      out << (i == 0 ? ": " : ", ") << format_ms(answerer.reply_ms[i]);
    }
    out << '\n';
  }
  out << "this host's neighbour entry: ";
  if (!report.host_entry) {
    out << "none\n";
    return;
  }
  out << report.host_entry->interface << " "
      << (report.host_entry->mac.empty() ? "(no link-layer address)" : report.host_entry->mac)
      << " " << report.host_entry->state << '\n';
}

void print_json(const CheckReport& report, const VendorRegistry& vendors, std::ostream& out) {
  const auto code = verdict_of(report);
  nlohmann::json answers = nlohmann::json::array();
  for (const auto& answerer : report.answers) {
    answers.push_back({{"mac", answerer.mac.to_string()},
                       {"vendor", vendors.lookup(answerer.mac)},
                       {"replies", answerer.reply_ms.size()},
                       {"reply_ms", answerer.reply_ms}});
  }
  nlohmann::json entry = nullptr;
  if (report.host_entry) {
    entry = {{"interface", report.host_entry->interface},
             {"mac", report.host_entry->mac},
             {"state", report.host_entry->state}};
  }
  out << nlohmann::json{{"ip", report.ip},
                        {"interface", report.interface},
                        {"probes", report.probes},
                        {"own_address", report.own_address},
                        {"verdict", code == kCheckNoAnswer ? "no_answer"
                                    : code == kCheckOneMac ? "one_mac"
                                                           : "conflict"},
                        {"answers", answers},
                        {"neighbor_entry", entry}}
             .dump(2)
      << '\n';
}

}  // namespace

int run_check(const ExporterConfig& config, const VendorRegistry& vendors, std::ostream& out,
              std::ostream& err) {
  try {
    auto report = probe_and_listen(config, choose_interface(config));
    report.host_entry = host_entry_for(config.check_ip);
    (config.check_json ? print_json : print_text)(report, vendors, out);
    return verdict_of(report);
  } catch (const std::exception& failure) {
    err << "arp_health_exporter: check: error: " << failure.what() << '\n';
    return kCheckError;
  }
}

}  // namespace arp
