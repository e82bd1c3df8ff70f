#include "exporter/gzip_encoding.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace arp {
namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);  // gzip only
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(GzipEncodingTest, AcceptsGzipWhenTheClientAllowsIt) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  // Prometheus's own header.
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(accepts_gzip("GZIP"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("br, *"));
  EXPECT_TRUE(accepts_gzip(" gzip ; q=0.001 "));
}

TEST(GzipEncodingTest, IdentityOtherwise) {
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("*;q=1, gzip;q=0"));  // named beats the wildcard
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=bad"));
  EXPECT_FALSE(accepts_gzip("gzipx"));
}

TEST(GzipEncodingTest, CompressesToAGzipMemberThatDecodesToTheSameText) {
  std::string exposition;
  for (int i = 0; i < 2000; ++i) {
    exposition += "arp_frames_total{interface=\"eth" + std::to_string(i % 7) + "\"} " +
                  std::to_string(i) + "\n";
  }
  const auto compressed = gzip_compress(exposition);
  ASSERT_GE(compressed.size(), 2U);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);  // RFC 1952 magic
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_LT(compressed.size(), exposition.size() / 4);
  EXPECT_EQ(gunzip(compressed), exposition);
  EXPECT_EQ(gunzip(gzip_compress("")), "");
}

}  // namespace
}  // namespace arp
