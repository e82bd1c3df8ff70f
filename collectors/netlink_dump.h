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

// The attribute's payload; empty when the attribute is absent. Out of line, so that this header
// (included by the collectors' headers) does not bring libnl's headers along.
std::span<const std::byte> attribute_payload(const nlattr* attribute);

// The attribute's payload as a T; nullopt when it is absent or shorter than a T.
template <typename T>
std::optional<T> read_attribute(const nlattr* attribute) {
  const auto payload = attribute_payload(attribute);
  if (payload.size() < sizeof(T)) return std::nullopt;
  T value{};
  std::memcpy(&value, payload.data(), sizeof value);
  return value;
}

}  // namespace arp
