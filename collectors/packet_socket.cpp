#include "collectors/packet_socket.h"

#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace arp {

PacketSocket::PacketSocket() : fd_(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) {
  if (fd_ < 0) {
    const int error = errno;
    throw std::runtime_error(
        std::string("probe socket: ") + std::strerror(error) +
        (error == EPERM ? " (sending probes needs CAP_NET_RAW, as capturing does)" : ""));
  }
}

PacketSocket::PacketSocket(PacketSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

PacketSocket& PacketSocket::operator=(PacketSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

PacketSocket::~PacketSocket() {
  if (fd_ >= 0) close(fd_);
}

std::string PacketSocket::send(const std::string& interface,
                               std::span<const std::byte> frame) const {
  // Looked up per send: an interface that was deleted and created again has a new index.
  const unsigned index = if_nametoindex(interface.c_str());
  if (index == 0) return "probe on " + interface + ": no such interface";
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = static_cast<int>(index);
  address.sll_halen = 6;
  std::memset(address.sll_addr, 0xff, 6);  // the frame carries its own destination
  const auto sent = sendto(fd_, frame.data(), frame.size(), 0,
                           reinterpret_cast<const sockaddr*>(&address), sizeof address);
  if (sent < 0) return "probe on " + interface + ": " + std::strerror(errno);
  return {};
}

}  // namespace arp
