#include "core/vendor_registry.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace arp {
namespace {

// Longest first: lookup takes the first table that matches. Each length is a whole number of
// hex digits, which is how the registries write assignments.
constexpr std::array<unsigned, 3> kPrefixBits = {36, 28, 24};
constexpr unsigned kMacBits = 48;
// Entries pack (prefix << kNameIndexBits) | name index; 36 + 24 bits fit in 64.
constexpr unsigned kNameIndexBits = 24;
constexpr std::uint64_t kNameIndexMask = (std::uint64_t{1} << kNameIndexBits) - 1;
constexpr std::size_t kMaxNames = std::size_t{1} << kNameIndexBits;
static_assert(kPrefixBits[0] + kNameIndexBits <= 64);

struct Registry {
  std::string_view name;
  std::size_t hex_digits;
};
constexpr std::array<Registry, 4> kRegistries = {{
    {"MA-L", 6},
    {"MA-M", 7},
    {"MA-S", 9},
    {"IAB", 9},
}};

const Registry* find_registry(std::string_view name) {
  for (const auto& registry : kRegistries) {
    if (registry.name == name) {
      return &registry;
    }
  }
  return nullptr;
}

// The table index for an assignment of `hex_digits` digits.
std::size_t table_for(std::size_t hex_digits) {
  const auto bits = static_cast<unsigned>(hex_digits * 4);
  return static_cast<std::size_t>(std::ranges::find(kPrefixBits, bits) - kPrefixBits.begin());
}

constexpr std::array<std::string_view, 4> kHeader = {"Registry", "Assignment", "Organization Name",
                                                     "Organization Address"};
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kWhitespace = " \t\r\n\v\f";

// kWhitespace, tested without a search.
bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view text) {
  // Nearly every field has nothing to trim: two tests instead of two searches.
  if (!text.empty() && !is_whitespace(text.front()) && !is_whitespace(text.back())) {
    return text;
  }
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

// How many LFs `text` holds; find() is memchr, which skips the long runs without one.
std::size_t line_breaks(std::string_view text) {
  std::size_t count = 0;
  for (auto at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) {
    ++count;
  }
  return count;
}

// Error messages quote what the input held; the input may be any bytes, and the message ends up
// in a log line, so show it printable and short.
std::string printable(std::string_view raw) {
  constexpr std::size_t kMaxShown = 40;
  constexpr std::string_view kHexDigits = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : raw.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20U && byte < 0x7FU) {
      out += c;
    } else {
      out += "\\x";
      out += kHexDigits[byte >> 4U];
      out += kHexDigits[byte & 0x0FU];
    }
  }
  if (raw.size() > kMaxShown) {
    out += "...";
  }
  out += '"';
  return out;
}

std::string at_line(std::size_t line, std::string_view what) {
  std::string message = "line " + std::to_string(line) + ": ";
  message += what;
  return message;
}

// Each byte's value as a hex digit, or kNotHex. A table, not a chain of range tests: the
// chain's branches, taken at random between digits and letters, were 7% of the parse.
constexpr std::uint8_t kNotHex = 0xFF;
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(kNotHex);
  for (unsigned i = 0; i < 10; ++i) {
    table['0' + i] = static_cast<std::uint8_t>(i);
  }
  for (unsigned i = 0; i < 6; ++i) {
    table['A' + i] = static_cast<std::uint8_t>(10 + i);
    table['a' + i] = static_cast<std::uint8_t>(10 + i);
  }
  return table;
}();

std::optional<std::uint64_t> parse_hex(std::string_view digits) {
  std::uint64_t value = 0;
  bool all_hex = true;
  for (const char c : digits) {
    const std::uint8_t digit = kHexValue[static_cast<unsigned char>(c)];
    all_hex &= digit != kNotHex;
    value = (value << 4U) | (digit & 0x0FU);
  }
  if (!all_hex) {
    return std::nullopt;
  }
  return value;
}

