#include "exporter/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace arp {
namespace {

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding's zero bytes in.
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

}  // namespace

std::optional<Credentials> parse_basic_authorization(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  constexpr std::string_view scheme = "basic ";
  if (header.size() < scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  }
  header.remove_prefix(scheme.size());
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  const auto decoded = decode_base64(header);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

bool bcrypt_matches(std::string_view password, const std::string& bcrypt_hash) {
  // A NUL inside the password would cut it short for crypt: never equal to the real one.
  if (password.find('\0') != std::string_view::npos) return false;
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* result = crypt_rn(phrase.c_str(), bcrypt_hash.c_str(), data.get(), sizeof *data);
  if (result == nullptr || result[0] == '*') return false;
  const auto length = std::strlen(result);
  return length == bcrypt_hash.size() && CRYPTO_memcmp(result, bcrypt_hash.data(), length) == 0;
}

BasicAuthenticator::BasicAuthenticator() {
  // Made here from random bytes, so it is no one's password and costs what a real one does.
  std::array<unsigned char, 16> random{};
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  if (RAND_bytes(random.data(), random.size()) != 1 ||
      crypt_gensalt_rn("$2b$", 10, reinterpret_cast<const char*>(random.data()), random.size(),
                       salt.data(), salt.size()) == nullptr) {
    throw std::runtime_error("cannot make a bcrypt salt");
  }
  auto data = std::make_unique<crypt_data>();
  const char* hash =
      crypt_rn("arp_health_exporter: no such user", salt.data(), data.get(), sizeof *data);
  if (hash == nullptr || hash[0] == '*') throw std::runtime_error("libcrypt has no bcrypt");
  unknown_user_hash_ = hash;
}

std::size_t BasicAuthenticator::KeyHash::operator()(const Key& key) const {
  std::size_t value = 0;
  std::memcpy(&value, key.data(), sizeof value);
  return value;
}

bool BasicAuthenticator::allows(const std::map<std::string, std::string, std::less<>>& users,
                                std::string_view authorization_header) {
  const auto credentials = parse_basic_authorization(authorization_header);
  if (!credentials) return false;
  const auto user = users.find(credentials->user);
  const bool known = user != users.end();
  const std::string& hash = known ? user->second : unknown_user_hash_;

  // Lengths first, so no two different triples give the same bytes.
  Key key{};
  std::string material;
  for (const std::string* part : {&credentials->user, &hash, &credentials->password}) {
    material += std::to_string(part->size()) + ':' + *part;
  }
  unsigned int key_length = 0;
  EVP_Digest(material.data(), material.size(), key.data(), &key_length, EVP_sha256(), nullptr);
  OPENSSL_cleanse(material.data(), material.size());
  {
    const std::lock_guard lock(mutex_);
    if (const auto cached = cache_.find(key); cached != cache_.end())
      return cached->second && known;
  }
  bool ok = false;
  {
    const std::lock_guard lock(bcrypt_mutex_);
    ok = bcrypt_matches(credentials->password, hash) && known;
  }
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_.emplace(key, ok);
  return ok;
}

std::size_t BasicAuthenticator::cache_size() const {
  const std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace arp
