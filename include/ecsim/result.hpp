// Result<T>: a value or an error message, for parsing functions that report rather than throw.
// (std::expected is C++23; ecsim targets C++20.)
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ecsim {

template <class T>
class Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  static Result failure(std::string message) {
    return Result(std::in_place_index<1>, std::move(message));
  }

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const { return std::get<1>(state_); }

 private:
  template <std::size_t I, class U>
  Result(std::in_place_index_t<I> tag, U&& u) : state_(tag, std::forward<U>(u)) {}
  std::variant<T, std::string> state_;
};

}  // namespace ecsim
