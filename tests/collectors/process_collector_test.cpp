#include "collectors/process_collector.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

namespace arp {
namespace {

// A real line's shape; the command name holds a space and a parenthesis, as comm may.
constexpr const char* kStat =
    "4242 (arp (health) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 "
    "150 25 0 0 20 0 9 0 123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 "
    "17 1 0 0 0 0 0\n";

TEST(ProcessCollectorTest, ParsesProcStatFromTheLastParenthesis) {
  const auto stat = parse_proc_stat(kStat);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->user_ticks, 150U);
  EXPECT_EQ(stat->system_ticks, 25U);
  EXPECT_EQ(stat->start_ticks, 123456U);
  EXPECT_EQ(stat->virtual_bytes, 987654321U);
  EXPECT_EQ(stat->resident_pages, 2048U);
}

TEST(ProcessCollectorTest, RejectsTextThatIsNoStatLine) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 2 3"));  // cut short
  EXPECT_FALSE(
      parse_proc_stat("4242 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22"));
  EXPECT_FALSE(parse_proc_stat(
      "1 (x) S 1 1 1 0 -1 0 0 0 0 0 ten 25 0 0 20 0 9 0 1 2 3 4\n"));  // utime not a number
}

TEST(ProcessCollectorTest, ParsesBootTimeAndTheSoftFileLimit) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1764630000\nprocesses 9\n"), 1764630000U);
  EXPECT_FALSE(parse_boot_time("cpu  1 2 3\n"));
  constexpr const char* kLimits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n"
      "Max locked memory         8388608              8388608              bytes     \n";
  EXPECT_EQ(parse_max_open_files(kLimits), 1024.0);
  EXPECT_TRUE(std::isinf(*parse_max_open_files(
      "Max open files            unlimited            unlimited            files\n")));
  EXPECT_FALSE(parse_max_open_files("Max cpu time unlimited unlimited seconds\n"));
}

TEST(ProcessCollectorTest, ExportsTheStandardNamesAndTypes) {
  ProcessSample sample;
  sample.cpu_seconds = 1.75;
  sample.resident_bytes = 8 << 20;
  sample.open_fds = 12;
  std::ostringstream text;
  prometheus::TextSerializer().Serialize(text, render_process_metrics(sample));
  const auto exposition = text.str();
  EXPECT_NE(
      exposition.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.75"),
      std::string::npos);
  for (const char* name : {"process_resident_memory_bytes", "process_virtual_memory_bytes",
                           "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
    EXPECT_NE(exposition.find(std::string("# TYPE ") + name + " gauge"), std::string::npos) << name;
  }
}

TEST(ProcessCollectorTest, ThisProcessIsPlausible) {
  const auto families = ProcessCollector().Collect();
  std::map<std::string, double> values;
  for (const auto& family : families) {
    const auto& metric = family.metric.at(0);
    values[family.name] =
        family.type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
  }
  EXPECT_GT(values["process_resident_memory_bytes"], 0);
  EXPECT_GE(values["process_virtual_memory_bytes"], values["process_resident_memory_bytes"]);
  EXPECT_GE(values["process_open_fds"], 3);  // stdin, stdout, stderr
  EXPECT_GE(values["process_max_fds"], values["process_open_fds"]);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(values["process_start_time_seconds"], now + 1);
  EXPECT_GT(values["process_start_time_seconds"], now - 3600);
  EXPECT_GE(values["process_cpu_seconds_total"], 0);
}

TEST(ProcessCollectorTest, EveryProcessMetricIsDocumented) {
  std::ifstream file(std::string(ARP_DOCS_DIR) + "/metrics.md");
  ASSERT_TRUE(file);
  const std::string doc((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const auto& family : render_process_metrics({})) {
    EXPECT_NE(doc.find("\n| `" + family.name + "` |"), std::string::npos) << family.name;
  }
}

}  // namespace
}  // namespace arp
