#include "exporter/web_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace arp {
namespace {

constexpr const char* kHash = "$2y$05$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCW";

std::string error_of(const std::string& yaml) {
  try {
    parse_web_config(yaml, "/etc/arp");
  } catch (const WebConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(WebConfigTest, AnEmptyFileIsPlainHttpWithoutAuthentication) {
  const auto config = parse_web_config("", "/etc/arp");
  EXPECT_FALSE(config.tls);
  EXPECT_TRUE(config.basic_auth_users.empty());
  EXPECT_TRUE(config.headers.empty());
}

TEST(WebConfigTest, ReadsExporterToolkitsExample) {
  const auto config = parse_web_config(std::string(R"(
tls_server_config:
  cert_file: server.crt
  key_file: /keys/server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
http_server_config:
  http2: true
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
    Content-Security-Policy: ""
basic_auth_users:
  alice: )") + kHash + "\n",
                                       "/etc/arp");
  ASSERT_TRUE(config.tls);
  // Relative to the web config's directory, as exporter-toolkit resolves them.
  EXPECT_EQ(config.tls->certificate.file, "/etc/arp/server.crt");
  EXPECT_EQ(config.tls->key.file, "/keys/server.key");
  EXPECT_EQ(config.tls->client_ca.file, "/etc/arp/ca.crt");
  EXPECT_EQ(config.tls->client_auth, ClientAuth::require_and_verify);
  EXPECT_EQ(config.tls->min_version, TlsVersion::tls13);
  EXPECT_EQ(config.tls->max_version, TlsVersion::tls13);
  ASSERT_EQ(config.basic_auth_users.size(), 1U);
  EXPECT_EQ(config.basic_auth_users.at("alice"), kHash);
  // A blank header value means unset.
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Frame-Options", "deny"}, {"Strict-Transport-Security", "max-age=31536000"}};
  EXPECT_EQ(config.headers, headers);
}

TEST(WebConfigTest, DefaultsAreExporterToolkits) {
  const auto config =
      parse_web_config("tls_server_config:\n  cert: |\n    PEM\n  key: |\n    KEY\n", "/");
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->certificate.inline_pem, "PEM\n");
  EXPECT_EQ(config.tls->client_auth, ClientAuth::none);
  EXPECT_EQ(config.tls->min_version, TlsVersion::tls12);
  EXPECT_EQ(config.tls->max_version, TlsVersion::tls13);
  EXPECT_TRUE(config.tls->prefer_server_cipher_suites);
}

TEST(WebConfigTest, EveryClientAuthTypeIsKnown) {
  EXPECT_EQ(parse_client_auth("NoClientCert"), ClientAuth::none);
  EXPECT_EQ(parse_client_auth("RequestClientCert"), ClientAuth::request);
  EXPECT_EQ(parse_client_auth("RequireAnyClientCert"), ClientAuth::require_any);
  EXPECT_EQ(parse_client_auth("RequireClientCert"), ClientAuth::require_any);
  EXPECT_EQ(parse_client_auth("VerifyClientCertIfGiven"), ClientAuth::verify_if_given);
  EXPECT_EQ(parse_client_auth("RequireAndVerifyClientCert"), ClientAuth::require_and_verify);
  EXPECT_FALSE(parse_client_auth("requireandverifyclientcert"));
}

TEST(WebConfigTest, UnknownKeysAreErrorsWithTheirLine) {
  EXPECT_EQ(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c\n"),
            "tls_server_config: unknown key \"certfile\" (line 4)");
  EXPECT_EQ(error_of("basic_auth: {}\n"), "web config: unknown key \"basic_auth\" (line 1)");
  EXPECT_EQ(error_of("http_server_config:\n  gzip: true\n"),
            "http_server_config: unknown key \"gzip\" (line 2)");
}

TEST(WebConfigTest, BadValuesAreErrors) {
  EXPECT_NE(error_of("tls_server_config: [1]\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n")
                .find("\"TLS14\" is not TLS10, TLS11, TLS12 or TLS13"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Yes\n")
                .find("client_auth_type: \"Yes\" is not"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"
                     "  max_version: TLS12\n")
                .find("min_version is above max_version"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n").find("missing one of key or key_file"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  cert: b\n  key_file: c\n")
                .find("cert and cert_file are exclusive"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n")
                .find("without a client_auth_type"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                     "  client_auth_type: RequireAndVerifyClientCert\n")
                .find("no client_ca_file"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                     "  curve_preferences: [P256]\n")
                .find("unknown curve \"P256\""),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                     "  curve_preferences: {X25519: 1}\n")
                .find("curve_preferences: expected a list"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: one\n")
                .find("cipher_suites: expected a list"),
            std::string::npos);
  EXPECT_NE(error_of("http_server_config:\n  http2: maybe\n").find("expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of("tls_server_config: {cert_file: a\n").find("not YAML"), std::string::npos);
}

TEST(WebConfigTest, PasswordsMustBeBcryptHashes) {
  EXPECT_EQ(error_of("basic_auth_users:\n  alice: secret\n"),
            "basic_auth_users.alice: is not a bcrypt hash ($2y$..., 60 characters) (line 2)");
  // A cost outside 4..31, and a hash of another scheme.
  EXPECT_NE(error_of("basic_auth_users:\n  alice: "
                     "$2y$03$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCW\n")
                .find("not a bcrypt hash"),
            std::string::npos);
  EXPECT_NE(error_of("basic_auth_users:\n  alice: $6$salt$hash\n").find("not a bcrypt hash"),
            std::string::npos);
  for (const char* prefix : {"$2a$", "$2b$", "$2y$"}) {
    const auto hash = std::string(prefix) + std::string(kHash).substr(4);
    EXPECT_EQ(parse_web_config("basic_auth_users:\n  alice: " + hash + "\n", "/")
                  .basic_auth_users.at("alice"),
              hash);
  }
}

TEST(WebConfigTest, OnlyExporterToolkitsHeadersAndValues) {
  EXPECT_NE(error_of("http_server_config:\n  headers:\n    Server: x\n")
                .find("header \"Server\" can not be configured"),
            std::string::npos);
  EXPECT_NE(error_of("http_server_config:\n  headers:\n    X-Frame-Options: allow\n")
                .find("\"allow\" is not one of deny, sameorigin"),
            std::string::npos);
  EXPECT_NE(error_of("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n")
                .find("is not one of nosniff"),
            std::string::npos);
}

TEST(WebConfigTest, WhatThisExporterCannotEnforceIsRefusedNotIgnored) {
  EXPECT_NE(
      error_of("rate_limit:\n  interval: 1s\n  burst: 5\n").find("rate_limit: is not supported"),
      std::string::npos);
  EXPECT_NE(error_of("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                     "  client_allowed_sans: [prometheus]\n")
                .find("client_allowed_sans: is not supported"),
            std::string::npos);
}

TEST(WebConfigTest, DuplicateKeysAreErrors) {
  EXPECT_NE(error_of("basic_auth_users: {}\nbasic_auth_users: {}\n").find("duplicate key"),
            std::string::npos);
  EXPECT_NE(
      error_of(std::string("basic_auth_users:\n  alice: ") + kHash + "\n  alice: " + kHash + "\n")
          .find("duplicate key \"alice\""),
      std::string::npos);
}

TEST(WebConfigTest, TheShippedExampleIsValid) {
  std::ifstream file(std::string(ARP_DEPLOY_DIR) + "/web-config.yml.example");
  ASSERT_TRUE(file);
  std::ostringstream text;
  text << file.rdbuf();
  const auto config = parse_web_config(text.str(), "/etc/arp_health_exporter");
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->client_auth, ClientAuth::require_and_verify);
  EXPECT_EQ(config.basic_auth_users.size(), 1U);
  EXPECT_EQ(config.headers.size(), 3U);
}

}  // namespace
}  // namespace arp