// Names become label values, and the exposition format requires UTF-8. Rejects overlong forms,
// surrogates and code points past U+10FFFF, as a strict decoder would.
bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  // Most names are ASCII: eight bytes at a time until the first one with its high bit set.
  constexpr std::uint64_t kHighBits = 0x8080'8080'8080'8080ULL;
  for (std::uint64_t word = 0; text.size() - i >= sizeof word; i += sizeof word) {
    std::memcpy(&word, text.data() + i, sizeof word);
    if ((word & kHighBits) != 0) {
      break;
    }
  }
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t smallest = 0;
    if (lead < 0x80U) {
      ++i;
      continue;
    }
    if ((lead & 0xE0U) == 0xC0U) {
      length = 2;
      code_point = lead & 0x1FU;
      smallest = 0x80;
    } else if ((lead & 0xF0U) == 0xE0U) {
      length = 3;
      code_point = lead & 0x0FU;
      smallest = 0x800;
    } else if ((lead & 0xF8U) == 0xF0U) {
      length = 4;
      code_point = lead & 0x07U;
      smallest = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xC0U) != 0x80U) {
        return false;
      }
      code_point = (code_point << 6U) | (continuation & 0x3FU);
    }
    const bool surrogate = code_point >= 0xD800U && code_point <= 0xDFFFU;
    if (code_point < smallest || code_point > 0x10FFFFU || surrogate) {
      return false;
    }
    i += length;
  }
  return true;
}

// One CSV record: its first kKept fields, each a view into the input, or into `unescaped` when
// it was quoted and held a doubled quote (a few dozen of the registries' 46 000 lines), and how
// many fields it had in all. Views instead of a std::string per field: allocating two strings a
// line (names and addresses are longer than the small-string buffer) was most of the parse.
struct CsvRecord {
  static constexpr std::size_t kKept = kHeader.size();
  std::array<std::string_view, kKept> fields{};
  std::array<std::string, kKept> unescaped;
  std::size_t count = 0;

  std::span<const std::string_view> kept() const { return {fields.data(), std::min(count, kKept)}; }
};

// RFC 4180 records: fields split by commas, records by LF or CRLF; a field that starts with a
// quote runs to the matching quote, may hold commas and line breaks, and writes a quote as "".
// A quote inside an unquoted field is kept as text, as lenient readers do (no ambiguity arises).
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // Reads the next record into `record`; false at the end of the input. The views stay valid
  // while the input and `record` live and until the next call.
  Result<bool, std::string> next(CsvRecord& record) {
    record.count = 0;
    if (pos_ >= text_.size()) {
      return false;
    }
    record_line_ = line_;
    for (;;) {
      const std::size_t index = record.count++;
      std::string& storage = index < CsvRecord::kKept ? record.unescaped[index] : scratch_;
      std::string_view field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        auto closed = read_quoted(storage);
        if (!closed) {
          return Failure{closed.error()};
        }
        field = closed.value();
      } else {
        field = read_unquoted();
      }
      if (index < CsvRecord::kKept) {
        record.fields[index] = field;
      }
      if (pos_ == text_.size()) {
        return true;
      }
      const char after = text_[pos_];
      if (after == ',') {
        ++pos_;
        continue;  // a comma at the very end opens one more, empty, field
      }
      if (after == '\n') {
        ++pos_;
        ++line_;
        return true;
      }
      // Only a closing quote can leave us anywhere else: unquoted fields stop at ',' or '\n'.
      if (after == '\r') {
        if (pos_ + 1 == text_.size()) {
          ++pos_;
          return true;
        }
        if (text_[pos_ + 1] == '\n') {
          pos_ += 2;
          ++line_;
          return true;
        }
      }
      return Failure{at_line(line_, printable(text_.substr(pos_, 1)) +
                                        " after a closing quote (expected a comma or line end)")};
    }
  }

  // The line on which the record last returned by next() began.
  std::size_t record_line() const { return record_line_; }

 private:
  // The field's content: a view into the input, or into `storage` once a doubled quote has to
  // be written as one.
  Result<std::string_view, std::string> read_quoted(std::string& storage) {
    const std::size_t opened_on = line_;
    ++pos_;  // the opening quote
    bool unescaped = false;
    for (;;) {
      const auto close = text_.find('"', pos_);
      if (close == std::string_view::npos) {
        return Failure{at_line(opened_on, "quoted field is never closed")};
      }
      const auto chunk = text_.substr(pos_, close - pos_);
      line_ += line_breaks(chunk);
      pos_ = close + 1;
      const bool doubled = pos_ < text_.size() && text_[pos_] == '"';
      if (!doubled && !unescaped) {
        return chunk;
      }
      if (!unescaped) {
        storage.clear();
        unescaped = true;
      }
      storage.append(chunk);
      if (!doubled) {
        return std::string_view(storage);
      }
      storage += '"';
      ++pos_;
    }
  }

  std::string_view read_unquoted() {
    // memchr (vectorised) for the line end, once a line, then for a comma before it: a loop
    // testing every byte for either was a quarter of the parse (find_first_of is slower still:
    // it calls memchr on the two-character set for every byte).
    if (pos_ > line_end_ || !line_end_known_) {
      line_end_ = std::min(text_.find('\n', pos_), text_.size());
      line_end_known_ = true;
    }
    const auto* const comma =
        static_cast<const char*>(std::memchr(text_.data() + pos_, ',', line_end_ - pos_));
    const std::size_t end =
        comma == nullptr ? line_end_ : static_cast<std::size_t>(comma - text_.data());
    auto content = text_.substr(pos_, end - pos_);
    // The CR of a CRLF line end belongs to the line end, not to the last field.
    const bool ends_record = end == text_.size() || text_[end] == '\n';
    if (ends_record && content.ends_with('\r')) {
      content.remove_suffix(1);
    }
    pos_ = end;
    return content;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  // The first line end at or after pos_ (or the input's end) while pos_ has not passed it.
  std::size_t line_end_ = 0;
  bool line_end_known_ = false;
  std::string scratch_;  // quoted fields past the kept ones
};

