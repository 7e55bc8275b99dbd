// The methods of eth_api_extra.cpp and eth_call's block context, through the real server on a
// real ArbOS chain (values computed here from the signed transactions and stored blocks).

#include <gtest/gtest.h>

#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"
#include "state/mpt_proof.hpp"

namespace fuse::ethrpc::testing {
namespace {

class EthApiExtra : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        chain = new TestChain("extra");
        auto& c = *chain;
        raw_a = c.tx1559(0, 0, c.dev(1).address, kEth);
        raw_b = c.legacy(2, 0, c.dev(3).address, uint256{5});
        c.add_block({raw_a, raw_b});
        c.add_block({});
        c.add_block({c.tx1559(0, 1, c.dev(1).address, kEth)});
        contract = create_address(c.dev(4).address, 0);
        proxy = create_address(c.dev(5).address, 0);
        c.add_block({c.legacy(4, 0, std::nullopt, uint256{}, TestContract::init_code()),
                     c.legacy(5, 0, std::nullopt, uint256{}, init_of(proxy_code(contract)))});
        node = new TestNode(c);
    }
    static void TearDownTestSuite() {
        delete node;
        delete chain;
    }
    static inline TestChain* chain = nullptr;
    static inline TestNode* node = nullptr;
    static inline Bytes raw_a, raw_b;
    static inline Address contract, proxy;

    /// Init code that deploys `runtime` as is.
    static Bytes init_of(const Bytes& runtime) {
        const uint8_t n = uint8_t(runtime.size());
        Bytes c = {0x60, n, 0x60, 0x0a, 0x5f, 0x39, 0x60, n, 0x5f, 0xf3};
        append(c, runtime);
        return c;
    }
    /// Runtime that calls `target` with the word 0x1234 (the test contract then reads slot 0
    /// and writes slot 1).
    static Bytes proxy_code(const Address& target) {
        Bytes c = {0x61, 0x12, 0x34, 0x5f, 0x52,                     // mstore(0, 0x1234)
                   0x60, 0x20, 0x5f, 0x60, 0x20, 0x5f, 0x5f, 0x73};  // out, in, value, PUSH20
        append(c, target.view());
        append(c, Bytes{0x5a, 0xf1, 0x50, 0x00});  // GAS CALL POP STOP
        return c;
    }
};

TEST_F(EthApiExtra, AccountsAndSigningAnswerAsANodeWithoutKeys) {
    EXPECT_EQ(node->result("eth_accounts"), Json::array());
    const Json tx = {{"from", hex(chain->dev(0).address)}, {"to", hex(chain->dev(1).address)}};
    for (const auto& [method, params] : std::vector<std::pair<std::string, Json>>{
             {"eth_sendTransaction", {tx}},
             {"eth_signTransaction", {tx}},
             {"eth_sign", {hex(chain->dev(0).address), "0x1234"}},
             {"personal_sign", {"0x1234", hex(chain->dev(0).address)}},
             {"eth_signTypedData_v4", {hex(chain->dev(0).address), "{}"}}}) {
        const Json e = node->error(method, params);
        EXPECT_EQ(e["code"], -32000) << method;
        const std::string msg = e["message"];
        EXPECT_EQ(msg.rfind("unknown account", 0), 0u) << method << ": " << msg;  // geth's text
        EXPECT_NE(msg.find("holds no keys"), std::string::npos) << msg;
        EXPECT_NE(msg.find("eth_sendRawTransaction"), std::string::npos) << msg;
    }
}

TEST_F(EthApiExtra, NetAndWeb3) {
    EXPECT_EQ(node->result("net_listening"), true);
    EXPECT_EQ(node->result("net_peerCount"), "0x0");
    EXPECT_EQ(node->result("web3_sha3", {"0x"}), hex(keccak256(Bytes{})));
    EXPECT_EQ(node->result("web3_sha3", {"0x68656c6c6f"}),
              hex(keccak256(Bytes{'h', 'e', 'l', 'l', 'o'})));
    EXPECT_EQ(node->error("web3_sha3", {"hello"})["code"], -32602);
}

