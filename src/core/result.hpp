#pragma once
/// A small `std::expected`-style result for the layers that do not throw (core, evm, state).
/// C++20 has no std::expected and Debian 12 packages no tl::expected, so this is our own:
/// `Result<T, E>` holds either a value or an error; `Result<void, E>` holds only an error or
/// nothing.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace fuse {

/// Wraps an error value so `Result` can be built from it unambiguously: `return Unexpected{err};`.
template <typename E>
struct Unexpected {
    E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
public:
    Result(const T& value) : v_(std::in_place_index<0>, value) {}
    Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
    template <typename G>
    Result(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u.error))) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        assert(has_value());
        return *std::get_if<0>(&v_);
    }
    const T& value() const& {
        assert(has_value());
        return *std::get_if<0>(&v_);
    }
    T&& value() && {
        assert(has_value());
        return std::move(*std::get_if<0>(&v_));
    }
    const E& error() const {
        assert(!has_value());
        return *std::get_if<1>(&v_);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <typename U>
    T value_or(U&& fallback) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    template <typename G>
    Result(Unexpected<G> u) : err_(E(std::move(u.error))), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const E& error() const {
        assert(!ok_);
        return err_;
    }

private:
    E err_{};
    bool ok_ = true;
};

}  // namespace fuse
