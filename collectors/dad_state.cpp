#include "collectors/dad_state.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

namespace arp {

std::string address_text(const OwnAddressKey& key) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(key.family, key.bytes.data(), text.data(), text.size()) == nullptr) return {};
  return text.data();
}

DadState dad_state_of(std::uint32_t flags) {
  if ((flags & IFA_F_DADFAILED) != 0) return DadState::failed;
  if ((flags & IFA_F_TENTATIVE) != 0) return DadState::tentative;
  return DadState::usable;
}

void DadTable::apply(const OwnAddressKey& key, std::uint32_t flags, bool deleted) {
  const auto state = deleted ? DadState::usable : dad_state_of(flags);
  if (state == DadState::usable) {
    trouble_.erase(key);
    return;
  }
  if (const auto known = trouble_.find(key); known != trouble_.end()) {
    known->second = state;
    return;
  }
  if (trouble_.size() >= max_addresses_) {
    ++overflows_;
    return;
  }
  trouble_.emplace(key, state);
}

void DadTable::adopt(DadTable&& dumped) {
  trouble_ = std::move(dumped.trouble_);
  overflows_ += dumped.overflows_;
}

std::vector<DadEntry> DadTable::entries() const {
  std::vector<DadEntry> entries;
  entries.reserve(trouble_.size());
  for (const auto& [key, state] : trouble_) entries.push_back({key, state});
  return entries;
}

}  // namespace arp
