// The storage error policy at the JSON-RPC boundary (docs/storage.md "Errors"): a state the node
// cannot read — a missing trie node, a read the disk fails — answers the request with -32000 and
// the fault's text, and the node goes on serving.
#include <gtest/gtest.h>

#include "arbos/node_interface.hpp"
#include "arbos/precompiles.hpp"
#include "ethrpc/test_chain.hpp"
#include "storage/fault_injection.hpp"

namespace fuse::ethrpc::testing {
namespace {

/// eth_call of NodeInterface (0xC8) method `signature` without arguments at `block`.
Json node_interface_call(std::string_view signature, const std::string& block) {
    const uint32_t s = arbos::selector(signature);
    const Bytes data = {static_cast<uint8_t>(s >> 24), static_cast<uint8_t>(s >> 16),
                        static_cast<uint8_t>(s >> 8), static_cast<uint8_t>(s)};
    return Json::array({{{"to", hex(arbos::kNodeInterfaceAddress)}, {"input", hex(data)}}, block});
}

std::set<std::string> as_set(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
}

class StorageFaultRpc : public ::testing::Test {
protected:
    void SetUp() override {
        // No block cache: every read reaches the (fault-injecting) files.
        chain = std::make_unique<TestChain>("storagefault", faults.env(), 0);
        const Bytes deploy =
            chain->tx1559(0, 0, std::nullopt, uint256{}, TestContract::init_code(), 300'000);
        contract = create_address(chain->dev(0).address, 0);
        chain->add_block({deploy});                                                  // block 1
        chain->add_block({chain->tx1559(1, 0, chain->dev(2).address, uint256{1})});  // block 2
        chain->reopen();  // what was committed is now in table files
        node = std::make_unique<TestNode>(*chain);
    }
    void TearDown() override {
        node.reset();
        chain.reset();
    }

    Json call_at(const std::string& block) {
        return Json::array({{{"to", hex(contract)}, {"input", hex(word(5))}}, block});
    }

    storage::FaultInjection faults;
    std::unique_ptr<TestChain> chain;
    std::unique_ptr<TestNode> node;
    Address contract;
};

// A node of the account trie is gone (block 1's root): every state read at block 1 answers geth's
// "missing trie node <hash> (path )", -32000; other blocks and the latest state are still served.
TEST_F(StorageFaultRpc, MissingAccountTrieNodeAnswersGethsErrorAndTheNodeServesOn) {
    const Hash32 root = chain->blocks[1].header.state_root;
    ASSERT_TRUE(storage::delete_trie_node(*chain->db, root));
    const std::string text = "missing trie node " + to_hex_raw(root.view()) + " (path )";
    for (const auto& [method, params] : std::vector<std::pair<std::string, Json>>{
             {"eth_call", call_at("0x1")},
             {"eth_estimateGas", call_at("0x1")},
             {"eth_getBalance", {hex(chain->dev(0).address), "0x1"}},
             {"eth_getTransactionCount", {hex(chain->dev(0).address), "0x1"}},
             {"eth_getCode", {hex(contract), "0x1"}},
             {"eth_getStorageAt", {hex(contract), "0x0", "0x1"}},
             {"eth_createAccessList", call_at("0x1")},
             {"debug_traceCall", call_at("0x1")},
             // NodeInterface answers from the state too (its ArbOS version, prices, sends).
             {"eth_call", node_interface_call("nitroGenesisBlock()", "0x1")},
             {"eth_simulateV1", {{{"blockStateCalls", {{{"calls", {call_at("0x1")[0]}}}}}}, "0x1"}},
         }) {
        const Json e = node->error(method, params);
        EXPECT_EQ(e["code"], -32000) << method;
        EXPECT_NE(e["message"].get<std::string>().find(text), std::string::npos)
            << method << ": " << e.dump();
    }
    // The node keeps serving: the same call at block 2 and at latest, a chain read.
    EXPECT_EQ(node->result("eth_call", call_at("0x2")), hex(word(0x2a)));
    EXPECT_EQ(node->result("eth_call", call_at("latest")), hex(word(0x2a)));
    EXPECT_EQ(node->result("eth_blockNumber"), "0x2");
}

// A node of the contract's storage trie is gone: the call fails when the contract reads its slot,
// during execution, with the trie's owner (keccak256 of the address) in the text.
TEST_F(StorageFaultRpc, MissingStorageTrieNodeDuringExecutionFailsTheCallOnly) {
    const Json proof = node->result("eth_getProof", {hex(contract), Json::array(), "0x1"});
    const auto storage_root = hash_from_hex(proof["storageHash"].get<std::string>());
    ASSERT_TRUE(storage_root);
    ASSERT_NE(*storage_root, kEmptyTrieRoot);
    ASSERT_TRUE(storage::delete_trie_node(*chain->db, *storage_root));
    // Reading the account is fine; the code runs until SSTORE/SLOAD needs the storage trie.
    EXPECT_EQ(node->result("eth_getCode", {hex(contract), "0x1"}), hex(TestContract::runtime()));
    const Json e = node->error("eth_call", call_at("0x1"));
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"], "missing trie node " + to_hex_raw(storage_root->view()) + " (owner " +
                                to_hex_raw(keccak256(contract).view()) + ") (path )");
    EXPECT_EQ(node->error("eth_getStorageAt", {hex(contract), "0x0", "0x1"})["message"],
              e["message"]);
    EXPECT_EQ(node->result("eth_call", call_at("latest")), hex(word(0x2a)));
}

// The disk fails the reads of the trie's table files: eth_call at a past block answers the
// read failure, no crash; once the disk is back the same call succeeds.
TEST_F(StorageFaultRpc, ReadErrorDuringACallIsAnErrorAndTheNodeServesOn) {
    const auto files = storage::table_files(*chain->db, "trie_nodes");
    ASSERT_FALSE(files.empty());
    faults.fail_reads(as_set(files));
    for (const char* method : {"eth_call", "eth_estimateGas"}) {
        const Json e = node->error(method, call_at("0x1"));
        EXPECT_EQ(e["code"], -32000) << method;
        EXPECT_EQ(e["message"].get<std::string>().rfind(
                      "database read failed: IO error: injected read fault", 0),
                  0u)
            << method << ": " << e.dump();
    }
    EXPECT_GT(faults.failed_reads(), 0u);
    EXPECT_EQ(node->result("eth_blockNumber"), "0x2");
    EXPECT_EQ(node->result("eth_call", call_at("latest")), hex(word(0x2a)));  // flat state
    faults.heal();
    EXPECT_EQ(node->result("eth_call", call_at("0x1")), hex(word(0x2a)));
}

// The disk fails the reads of the contract code's table files: the call gets through the block
// context and the accounts, and the read fails inside the EVM host (noexcept) when the call
// loads the contract's code. The call answers the failure; a transfer (no code) still works.
TEST_F(StorageFaultRpc, ReadErrorInsideTheEvmHostFailsTheCallNotTheNode) {
    const auto files = storage::table_files(*chain->db, "code");
    ASSERT_FALSE(files.empty());
    faults.fail_reads(as_set(files));
    const Json e = node->error("eth_call", call_at("latest"));
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"].get<std::string>().rfind(
                  "database read failed: IO error: injected read fault", 0),
              0u)
        << e.dump();
    const Json transfer = {
        {"from", hex(chain->dev(3).address)}, {"to", hex(chain->dev(4).address)}, {"value", "0x1"}};
    EXPECT_EQ(node->result("eth_call", {transfer, "latest"}), "0x");
    faults.heal();
    EXPECT_EQ(node->result("eth_call", call_at("latest")), hex(word(0x2a)));
}

}  // namespace
}  // namespace fuse::ethrpc::testing