// Stores each distinct name once. Appends to the registry's name table and can undo that, so
// that a failed add_csv leaves the registry unchanged.
class NameInterner {
 public:
  NameInterner(std::vector<char>& chars, std::vector<std::uint32_t>& ends,
               std::vector<std::uint32_t>& slots, std::size_t input_size)
      : chars_(chars),
        ends_(ends),
        slots_(slots),
        old_chars_(chars.size()),
        old_names_(ends.size()) {
    // No reserve for the names: the index holds name numbers, not views, so chars_ may move as
    // it grows. Reserving the input's size here, then giving it back after every file, copied
    // the names read so far twice a file (a tenth of start-up's page faults).
    // Registry lines run to about 100 bytes, and most names are new: sized so that it rarely
    // grows while a registry file is read. The index outlives the call, so the names of earlier
    // files are not hashed again (rehashing them for every file was a sixth of the parse).
    const std::size_t expected = ends_.size() + input_size / 100;
    if (2 * expected + 2 > slots_.size()) {
      resize_index(expected);
    }
  }

  // The name's index, or nullopt once the packed index would overflow.
  std::optional<std::uint32_t> intern(std::string_view name) {
    const auto mask = slots_.size() - 1;
    auto slot = std::hash<std::string_view>{}(name)&mask;
    for (; slots_[slot] != kFree; slot = (slot + 1) & mask) {
      if (view(slots_[slot]) == name) {
        return slots_[slot];
      }
    }
    if (ends_.size() >= kMaxNames) {
      return std::nullopt;
    }
    chars_.insert(chars_.end(), name.begin(), name.end());
    ends_.push_back(static_cast<std::uint32_t>(chars_.size()));
    const auto index = static_cast<std::uint32_t>(ends_.size() - 1);
    slots_[slot] = index;
    if (2 * ends_.size() > slots_.size()) {
      resize_index(ends_.size());
    }
    return index;
  }

  void rollback() {
    chars_.resize(old_chars_);
    ends_.resize(old_names_);
    chars_.shrink_to_fit();
    resize_index(ends_.size());  // drops the new names from the index
  }

 private:
  static constexpr std::uint32_t kFree = ~std::uint32_t{0};

  std::string_view view(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return {chars_.data() + begin, ends_[i] - begin};
  }