TEST_F(EthApiExtra, TransactionsByBlockAndIndex) {
    const auto& b1 = chain->blocks[1];
    const std::string h1 = hex(b1.hash);
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByNumber", {"0x1"}), "0x2");
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByNumber", {"0x2"}), "0x0");
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByNumber", {"0x3"}), "0x1");
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByNumber", {"latest"}), "0x2");
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByNumber", {"0x9"}), nullptr);
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByHash", {h1}), "0x2");
    EXPECT_EQ(node->result("eth_getBlockTransactionCountByHash", {hex(Hash32{})}), nullptr);

    const Json by_hash = node->result("eth_getTransactionByHash", {hex(keccak256(raw_b))});
    EXPECT_EQ(node->result("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x1"}), by_hash);
    EXPECT_EQ(node->result("eth_getTransactionByBlockHashAndIndex", {h1, "0x1"}), by_hash);
    EXPECT_EQ(node->result("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x2"}), nullptr);
    EXPECT_EQ(node->result("eth_getTransactionByBlockHashAndIndex", {hex(Hash32{}), "0x0"}),
              nullptr);
    EXPECT_EQ(node->result("eth_getRawTransactionByHash", {hex(keccak256(raw_a))}), hex(raw_a));
    EXPECT_EQ(node->result("eth_getRawTransactionByHash", {hex(Hash32{})}), "0x");  // geth
    EXPECT_EQ(node->result("eth_getRawTransactionByBlockNumberAndIndex", {"0x1", "0x0"}),
              hex(raw_a));
    EXPECT_EQ(node->result("eth_getRawTransactionByBlockHashAndIndex", {h1, "0x1"}), hex(raw_b));
    EXPECT_EQ(node->result("eth_getRawTransactionByBlockHashAndIndex", {h1, "0x5"}), "0x");
    EXPECT_EQ(node->error("eth_getTransactionByBlockNumberAndIndex", {"0x1"})["message"],
              "missing value for required argument 1");
}

TEST_F(EthApiExtra, NoUncles) {
    const std::string h1 = hex(chain->blocks[1].hash);
    EXPECT_EQ(node->result("eth_getUncleCountByBlockNumber", {"0x1"}), "0x0");
    EXPECT_EQ(node->result("eth_getUncleCountByBlockHash", {h1}), "0x0");
    EXPECT_EQ(node->result("eth_getUncleCountByBlockNumber", {"0x99"}), nullptr);
    EXPECT_EQ(node->result("eth_getUncleByBlockNumberAndIndex", {"0x1", "0x0"}), nullptr);
    EXPECT_EQ(node->result("eth_getUncleByBlockHashAndIndex", {h1, "0x0"}), nullptr);
}

/// Runtime code returning NUMBER, TIMESTAMP, BLOCKHASH(NUMBER - 1), COINBASE, BASEFEE,
/// GASLIMIT, PREVRANDAO as seven words.
Bytes context_code() {
    return {0x43, 0x5f, 0x52,              // mstore(0, number)
            0x42, 0x60, 0x20, 0x52,        // mstore(32, timestamp)
            0x60, 0x01, 0x43, 0x03, 0x40,  // blockhash(number - 1)
            0x60, 0x40, 0x52,              // mstore(64, ..)
            0x41, 0x60, 0x60, 0x52,        // mstore(96, coinbase)
            0x48, 0x60, 0x80, 0x52,        // mstore(128, basefee)
            0x45, 0x60, 0xa0, 0x52,        // mstore(160, gaslimit)
            0x44, 0x60, 0xc0, 0x52,        // mstore(192, prevrandao)
            0x60, 0xe0, 0x5f, 0xf3};       // return(0, 224)
}

Bytes hex_bytes(const Json& j) {
    return *from_hex(j.get<std::string>());
}

