// Every `txbytes` of the official state-test fixtures (ethereum/tests GeneralStateTests and the
// EEST Prague set, read in place from FUSE_ETHTESTS_DIR) is decoded: accepted transactions must
// re-encode byte-identically and recover the fixture's `sender`; the one RLP_INVALID_VALUE case
// must be refused with kIntegerOverflow. Other expected exceptions are state-level (gas, balance,
// nonce, ...) and decode normally. Skipped only when the fixtures are not on this machine.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/hex.hpp"
#include "core/transaction.hpp"

namespace fuse {
namespace {

using nlohmann::json;

struct Counts {
    size_t files = 0;
    size_t txs = 0;
    size_t per_type[5] = {};
    size_t refused = 0;
};

void check_file(const std::filesystem::path& path, Counts& counts) {
    std::ifstream in(path);
    const json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return;
    ++counts.files;
    for (const auto& [name, test] : doc.items()) {
        if (!test.is_object() || !test.contains("post") || !test.contains("transaction")) continue;
        const auto& txj = test["transaction"];
        const std::string sender = txj.value("sender", "");
        for (const auto& [fork, posts] : test["post"].items()) {
            for (const auto& post : posts) {
                if (!post.contains("txbytes")) continue;
                SCOPED_TRACE(path.string() + " " + name + " " + fork);
                const Bytes raw = from_hex(post["txbytes"].get<std::string>()).value();
                const std::string exception = post.value("expectException", "");
                auto txn = decode_transaction(raw);
                ++counts.txs;
                if (exception.find("RLP_INVALID_VALUE") != std::string::npos) {
                    ASSERT_FALSE(txn);
                    EXPECT_EQ(txn.error(), TxError::kIntegerOverflow);
                    ++counts.refused;
                    continue;
                }
                if (exception.find("TYPE_4_TX_CONTRACT_CREATION") != std::string::npos) {
                    ASSERT_FALSE(txn);
                    EXPECT_EQ(txn.error(), TxError::kCreationNotAllowed);
                    ++counts.refused;
                    continue;
                }
                ASSERT_TRUE(txn) << to_string(txn.error()) << " (" << exception << ")";
                ++counts.per_type[static_cast<size_t>(txn->type)];
                EXPECT_EQ(encode_transaction(*txn), raw);
                auto from = recover_sender(*txn);
                ASSERT_TRUE(from) << to_string(from.error());
                if (!sender.empty()) {
                    EXPECT_EQ(to_hex(from->view()), sender);
                }
            }
        }
    }
}

TEST(FixtureTxs, DecodeEveryStateTestTransaction) {
    const char* dir = std::getenv("FUSE_ETHTESTS_DIR");
    if (dir == nullptr || !std::filesystem::is_directory(dir))
        GTEST_SKIP() << "state-test fixtures not present (FUSE_ETHTESTS_DIR unset or missing)";
    Counts counts;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        check_file(entry.path(), counts);
        if (HasFailure()) return;
    }
    EXPECT_GT(counts.files, 1000u);
    for (size_t type = 0; type <= 4; ++type)
        EXPECT_GT(counts.per_type[type], 0u) << type;
    std::printf(
        "decoded %zu fixture transactions from %zu files: legacy %zu, 2930 %zu, 1559 %zu, "
        "4844 %zu, 7702 %zu; refused as expected %zu\n",
        counts.txs, counts.files, counts.per_type[0], counts.per_type[1], counts.per_type[2],
        counts.per_type[3], counts.per_type[4], counts.refused);
}

}  // namespace
}  // namespace fuse