  // Rebuilds the index with room for `names` at most half full, holding every name so far.
  void resize_index(std::size_t names) {
    slots_.assign(std::bit_ceil(std::max<std::size_t>(16, 2 * names + 2)), kFree);
    const auto mask = slots_.size() - 1;
    for (std::uint32_t i = 0; i < ends_.size(); ++i) {
      auto slot = std::hash<std::string_view>{}(view(i)) & mask;
      while (slots_[slot] != kFree) {
        slot = (slot + 1) & mask;
      }
      slots_[slot] = i;
    }
  }

  std::vector<char>& chars_;
  std::vector<std::uint32_t>& ends_;
  // Name indices by hash of the name, open addressing with linear probing: a node per name in
  // std::unordered_map cost an allocation and a free for each of the registries' names.
  std::vector<std::uint32_t>& slots_;
  std::size_t old_chars_;
  std::size_t old_names_;
};

std::uint64_t prefix_of(std::uint64_t entry) { return entry >> kNameIndexBits; }

std::optional<std::uint32_t> find_name(const std::vector<std::uint64_t>& table,
                                       std::uint64_t prefix) {
  // The smallest packed value with this prefix is the prefix with name index 0.
  const auto found = std::ranges::lower_bound(table, prefix << kNameIndexBits);
  if (found == table.end() || prefix_of(*found) != prefix) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*found & kNameIndexMask);
}

using Tables = std::array<std::vector<std::uint64_t>, kPrefixBits.size()>;

// Sorts packed entries by prefix, stably: entries with equal prefixes keep their order. A
// least-significant-digit radix sort, one pass per 12 bits of the prefix (two or three passes,
// linear in the entries). std::stable_sort's merge sort of the registries' tens of thousands of
// random-order entries was 8% of start-up; this is about 4% of BM_LoadVendorRegistry.
void sort_by_prefix(std::vector<std::uint64_t>& entries, std::vector<std::uint64_t>& scratch,
                    unsigned prefix_bits) {
  constexpr unsigned kDigitBits = 12;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
  scratch.resize(entries.size());
  std::vector<std::size_t> starts(kBuckets);
  for (unsigned shift = kNameIndexBits; shift < kNameIndexBits + prefix_bits; shift += kDigitBits) {
    const auto digit = [shift](std::uint64_t entry) { return (entry >> shift) & (kBuckets - 1); };
    std::ranges::fill(starts, 0);
    for (const std::uint64_t entry : entries) {
      ++starts[digit(entry)];
    }
    std::size_t start = 0;
    for (auto& bucket : starts) {
      start += std::exchange(bucket, start);
    }
    for (const std::uint64_t entry : entries) {
      scratch[starts[digit(entry)]++] = entry;
    }
    entries.swap(scratch);
  }
}

// Checks one data record and stages its entry in `staged` (unsorted, in file order).
std::optional<std::string> stage_record(const CsvRecord& record, std::size_t line,
                                        NameInterner& names, Tables& staged) {
  const auto& fields = record.fields;
  if (record.count != kHeader.size()) {
    return at_line(line,
                   "expected 4 fields (Registry,Assignment,Organization Name,Organization "
                   "Address), found " +
                       std::to_string(record.count));
  }
  const Registry* const registry = find_registry(trim(fields[0]));
  if (registry == nullptr) {
    return at_line(line, "registry " + printable(fields[0]) + " is not MA-L, MA-M, MA-S or IAB");
  }
  const auto assignment = trim(fields[1]);
  const auto prefix = parse_hex(assignment);
  const auto digits = assignment.size();
  if (!prefix || (digits != 6 && digits != 7 && digits != 9)) {
    return at_line(line, "assignment " + printable(fields[1]) + " is not 6, 7 or 9 hex digits");
  }
  if (digits != registry->hex_digits) {
    return at_line(line, std::string(registry->name) + " assignment " + printable(fields[1]) +
                             " is not " + std::to_string(registry->hex_digits) + " hex digits");
  }
  const auto organization = trim(fields[2]);
  if (organization.empty()) {
    return at_line(line, "organization name is empty");
  }
  if (!is_valid_utf8(organization)) {
    return at_line(line, "organization name " + printable(organization) + " is not valid UTF-8");
  }
  const auto name_index = names.intern(organization);
  if (!name_index) {
    return at_line(line, "more than " + std::to_string(kMaxNames) + " distinct organizations");
  }
  staged[table_for(digits)].push_back((*prefix << kNameIndexBits) | *name_index);
  return std::nullopt;
}

}  // namespace

