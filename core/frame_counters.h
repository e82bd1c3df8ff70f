// Counts of decoded frames by family and kind and rejected frames by reason, for one interface.
#pragma once

#include <array>
#include <cstdint>

#include "core/arp_decoder.h"

namespace arp {

class FrameCounters {
 public:
  void count(const DecodeResult& result) {
    if (result.ok()) {
      const auto family = static_cast<std::size_t>(family_of(result->protocol));
      ++frames_[family][static_cast<std::size_t>(result->kind)];
      if (result->sender_mac_invalid) ++invalid_sender_;
      if (result->ethernet_source_mismatch) ++source_mismatch_;
    } else {
      ++rejected_[static_cast<std::size_t>(result.error())];
    }
  }

  // ARP frames are IPv4's, Neighbor Discovery frames IPv6's.
  std::uint64_t frames(IpFamily family, FrameKind kind) const {
    return frames_[static_cast<std::size_t>(family)][static_cast<std::size_t>(kind)];
  }
  // Both families.
  std::uint64_t frames(FrameKind kind) const {
    return frames(IpFamily::ipv4, kind) + frames(IpFamily::ipv6, kind);
  }
  std::uint64_t rejected(RejectReason reason) const {
    return rejected_[static_cast<std::size_t>(reason)];
  }
  std::uint64_t total_frames() const;
  std::uint64_t total_rejected() const;
  std::uint64_t invalid_sender() const { return invalid_sender_; }
  std::uint64_t source_mismatch() const { return source_mismatch_; }

 private:
  std::array<std::array<std::uint64_t, kAllFrameKinds.size()>, kAllIpFamilies.size()> frames_{};
  std::array<std::uint64_t, kAllRejectReasons.size()> rejected_{};
  std::uint64_t invalid_sender_ = 0;
  std::uint64_t source_mismatch_ = 0;
};

}  // namespace arp