TEST_F(EthApiExtra, CallRunsInTheRequestedBlockAsGeth) {
    Address probe;
    probe[0] = 0x42;
    const Json code = {{hex(probe), {{"code", hex(context_code())}}}};
    const Json call = {{"to", hex(probe)}};
    for (uint64_t n = 1; n < chain->blocks.size(); ++n) {
        const auto& b = chain->blocks[n];
        const Bytes out = hex_bytes(node->result("eth_call", {call, quantity(n), code}));
        ASSERT_EQ(out.size(), 224u);
        EXPECT_EQ(word_at(out, 0), uint256(n));  // NUMBER = N, not N + 1
        EXPECT_EQ(word_at(out, 1), uint256(b.header.timestamp));
        EXPECT_EQ(word_at(out, 2), uint256::from_hash(b.header.parent_hash));
        EXPECT_EQ(word_at(out, 4), *b.header.base_fee_per_gas);
    }
    const uint64_t head = chain->blocks.size() - 1;
    EXPECT_EQ(word_at(hex_bytes(node->result("eth_call", {call, "latest", code})), 0),
              uint256(head));
    // ArbSys.arbBlockNumber() (0x64) agrees with NUMBER.
    const Hash32 sel = keccak256(
        Bytes{'a', 'r', 'b', 'B', 'l', 'o', 'c', 'k', 'N', 'u', 'm', 'b', 'e', 'r', '(', ')'});
    const Json arb = {{"to", "0x0000000000000000000000000000000000000064"},
                      {"data", hex(ByteView(sel.bytes.data(), 4))}};
    EXPECT_EQ(node->result("eth_call", {arb, "0x2"}), hex(word(2)));
    EXPECT_EQ(node->result("eth_call", {arb, "latest"}), hex(word(head)));
    // eth_estimateGas still simulates the next block (where a transaction will run).
    EXPECT_TRUE(node->result("eth_estimateGas", {arb}).is_string());
}

TEST_F(EthApiExtra, CallWithBlockOverrides) {
    Address probe;
    probe[0] = 0x42;
    const Json code = {{hex(probe), {{"code", hex(context_code())}}}};
    const Json call = {{"to", hex(probe)}};
    Address coinbase;
    coinbase[19] = 0xcb;
    const Json overrides = {{"number", "0x64"},        {"time", "0x1234"},
                            {"gasLimit", "0x5f5e100"}, {"feeRecipient", hex(coinbase)},
                            {"baseFeePerGas", "0x7"},  {"prevRandao", hex(word(0x99))}};
    const Bytes out = hex_bytes(node->result("eth_call", {call, "0x1", code, overrides}));
    ASSERT_EQ(out.size(), 224u);
    EXPECT_EQ(word_at(out, 0), uint256(0x64));
    EXPECT_EQ(word_at(out, 1), uint256(0x1234));
    EXPECT_EQ(word_at(out, 3), uint256::from_be(ByteView(coinbase.bytes.data(), 20)));
    EXPECT_EQ(word_at(out, 4), uint256(7));
    EXPECT_EQ(word_at(out, 5), uint256(100'000'000));
    EXPECT_EQ(word_at(out, 6), uint256(0x99));
    // Older spellings (coinbase, baseFee, random) are accepted too.
    const Json old = {{"coinbase", hex(coinbase)}, {"baseFee", "0x8"}, {"random", hex(word(5))}};
    const Bytes out2 = hex_bytes(node->result("eth_call", {call, "0x1", code, old}));
    EXPECT_EQ(word_at(out2, 4), uint256(8));
    EXPECT_EQ(word_at(out2, 6), uint256(5));
    EXPECT_EQ(node->error("eth_call", {call, "0x1", code, {{"time", "12"}}})["code"], -32602);
    EXPECT_EQ(
        node->error("eth_call", {call, "0x1", code, {{"withdrawals", Json::array()}}})["message"],
        "invalid argument 3: BlockOverrides.Withdrawals not supported");
}

TEST_F(EthApiExtra, CreateAccessListAsGeth) {
    const std::string from = hex(chain->dev(0).address);
    const Json expected_list =
        Json::array({{{"address", hex(contract)}, {"storageKeys", {hex(word(0)), hex(word(1))}}}});
    const Json r = node->result("eth_createAccessList", {{{"from", from}, {"to", hex(proxy)}}});
    EXPECT_EQ(r["accessList"], expected_list) << r.dump();
    EXPECT_FALSE(r.contains("error"));
    const uint64_t gas = std::stoull(r["gasUsed"].get<std::string>(), nullptr, 16);
    EXPECT_GT(gas, 21'000u);
    // Given the list already (any order), the answer is the same; at a past block before the
    // contracts existed the proxy has no code: nothing is accessed.
    const Json again = node->result(
        "eth_createAccessList",
        {{{"from", from}, {"to", hex(proxy)}, {"accessList", expected_list}}, "latest"});
    EXPECT_EQ(again["accessList"], expected_list);
    EXPECT_EQ(node->result("eth_createAccessList",
                           {{{"from", from}, {"to", hex(proxy)}}, "0x1"})["accessList"],
              Json::array());
    // A call of the contract itself: the recipient is listed with its slots only (geth); a
    // transfer to an account without code lists nothing; a revert is reported.
    const Json direct = node->result(
        "eth_createAccessList", {{{"from", from}, {"to", hex(contract)}, {"data", hex(word(1))}}});
    EXPECT_EQ(direct["accessList"], expected_list);
    const Json transfer =
        node->result("eth_createAccessList",
                     {{{"from", from}, {"to", hex(chain->dev(7).address)}, {"value", "0x1"}}});
    EXPECT_EQ(transfer["accessList"], Json::array());
    const Json reverted =
        node->result("eth_createAccessList", {{{"from", from}, {"to", hex(contract)}}});
    EXPECT_EQ(reverted["error"], "execution reverted");
    // ArbOS refusals are errors, as geth's "failed to apply transaction".
    const Json e =
        node->error("eth_createAccessList", {{{"from", hex(Address{})},
                                              {"to", hex(proxy)},
                                              {"value", "0xffffffffffffffffffffffffffff"}}});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"].get<std::string>().rfind("failed to apply transaction: insufficient", 0),
              0u)
        << e.dump();
}

