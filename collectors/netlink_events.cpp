#include "collectors/netlink_events.h"

#include <linux/netlink.h>
#include <netlink/handlers.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <poll.h>
#include <sys/socket.h>

#include <stdexcept>
#include <utility>

namespace arp {
namespace {

constexpr int kPollMilliseconds = 200;  // how soon the thread notices it should stop
constexpr auto kRetryInterval = std::chrono::seconds(1);

}  // namespace

NlSocket subscribe_route_events(std::initializer_list<int> groups, int buffer_bytes,
                                NlMessageHandler on_message, void* argument,
                                const std::string& what) {
  NlSocket socket(nl_socket_alloc());
  if (!socket) throw std::runtime_error(what + ": cannot allocate a socket");
  nl_socket_disable_seq_check(socket.get());  // multicast events carry no request sequence
  nl_socket_modify_cb(socket.get(), NL_CB_VALID, NL_CB_CUSTOM, on_message, argument);
  int error = nl_connect(socket.get(), NETLINK_ROUTE);
  for (const int group : groups) {
    if (error >= 0) error = nl_socket_add_membership(socket.get(), group);
  }
  if (error >= 0) error = nl_socket_set_buffer_size(socket.get(), buffer_bytes, 0);
  if (error >= 0) error = nl_socket_set_nonblocking(socket.get());
  if (error < 0) throw std::runtime_error(what + ": " + nl_geterror(error));
  // Refused without CAP_NET_ADMIN: then SO_RCVBUF's size, capped, stands.
  (void)setsockopt(nl_socket_get_fd(socket.get()), SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes,
                   sizeof buffer_bytes);
  return socket;
}

int granted_receive_buffer_bytes(nl_sock* socket) {
  int granted = 0;
  socklen_t length = sizeof granted;
  if (getsockopt(nl_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUF, &granted, &length) != 0) {
    return 0;
  }
  return granted / 2;  // the kernel reports twice what it accounts for
}

NetlinkEventLoop::NetlinkEventLoop(nl_sock* events, std::string name, Logger& logger,
                                   std::function<bool()> resynchronise)
    : events_(events),
      name_(std::move(name)),
      logger_(logger),
      resynchronise_(std::move(resynchronise)) {}

NetlinkEventLoop::~NetlinkEventLoop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

bool NetlinkEventLoop::resynchronise_now() {
  try {
    const bool in_step = resynchronise_();
    failing_.store(false, std::memory_order_relaxed);
    return in_step;
  } catch (const std::exception& failure) {
    if (!failing_.exchange(true, std::memory_order_relaxed)) {
      logger_.error(name_ + " resynchronisation failed, retrying every second",
                    {{"err", failure.what()}});
    }
    return false;
  }
}

void NetlinkEventLoop::start(bool resync_due) {
  resync_due_ = resync_due;
  retry_at_ = std::chrono::steady_clock::now() + kRetryInterval;
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void NetlinkEventLoop::run(const std::stop_token& stop) {
  pollfd descriptor{.fd = nl_socket_get_fd(events_), .events = POLLIN, .revents = 0};
  while (!stop.stop_requested()) {
    if (resync_due_ && std::chrono::steady_clock::now() >= retry_at_) {
      resync_due_ = !resynchronise_now();
      retry_at_ = std::chrono::steady_clock::now() + kRetryInterval;
    }
    if (poll(&descriptor, 1, kPollMilliseconds) <= 0) continue;
    const int error = nl_recvmsgs_default(events_);
    if (error >= 0 || error == -NLE_AGAIN) continue;
    if (error == -NLE_NOMEM) {  // libnl's name for ENOBUFS: the kernel dropped events
      overruns_.fetch_add(1, std::memory_order_relaxed);
      logger_.warn(name_ + " event socket overrun, resynchronising");
    } else {
      logger_.warn(name_ + " events", {{"err", nl_geterror(error)}});
    }
    resync_due_ = true;
    retry_at_ = {};  // now
  }
}

}  // namespace arp
