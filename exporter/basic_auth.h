// HTTP basic authentication against exporter-toolkit's basic_auth_users (bcrypt hashes),
// verified with libcrypt. bcrypt is slow on purpose (tens of milliseconds at cost 10), and
// Prometheus sends the same credentials every scrape, so results are cached as
// exporter-toolkit caches them: keyed by user, hash and password together (here a SHA-256 of
// them, so no password is kept), so a changed hash or password is verified afresh.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace arp {

struct Credentials {
  std::string user;
  std::string password;
};

// The user and password of an `Authorization: Basic ...` header; nullopt for any other scheme,
// bad base64 or no colon.
std::optional<Credentials> parse_basic_authorization(std::string_view header);

// True when `password` hashes to `bcrypt_hash` (crypt_rn), compared in constant time.
bool bcrypt_matches(std::string_view password, const std::string& bcrypt_hash);

class BasicAuthenticator {
 public:
  BasicAuthenticator();

  // True when the header names a configured user with the right password. An unknown user
  // costs one bcrypt too (against a hash of no one's password), so timing tells no names.
  bool allows(const std::map<std::string, std::string, std::less<>>& users,
              std::string_view authorization_header);

  std::size_t cache_size() const;

 private:
  using Key = std::array<unsigned char, 32>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  static constexpr std::size_t kMaxCached = 1024;  // a few users' scrapers; cleared when full

  std::string unknown_user_hash_;
  mutable std::mutex mutex_;
  std::unordered_map<Key, bool, KeyHash> cache_;
  std::mutex bcrypt_mutex_;  // one bcrypt at a time: a burst of bad logins cannot take every core
};

}  // namespace arp
