#include "ethrpc/params.hpp"

#include <gtest/gtest.h>

#include "core/address.hpp"
#include "core/hex.hpp"

namespace fuse::ethrpc {
namespace {

std::string param_error(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ParamError& e) {
        return e.what();
    } catch (const rpc::RpcException& e) {
        return "rpc " + std::to_string(e.error().code) + " " + e.error().message;
    }
    return "no error";
}

TEST(Params, Uint64AsGethHexutil) {
    EXPECT_EQ(decode_uint64(Json("0x0")), 0u);
    EXPECT_EQ(decode_uint64(Json("0x1f")), 31u);
    EXPECT_EQ(decode_uint64(Json("0XFFFFFFFFFFFFFFFF")), ~uint64_t{0});
    EXPECT_EQ(decode_uint64(Json("")), 0u);  // hexutil: empty JSON string is zero
    EXPECT_EQ(param_error([] { decode_uint64(Json("12")); }),
              "json: cannot unmarshal hex string without 0x prefix into Go value of type "
              "hexutil.Uint64");
    EXPECT_EQ(param_error([] { decode_uint64(Json("0x")); }),
              "json: cannot unmarshal hex string \"0x\" into Go value of type hexutil.Uint64");
    EXPECT_EQ(param_error([] { decode_uint64(Json("0x01")); }),
              "json: cannot unmarshal hex number with leading zero digits into Go value of type "
              "hexutil.Uint64");
    EXPECT_EQ(param_error([] { decode_uint64(Json("0x10000000000000000")); }),
              "json: cannot unmarshal hex number > 64 bits into Go value of type hexutil.Uint64");
    EXPECT_EQ(param_error([] { decode_uint64(Json("0xzz")); }),
              "json: cannot unmarshal invalid hex string into Go value of type hexutil.Uint64");
    EXPECT_EQ(param_error([] { decode_uint64(Json(5)); }),
              "json: cannot unmarshal non-string into Go value of type hexutil.Uint64");
}

TEST(Params, BigAndBytes) {
    EXPECT_EQ(decode_big(Json("0xde0b6b3a7640000")), uint256{1'000'000'000'000'000'000ull});
    EXPECT_EQ(decode_big(Json("0x" + std::string(64, 'f'))), uint256::max());
    EXPECT_EQ(param_error([] { decode_big(Json("0x1" + std::string(64, '0'))); }),
              "json: cannot unmarshal hex number > 256 bits into Go value of type hexutil.Big");
    EXPECT_EQ(decode_bytes(Json("0x")), Bytes{});
    EXPECT_EQ(decode_bytes(Json("0xA0ff")), (Bytes{0xa0, 0xff}));
    EXPECT_EQ(param_error([] { decode_bytes(Json("0xabc")); }),
              "json: cannot unmarshal hex string of odd length into Go value of type "
              "hexutil.Bytes");
    EXPECT_EQ(param_error([] { decode_bytes(Json("abcd")); }),
              "json: cannot unmarshal hex string without 0x prefix into Go value of type "
              "hexutil.Bytes");
    EXPECT_EQ(param_error([] { decode_bytes(Json::array()); }),
              "json: cannot unmarshal non-string into Go value of type hexutil.Bytes");
}

TEST(Params, FixedSizes) {
    const std::string a = "0x00000000000000000000000000000000000000Ff";
    EXPECT_EQ(decode_address(Json(a))[19], 0xff);
    EXPECT_EQ(param_error([] { decode_address(Json("0x1234")); }),
              "hex string has length 4, want 40 for common.Address");
    EXPECT_EQ(param_error([] { decode_address(Json(std::string(40, '1'))); }),
              "json: cannot unmarshal hex string without 0x prefix into Go value of type "
              "common.Address");
    EXPECT_EQ(param_error([] { decode_address(Json("0x" + std::string(39, 'g') + "0")); }),
              "json: cannot unmarshal invalid hex string into Go value of type common.Address");
    EXPECT_EQ(param_error([] { decode_hash(Json("0x00")); }),
              "hex string has length 2, want 64 for common.Hash");
    EXPECT_EQ(*decode_storage_slot("0x1"), uint256{1}.to_hash());
    EXPECT_EQ(*decode_storage_slot("ff"), uint256{255}.to_hash());
    EXPECT_EQ(decode_storage_slot("0x" + std::string(66, '1')).error(),
              "hex string too long, want at most 32 bytes");
    EXPECT_EQ(decode_storage_slot("0xzz").error(), "hex string invalid");
}

TEST(Params, BlockNumbers) {
    EXPECT_EQ(decode_block_number(Json("latest")).tag, BlockTag::kLatest);
    EXPECT_EQ(decode_block_number(Json("pending")).tag, BlockTag::kPending);
    EXPECT_EQ(decode_block_number(Json("safe")).tag, BlockTag::kSafe);
    EXPECT_EQ(decode_block_number(Json("finalized")).tag, BlockTag::kFinalized);
    EXPECT_EQ(decode_block_number(Json("earliest")).tag, BlockTag::kEarliest);
    EXPECT_EQ(decode_block_number(Json("0x2a")), (BlockNumberOrTag{BlockTag::kNumber, 42}));
    EXPECT_EQ(param_error([] { decode_block_number(Json("Latest")); }),
              "hex string without 0x prefix");
    EXPECT_EQ(param_error([] { decode_block_number(Json(7)); }), "hex string without 0x prefix");
    EXPECT_EQ(param_error([] { decode_block_number(Json("")); }), "empty hex string");
    EXPECT_EQ(param_error([] { decode_block_number(Json("0x8000000000000000")); }),
              "block number larger than int64");
    EXPECT_EQ(param_error([] { decode_block_number(Json("0x1" + std::string(40, '0'))); }),
              "hex number > 64 bits");
}

TEST(Params, Eip1898BlockIds) {
    const std::string h = "0x" + std::string(62, '0') + "ab";
    BlockId id = decode_block_id(Json(h));
    ASSERT_TRUE(id.hash);
    EXPECT_EQ((*id.hash)[31], 0xab);
    id = decode_block_id(Json{{"blockHash", h}, {"requireCanonical", true}});
    EXPECT_TRUE(id.hash && id.require_canonical && !id.number);
    id = decode_block_id(Json{{"blockNumber", "0x5"}});
    EXPECT_EQ(id.number->number, 5u);
    id = decode_block_id(Json("safe"));
    EXPECT_EQ(id.number->tag, BlockTag::kSafe);
    EXPECT_EQ(param_error([&] {
                  decode_block_id(Json{{"blockNumber", "0x5"}, {"blockHash", h}});
              }),
              "cannot specify both BlockHash and BlockNumber, choose one or the other");
    EXPECT_EQ(param_error([] { decode_block_id(Json(12)); }),
              "json: cannot unmarshal number into Go value of type string");
    id = decode_block_id(Json::object());
    EXPECT_FALSE(id.hash || id.number);
}

TEST(Params, CallRequestAuthorizationList) {
    // geth's TransactionArgs.authorizationList (EIP-7702), as ethers v6 sends it.
    Json j = {{"to", "0x" + std::string(40, '2')},
              {"authorizationList", Json::array({{{"chainId", "0x7a"},
                                                  {"address", "0x" + std::string(40, '4')},
                                                  {"nonce", "0x3"},
                                                  {"yParity", "0x1"},
                                                  {"r", "0x5"},
                                                  {"s", "0x6"}}})}};
    const auto req = decode_call_request(j, 122);
    ASSERT_EQ(req.authorization_list.size(), 1u);
    const Authorization& a = req.authorization_list[0];
    EXPECT_EQ(a.chain_id, uint256{122});
    EXPECT_EQ(a.address, address_from_hex("0x" + std::string(40, '4')).value());
    EXPECT_EQ(a.nonce, 3u);
    EXPECT_EQ(a.y_parity, 1);
    EXPECT_EQ(a.r, uint256{5});
    EXPECT_EQ(a.s, uint256{6});
    Json bad = {{"authorizationList", "0x"}};
    EXPECT_NE(param_error([&] { decode_call_request(bad, 1); }).find("SetCodeAuthorization"),
              std::string::npos);
}

TEST(Params, CallRequest) {
    Json j = {{"from", "0x" + std::string(40, '1')},
              {"to", "0x" + std::string(40, '2')},
              {"gas", "0x5208"},
              {"maxFeePerGas", "0x10"},
              {"value", "0x1"},
              {"input", "0x1234"},
              {"accessList",
               Json::array({{{"address", "0x" + std::string(40, '3')},
                             {"storageKeys", Json::array({"0x" + std::string(64, '0')})}}})},
              {"chainId", "0x7a"}};
    const auto req = decode_call_request(j, 122);
    EXPECT_EQ(req.gas, 21000u);
    EXPECT_EQ(req.data, (Bytes{0x12, 0x34}));
    EXPECT_EQ(*req.max_fee_per_gas, uint256{16});
    ASSERT_EQ(req.access_list.size(), 1u);
    EXPECT_EQ(req.access_list[0].storage_keys.size(), 1u);
    EXPECT_EQ(req.value, uint256{1});
    EXPECT_FALSE(req.nonce);

    EXPECT_EQ(param_error([&] { decode_call_request(j, 123); }),
              "chainId does not match node's (have=122, want=123)");
    Json bad = {{"gas", "5208"}};
    EXPECT_EQ(param_error([&] { decode_call_request(bad, 1); }),
              "json: cannot unmarshal hex string without 0x prefix into Go struct field "
              "TransactionArgs.gas of type hexutil.Uint64");
    Json both = {{"data", "0x12"}, {"input", "0x13"}};
    EXPECT_EQ(param_error([&] { decode_call_request(both, 1); }),
              "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass "
              "transaction call data");
    Json fees = {{"gasPrice", "0x1"}, {"maxFeePerGas", "0x2"}};
    EXPECT_EQ(param_error([&] { decode_call_request(fees, 1); }),
              "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
    Json tip = {{"maxFeePerGas", "0x1"}, {"maxPriorityFeePerGas", "0x2"}};
    EXPECT_EQ(param_error([&] { decode_call_request(tip, 1); }),
              "maxFeePerGas (1) < maxPriorityFeePerGas (2)");
    EXPECT_EQ(param_error([] { decode_call_request(Json("x"), 1); }),
              "json: cannot unmarshal string into Go value of type ethapi.TransactionArgs");
    Json data_only = {{"data", "0xff"}};
    EXPECT_EQ(decode_call_request(data_only, 1).data, Bytes{0xff});
}

TEST(Params, StateOverrides) {
    const std::string a = "0x" + std::string(40, 'a');
    const std::string k = "0x" + std::string(63, '0') + "1";
    const std::string v = "0x" + std::string(63, '0') + "2";
    Json j = {
        {a, {{"balance", "0x64"}, {"nonce", "0x3"}, {"code", "0x6001"}, {"stateDiff", {{k, v}}}}}};
    const auto o = decode_state_overrides(j);
    ASSERT_EQ(o.size(), 1u);
    const auto& acc = o.begin()->second;
    EXPECT_EQ(*acc.balance, uint256{100});
    EXPECT_EQ(*acc.nonce, 3u);
    EXPECT_EQ(*acc.code, (Bytes{0x60, 0x01}));
    EXPECT_FALSE(acc.state);
    EXPECT_EQ(acc.state_diff.at(uint256{1}.to_hash()), uint256{2}.to_hash());

    Json both = {{a, {{"state", {{k, v}}}, {"stateDiff", {{k, v}}}}}};
    EXPECT_EQ(param_error([&] { decode_state_overrides(both); }),
              "rpc -32000 account " + to_checksum_hex(decode_address(Json(a))) +
                  " has both 'state' and 'stateDiff'");
    Json short_key = {{a, {{"state", {{"0x12", v}}}}}};
    EXPECT_EQ(param_error([&] { decode_state_overrides(short_key); }),
              "hex string has length 2, want 64 for common.Hash");
    EXPECT_EQ(param_error([] {
                  decode_state_overrides(Json{{"0x12", Json::object()}});
              }),
              "hex string has length 2, want 40 for common.Address");
    EXPECT_EQ(param_error([] { decode_state_overrides(Json::array()); }),
              "json: cannot unmarshal array into Go value of type override.StateOverride");
}

TEST(Params, LogQueries) {
    const std::string a = "0x" + std::string(40, 'a');
    const std::string t1 = "0x" + std::string(64, '1');
    const std::string t2 = "0x" + std::string(64, '2');
    Json j = {
        {"fromBlock", "0x1"},
        {"toBlock", "latest"},
        {"address", Json::array({a, a})},
        {"topics", Json::array({t1, nullptr, Json::array({t1, t2}), Json::array({t2, nullptr})})}};
    const LogQuery q = decode_log_query(j);
    EXPECT_EQ(q.from_block->number, 1u);
    EXPECT_EQ(q.to_block->tag, BlockTag::kLatest);
    EXPECT_EQ(q.addresses.size(), 2u);
    ASSERT_EQ(q.topics.size(), 4u);
    EXPECT_EQ(q.topics[0].size(), 1u);
    EXPECT_TRUE(q.topics[1].empty());
    EXPECT_EQ(q.topics[2].size(), 2u);
    EXPECT_TRUE(q.topics[3].empty());  // a null alternative matches anything

    EXPECT_EQ(decode_log_query(Json{{"address", a}}).addresses.size(), 1u);
    EXPECT_EQ(param_error([&] {
                  decode_log_query(Json{{"topics", Json::array({t1, t1, t1, t1, t1})}});
              }),
              "exceed max topics");
    EXPECT_EQ(param_error([&] {
                  decode_log_query(Json{{"topics", Json::array({5})}});
              }),
              "invalid topic(s)");
    EXPECT_EQ(param_error([&] {
                  decode_log_query(Json{{"address", Json::array({"0x12"})}});
              }),
              "invalid address at index 0: 0x12");
    EXPECT_EQ(param_error([&] {
                  decode_log_query(Json{{"address", 3}});
              }),
              "invalid addresses in query");
    EXPECT_EQ(param_error([&] {
                  decode_log_query(Json{{"blockHash", t1}, {"fromBlock", "0x1"}});
              }),
              "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other");
}

TEST(Params, Percentiles) {
    EXPECT_EQ(decode_percentiles(Json::array({10, 50.5, 90})), (std::vector<double>{10, 50.5, 90}));
    EXPECT_EQ(param_error([] { decode_percentiles(Json::array({101})); }),
              "rpc -32000 invalid reward percentile: 101.000000");
    EXPECT_EQ(param_error([] {
                  decode_percentiles(Json::array({50, 10}));
              }),
              "rpc -32000 invalid reward percentile: #0:50.000000 > #1:10.000000");
    EXPECT_EQ(decode_hex_or_decimal64(Json("0x10")), 16u);
    EXPECT_EQ(decode_hex_or_decimal64(Json("10")), 10u);
    EXPECT_EQ(decode_hex_or_decimal64(Json(4)), 4u);
    EXPECT_NE(param_error([] { decode_hex_or_decimal64(Json("99999999999999999999999")); }),
              "no error");
    EXPECT_NE(param_error([] { decode_hex_or_decimal64(Json(-1)); }), "no error");
}

TEST(Params, Positional) {
    EXPECT_EQ(param_error([] { Params(Json::object(), 2); }), "rpc -32602 non-array args");
    EXPECT_EQ(param_error([] {
                  Params(Json::array({1, 2, 3}), 2);
              }),
              "rpc -32602 too many arguments, want at most 2");
    const Json args = Json::array({"0x1", nullptr, "zz"});
    Params p(args, 3);
    EXPECT_EQ(p.required(0, decode_uint64), 1u);
    EXPECT_FALSE(p.optional(1, decode_uint64));
    EXPECT_EQ(param_error([&] { p.required(1, decode_uint64); }),
              "rpc -32602 missing value for required argument 1");
    EXPECT_EQ(param_error([&] { p.required(5, decode_uint64); }),
              "rpc -32602 missing value for required argument 5");
    EXPECT_EQ(param_error([&] { p.required(2, decode_block_number); }),
              "rpc -32602 invalid argument 2: hex string without 0x prefix");
}

/// Every decoder on every kind of hostile value: an error, never a crash.
TEST(Params, HostileValuesNeverCrash) {
    const std::vector<Json> values = {
        Json(nullptr),
        Json(true),
        Json(-1),
        Json(1e308),
        Json(18446744073709551615ull),
        Json(""),
        Json("0x"),
        Json("0x" + std::string(10000, 'f')),
        Json("\xff\xfe"),
        Json::array(),
        Json::array({Json::array({Json::array()})}),
        Json::object(),
        Json{{"blockHash", 5}},
        Json{{"address", Json::array({nullptr})}},
        Json{{"topics", Json::array({Json::array({Json::object()})})}},
        Json{{"0x" + std::string(40, '0'), {{"state", 5}}}},
        Json{{"accessList", Json::array({5})}},
        Json{{"accessList", Json::array({{{"storageKeys", 1}}})}}};
    int errors = 0;
    for (const Json& v : values) {
        const std::vector<std::function<void()>> decoders = {[&] { decode_uint64(v); },
                                                             [&] { decode_big(v); },
                                                             [&] { decode_bytes(v); },
                                                             [&] { decode_address(v); },
                                                             [&] { decode_hash(v); },
                                                             [&] { decode_block_number(v); },
                                                             [&] { decode_block_id(v); },
                                                             [&] { decode_call_request(v, 1); },
                                                             [&] { decode_state_overrides(v); },
                                                             [&] { decode_log_query(v); },
                                                             [&] { decode_percentiles(v); },
                                                             [&] { decode_hex_or_decimal64(v); }};
        for (const auto& d : decoders)
            if (param_error(d) != "no error") ++errors;
    }
    EXPECT_GT(errors, 150);  // almost all of them are refused, and none crashed
}

}  // namespace
}  // namespace fuse::ethrpc