/// Checks one eth_getProof answer against the block's state root with an own walk of the
/// proof (state::mpt_verify) and returns the proven account fields and slot values.
struct Proven {
    bool exists = false;
    uint64_t nonce = 0;
    uint256 balance;
    Hash32 storage_root = kEmptyTrieRoot;
    Hash32 code_hash = kEmptyCodeHash;
    std::vector<uint256> values;
};

std::vector<Bytes> proof_nodes(const Json& j) {
    std::vector<Bytes> out;
    for (const Json& n : j)
        out.push_back(*from_hex(n.get<std::string>()));
    return out;
}

Proven verify_proof(const Json& r, const Address& a, const Hash32& state_root,
                    const std::vector<Hash32>& slots) {
    Proven p;
    auto leaf = state::mpt_verify(state_root, keccak256(a.view()), proof_nodes(r["accountProof"]));
    EXPECT_TRUE(leaf) << "account proof does not verify against the state root";
    if (!leaf) return p;
    if (*leaf) {
        p.exists = true;
        rlp::Decoder d(**leaf);
        auto list = d.read_list();
        EXPECT_TRUE(list);
        p.nonce = *list->read_u64();
        p.balance = *list->read_uint256();
        p.storage_root = *list->read_hash();
        p.code_hash = *list->read_hash();
    }
    EXPECT_EQ(r["nonce"], quantity(p.nonce));
    EXPECT_EQ(r["balance"], quantity(p.balance));
    EXPECT_EQ(r["storageHash"], hex(p.storage_root));
    EXPECT_EQ(r["codeHash"], hex(p.code_hash));
    EXPECT_EQ(r["storageProof"].size(), slots.size());
    for (size_t i = 0; i < slots.size() && i < r["storageProof"].size(); ++i) {
        const Json& sp = r["storageProof"][i];
        auto v =
            state::mpt_verify(p.storage_root, keccak256(slots[i].view()), proof_nodes(sp["proof"]));
        EXPECT_TRUE(v) << "storage proof " << i << " does not verify";
        uint256 value;
        if (v && *v) value = *rlp::parse_uint256(rlp::decode_single(**v)->payload);
        EXPECT_EQ(sp["value"], quantity(value));
        p.values.push_back(value);
    }
    return p;
}

