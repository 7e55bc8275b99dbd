#include "core/result.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fuse {
namespace {

enum class Err { kBad, kWorse };

Result<int, Err> parse_positive(int x) {
    if (x < 0) return Unexpected{Err::kBad};
    return x * 2;
}

Result<void, Err> check(bool ok) {
    if (!ok) return Unexpected{Err::kWorse};
    return {};
}

TEST(Result, HoldsValueOrError) {
    auto good = parse_positive(21);
    ASSERT_TRUE(good);
    EXPECT_EQ(*good, 42);
    auto bad = parse_positive(-1);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Err::kBad);
    EXPECT_EQ(bad.value_or(7), 7);
}

TEST(Result, VoidResult) {
    EXPECT_TRUE(check(true));
    auto r = check(false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Err::kWorse);
}

TEST(Result, MoveOnlyAndStrings) {
    Result<std::string, std::string> r = std::string("abc");
    EXPECT_EQ(r->size(), 3u);
    Result<std::string, std::string> e = Unexpected{std::string("why")};
    EXPECT_EQ(e.error(), "why");
}

}  // namespace
}  // namespace fuse
