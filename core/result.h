// A value or an error, for hot paths that must not throw (g++ 12 has no std::expected).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

namespace arp {

template <typename E>
struct Failure {
  E error;
};

template <typename E>
Failure(E) -> Failure<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // A default value built where the result lives, for a decoder to fill in field by field:
  // a value passed in is built on the stack first and copied, and the copy's wide loads stall
  // on the narrow stores that built it.
  explicit Result(std::in_place_t /*default value*/) : state_(std::in_place_index<0>) {}
  Result(Failure<E> failure)  // NOLINT(google-explicit-constructor)
      : state_(std::in_place_index<1>, std::move(failure.error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<0>(state_); }
  T& value() & { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(state_); }

  // Replaces whatever is held with a default value built in place (see Result(std::in_place)).
  // Not std::variant::emplace: it ends in std::get, which may throw, and the decoders that
  // call this must not.
  T& emplace() noexcept {
    static_assert(std::is_nothrow_default_constructible_v<T>);
    std::destroy_at(&state_);
    std::construct_at(&state_, std::in_place_index<0>);
    return *std::get_if<0>(&state_);
  }

 private:
  std::variant<T, E> state_;
};

}  // namespace arp
