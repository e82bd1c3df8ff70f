// rtnetlink plumbing shared by the readers of the kernel's tables (neighbours, this host's
// addresses): an owner for libnl's socket, a dump loop that reads the answer straight from the
// receive buffer, and a checked read of one attribute.
#pragma once

#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>

struct nl_sock;
struct nlmsghdr;
struct nlattr;

namespace arp {

struct NlSocketDeleter {
  void operator()(nl_sock* socket) const noexcept;
};
using NlSocket = std::unique_ptr<nl_sock, NlSocketDeleter>;

// A connected NETLINK_ROUTE socket. Throws std::runtime_error with libnl's text on failure.
NlSocket connect_route_socket();

struct DumpResult {
  bool interrupted = false;  // NLM_F_DUMP_INTR: the table changed during the dump
};

// Sends a dump request of `type` (an RTM_GET* with NLM_F_DUMP) whose payload is `request`, and
// runs `handle` on every message of the answer, without a copy or an allocation per message.
// Messages of other requests are skipped; NLMSG_ERROR throws std::runtime_error("<what>: ...").
DumpResult dump_route(nl_sock* socket, int type, std::span<const std::byte> request,
                      const char* what, const std::function<void(const nlmsghdr*)>& handle);

template <typename Request>
DumpResult dump_route(nl_sock* socket, int type, const Request& request, const char* what,
                      const std::function<void(const nlmsghdr*)>& handle) {
  return dump_route(socket, type, std::as_bytes(std::span(&request, 1)), what, handle);
}

// One attribute payload per type, read in place after a message's fixed header of `fixed`
// bytes: what nlmsg_parse gives (no policy), without its out-of-line calls into libnl-3.so per
// attribute (nla_ok, nla_type, nla_next), which at 100k entries cost a scrape more than the rest
// of its parsing. As nla_parse: types beyond the table are skipped, a type given twice keeps the
// last, and the walk stops at the first attribute that does not fit in the message. An absent
// attribute's payload is empty. False when the message is shorter than its fixed header.
bool parse_attributes(const nlmsghdr* header, std::size_t fixed,
                      std::span<std::span<const std::byte>> attributes);

// The payload as a T; nullopt when it is absent or shorter than a T.
template <typename T>
std::optional<T> read_payload(std::span<const std::byte> payload) {
  if (payload.size() < sizeof(T)) return std::nullopt;
  T value{};
  std::memcpy(&value, payload.data(), sizeof value);
  return value;
}

// The attribute's payload; empty when the attribute is absent. Out of line, so that this header
// (included by the collectors' headers) does not bring libnl's headers along.
std::span<const std::byte> attribute_payload(const nlattr* attribute);

// The attribute's payload as a T; nullopt when it is absent or shorter than a T.
template <typename T>
std::optional<T> read_attribute(const nlattr* attribute) {
  return read_payload<T>(attribute_payload(attribute));
}

}  // namespace arp
