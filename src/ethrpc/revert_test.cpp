#include "ethrpc/revert.hpp"

#include <gtest/gtest.h>

#include "core/hex.hpp"
#include "core/uint256.hpp"

namespace fuse::ethrpc {
namespace {

/// ABI encoding of Error(string), written out by hand.
Bytes error_string(std::string_view reason) {
    Bytes out(4 + 64 + (reason.size() + 31) / 32 * 32, 0);
    const uint8_t selector[4] = {0x08, 0xc3, 0x79, 0xa0};
    std::copy(selector, selector + 4, out.begin());
    uint256{32}.to_be(out.data() + 4);
    uint256{reason.size()}.to_be(out.data() + 36);
    std::copy(reason.begin(), reason.end(), out.begin() + 68);
    return out;
}

TEST(Revert, ErrorStringReason) {
    const Bytes data = error_string("Ownable: caller is not the owner");
    EXPECT_EQ(unpack_revert_reason(data), "Ownable: caller is not the owner");
    const auto err = revert_error(data);
    EXPECT_EQ(err.code, 3);
    EXPECT_EQ(err.message, "execution reverted: Ownable: caller is not the owner");
    EXPECT_EQ(err.data, rpc::Json(to_hex(data)));
}

TEST(Revert, PanicCodes) {
    Bytes data = {0x4e, 0x48, 0x7b, 0x71};
    data.resize(36, 0);
    data[35] = 0x11;
    EXPECT_EQ(unpack_revert_reason(data), "arithmetic underflow or overflow");
    data[35] = 0x99;
    EXPECT_EQ(unpack_revert_reason(data), "unknown panic code: 0x99");
}

TEST(Revert, EmptyCustomAndMalformed) {
    EXPECT_EQ(revert_error({}).message, "execution reverted");
    EXPECT_EQ(revert_error({}).data, rpc::Json("0x"));
    const Bytes custom = {0xde, 0xad, 0xbe, 0xef, 1, 2};  // a custom error: no reason text
    EXPECT_FALSE(unpack_revert_reason(custom));
    Bytes truncated = error_string("hello");
    truncated.resize(60);
    EXPECT_FALSE(unpack_revert_reason(truncated));
    Bytes huge_len = error_string("hello");
    huge_len[4 + 32] = 0xff;  // length far past the data
    EXPECT_FALSE(unpack_revert_reason(huge_len));
    Bytes huge_off = error_string("hello");
    huge_off[4] = 0xff;
    EXPECT_FALSE(unpack_revert_reason(huge_off));
}

TEST(Revert, InvalidUtf8IsReplaced) {
    const auto reason =
        unpack_revert_reason(error_string("a\xff"
                                          "b"));
    EXPECT_EQ(reason,
              "a\xef\xbf\xbd"
              "b");
    EXPECT_NO_THROW((void)rpc::Json(*reason).dump());
}

}  // namespace
}  // namespace fuse::ethrpc
