// Cross-client check against ethers v6: every record written by scripts/gen-tx-vectors.mjs is
// decoded here and must agree on every field, the signing hash, the tx hash and the sender, and
// re-encode byte-identically. The file comes from the ctest fixture core.tx_vectors.generate
// through FUSE_TX_VECTORS; a missing file is a failure, not a skip.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/hex.hpp"
#include "core/transaction.hpp"

namespace fuse {
namespace {

using nlohmann::json;

uint256 num(const json& j) {
    return uint256::from_be(from_hex(j.get<std::string>()).value());
}
uint64_t num64(const json& j) {
    const uint256 v = num(j);
    EXPECT_TRUE(v.fits_u64());
    return v.low64();
}
Address addr(const json& j) {
    return address_from_hex(j.get<std::string>()).value();
}
Hash32 h32(const json& j) {
    return hash_from_hex(j.get<std::string>()).value();
}

void check_record(const json& rec, size_t index) {
    SCOPED_TRACE("record " + std::to_string(index) + " (" + rec["kind"].get<std::string>() + ")");
    const Bytes raw = from_hex(rec["raw"].get<std::string>()).value();
    auto decoded = decode_transaction(raw);
    ASSERT_TRUE(decoded) << to_string(decoded.error());
    const Transaction& t = *decoded;

    EXPECT_EQ(static_cast<int>(t.type), rec["type"].get<int>());
    if (rec["chainId"].is_null()) {
        EXPECT_FALSE(t.chain_id);
    } else {
        EXPECT_EQ(t.chain_id, std::optional<uint64_t>{num64(rec["chainId"])});
    }
    EXPECT_EQ(t.nonce, num64(rec["nonce"]));
    EXPECT_EQ(t.gas_limit, num64(rec["gasLimit"]));
    if (rec["to"].is_null()) {
        EXPECT_FALSE(t.to);
    } else {
        EXPECT_EQ(t.to, std::optional<Address>{addr(rec["to"])});
    }
    EXPECT_EQ(t.value, num(rec["value"]));
    EXPECT_EQ(t.data, from_hex(rec["data"].get<std::string>()).value());
    EXPECT_EQ(t.v, num(rec["v"]));
    EXPECT_EQ(t.y_parity, rec["yParity"].get<int>());
    EXPECT_EQ(t.r, num(rec["r"]));
    EXPECT_EQ(t.s, num(rec["s"]));
    if (rec.contains("gasPrice")) {
        EXPECT_EQ(t.gas_price, num(rec["gasPrice"]));
    }
    if (rec.contains("maxFeePerGas")) {
        EXPECT_EQ(t.max_fee_per_gas, num(rec["maxFeePerGas"]));
        EXPECT_EQ(t.max_priority_fee_per_gas, num(rec["maxPriorityFeePerGas"]));
    }
    if (rec.contains("accessList")) {
        const auto& al = rec["accessList"];
        ASSERT_EQ(t.access_list.size(), al.size());
        for (size_t i = 0; i < al.size(); ++i) {
            EXPECT_EQ(t.access_list[i].address, addr(al[i]["address"]));
            const auto& keys = al[i]["storageKeys"];
            ASSERT_EQ(t.access_list[i].storage_keys.size(), keys.size());
            for (size_t k = 0; k < keys.size(); ++k)
                EXPECT_EQ(t.access_list[i].storage_keys[k], h32(keys[k]));
        }
    } else {
        EXPECT_TRUE(t.access_list.empty());
    }
    if (rec.contains("maxFeePerBlobGas")) {
        EXPECT_EQ(t.max_fee_per_blob_gas, num(rec["maxFeePerBlobGas"]));
        const auto& hs = rec["blobVersionedHashes"];
        ASSERT_EQ(t.blob_versioned_hashes.size(), hs.size());
        for (size_t i = 0; i < hs.size(); ++i)
            EXPECT_EQ(t.blob_versioned_hashes[i], h32(hs[i]));
    }
    if (rec.contains("authorizationList")) {
        const auto& al = rec["authorizationList"];
        ASSERT_EQ(t.authorization_list.size(), al.size());
        for (size_t i = 0; i < al.size(); ++i) {
            const Authorization& a = t.authorization_list[i];
            EXPECT_EQ(a.chain_id, num(al[i]["chainId"]));
            EXPECT_EQ(a.address, addr(al[i]["address"]));
            EXPECT_EQ(a.nonce, num64(al[i]["nonce"]));
            EXPECT_EQ(a.y_parity, al[i]["yParity"].get<int>());
            EXPECT_EQ(a.r, num(al[i]["r"]));
            EXPECT_EQ(a.s, num(al[i]["s"]));
            EXPECT_EQ(a.recover_authority(), std::optional<Address>{addr(al[i]["authority"])});
        }
    } else {
        EXPECT_TRUE(t.authorization_list.empty());
    }

    EXPECT_EQ(signing_hash(t), h32(rec["signingHash"]));
    EXPECT_EQ(tx_hash(t), h32(rec["hash"]));
    auto from = recover_sender(t);
    ASSERT_TRUE(from) << to_string(from.error());
    EXPECT_EQ(*from, addr(rec["from"]));
    EXPECT_EQ(encode_transaction(t), raw);
}

TEST(TxVectors, AgreeWithEthers) {
    const char* path = std::getenv("FUSE_TX_VECTORS");
    ASSERT_NE(path, nullptr)
        << "FUSE_TX_VECTORS is not set: run through ctest, whose fixture "
           "core.tx_vectors.generate writes the file (scripts/gen-tx-vectors.mjs)";
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << "cannot read the vector file " << path;
    const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(doc.is_discarded()) << path << " is not valid JSON";
    const auto& records = doc["records"];
    ASSERT_GE(records.size(), 1000u) << "expected thousands of vectors";

    std::map<int, size_t> per_type;
    for (size_t i = 0; i < records.size(); ++i) {
        check_record(records[i], i);
        ++per_type[records[i]["type"].get<int>()];
        if (HasFailure()) return;  // report the first disagreeing record only
    }
    for (int type = 0; type <= 4; ++type)
        EXPECT_GT(per_type[type], 0u) << "no type " << type;
    std::printf(
        "checked %zu ethers transaction vectors (seed %s): legacy %zu, 2930 %zu, 1559 %zu, "
        "4844 %zu, 7702 %zu\n",
        records.size(), doc["seed"].dump().c_str(), per_type[0], per_type[1], per_type[2],
        per_type[3], per_type[4]);
}

}  // namespace
}  // namespace fuse
