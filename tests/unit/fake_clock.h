// A clock the test moves by hand: the core never reads one, so every test passes its time in.
#pragma once

#include <chrono>

#include "core/timestamp.h"

namespace arp::testing {

class FakeClock {
 public:
  Timestamp now() const { return now_; }
  void advance(Duration by) { now_ += by; }

 private:
  Timestamp now_ = Timestamp{} + std::chrono::hours(24 * 365 * 50);
};

}  // namespace arp::testing
