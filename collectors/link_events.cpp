#include "collectors/link_events.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace arp {

LinkEvents::LinkEvents()
    : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (fd_ < 0)
    throw std::runtime_error(std::string("link events: socket: ") + std::strerror(errno));
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error(std::string("link events: bind: ") + std::strerror(error));
  }
}

LinkEvents::~LinkEvents() { ::close(fd_); }

bool LinkEvents::drain() {
  std::array<char, 16 * 1024> buffer{};
  bool any = false;
  for (;;) {
    const auto received = recv(fd_, buffer.data(), buffer.size(), 0);
    if (received > 0) {
      any = true;
      continue;
    }
    if (received < 0 && errno == EINTR) continue;
    // ENOBUFS: events were lost, so something changed; EAGAIN: read everything.
    if (received < 0 && errno == ENOBUFS) {
      any = true;
      continue;
    }
    return any;
  }
}

}  // namespace arp
