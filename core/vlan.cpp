#include "core/vlan.h"

namespace arp {

std::string Vlan::to_string() const {
  if (outer == 0) return inner == 0 ? std::string() : std::to_string(inner);
  return std::to_string(outer) + "." + std::to_string(inner);
}

}  // namespace arp
