#include "core/vendor_registry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace arp {
namespace {

constexpr std::string_view kHeader =
    "Registry,Assignment,Organization Name,Organization Address\r\n";

MacAddress mac(std::string_view text) {
  const auto parsed = MacAddress::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(MacAddress{});
}

// A registry built from header + `rows`; fails the test if the text does not parse.
VendorRegistry registry_of(std::string_view rows) {
  VendorRegistry registry;
  const auto added = registry.add_csv(std::string(kHeader) + std::string(rows));
  EXPECT_TRUE(added.ok()) << added.error();
  return registry;
}

std::string add_error(std::string_view csv) {
  VendorRegistry registry;
  const auto added = registry.add_csv(csv);
  if (added.ok()) {
    return "parsed " + std::to_string(added.value()) + " entries";
  }
  return added.error();
}

TEST(VendorRegistry, QuotedFieldsKeepCommasAndDoubledQuotes) {
  const auto registry = registry_of(
      "MA-L,001122,\"ACME, Inc. \"\"West\"\"\",\"1 Road, Town US 12345 \"\r\n"
      "MA-L,0011AA,\"\"\"RPC \"\"Energo\"\" Ltd\",addr\r\n");
  EXPECT_EQ(registry.lookup(mac("00:11:22:33:44:55")), "ACME, Inc. \"West\"");
  EXPECT_EQ(registry.lookup(mac("00:11:aa:00:00:01")), "\"RPC \"Energo\" Ltd");
}

TEST(VendorRegistry, TrimsNamesAndAcceptsCrlfLfAndNoFinalNewline) {
  const auto registry = registry_of(
      "MA-L,001122,   ZAO \"Rotek\"  ,addr \r\n"
      "MA-L,001123,\"   Quoted Pad \",addr\n"
      "MA-L,001124,Last Line,addr");
  EXPECT_EQ(registry.lookup(mac("00:11:22:00:00:00")), "ZAO \"Rotek\"");
  EXPECT_EQ(registry.lookup(mac("00:11:23:00:00:00")), "Quoted Pad");
  EXPECT_EQ(registry.lookup(mac("00:11:24:00:00:00")), "Last Line");
  EXPECT_EQ(registry.size(), 3U);
}

TEST(VendorRegistry, QuotedLineBreaksAreCountedInLineNumbers) {
  const std::string csv = std::string(kHeader) +
                          "MA-L,001122,Acme,\"12 Road\r\nSuite 4\nTown US\"\r\n"  // lines 2-4
                          "MA-L,00ZZ11,Broken,addr\r\n";                          // line 5
  EXPECT_EQ(add_error(csv), "line 5: assignment \"00ZZ11\" is not 6, 7 or 9 hex digits");
}

TEST(VendorRegistry, LongestPrefixWins) {
  const auto registry = registry_of(
      "MA-L,70B3D5,IEEE Registration Authority,addr\r\n"
      "MA-M,70B3D51,Medium Block Inc,addr\r\n"
      "MA-S,70B3D5F2F,Small Block Inc,addr\r\n"
      "IAB,70B3D5F30,Old IAB Inc,addr\r\n");
  EXPECT_EQ(registry.lookup(mac("70:b3:d5:f2:f1:23")), "Small Block Inc");
  EXPECT_EQ(registry.lookup(mac("70:b3:d5:f3:0f:ff")), "Old IAB Inc");
  EXPECT_EQ(registry.lookup(mac("70:b3:d5:1f:ff:ff")), "Medium Block Inc");
  EXPECT_EQ(registry.lookup(mac("70:b3:d5:f2:e0:00")), "IEEE Registration Authority");
  EXPECT_EQ(registry.lookup(mac("70:b3:d6:00:00:00")), "unknown");
}

TEST(VendorRegistry, LongestPrefixWinsWhicheverFileCameFirst) {
  VendorRegistry registry;
  ASSERT_TRUE(registry.add_csv(std::string(kHeader) + "MA-S,001BC5001,Small Block Inc,a\n").ok());
  ASSERT_TRUE(registry.add_csv(std::string(kHeader) + "MA-M,001BC50,Medium Block Inc,a\n").ok());
  ASSERT_TRUE(registry.add_csv(std::string(kHeader) + "MA-L,001BC5,IEEE RA,a\n").ok());
  EXPECT_EQ(registry.lookup(mac("00:1b:c5:00:1a:bc")), "Small Block Inc");
  EXPECT_EQ(registry.lookup(mac("00:1b:c5:00:2a:bc")), "Medium Block Inc");
  EXPECT_EQ(registry.lookup(mac("00:1b:c5:10:00:00")), "IEEE RA");
  EXPECT_EQ(registry.size(), 3U);
}

TEST(VendorRegistry, FallsBackToLocallyAdministeredOrUnknown) {
  const auto registry = registry_of("MA-L,001122,Acme,addr\r\n");
  EXPECT_EQ(registry.lookup(mac("02:00:00:00:00:0a")), VendorRegistry::kLocallyAdministered);
  EXPECT_EQ(registry.lookup(mac("02:00:00:00:00:0a")), "locally administered");
  EXPECT_EQ(registry.lookup(mac("00:99:99:00:00:01")), "unknown");
  EXPECT_EQ(VendorRegistry{}.lookup(mac("00:11:22:33:44:55")), "unknown");
  EXPECT_EQ(VendorRegistry{}.lookup(mac("ff:ff:ff:ff:ff:ff")), "locally administered");
}

TEST(VendorRegistry, FirstAssignmentWinsWithinAFileAndAcrossFiles) {
  VendorRegistry registry;
  const auto first = registry.add_csv(std::string(kHeader) +
                                      "MA-L,080030,NETWORK RESEARCH CORPORATION,a\r\n"
                                      "MA-L,080030,ROYAL MELBOURNE INST OF TECH,b\r\n"
                                      "MA-L,080030,CERN,c\r\n");
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_EQ(first.value(), 1U);
  const auto second = registry.add_csv(std::string(kHeader) +
                                       "MA-L,080030,Later File,a\r\n"
                                       "MA-L,080031,New Entry,a\r\n");
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second.value(), 1U);
  EXPECT_EQ(registry.lookup(mac("08:00:30:00:00:01")), "NETWORK RESEARCH CORPORATION");
  EXPECT_EQ(registry.lookup(mac("08:00:31:00:00:01")), "New Entry");
  EXPECT_EQ(registry.size(), 2U);
}

