// A raw AF_PACKET socket that only sends: the prober's way onto the wire. Protocol 0 binds it
// to no EtherType, so the kernel never queues received frames on it.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace arp {

class PacketSocket {
 public:
  // Throws std::runtime_error (with the capability named on EPERM) when it cannot be opened.
  PacketSocket();
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;
  PacketSocket(PacketSocket&& other) noexcept;
  PacketSocket& operator=(PacketSocket&& other) noexcept;
  ~PacketSocket();

  // Sends one whole Ethernet frame out of `interface`; returns "" or the error as one line.
  std::string send(const std::string& interface, std::span<const std::byte> frame) const;

 private:
  int fd_ = -1;
};

}  // namespace arp
