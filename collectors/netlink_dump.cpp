#include "collectors/netlink_dump.h"

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace arp {
namespace {

std::runtime_error netlink_error(const std::string& what, int error) {
  return std::runtime_error(what + ": " + nl_geterror(error));
}

// The kernel sizes each chunk of a dump after the largest read buffer it has seen, up to
// 32 KiB (netlink_recvmsg's cap on max_recvmsg_len). Twice that, so no chunk is ever cut
// short, and without libnl's MSG_PEEK round trip: one recvmsg per chunk of ~400 entries.
constexpr std::size_t kDumpBufferBytes = 64 * 1024;

struct FreeDeleter {
  void operator()(unsigned char* buffer) const noexcept { std::free(buffer); }
};

struct NlMsgDeleter {
  void operator()(nl_msg* message) const noexcept { nlmsg_free(message); }
};

}  // namespace

void NlSocketDeleter::operator()(nl_sock* socket) const noexcept { nl_socket_free(socket); }

std::span<const std::byte> attribute_payload(const nlattr* attribute) {
  if (attribute == nullptr || nla_len(attribute) <= 0) return {};
  return {static_cast<const std::byte*>(nla_data(attribute)),
          static_cast<std::size_t>(nla_len(attribute))};
}

NlSocket connect_route_socket() {
  NlSocket socket(nl_socket_alloc());
  if (!socket) throw std::runtime_error("netlink: cannot allocate a socket");
  int error = nl_connect(socket.get(), NETLINK_ROUTE);
  if (error >= 0) error = nl_socket_set_msg_buf_size(socket.get(), kDumpBufferBytes);
  if (error >= 0) nl_socket_disable_msg_peek(socket.get());
  if (error < 0) throw netlink_error("netlink connect", error);
  return socket;
}

// Straight from the receive buffer: libnl's nl_recvmsgs would copy each message into an nl_msg
// of its own (one allocation per entry), and its default callbacks turn NLM_F_DUMP_INTR into an
// error after the fact. Here every message is checked for the answer's sequence number and
// port, NLMSG_ERROR fails the dump, and the flag is reported as `interrupted`.
DumpResult dump_route(nl_sock* socket, int type, std::span<const std::byte> request,
                      const char* what, const std::function<void(const nlmsghdr*)>& handle) {
  const std::unique_ptr<nl_msg, NlMsgDeleter> message(nlmsg_alloc_simple(type, NLM_F_DUMP));
  if (!message) throw std::runtime_error(std::string(what) + ": out of memory");
  // nlmsg_append copies from a non-const pointer but never writes through it.
  int error = nlmsg_append(message.get(), const_cast<std::byte*>(request.data()), request.size(),
                           NLMSG_ALIGNTO);
  if (error >= 0) error = nl_send_auto(socket, message.get());
  if (error < 0) throw netlink_error(what, error);
  const std::uint32_t sequence = nlmsg_hdr(message.get())->nlmsg_seq;
  const std::uint32_t port = nl_socket_get_local_port(socket);

  DumpResult result;
  for (;;) {
    sockaddr_nl peer{};
    unsigned char* raw = nullptr;
    const int length = nl_recv(socket, &peer, &raw, nullptr);
    const std::unique_ptr<unsigned char, FreeDeleter> buffer(raw);
    if (length < 0) throw netlink_error(what, length);
    if (length == 0) throw std::runtime_error(std::string(what) + ": the kernel closed the dump");
    int remaining = length;
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.get()); nlmsg_ok(header, remaining);
         header = nlmsg_next(header, &remaining)) {
      // Something else on this socket (a late answer to an earlier request) is not ours.
      if (header->nlmsg_seq != sequence || (header->nlmsg_pid != 0 && header->nlmsg_pid != port)) {
        continue;
      }
      if ((header->nlmsg_flags & NLM_F_DUMP_INTR) != 0) result.interrupted = true;
      if (header->nlmsg_type == NLMSG_DONE) return result;
      if (header->nlmsg_type == NLMSG_ERROR) {
        int code = -EPROTO;
        if (header->nlmsg_len >= static_cast<std::uint32_t>(nlmsg_size(sizeof(nlmsgerr)))) {
          nlmsgerr failure{};
          std::memcpy(&failure, nlmsg_data(header), sizeof failure);
          code = failure.error;
        }
        if (code == 0) return result;  // an acknowledgement ends the answer too
        throw std::runtime_error(std::string(what) + ": " + std::strerror(-code));
      }
      if (header->nlmsg_type == NLMSG_NOOP || header->nlmsg_type == NLMSG_OVERRUN) continue;
      handle(header);
    }
  }
}

}  // namespace arp