// The earlier line wins even when the later line's name was seen first (entries carry the
// name's number, so an ordering by number would pick "Acme" here).
TEST(VendorRegistry, FirstLineWinsNotFirstSeenName) {
  const auto registry = registry_of(
      "MA-L,001122,Acme,a\r\n"
      "MA-L,001133,Beta,a\r\n"
      "MA-L,001133,Acme,a\r\n"
      "MA-S,001144123,Gamma,a\r\n");
  EXPECT_EQ(registry.lookup(mac("00:11:33:00:00:00")), "Beta");
  EXPECT_EQ(registry.size(), 3U);
}

// Names are looked up across add_csv calls (the name index outlives a call), and a failed call
// takes its new names out of that index again.
TEST(VendorRegistry, NamesAreSharedAcrossFilesAndSurviveAFailedAdd) {
  VendorRegistry registry;
  ASSERT_TRUE(registry.add_csv(std::string(kHeader) + "MA-L,001122,Acme,a\r\n").ok());
  ASSERT_FALSE(registry
                   .add_csv(std::string(kHeader) + "MA-L,001133,Beta,a\r\n"
                                                   "MA-L,001144,Acme,a\r\n"
                                                   "MA-L,nothex,Broken,a\r\n")
                   .ok());
  ASSERT_TRUE(registry
                  .add_csv(std::string(kHeader) + "MA-M,0011550,Beta,a\r\n"
                                                  "MA-M,0011660,Acme,a\r\n")
                  .ok());
  const auto acme = registry.lookup(mac("00:11:22:00:00:00"));
  EXPECT_EQ(acme, "Acme");
  EXPECT_EQ(registry.lookup(mac("00:11:66:00:00:00")).data(), acme.data());
  EXPECT_EQ(registry.lookup(mac("00:11:55:00:00:00")), "Beta");
  EXPECT_EQ(registry.lookup(mac("00:11:33:00:00:00")), "unknown");
  EXPECT_EQ(registry.size(), 3U);
}

