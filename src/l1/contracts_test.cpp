#include "l1/contracts.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "core/hex.hpp"
#include "l1/test_util.hpp"

namespace fuse::l1 {
namespace {

using nlohmann::json;

std::string json_type(const json& p) {
    std::string t = p.at("type");
    if (!t.starts_with("tuple")) return t;
    std::string s = "(";
    for (size_t i = 0; i < p.at("components").size(); ++i) {
        if (i) s += ",";
        s += json_type(p["components"][i]);
    }
    return s + ")" + t.substr(5);
}

std::string json_signature(const json& e) {
    std::string s = e.at("name").get<std::string>() + "(";
    for (size_t i = 0; i < e.at("inputs").size(); ++i) {
        if (i) s += ",";
        s += json_type(e["inputs"][i]);
    }
    return s + ")";
}

// Every hand-written signature is a function of the built contract with the same selector.
TEST(Contracts, SelectorsMatchAbiJson) {
    const json inbox = testing::load_artifact("SequencerInbox");
    const json rollup = testing::load_artifact("RollupCore");
    const std::pair<const char*, const json*> fns[] = {
        {sig::kAddSequencerL2Batch, &inbox},
        {sig::kBatchCount, &inbox},
        {sig::kInboxAccs, &inbox},
        {sig::kMessageCountAfter, &inbox},
        {sig::kTotalMessageCount, &inbox},
        {sig::kCurrentTimeBounds, &inbox},
        {sig::kMaxTimeVariation, &inbox},
        {sig::kMaxDataSize, &inbox},
        {sig::kIsBatchPoster, &inbox},
        {sig::kPostStateRoot, &rollup},
        {sig::kPostedBatchCount, &rollup},
        {sig::kGetRecord, &rollup},
        {sig::kLatestPosted, &rollup},
        {sig::kGenesisHash, &rollup},
        {sig::kInbox, &rollup},
        {sig::kIsProposer, &rollup},
    };
    for (const auto& [signature, artifact] : fns) {
        const json& ids = artifact->at("methodIdentifiers");
        ASSERT_TRUE(ids.contains(signature)) << signature << " is not in the ABI";
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", selector_u32(signature));
        EXPECT_EQ(ids[signature].get<std::string>(), hex) << signature;
    }
    EXPECT_EQ(selector_u32(sig::kAddSequencerL2Batch), 0x9feca5a0u);
    EXPECT_EQ(selector_u32(sig::kPostStateRoot), 0xe689402du);
}

TEST(Contracts, EventTopicsMatchAbiJson) {
    std::map<std::string, std::string> events;  // name -> signature from the ABI
    for (const char* name : {"SequencerInbox", "RollupCore"}) {
        const json artifact = testing::load_artifact(name);
        for (const auto& e : artifact.at("abi"))
            if (e.at("type") == "event")
                events[e.at("name").get<std::string>()] = json_signature(e);
    }
    ASSERT_TRUE(events.count("SequencerBatchDelivered"));
    ASSERT_TRUE(events.count("StateRootPosted"));
    EXPECT_EQ(events["SequencerBatchDelivered"], sig::kSequencerBatchDelivered);
    EXPECT_EQ(events["StateRootPosted"], sig::kStateRootPosted);
    // The topics docs/contracts.md publishes.
    EXPECT_EQ(to_hex(event_topic(sig::kSequencerBatchDelivered)),
              "0xeb3e3783254f30189503edbd6980ef024d744e5868d25a2806a8ec6e3abeaa55");
    EXPECT_EQ(to_hex(event_topic(sig::kStateRootPosted)),
              "0x302e73d1cf850e03b9e26c24cca0255e0ec0c2d92729754089b056330506c708");
}

// The built-in error table equals the artifacts' custom errors, selector by selector.
TEST(Contracts, BuiltinErrorsMatchAbiJson) {
    ErrorRegistry from_json;
    size_t json_errors = 0;
    std::set<std::string> names;
    for (const char* name : {"SequencerInbox", "RollupCore"}) {
        const json a = testing::load_artifact(name);
        ASSERT_TRUE(from_json.add_abi_json(a.dump()));
        for (const auto& e : a.at("abi"))
            if (e.at("type") == "error" && names.insert(json_signature(e)).second) ++json_errors;
    }
    const ErrorRegistry builtin = ErrorRegistry::builtin();
    EXPECT_EQ(from_json.size(), json_errors);
    EXPECT_EQ(builtin.size(), json_errors);
    for (const auto& s : names) {
        const ErrorDef* def = builtin.find(selector_u32(s));
        ASSERT_NE(def, nullptr) << s;
        EXPECT_EQ(def->signature(), s);
    }
    EXPECT_EQ(builtin.find(0xce1de163)->name, "BadSequenceNumber");  // docs/contracts.md table
    EXPECT_EQ(builtin.find(0xc0461bc2)->name, "NoRootPosted");
}

// docs/contracts.md, "Batch hashing", worked example.
TEST(Contracts, BatchHashingWorkedExample) {
    const TimeBounds b{1699913600, 1700000768, 0, 1012};
    const Bytes data = *from_hex("0x000102030405");
    const auto header = batch_header(b, 0, 3);
    EXPECT_EQ(to_hex(header),
              "0x0000000065529f80000000006553f400000000000000000000000000000003f4"
              "00000000000000000000000000000003");
    const Hash32 data_hash = batch_data_hash(b, 0, 3, data);
    EXPECT_EQ(to_hex(data_hash),
              "0x1c3bc91195ef990064ead08078141d87abe9db24d70b054a22d58b7740b87b3f");
    EXPECT_EQ(to_hex(next_accumulator(Hash32{}, data_hash)),
              "0xfa2c3ebc5f681b224ff0dd0f91031dd636aadcdaa6b1202c6a0bfbf4fd4276d0");
}

TEST(Contracts, AddBatchCalldataRoundTrip) {
    AddSequencerL2Batch call{7, {0x00, 0xaa, 0xbb}, 10, 12};
    const Bytes input = encode_add_sequencer_l2_batch(call);
    EXPECT_EQ(to_hex(ByteView(input).first(4)), "0x9feca5a0");
    auto back = decode_add_sequencer_l2_batch(input);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->sequence_number, uint256(7));
    EXPECT_EQ(back->data, call.data);
    EXPECT_EQ(back->new_message_count, uint256(12));
    Bytes wrong = input;
    wrong[0] ^= 1;
    EXPECT_EQ(decode_add_sequencer_l2_batch(wrong).error(), AbiError::kValueMismatch);
    Bytes cut(input.begin(), input.end() - 1);
    EXPECT_FALSE(decode_add_sequencer_l2_batch(cut));
}

TEST(Contracts, RevertDecoding) {
    const ErrorRegistry errors = ErrorRegistry::builtin();
    // BadSequenceNumber(1, 5)
    Bytes custom = *from_hex("0xce1de163");
    for (uint64_t v : {1, 5}) {
        Bytes w(32);
        uint256(v).to_be(w.data());
        custom.insert(custom.end(), w.begin(), w.end());
    }
    auto r = decode_revert(custom, errors);
    EXPECT_EQ(r.kind, RevertReason::Kind::kCustom);
    EXPECT_EQ(r.to_string(), "BadSequenceNumber(1, 5)");
    // Error(string) "Not enough Ether provided." as in the Solidity docs.
    auto e =
        decode_revert(*from_hex("0x08c379a0"
                                "0000000000000000000000000000000000000000000000000000000000000020"
                                "000000000000000000000000000000000000000000000000000000000000001a"
                                "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000"),
                      errors);
    EXPECT_EQ(e.kind, RevertReason::Kind::kErrorString);
    EXPECT_EQ(e.args[0], "Not enough Ether provided.");
    // Panic(0x11)
    auto p = decode_revert(*from_hex("0x4e487b71" + std::string(62, '0') + "11"), errors);
    EXPECT_EQ(p.kind, RevertReason::Kind::kPanic);
    EXPECT_NE(p.to_string().find("overflow"), std::string::npos);
    // Unknown selector, empty data, truncated arguments.
    EXPECT_EQ(decode_revert(*from_hex("0xdeadbeef"), errors).kind, RevertReason::Kind::kUnknown);
    EXPECT_EQ(decode_revert({}, errors).kind, RevertReason::Kind::kEmpty);
    EXPECT_EQ(decode_revert(ByteView(custom).first(20), errors).kind, RevertReason::Kind::kUnknown);
}

}  // namespace
}  // namespace fuse::l1
