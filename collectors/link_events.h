// A netlink socket on the kernel's link and address groups (IPv4 and IPv6: an IPv6 address
// that finishes DAD is announced there too), used only as a doorbell: any message means
// "interfaces changed, rescan now", so an interface that returns is captured again at once
// instead of at the next periodic rescan. The messages themselves are not parsed;
// getifaddrs(3) stays the one source of what the interfaces are.
#pragma once

#include <string>

namespace arp {

class LinkEvents {
 public:
  // Throws std::runtime_error when the socket cannot be opened or bound.
  LinkEvents();
  LinkEvents(const LinkEvents&) = delete;
  LinkEvents& operator=(const LinkEvents&) = delete;
  ~LinkEvents();

  int fd() const { return fd_; }
  // Reads every queued message; true when there was at least one (or the socket overran,
  // which also means something changed).
  bool drain();

 private:
  int fd_ = -1;
};

}  // namespace arp