TEST_F(EthApiExtra, GetProofVerifiesAgainstTheStateRoot) {
    const auto& head = chain->blocks.back();
    const std::vector<Hash32> slots = {Hash32::from_view_right(word(0)),
                                       Hash32::from_view_right(word(1)),
                                       Hash32::from_view_right(word(7))};
    // The contract: its code, slot 0 (0x2a from the constructor), slots 1 and 7 never written.
    Json r = node->result("eth_getProof", {hex(contract), {hex(word(0)), "0x1", "0x07"}, "latest"});
    EXPECT_EQ(r["address"], hex(contract));
    Proven p = verify_proof(r, contract, head.header.state_root, slots);
    EXPECT_TRUE(p.exists);
    EXPECT_EQ(p.code_hash, keccak256(TestContract::runtime()));
    EXPECT_EQ(p.values, (std::vector<uint256>{uint256(0x2a), uint256(0), uint256(0)}));
    EXPECT_EQ(r["storageProof"][0]["key"], hex(word(0)));  // 32 bytes: echoed
    EXPECT_EQ(r["storageProof"][2]["key"], "0x7");         // shorter: a QUANTITY (geth)
    // An EOA at an older block, by number and by hash: the balance of that block.
    const Address dev1 = chain->dev(1).address;
    for (const Json& id : {Json("0x1"), Json(hex(chain->blocks[1].hash))}) {
        r = node->result("eth_getProof", {hex(dev1), Json::array(), id});
        p = verify_proof(r, dev1, chain->blocks[1].header.state_root, {});
        EXPECT_EQ(p.balance, uint256{10'000} * kEth + kEth);
        EXPECT_EQ(quantity(p.balance), node->result("eth_getBalance", {hex(dev1), "0x1"}));
    }
    // An account that does not exist: a proof of absence.
    Address nobody;
    nobody[3] = 0x5e;
    r = node->result("eth_getProof", {hex(nobody), {"0x0"}, "latest"});
    p = verify_proof(r, nobody, head.header.state_root, {Hash32{}});
    EXPECT_FALSE(p.exists);
    EXPECT_EQ(r["balance"], "0x0");
    EXPECT_EQ(r["storageHash"], hex(kEmptyTrieRoot));
    // A tampered proof does not verify.
    r = node->result("eth_getProof", {hex(contract), Json::array(), "latest"});
    auto nodes = proof_nodes(r["accountProof"]);
    ASSERT_FALSE(nodes.empty());
    nodes.back()[nodes.back().size() - 1] ^= 1;
    EXPECT_FALSE(state::mpt_verify(head.header.state_root, keccak256(contract.view()), nodes));
    // Errors as geth.
    EXPECT_EQ(node->error("eth_getProof",
                          {hex(contract), {"0x" + std::string(66, '1')}, "latest"})["message"],
              "unable to decode storage key: hex string too long, want at most 32 bytes");
    EXPECT_EQ(node->error("eth_getProof", {hex(contract), Json::array()})["message"],
              "missing value for required argument 2");
    EXPECT_EQ(node->error("eth_getProof", {hex(contract), Json::array(), "0x99"})["message"],
              "header not found");
}

/// The new methods with hostile parameters: each answers a result or an error, never -32603.
TEST_F(EthApiExtra, HostileParamsNeverCrash) {
    const std::vector<std::string> methods = {"eth_accounts",
                                              "eth_sign",
                                              "eth_sendTransaction",
                                              "net_listening",
                                              "net_peerCount",
                                              "web3_sha3",
                                              "eth_getBlockTransactionCountByNumber",
                                              "eth_getBlockTransactionCountByHash",
                                              "eth_getTransactionByBlockNumberAndIndex",
                                              "eth_getTransactionByBlockHashAndIndex",
                                              "eth_getRawTransactionByHash",
                                              "eth_getRawTransactionByBlockNumberAndIndex",
                                              "eth_getRawTransactionByBlockHashAndIndex",
                                              "eth_getUncleCountByBlockNumber",
                                              "eth_getUncleByBlockHashAndIndex",
                                              "eth_newFilter",
                                              "eth_newBlockFilter",
                                              "eth_newPendingTransactionFilter",
                                              "eth_getFilterChanges",
                                              "eth_getFilterLogs",
                                              "eth_uninstallFilter",
                                              "eth_sendRawTransactionSync",
                                              "eth_call"};
    const std::vector<Json> values = {nullptr,
                                      true,
                                      -1,
                                      1e300,
                                      "",
                                      "0x",
                                      "0x0",
                                      "0x" + std::string(200, 'f'),
                                      "latest",
                                      Json::array(),
                                      Json::object(),
                                      Json{{"number", "0x" + std::string(70, 'f')}},
                                      Json{{"fromBlock", "0x0"}, {"toBlock", "0xffffffffffffff"}}};
    int answered = 0;
    for (const auto& m : methods)
        for (const Json& v : values)
            for (const Json& params :
                 {Json::array({v}), Json::array({v, v}),
                  Json::array({Json{{"to", "0x" + std::string(40, '1')}}, "latest", nullptr, v})}) {
                const Json r = node->call(m, params);
                ASSERT_TRUE(r.contains("result") != r.contains("error")) << m << params.dump();
                if (r.contains("error")) {
                    ASSERT_NE(r["error"]["code"], -32603) << m << r.dump();
                }
                ++answered;
            }
    EXPECT_EQ(answered, int(methods.size() * values.size() * 3));
}

}  // namespace
}  // namespace fuse::ethrpc::testing
