// The server's own rules, against a real civetweb: readiness, health endpoints outside basic
// auth, 401 with a challenge, gzip negotiation. Each test runs in a network namespace of its own
// (ctest runs every test in its own process), so it binds nothing on the host; without root it
// is skipped.
#include "exporter/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace arp {
namespace {

constexpr std::uint16_t kPort = 18080;

// A namespace of our own with loopback up; false when that is not allowed (not root).
bool own_network_namespace() {
  if (unshare(CLONE_NEWNET) != 0) return false;
  const int descriptor = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  const bool up = ioctl(descriptor, SIOCGIFFLAGS, &request) == 0 &&
                  (request.ifr_flags |= IFF_UP, ioctl(descriptor, SIOCSIFFLAGS, &request) == 0);
  close(descriptor);
  return up;
}

// One request over HTTP/1.1 (the server closes after each answer); the whole answer.
std::string get(const std::string& path, const std::string& headers = "") {
  const int descriptor = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(kPort);
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(descriptor, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close(descriptor);
    return "connect failed";
  }
  const auto request = "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + headers + "\r\n";
  (void)write(descriptor, request.data(), request.size());
  std::string answer;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = read(descriptor, buffer, sizeof buffer)) > 0)
    answer.append(buffer, static_cast<std::size_t>(got));
  close(descriptor);
  return answer;
}

int status_of(const std::string& answer) {
  return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!own_network_namespace()) GTEST_SKIP() << "needs root for a network namespace";
    directory_ =
        std::filesystem::temp_directory_path() / ("http_server_test." + std::to_string(getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }
  std::unique_ptr<HttpServer> start(HttpServerOptions options) {
    options.logger = &logger_;
    return std::make_unique<HttpServer>(
        *ListenAddress::parse("127.0.0.1:" + std::to_string(kPort)), "/metrics",
        [] {
          return HttpResponse{"text/plain", std::string(2000, 'a') + "\n"};
        },
        [] {
          return HttpResponse{"text/html", "<p>page</p>"};
        },
        std::move(options));
  }

  std::filesystem::path directory_;
  std::ostringstream log_;
  Logger logger_{LogLevel::info, LogFormat::logfmt, log_};
};

TEST_F(HttpServerTest, ReadyOnlyOnceTheCallbackSaysSoHealthyAlways) {
  std::atomic<bool> ready{false};
  const auto server =
      start({.web_config_file = "", .ready = [&] { return ready.load(); }, .logger = nullptr});
  EXPECT_EQ(status_of(get("/-/ready")), 503);
  EXPECT_EQ(status_of(get("/-/healthy")), 200);
  ready = true;
  EXPECT_EQ(status_of(get("/-/ready")), 200);
  EXPECT_EQ(status_of(get("/-/readyx")), 404);
}

TEST_F(HttpServerTest, BasicAuthGuardsAllButTheHealthEndpoints) {
  std::ofstream(directory_ / "web.yml")
      << "basic_auth_users:\n  alice: "
         "$2y$05$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCW\n"
         "http_server_config:\n  headers:\n    X-Frame-Options: deny\n";
  const auto server =
      start({.web_config_file = (directory_ / "web.yml").string(), .ready = {}, .logger = nullptr});
  const auto refused = get("/metrics");
  EXPECT_EQ(status_of(refused), 401);
  EXPECT_NE(refused.find("WWW-Authenticate: Basic"), std::string::npos);
  EXPECT_NE(refused.find("X-Frame-Options: deny"), std::string::npos);
  EXPECT_EQ(status_of(get("/", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n")), 401);  // alice:wrong
  EXPECT_EQ(status_of(get("/nowhere")), 401);  // no path is told to a stranger
  EXPECT_EQ(status_of(get("/metrics", "Authorization: Basic YWxpY2U6c2VjcmV0\r\n")), 200);
  EXPECT_EQ(status_of(get("/", "Authorization: Basic YWxpY2U6c2VjcmV0\r\n")), 200);
  EXPECT_EQ(status_of(get("/-/healthy")), 200);
  EXPECT_EQ(status_of(get("/-/ready")), 200);
}

TEST_F(HttpServerTest, GzipOnlyWhenAskedAndAlwaysVary) {
  const auto server = start({});
  const auto plain = get("/metrics");
  EXPECT_EQ(status_of(plain), 200);
  EXPECT_EQ(plain.find("Content-Encoding"), std::string::npos);
  EXPECT_NE(plain.find("Vary: Accept-Encoding"), std::string::npos);
  const auto compressed = get("/metrics", "Accept-Encoding: gzip\r\n");
  EXPECT_NE(compressed.find("Content-Encoding: gzip"), std::string::npos);
  EXPECT_LT(compressed.size(), plain.size());
  // The status page is not compressed (and says nothing about encodings).
  EXPECT_EQ(get("/", "Accept-Encoding: gzip\r\n").find("Content-Encoding"), std::string::npos);
}

TEST_F(HttpServerTest, AnUnusableWebConfigIsAWebConfigError) {
  std::ofstream(directory_ / "web.yml") << "basic_auth_users:\n  alice: plain\n";
  EXPECT_THROW(
      start({.web_config_file = (directory_ / "web.yml").string(), .ready = {}, .logger = nullptr}),
      WebConfigError);
  EXPECT_THROW(start({.web_config_file = (directory_ / "missing.yml").string(),
                      .ready = {},
                      .logger = nullptr}),
               WebConfigError);
}

}  // namespace
}  // namespace arp
