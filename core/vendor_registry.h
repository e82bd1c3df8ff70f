// The IEEE MAC address registries (MA-L, MA-M, MA-S, IAB) as a longest-prefix lookup table that
// turns a MAC into the `vendor` label. Pure: it parses text it is handed; collectors/ reads files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/mac_address.h"
#include "core/result.h"

namespace arp {

class VendorRegistry {
 public:
  // The `vendor` label values for MACs without a registry entry (see docs on label values).
  static constexpr std::string_view kLocallyAdministered = "locally administered";
  static constexpr std::string_view kUnknown = "unknown";

  // Parses one registry CSV as Debian's ieee-data installs them (oui.csv, mam.csv, oui36.csv,
  // iab.csv): header `Registry,Assignment,Organization Name,Organization Address`, RFC 4180
  // quoting (quoted commas, `""`, quoted line breaks), LF or CRLF line ends.
  // Returns how many prefixes were added, or "line N: <what is wrong>" (N counts physical lines,
  // as an editor shows them). All or nothing: on error the registry is left as it was.
  // Duplicate assignments: the first one seen wins, within a file and across calls, so that an
  // operator's override file loaded first takes precedence and reloads are deterministic.
  Result<std::size_t, std::string> add_csv(std::string_view csv_text);

  // The organization of the longest registered prefix covering `mac` (36-bit MA-S/IAB, then
  // 28-bit MA-M, then 24-bit MA-L), else kLocallyAdministered or kUnknown. A block registered
  // as "Private" answers "Private", not the owner of the enclosing block (usually "IEEE
  // Registration Authority"), which would be misleading. The view stays valid until the next
  // add_csv. Safe to call from many threads while nobody calls add_csv.
  std::string_view lookup(const MacAddress& mac) const;

  // Number of distinct prefixes held, over all prefix lengths.
  std::size_t size() const;

 private:
  // One sorted vector per prefix length: 36, 28 and 24 bits, longest first. Each entry packs
  // (prefix << 24) | name index into one integer: 8 bytes an entry, and ordering the integers
  // orders by prefix, so sorting and binary search need no comparator.
  std::array<std::vector<std::uint64_t>, 3> tables_;

  // Organization names, each stored once (about 46 000 entries share about 30 000 names):
  // name i is name_chars_[name_ends_[i - 1] (0 for i = 0), name_ends_[i]).
  std::vector<char> name_chars_;
  std::vector<std::uint32_t> name_ends_;
  // Name indices by hash, for add_csv to find a name already held (see NameInterner). Kept
  // between calls so that each file does not hash every earlier name again: about 4 bytes a
  // slot, two slots a name.
  std::vector<std::uint32_t> name_slots_;

  std::string_view name(std::uint32_t index) const;
};

}  // namespace arp