Result<std::size_t, std::string> VendorRegistry::add_csv(std::string_view csv_text) {
  static_assert(std::tuple_size_v<decltype(tables_)> == kPrefixBits.size());
  if (csv_text.starts_with(kUtf8Bom)) {
    csv_text.remove_prefix(kUtf8Bom.size());
  }
  if (csv_text.empty()) {
    return Failure{std::string("empty input")};
  }
  // Name offsets are 32-bit to keep the table compact.
  if (csv_text.size() > std::numeric_limits<std::uint32_t>::max() - name_chars_.size()) {
    return Failure{"input of " + std::to_string(csv_text.size()) + " bytes is too large"};
  }

  CsvReader reader(csv_text);
  CsvRecord record;
  if (auto header = reader.next(record); !header) {
    return Failure{header.error()};
  }
  if (record.count != kHeader.size() || !std::ranges::equal(record.kept(), kHeader)) {
    return Failure{at_line(reader.record_line(),
                           "header is not \"Registry,Assignment,Organization Name,Organization "
                           "Address\"")};
  }

  NameInterner names(name_chars_, name_ends_, name_slots_, csv_text.size());
  Tables staged;
  for (;;) {
    auto more = reader.next(record);
    if (!more) {
      names.rollback();
      return Failure{more.error()};
    }
    if (!more.value()) {
      break;
    }
    const bool blank_line = record.count == 1 && trim(record.fields[0]).empty();
    if (blank_line) {
      continue;
    }
    if (auto error = stage_record(record, reader.record_line(), names, staged)) {
      names.rollback();
      return Failure{std::move(*error)};
    }
  }

  std::size_t added = 0;
  std::vector<std::uint64_t> scratch;
  for (std::size_t t = 0; t < tables_.size(); ++t) {
    auto& fresh = staged[t];
    auto& table = tables_[t];
    // Stable, so among equal prefixes the earliest line comes first and unique keeps it: that
    // is the "first one seen wins" rule. (Sorting the packed integers outright would order
    // duplicates by name index, which is the order names were first seen, not lines.)
    sort_by_prefix(fresh, scratch, kPrefixBits[t]);
    // std::unique, not std::ranges::unique: clang 14 (clang-tidy here) cannot parse the
    // subrange libstdc++ 12 returns.
    fresh.erase(
        std::unique(fresh.begin(), fresh.end(),
                    [](std::uint64_t a, std::uint64_t b) { return prefix_of(a) == prefix_of(b); }),
        fresh.end());
    std::erase_if(fresh, [&table](std::uint64_t entry) {
      return find_name(table, prefix_of(entry)).has_value();
    });
    added += fresh.size();
    const auto old_size = static_cast<std::ptrdiff_t>(table.size());
    table.insert(table.end(), fresh.begin(), fresh.end());
    std::inplace_merge(table.begin(), table.begin() + old_size, table.end());
    table.shrink_to_fit();
  }
  // No shrink_to_fit of the names: every file read would copy all of them again (see
  // NameInterner). Geometric growth leaves at most as much spare as the names take.
  return added;
}

std::string_view VendorRegistry::lookup(const MacAddress& mac) const {
  const std::uint64_t address = mac.to_u64();
  for (std::size_t t = 0; t < tables_.size(); ++t) {
    if (const auto index = find_name(tables_[t], address >> (kMacBits - kPrefixBits[t]))) {
      return name(*index);
    }
  }
  return mac.is_locally_administered() ? kLocallyAdministered : kUnknown;
}

std::size_t VendorRegistry::size() const {
  std::size_t total = 0;
  for (const auto& table : tables_) {
    total += table.size();
  }
  return total;
}

std::string_view VendorRegistry::name(std::uint32_t index) const {
  const std::size_t begin = index == 0 ? 0 : name_ends_[index - 1];
  return {name_chars_.data() + begin, name_ends_[index] - begin};
}

}  // namespace arp