TEST(VendorRegistry, StoresEachOrganizationNameOnce) {
  const auto registry = registry_of(
      "MA-L,001122,Private,\r\n"
      "MA-M,0011331,Acme,addr\r\n"
      "MA-S,001144555,  Private ,\r\n");
  const auto a = registry.lookup(mac("00:11:22:00:00:00"));
  const auto b = registry.lookup(mac("00:11:44:55:50:00"));
  EXPECT_EQ(a, "Private");
  EXPECT_EQ(a.data(), b.data());
}

TEST(VendorRegistry, AcceptsLowercaseHexBlankLinesByteOrderMarkAndHeaderOnly) {
  VendorRegistry registry;
  const auto added = registry.add_csv(
      "\xEF\xBB\xBFRegistry,Assignment,Organization Name,Organization Address\n"
      "\n"
      "MA-L,00aabb,Lower,addr\n"
      "\r\n");
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(added.value(), 1U);
  EXPECT_EQ(registry.lookup(mac("00:aa:bb:00:00:00")), "Lower");

  const auto header_only = registry.add_csv(kHeader);
  ASSERT_TRUE(header_only.ok()) << header_only.error();
  EXPECT_EQ(header_only.value(), 0U);
}

TEST(VendorRegistry, RejectsEmptyInputAndWrongHeader) {
  EXPECT_EQ(add_error(""), "empty input");
  EXPECT_EQ(add_error("\xEF\xBB\xBF"), "empty input");
  const std::string expected =
      "line 1: header is not \"Registry,Assignment,Organization Name,Organization Address\"";
  EXPECT_EQ(add_error("Registry,Assignment,Organization Name\r\nMA-L,001122,Acme\r\n"), expected);
  EXPECT_EQ(add_error("MA-L,001122,Acme,addr\r\n"), expected);
  EXPECT_EQ(add_error("\n"), expected);
  EXPECT_EQ(add_error("oui\thex\tname\n"), expected);
}

struct Malformed {
  std::string rows;  // after the header, which is line 1
  std::string error;
};

// Names the case in test output by its expected error; without it GoogleTest prints the
// object's raw bytes, heap pointers included, into every test name ctest shows.
void PrintTo(const Malformed& malformed, std::ostream* out) {
  *out << malformed.error.substr(0, 48);  // enough to tell the cases apart
}

class VendorRegistryMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(VendorRegistryMalformed, NamesTheLineAndTheProblem) {
  EXPECT_EQ(add_error(std::string(kHeader) + GetParam().rows), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, VendorRegistryMalformed,
    testing::Values(
        Malformed{"MA-L,001122,Acme,a\r\nMA-L,00ZZ11,Acme,a\r\n",
                  "line 3: assignment \"00ZZ11\" is not 6, 7 or 9 hex digits"},
        Malformed{"MA-L,,Acme,a\r\n", "line 2: assignment \"\" is not 6, 7 or 9 hex digits"},
        Malformed{"MA-L,0011223344,Acme,a\r\n",
                  "line 2: assignment \"0011223344\" is not 6, 7 or 9 hex digits"},
        Malformed{"MA-M,001122,Acme,a\r\n",
                  "line 2: MA-M assignment \"001122\" is not 7 hex digits"},
        Malformed{"IAB,0011223,Acme,a\r\n",
                  "line 2: IAB assignment \"0011223\" is not 9 hex digits"},
        Malformed{"CID,001122,Acme,a\r\n",
                  "line 2: registry \"CID\" is not MA-L, MA-M, MA-S or IAB"},
        Malformed{"MA-L,001122,Acme\r\n",
                  "line 2: expected 4 fields (Registry,Assignment,Organization Name,Organization "
                  "Address), found 3"},
        Malformed{"MA-L,001122,Acme,\"a, b\",extra\r\n",
                  "line 2: expected 4 fields (Registry,Assignment,Organization Name,Organization "
                  "Address), found 5"},
        Malformed{"MA-L,001122,  ,a\r\n", "line 2: organization name is empty"},
        Malformed{"MA-L,001122,Acme,a\r\nMA-L,001123,\"Acme\nInc,a\r\n",
                  "line 3: quoted field is never closed"},
        Malformed{"MA-L,001122,\"Acme\"x,a\r\n",
                  "line 2: \"x\" after a closing quote (expected a comma or line end)"},
        Malformed{"MA-L,001122,\"Acme\"\r,a\r\n",
                  "line 2: \"\\x0d\" after a closing quote (expected a comma or line end)"},
        Malformed{"MA-L,001122,Bad \xC3\x28 Name,a\r\n",
                  "line 2: organization name \"Bad \\xc3( Name\" is not valid UTF-8"},
        Malformed{"MA-L,001122,Overlong \xC0\xAF,a\r\n",
                  "line 2: organization name \"Overlong \\xc0\\xaf\" is not valid UTF-8"},
        Malformed{"MA-L,\x01\xFF\"\\0011,Acme,a\r\n",
                  "line 2: assignment \"\\x01\\xff\\\"\\\\0011\" is not 6, 7 or 9 hex digits"}));

TEST(VendorRegistry, FailedAddLeavesTheRegistryUnchanged) {
  VendorRegistry registry;
  ASSERT_TRUE(registry.add_csv(std::string(kHeader) + "MA-L,001122,Acme,a\r\n").ok());
  const auto failed = registry.add_csv(std::string(kHeader) +
                                       "MA-L,0011AA,New Name,a\r\n"
                                       "MA-L,001122,Other,a\r\n"
                                       "MA-L,nothex,Broken,a\r\n");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(registry.size(), 1U);
  EXPECT_EQ(registry.lookup(mac("00:11:aa:00:00:00")), "unknown");
  EXPECT_EQ(registry.lookup(mac("00:11:22:00:00:00")), "Acme");
  // The name table was rolled back too: a later add starts clean.
  ASSERT_TRUE(registry.add_csv(std::string(kHeader) + "MA-L,0011AA,New Name,a\r\n").ok());
  EXPECT_EQ(registry.lookup(mac("00:11:aa:00:00:00")), "New Name");
}

// Arbitrary bytes must give entries or an error, never a crash (run under ASan/UBSan too).
TEST(VendorRegistry, GarbageNeverCrashes) {
  const std::string valid = std::string(kHeader) +
                            "MA-L,001122,\"ACME, Inc. \"\"West\"\"\",\"1 Road\r\nTown\"\r\n"
                            "MA-M,0011223,Medium,addr\r\n"
                            "MA-S,001122334,Small,addr\r\n"
                            "IAB,0050C27D5,DEUTA-WERKE GmbH,addr\r\n";
  constexpr std::string_view kSpecial = "\",\r\n \xEF\xBB\xBF";
  std::mt19937 random(20240501);  // fixed seed: failures must reproduce
  auto below = [&random](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    if (round % 3 == 0) {
      input.resize(below(200));
      for (auto& c : input) {
        c = static_cast<char>(below(256));
      }
    } else {
      input = round % 3 == 1 ? valid : std::string(kHeader);
      const auto edits = 1 + below(8);
      for (std::size_t e = 0; e < edits && !input.empty(); ++e) {
        const auto at = below(input.size());
        switch (below(4)) {
          case 0:
            input[at] = kSpecial[below(kSpecial.size())];
            break;
          case 1:
            input[at] = static_cast<char>(below(256));
            break;
          case 2:
            input.insert(at, 1, kSpecial[below(kSpecial.size())]);
            break;
          default:
            input.resize(at);
            break;
        }
      }
    }
    VendorRegistry registry;
    const auto before = registry.size();
    const auto added = registry.add_csv(input);
    if (added.ok()) {
      EXPECT_EQ(registry.size(), before + added.value());
    } else {
      EXPECT_FALSE(added.error().empty());
      EXPECT_EQ(registry.size(), before);
    }
    MacAddress::Bytes bytes{};
    for (auto& byte : bytes) {
      byte = static_cast<std::uint8_t>(below(256));
    }
    EXPECT_FALSE(registry.lookup(MacAddress(bytes)).empty());
    EXPECT_FALSE(registry.lookup(mac("00:11:22:33:44:55")).empty());
  }
}

// The real registries as Debian's ieee-data installs them.
class RealIeeeData : public testing::Test {
 protected:
  static std::string read(std::string_view file) {
    const std::string path = std::string(ARP_IEEE_DATA_DIR) + "/" + std::string(file);
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static std::size_t add(VendorRegistry& registry, std::string_view file) {
    const auto added = registry.add_csv(read(file));
    EXPECT_TRUE(added.ok()) << file << ": " << added.error();
    return added.ok() ? added.value() : 0;
  }

  static VendorRegistry& all() {
    static VendorRegistry registry = [] {
      VendorRegistry loaded;
      for (const auto* file : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"}) {
        add(loaded, file);
      }
      return loaded;
    }();
    return registry;
  }
};

TEST_F(RealIeeeData, EveryFileParses) {
  VendorRegistry registry;
  std::size_t total = 0;
  for (const auto* file : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"}) {
    const auto added = add(registry, file);
    EXPECT_GT(added, 4000U) << file;
    total += added;
  }
  EXPECT_EQ(registry.size(), total);
  EXPECT_GT(registry.size(), 30000U);
}

TEST_F(RealIeeeData, MaLargeResolves) {
  EXPECT_EQ(all().lookup(mac("00:1b:21:12:34:56")), "Intel Corporate");
  // Quirks of the real file: a name in quotes with leading spaces, one starting with a quote.
  EXPECT_EQ(all().lookup(mac("48:29:e4:00:00:01")), "ZAO \"NPK Rotek\"");
  EXPECT_EQ(all().lookup(mac("00:1e:cb:00:00:01")), "\"RPC \"Energoautomatika\" Ltd");
  // 08:00:30 is listed three times; the first line wins.
  EXPECT_EQ(all().lookup(mac("08:00:30:00:00:01")), "NETWORK RESEARCH CORPORATION");
}

TEST_F(RealIeeeData, MaMediumInsideAnMaLargeBlockWins) {
  EXPECT_EQ(all().lookup(mac("54:9a:11:1a:bc:de")), "SpearX Inc.");
  EXPECT_EQ(all().lookup(mac("54:9a:11:7a:bc:de")), "Niveo International BV");
  EXPECT_EQ(all().lookup(mac("54:9a:11:fa:bc:de")), "Private");
}

TEST_F(RealIeeeData, MaSmallAndIabInsideAnMaLargeBlockWin) {
  EXPECT_EQ(all().lookup(mac("70:b3:d5:f2:f1:23")), "TELEPLATFORMS");
  EXPECT_EQ(all().lookup(mac("00:50:c2:7d:51:23")), "DEUTA-WERKE GmbH");
  // 70:B3:D5:F2:0 has no MA-S assignment, so the MA-L block's owner answers.
  EXPECT_EQ(all().lookup(mac("70:b3:d5:f2:01:23")), "IEEE Registration Authority");
}

}  // namespace
}  // namespace arp
