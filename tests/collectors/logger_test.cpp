#include "collectors/logger.h"

#include <gtest/gtest.h>

#include <sstream>

namespace arp {
namespace {

TEST(LoggerTest, WritesOneLogfmtLinePerEventWithQuotingWhereNeeded) {
  EXPECT_EQ(format_log_line(LogFormat::logfmt, "T", LogLevel::warn, "capture lost",
                            {{"interface", "eth0"}, {"err", "said \"no\"\nbye"}, {"vlan", ""}}),
            R"(ts=T level=warn msg="capture lost" interface=eth0 err="said \"no\"\nbye" vlan="")");
}

TEST(LoggerTest, WritesJsonWhenAsked) {
  EXPECT_EQ(format_log_line(LogFormat::json, "T", LogLevel::info, "listening", {{"address", ":1"}}),
            R"({"ts":"T","level":"info","msg":"listening","address":":1"})");
}

TEST(LoggerTest, DropsEventsBelowTheLevel) {
  std::ostringstream out;
  Logger logger(LogLevel::warn, LogFormat::logfmt, out);
  logger.info("quiet");
  logger.error("loud", {{"k", "v"}});
  const auto text = out.str();
  EXPECT_EQ(text.find("quiet"), std::string::npos);
  EXPECT_NE(text.find("level=error msg=loud k=v\n"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(LoggerTest, ANewLevelAppliesFromTheNextLine) {
  std::ostringstream out;
  Logger logger(LogLevel::info, LogFormat::logfmt, out);
  logger.debug("before");
  logger.set_level(LogLevel::debug);
  EXPECT_EQ(logger.level(), LogLevel::debug);
  logger.debug("after");
  logger.set_level(LogLevel::error);
  logger.warn("hidden");
  const auto text = out.str();
  EXPECT_EQ(text.find("before"), std::string::npos);
  EXPECT_NE(text.find("level=debug msg=after"), std::string::npos);
  EXPECT_EQ(text.find("hidden"), std::string::npos);
}

TEST(LoggerTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
  EXPECT_FALSE(parse_log_level("verbose"));
  EXPECT_EQ(parse_log_format("json"), LogFormat::json);
  EXPECT_FALSE(parse_log_format("xml"));
}

}  // namespace
}  // namespace arp
