#include "exporter/web_config_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace arp {
namespace {

constexpr const char* kAlice =
    "basic_auth_users:\n  alice: $2y$05$UsaZ/vChUJqurkDwlrDYAOksJBC/I3BPPWc3eI6OPuWAZhBFJHZCW\n";

class WebConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("web_config_file_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
    path_ = directory_ / "web.yml";
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }

  std::filesystem::path directory_;
  std::filesystem::path path_;
  std::ostringstream log_;
  Logger logger_{LogLevel::info, LogFormat::logfmt, log_};
};

TEST_F(WebConfigFileTest, StartUpErrorsNameTheFile) {
  EXPECT_THROW(WebConfigFile(directory_ / "missing.yml", logger_), WebConfigError);
  write("tls_server_config:\n  cert_fil: x\n");
  try {
    WebConfigFile file(path_, logger_);
    FAIL() << "no error";
  } catch (const WebConfigError& error) {
    EXPECT_EQ(
        std::string(error.what()),
        "web config " + path_.string() + ": tls_server_config: unknown key \"cert_fil\" (line 2)");
  }
}

TEST_F(WebConfigFileTest, FollowsTheFileAndFailsClosedWhileItIsBroken) {
  write(kAlice);
  WebConfigFile file(path_, logger_);
  const auto first = file.current();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->basic_auth_users.size(), 1U);
  EXPECT_EQ(file.current(), first);  // unchanged text: not parsed again

  write("basic_auth_users: {}\n");
  const auto emptied = file.current();
  ASSERT_TRUE(emptied);
  EXPECT_TRUE(emptied->basic_auth_users.empty());

  write("basic_auth_users:\n  alice: plaintext\n");
  EXPECT_EQ(file.current(), nullptr);
  EXPECT_EQ(file.current(), nullptr);
  // One line for the change, not one per request.
  const auto log = log_.str();
  EXPECT_NE(log.find("web config unusable"), std::string::npos);
  EXPECT_EQ(log.find("web config unusable"), log.rfind("web config unusable"));

  std::filesystem::remove(path_);
  EXPECT_EQ(file.current(), nullptr);
  write(kAlice);
  ASSERT_TRUE(file.current());
  EXPECT_EQ(file.current()->basic_auth_users.size(), 1U);
  EXPECT_NE(log_.str().find("web config valid again"), std::string::npos);
  EXPECT_EQ(file.initial(), first);
}

}  // namespace
}  // namespace arp
