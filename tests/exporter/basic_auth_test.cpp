#include "exporter/basic_auth.h"

#include <gtest/gtest.h>

namespace arp {
namespace {

// bcrypt of "secret" at cost 5 (libcrypt), in the three spellings exporter-toolkit's files use.
constexpr const char* kSecret2b = "$2b$05$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCW";
constexpr const char* kSecret2y = "$2y$05$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCW";

TEST(BasicAuthTest, ParsesTheAuthorizationHeader) {
  const auto credentials = parse_basic_authorization("Basic YWxpY2U6c2VjcmV0");  // alice:secret
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->user, "alice");
  EXPECT_EQ(credentials->password, "secret");
  // The scheme is case-insensitive; a colon may be in the password, not in the user.
  const auto with_colon = parse_basic_authorization("basic YTpiOmM=");  // a:b:c
  ASSERT_TRUE(with_colon);
  EXPECT_EQ(with_colon->user, "a");
  EXPECT_EQ(with_colon->password, "b:c");
  const auto empty_password = parse_basic_authorization("Basic YTo=");  // a:
  ASSERT_TRUE(empty_password);
  EXPECT_EQ(empty_password->password, "");
}

TEST(BasicAuthTest, RejectsOtherSchemesAndBadBase64) {
  EXPECT_FALSE(parse_basic_authorization("Bearer YWxpY2U6c2VjcmV0"));
  EXPECT_FALSE(parse_basic_authorization("Basic"));
  EXPECT_FALSE(parse_basic_authorization("Basic !!!!"));
  EXPECT_FALSE(parse_basic_authorization("Basic YWxpY2U"));   // not a multiple of 4
  EXPECT_FALSE(parse_basic_authorization("Basic YWxpY2U="));  // "alice": no colon
}

TEST(BasicAuthTest, BcryptVerifiesTheRightPasswordOnly) {
  EXPECT_TRUE(bcrypt_matches("secret", kSecret2b));
  EXPECT_TRUE(bcrypt_matches("secret", kSecret2y));
  EXPECT_FALSE(bcrypt_matches("Secret", kSecret2y));
  EXPECT_FALSE(bcrypt_matches("", kSecret2y));
  EXPECT_FALSE(bcrypt_matches(std::string_view("secret\0x", 8), kSecret2y));
  EXPECT_FALSE(bcrypt_matches("secret", "not a hash"));
}

TEST(BasicAuthTest, AllowsConfiguredUsersWithTheirPasswordAndCachesTheAnswer) {
  BasicAuthenticator authenticator;
  const std::map<std::string, std::string, std::less<>> users = {{"alice", kSecret2y}};
  EXPECT_TRUE(authenticator.allows(users, "Basic YWxpY2U6c2VjcmV0"));   // alice:secret
  EXPECT_FALSE(authenticator.allows(users, "Basic YWxpY2U6d3Jvbmc="));  // alice:wrong
  EXPECT_FALSE(authenticator.allows(users, "Basic Ym9iOnNlY3JldA=="));  // bob:secret
  EXPECT_EQ(authenticator.cache_size(), 3U);
  // Cached answers are the same answers.
  EXPECT_TRUE(authenticator.allows(users, "Basic YWxpY2U6c2VjcmV0"));
  EXPECT_FALSE(authenticator.allows(users, "Basic YWxpY2U6d3Jvbmc="));
  EXPECT_FALSE(authenticator.allows(users, "Basic Ym9iOnNlY3JldA=="));
  EXPECT_EQ(authenticator.cache_size(), 3U);
  // A changed hash is verified afresh: the cached yes for the old one does not carry over.
  const std::map<std::string, std::string, std::less<>> changed = {
      {"alice", "$2y$05$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCX"}};
  EXPECT_FALSE(authenticator.allows(changed, "Basic YWxpY2U6c2VjcmV0"));
  EXPECT_FALSE(authenticator.allows(users, "Bearer x"));
}

}  // namespace
}  // namespace arp
