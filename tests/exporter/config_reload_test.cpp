#include "exporter/config_reload.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cstdlib>  // mkdtemp
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace arp {
namespace {

const auto kIgnoredIp = *Ipv4Address::parse("192.0.2.150");

class ConfigReloadTest : public ::testing::Test {
 protected:
  ConfigReloadTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "reload_test.XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
    file_ = (directory_ / "exporter.conf").string();
  }
  ~ConfigReloadTest() override { std::filesystem::remove_all(directory_); }
  ConfigReloadTest(const ConfigReloadTest&) = delete;
  ConfigReloadTest& operator=(const ConfigReloadTest&) = delete;

  void write(const std::string& text) const { std::ofstream(file_) << text; }

  // The exporter's arguments: the file, and whatever the command line adds.
  std::vector<std::string> arguments(const std::vector<std::string>& flags = {}) const {
    std::vector<std::string> argv{"arp_health_exporter", "--config.file", file_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return argv;
  }

  ExporterConfig parse(const std::vector<std::string>& argv) const {
    std::vector<const char*> pointers;
    for (const auto& argument : argv) pointers.push_back(argument.c_str());
    std::ostringstream out;
    std::ostringstream err;
    auto parsed = parse_command_line(static_cast<int>(pointers.size()), pointers.data(), out, err);
    EXPECT_TRUE(std::holds_alternative<ExporterConfig>(parsed)) << err.str();
    return std::get<ExporterConfig>(std::move(parsed));
  }

  static std::string exposition(const ConfigReloader& reloader) {
    std::ostringstream text;
    prometheus::TextSerializer().Serialize(text, reloader.Collect());
    return text.str();
  }

  std::filesystem::path directory_;
  std::string file_;
  std::ostringstream log_;
  Logger logger_{LogLevel::info, LogFormat::logfmt, log_};
};

TEST_F(ConfigReloadTest, SettingsTellReloadableChangesFromThoseThatNeedARestart) {
  write("collector.arp.window = \"5m\"\n");
  const auto running = parse(arguments());
  write(
      "collector.arp.window = \"10m\"\n"
      "collector.arp.ignore = \"192.0.2.150\"\n"
      "log.level = \"debug\"\n"
      "web.listen-address = \"127.0.0.1:10799\"\n");
  const auto next = parse(arguments());
  const auto changes = compare_settings(running, next);
  EXPECT_EQ(changes.applied, (std::vector<std::string>{"collector.arp.ignore", "log.level"}));
  EXPECT_EQ(changes.need_restart,
            (std::vector<std::string>{"collector.arp.window", "web.listen-address"}));
  EXPECT_TRUE(compare_settings(running, running).empty());

  const auto merged = merge_reloadable(running, next);
  EXPECT_TRUE(merged.filter.ignores(kIgnoredIp));
  EXPECT_EQ(merged.log_level, LogLevel::debug);
  EXPECT_EQ(merged.tracker.window, running.tracker.window);  // kept until a restart
  EXPECT_EQ(merged.listen.civetweb_option(), running.listen.civetweb_option());
  // What the merge keeps is what the next reload compares against: still needs a restart.
  EXPECT_EQ(compare_settings(merged, next).need_restart, changes.need_restart);
  EXPECT_TRUE(compare_settings(merged, next).applied.empty());
}

TEST_F(ConfigReloadTest, TheCommandLineStillWinsOverTheFile) {
  write("collector.arp.ignore = \"192.0.2.1\"\nlog.level = \"warn\"\n");
  const auto argv = arguments({"--log.level", "error"});
  const auto running = parse(argv);
  write("collector.arp.ignore = \"192.0.2.150\"\nlog.level = \"debug\"\n");
  const auto next = parse(argv);
  EXPECT_EQ(next.log_level, LogLevel::error);
  EXPECT_EQ(compare_settings(running, next).applied,
            (std::vector<std::string>{"collector.arp.ignore"}));
}

TEST_F(ConfigReloadTest, AReloadAppliesTheFileAndKeepsTheTrackedState) {
  write("collector.arp.probe.rate = 10\n");
  const auto running = parse(arguments());
  SharedPipeline pipeline(running.tracker, running.filter, running.probe);
  const auto eth0 = pipeline.with([](ArpPipeline& p) { return p.add_interface("eth0"); });
  ConfigReloader reloader(arguments(), running, {.pipeline = &pipeline}, logger_);

  write(
      "collector.arp.probe.rate = 10\n"
      "collector.arp.ignore = [\"192.0.2.150\", \"02:00:00:00:00:77\"]\n"
      "log.level = \"warn\"\n"
      "collector.arp.window = \"1h\"\n");
  EXPECT_TRUE(reloader.reload());
  pipeline.with([&](ArpPipeline& p) {
    EXPECT_TRUE(p.filter().ignores(kIgnoredIp));
    EXPECT_EQ(p.tracker().interface_count(), 1U);
    EXPECT_EQ(p.tracker().interface_name(eth0), "eth0");
  });
  EXPECT_EQ(logger_.level(), LogLevel::warn);
  const auto log = log_.str();
  EXPECT_NE(log.find("msg=\"configuration reloaded\""), std::string::npos) << log;
  EXPECT_NE(log.find("changed=collector.arp.ignore,log.level"), std::string::npos) << log;
  EXPECT_NE(log.find("settings=collector.arp.window\n"), std::string::npos) << log;
  const auto text = exposition(reloader);
  EXPECT_NE(text.find("arp_exporter_config_reloads_total{result=\"success\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("arp_exporter_config_last_reload_successful 1"), std::string::npos);
}

TEST_F(ConfigReloadTest, ABadFileKeepsTheRunningConfigurationAndIsCounted) {
  write("collector.arp.ignore = \"192.0.2.150\"\n");
  const auto running = parse(arguments());
  SharedPipeline pipeline(running.tracker, running.filter, running.probe);
  ConfigReloader reloader(arguments(), running, {.pipeline = &pipeline}, logger_);

  for (const auto* broken : {"collector.arp.ignore = \"192.0.2.300\"\n", "no.such.key = 1\n",
                             "log.level = \"debug\"\ncollector.arp.window = \"soon\"\n"}) {
    write(broken);
    log_.str("");
    EXPECT_FALSE(reloader.reload()) << broken;
    const auto log = log_.str();
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
    EXPECT_NE(log.find("level=error msg=\"configuration reload failed"), std::string::npos) << log;
    EXPECT_EQ(log.find("arp_health_exporter: error"), std::string::npos) << log;
  }
  pipeline.with([&](ArpPipeline& p) { EXPECT_TRUE(p.filter().ignores(kIgnoredIp)); });
  EXPECT_EQ(logger_.level(), LogLevel::info);
  auto text = exposition(reloader);
  EXPECT_NE(text.find("arp_exporter_config_reloads_total{result=\"failure\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("arp_exporter_config_last_reload_successful 0"), std::string::npos);

  std::filesystem::remove(file_);  // an unreadable file is a bad file too
  EXPECT_FALSE(reloader.reload());
  write("collector.arp.ignore = \"192.0.2.151\"\n");
  EXPECT_TRUE(reloader.reload());
  pipeline.with([&](ArpPipeline& p) { EXPECT_FALSE(p.filter().ignores(kIgnoredIp)); });
  text = exposition(reloader);
  EXPECT_NE(text.find("arp_exporter_config_reloads_total{result=\"success\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("arp_exporter_config_last_reload_successful 1"), std::string::npos);
}

TEST_F(ConfigReloadTest, AnEmptyVendorFilesValueSwitchesLookupsOff) {
  write("");
  EXPECT_TRUE(parse(arguments({"--vendor.files="})).vendor_files.empty());
  // Not the next argument taken as the file, as CLI11 alone would.
  const auto config = parse(arguments({"--vendor.files=", "--log.level", "debug"}));
  EXPECT_TRUE(config.vendor_files.empty());
  EXPECT_EQ(config.log_level, LogLevel::debug);
  write("vendor.files = \"\"\n");
  EXPECT_TRUE(parse(arguments()).vendor_files.empty());
  write("");
  EXPECT_EQ(parse(arguments()).vendor_files.size(), 4U);  // ieee-data's, by default
}

}  // namespace
}  // namespace arp
