#include "arbos/node_interface.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "arbos/precompiles.hpp"
#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"
#include "core/hash.hpp"
#include "state/exec_state.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

// ---- ABI helpers

/// The message of an Error(string) revert ("" if it is not one).
std::string revert_message(const Bytes& data) {
    if (data.size() < 68 || Bytes(data.begin(), data.begin() + 4) != sel("Error(string)"))
        return "";
    const uint64_t len = uint256::from_be32(data.data() + 36).w[0];
    if (data.size() < 68 + len) return "";
    return std::string(data.begin() + 68, data.begin() + 68 + static_cast<long>(len));
}

Hash32 item(uint64_t i) {
    return keccak256(word(uint256(i + 1000)));
}

Hash32 pair(const Hash32& a, const Hash32& b) {
    Bytes buf = cat({Bytes(a.bytes.begin(), a.bytes.end()), Bytes(b.bytes.begin(), b.bytes.end())});
    return keccak256(buf);
}

/// The L1 Outbox's MerkleLib.calculateRoot, written again here (independent of outbox_root).
Hash32 merkle_lib_root(const std::vector<Hash32>& proof, uint64_t route, const Hash32& item_hash) {
    Hash32 node = keccak256(item_hash.view());
    for (size_t i = 0; i < proof.size(); ++i)
        node = ((route >> i) & 1) ? pair(proof[i], node) : pair(node, proof[i]);
    return node;
}

/// ArbOS's accumulator, appended one send at a time: every root and every node it recorded.
struct Accumulator {
    state::InMemoryState base;
    state::ExecState exec{base};
    SystemStorage sys{exec};
    std::vector<Hash32> items;
    std::vector<Hash32> roots{Hash32{}};  ///< roots[size]
    std::map<std::pair<uint64_t, uint64_t>, Hash32> nodes;

    void append(const Hash32& it) {
        const uint64_t leaf = items.size();
        items.push_back(it);
        nodes[{0, leaf}] = it;
        for (const MerkleNodeEvent& e : sys.append_send(it))
            nodes[{e.level, e.num_leaves}] = e.hash;
        roots.push_back(sys.send_root());
    }
    SendNodeFn node_fn() const {
        return [this](uint64_t level, uint64_t last) -> Result<Hash32, std::string> {
            const auto it = nodes.find({level, last});
            if (it == nodes.end())
                return Unexpected{"no node at level " + std::to_string(level) + ", leaf " +
                                  std::to_string(last)};
            return it->second;
        };
    }
};

TEST(OutboxProof, EveryLeafAtEverySizeProvesAgainstArbOSsRoot) {
    Accumulator acc;
    constexpr uint64_t kSends = 70;  // sizes 1..70 cross several powers of two
    for (uint64_t i = 0; i < kSends; ++i)
        acc.append(item(i));
    for (uint64_t size = 1; size <= kSends; ++size) {
        uint64_t height = 0;
        while ((uint64_t{1} << height) < size)
            ++height;
        for (uint64_t leaf = 0; leaf < size; ++leaf) {
            auto p = construct_outbox_proof(size, leaf, acc.node_fn());
            ASSERT_TRUE(p) << p.error();
            EXPECT_EQ(p->send, acc.items[leaf]);
            EXPECT_EQ(p->proof.size(), height) << size;
            EXPECT_EQ(p->root, acc.roots[size]) << "size " << size << " leaf " << leaf;
            EXPECT_EQ(merkle_lib_root(p->proof, leaf, p->send), acc.roots[size]);
        }
    }
}

TEST(OutboxProof, ReadsOnlyLogarithmicallyManyNodes) {
    Accumulator acc;
    for (uint64_t i = 0; i < 1000; ++i)
        acc.append(item(i));
    size_t reads = 0;
    const SendNodeFn counting = [&](uint64_t level, uint64_t last) {
        ++reads;
        return acc.node_fn()(level, last);
    };
    auto p = construct_outbox_proof(999, 517, counting);
    ASSERT_TRUE(p) << p.error();
    EXPECT_EQ(p->root, acc.roots[999]);
    EXPECT_LE(reads, 2u * 10 + 1);  // height 10: at most two nodes per level, and the send
}

TEST(OutboxProof, RefusesALeafNotBelowTheSizeAndReportsMissingNodes) {
    Accumulator acc;
    for (uint64_t i = 0; i < 5; ++i)
        acc.append(item(i));
    auto p = construct_outbox_proof(5, 5, acc.node_fn());
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error(), "leaf 5 is not below size 5 (leaves are numbered from 0)");
    EXPECT_FALSE(construct_outbox_proof(0, 0, acc.node_fn()));
    // Size 7 needs nodes that a 5-leaf accumulator never recorded.
    p = construct_outbox_proof(7, 1, acc.node_fn());
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().find("no node at level"), std::string::npos) << p.error();
}

// ---- NodeInterface through eth_call (simulate_call) on a chain in memory

/// The node's side, over the test chain: batches and confirmations from a table.
class FakeBackend final : public NodeInterfaceBackend {
public:
    explicit FakeBackend(const Chain& c) : chain_(c) {}
    std::map<uint64_t, uint64_t> batch_of;  ///< block -> batch
    uint64_t confirmations = 7;

    uint64_t head() const override { return chain_.head().header.number; }
    std::optional<uint64_t> l1_block_number(uint64_t n) const override {
        if (n >= chain_.blocks.size()) return std::nullopt;
        return chain_.blocks[n].l1_block_number;
    }
    Result<std::optional<uint64_t>, std::string> block_number(const Hash32& h) const override {
        for (const Block& b : chain_.blocks)
            if (b.hash == h) return std::optional<uint64_t>(b.header.number);
        return std::optional<uint64_t>{};
    }
    Result<uint64_t, std::string> batch_containing(uint64_t n) const override {
        const auto it = batch_of.find(n);
        if (it == batch_of.end())
            return Unexpected{"block " + std::to_string(n) + " is not in a batch yet"};
        return it->second;
    }
    Result<uint64_t, std::string> l1_confirmations(uint64_t n) const override {
        return batch_of.contains(n) ? confirmations : 0;
    }
    Result<Hash32, std::string> send_node(uint64_t level, uint64_t last) const override {
        static const Hash32 kMerkle = keccak256(ByteView(
            reinterpret_cast<const uint8_t*>("SendMerkleUpdate(uint256,bytes32,uint256)"), 41));
        static const Hash32 kL2ToL1 = keccak256(ByteView(
            reinterpret_cast<const uint8_t*>(
                "L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)"),
            79));
        const Hash32 position = ((uint256(level) << 192) | uint256(last)).to_hash();
        for (const Block& b : chain_.blocks)
            for (const ExecutedTx& t : b.txs)
                for (const Log& l : t.receipt.logs)
                    if (l.address == kArbSysAddress && l.topics.size() == 4 &&
                        l.topics[0] == (level == 0 ? kL2ToL1 : kMerkle) && l.topics[3] == position)
                        return l.topics[2];
        return Unexpected{std::string("no such node")};
    }
    state::ReadResult<uint256> estimate_l1_base_fee(const state::StateReader& st) const override {
        const auto sys = read_system_state(st);
        if (!sys) return Unexpected{sys.error()};
        return sys->l1_base_fee;
    }

private:
    const Chain& chain_;
};

struct NodeInterfaceTest : ::testing::Test {
    Chain chain{dev_genesis(kChainId)};
    FakeBackend backend{chain};
    uint64_t nonce0 = 0;

    /// eth_call to `to` at the head (in the head block, as eth_call runs).
    CallResult call(const Address& to, const Bytes& data, const uint256& value = uint256(0),
                    bool with_backend = true) {
        CallRequest req;
        req.from = dev_accounts()[1].address;
        req.to = to;
        req.data = data;
        req.value = value;
        req.in_block = true;
        req.gas = 50'000'000;
        req.block_hashes = chain.hashes();
        if (with_backend) req.node_interface = &backend;
        auto r = simulate_call(chain.world, chain.genesis, chain.head(), req, false);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : CallResult{};
    }
    CallResult ni(const Bytes& data, const uint256& value = uint256(0)) {
        return call(kNodeInterfaceAddress, data, value);
    }
    /// The revert message of a call that must fail.
    std::string reverted(const CallResult& r) {
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.error, "execution reverted");
        return revert_message(r.output);
    }
    void blocks_at_l1(std::initializer_list<uint64_t> l1_numbers) {
        for (uint64_t l1 : l1_numbers)
            chain.execute(chain.message(
                {make_tx(0, nonce0++, dev_accounts()[2].address, uint256(1))}, 1, uint256(0), l1));
    }
};

TEST_F(NodeInterfaceTest, NitroGenesisBlockIsZero) {
    const CallResult r = ni(sel("nitroGenesisBlock()"));
    ASSERT_TRUE(r.success) << revert_message(r.output);
    EXPECT_EQ(r.output, word(uint256(0)));
}

TEST_F(NodeInterfaceTest, BlockL1NumAndL2BlockRangeForL1) {
    blocks_at_l1({4, 4, 6, 6, 6, 9});  // blocks 1..6
    EXPECT_EQ(word_at(ni(cat({sel("blockL1Num(uint64)"), word(uint256(3))})).output, 0),
              uint256(6));
    EXPECT_EQ(reverted(ni(cat({sel("blockL1Num(uint64)"), word(uint256(7))}))),
              "block 7 does not exist (the head is block 6)");

    const auto range = [&](uint64_t l1) {
        return ni(cat({sel("l2BlockRangeForL1(uint64)"), word(uint256(l1))}));
    };
    CallResult r = range(6);
    ASSERT_TRUE(r.success) << revert_message(r.output);
    EXPECT_EQ(word_at(r.output, 0), uint256(3));
    EXPECT_EQ(word_at(r.output, 1), uint256(5));
    r = range(9);
    ASSERT_TRUE(r.success);
    EXPECT_EQ(word_at(r.output, 0), uint256(6));
    EXPECT_EQ(word_at(r.output, 1), uint256(6));
    r = range(4);
    ASSERT_TRUE(r.success);
    EXPECT_EQ(word_at(r.output, 0), uint256(1));
    EXPECT_EQ(word_at(r.output, 1), uint256(2));
    EXPECT_EQ(reverted(range(5)),
              "no L2 block has L1 block number 5 (L2 blocks 0..6 carry L1 blocks 0..9)");
    EXPECT_EQ(reverted(range(10)),
              "no L2 block has L1 block number 10 (L2 blocks 0..6 carry L1 blocks 0..9)");
    // An argument that is not a uint64 does not decode.
    EXPECT_EQ(reverted(ni(cat({sel("blockL1Num(uint64)"), word(uint256(1) << 64)}))),
              "NodeInterface.blockL1Num(uint64): the arguments do not decode as its ABI types");
}

TEST_F(NodeInterfaceTest, FindBatchContainingBlockAndL1Confirmations) {
    blocks_at_l1({1, 2, 3});
    backend.batch_of = {{1, 0}, {2, 0}};
    const auto find = [&](uint64_t n) {
        return ni(cat({sel("findBatchContainingBlock(uint64)"), word(uint256(n))}));
    };
    EXPECT_EQ(find(2).output, word(uint256(0)));
    EXPECT_EQ(reverted(find(3)), "block 3 is not in a batch yet");  // the node's words
    EXPECT_EQ(reverted(find(4)), "block 4 does not exist (the head is block 3)");
    EXPECT_NE(reverted(find(0)).find("block 0 is the genesis block"), std::string::npos);

    const auto confirmations = [&](const Hash32& h) {
        return ni(cat({sel("getL1Confirmations(bytes32)"), word(uint256::from_hash(h))}));
    };
    EXPECT_EQ(confirmations(chain.blocks[1].hash).output, word(uint256(7)));
    EXPECT_EQ(confirmations(chain.blocks[3].hash).output, word(uint256(0)));  // not yet posted
    EXPECT_EQ(reverted(confirmations(keccak256(word(uint256(1))))), "unknown block hash");
}

TEST_F(NodeInterfaceTest, ConstructOutboxProofOverTheChainsSends) {
    // Five withdrawals over three blocks (2, 1, 2 sends).
    const Bytes withdraw = cat(
        {sel("withdrawEth(address)"), word(uint256::from_be(dev_accounts()[3].address.view()))});
    for (int per_block : {2, 1, 2}) {
        std::vector<Bytes> txs;
        for (int i = 0; i < per_block; ++i) {
            const uint64_t n = nonce0++;
            txs.push_back(make_tx(0, n, kArbSysAddress, uint256(1000 + n), 200'000, withdraw));
        }
        const Block& b = chain.execute(chain.message(std::move(txs)));
        for (const ExecutedTx& t : b.txs)
            ASSERT_TRUE(t.receipt.success);
    }
    ASSERT_EQ(chain.head().send_count, 5u);
    const auto proof = [&](uint64_t size, uint64_t leaf) {
        return ni(cat({sel("constructOutboxProof(uint64,uint64)"), word(uint256(size)),
                       word(uint256(leaf))}));
    };
    for (uint64_t size : {3ull, 5ull}) {
        // The root of a size some block ended with is that block's send root.
        const Block& at = size == 3 ? chain.blocks[2] : chain.blocks[3];
        ASSERT_EQ(at.send_count, size);
        for (uint64_t leaf = 0; leaf < size; ++leaf) {
            const CallResult r = proof(size, leaf);
            ASSERT_TRUE(r.success) << revert_message(r.output);
            const Hash32 send = word_at(r.output, 0).to_hash();
            const Hash32 root = word_at(r.output, 1).to_hash();
            EXPECT_EQ(word_at(r.output, 2), uint256(96));  // offset of bytes32[]
            const uint64_t n = word_at(r.output, 3).w[0];
            std::vector<Hash32> siblings;
            for (uint64_t i = 0; i < n; ++i)
                siblings.push_back(word_at(r.output, 4 + i).to_hash());
            EXPECT_EQ(root, at.send_root);
            EXPECT_EQ(merkle_lib_root(siblings, leaf, send), at.send_root);
        }
    }
    EXPECT_EQ(reverted(proof(6, 0)), "size 6 is above the send count 5 of block " +
                                         std::to_string(chain.head().header.number));
    EXPECT_EQ(reverted(proof(5, 5)), "leaf 5 is not below size 5 (leaves are numbered from 0)");
}

TEST_F(NodeInterfaceTest, GasEstimatesMatchEstimateGasAndTheL1Part) {
    // A block with an L1 base fee, so the L1 part is not zero.
    chain.execute(chain.message({make_tx(0, nonce0++, dev_accounts()[2].address, uint256(1))}, 1,
                                uint256(30) * kGwei, 5));
    const Address to = dev_accounts()[4].address;
    const Bytes data(100, 0xab);
    const Bytes args = cat({word(uint256::from_be(to.view())), word(uint256(0)), word(uint256(96)),
                            word(uint256(data.size())), data, Bytes(28, 0)});
    CallResult r = ni(cat({sel("gasEstimateComponents(address,bool,bytes)"), args}), uint256(5));
    ASSERT_TRUE(r.success) << revert_message(r.output);

    CallRequest direct;
    direct.from = dev_accounts()[1].address;
    direct.to = to;
    direct.value = uint256(5);
    direct.data = data;
    direct.gas = 50'000'000;
    direct.l1_base_fee = read_system_state(chain.world).value().l1_base_fee;
    const auto expected = estimate_gas(chain.world, chain.genesis, chain.head(), direct);
    ASSERT_TRUE(expected);
    EXPECT_EQ(word_at(r.output, 0), uint256(*expected));
    const SystemState sys = read_system_state(chain.world).value();
    EXPECT_EQ(word_at(r.output, 2), sys.l2_base_fee);
    EXPECT_EQ(word_at(r.output, 3), sys.l1_base_fee);
    const uint256 l1_gas = word_at(r.output, 1);
    EXPECT_GT(l1_gas, uint256(0));
    EXPECT_LT(l1_gas, uint256(*expected));

    // The L1 part alone: the same transaction (the eth_call's gas and value) is not executed.
    direct.value = uint256(0);
    direct.gas = 50'000'000;
    r = ni(cat({sel("gasEstimateL1Component(address,bool,bytes)"), args}));
    ASSERT_TRUE(r.success) << revert_message(r.output);
    EXPECT_EQ(word_at(r.output, 0),
              uint256(estimate_l1_gas(chain.world, chain.genesis, chain.head(), direct).value()));
    EXPECT_EQ(word_at(r.output, 1), sys.l2_base_fee);
    EXPECT_EQ(word_at(r.output, 2), sys.l1_base_fee);

    // A failing transaction cannot be estimated: the reason is said.
    const Bytes to_nodeinterface = cat({word(uint256::from_be(kNodeInterfaceAddress.view())),
                                        word(uint256(0)), word(uint256(96)), word(uint256(0))});
    EXPECT_EQ(
        reverted(ni(cat({sel("gasEstimateComponents(address,bool,bytes)"), to_nodeinterface}))),
        "cannot estimate virtual contract");
}

TEST_F(NodeInterfaceTest, UnknownSelectorsAndMissingPrecompilesRevertWithAMessage) {
    EXPECT_EQ(reverted(ni(sel("noSuchMethod()"))),
              "NodeInterface (0x00000000000000000000000000000000000000c8) has no method with "
              "selector " +
                  to_hex(ByteView(sel("noSuchMethod()"))));
    EXPECT_EQ(reverted(ni(Bytes{0x01, 0x02})),
              "NodeInterface (0x00000000000000000000000000000000000000c8) needs a 4-byte method "
              "selector; the call's input has 2 bytes");
    EXPECT_EQ(reverted(ni(sel("nitroGenesisBlock()"), uint256(1))),
              "NodeInterface.nitroGenesisBlock() is not payable: call it without value");
    EXPECT_NE(reverted(ni(sel("estimateRetryableTicket(address,uint256,address,uint256,address,"
                              "address,bytes)")))
                  .find("Fuse L2 has no retryable tickets"),
              std::string::npos);

    EXPECT_EQ(reverted(call(kArbSysAddress, sel("noSuchMethod()"))),
              "ArbSys (0x0000000000000000000000000000000000000064) has no method with selector " +
                  to_hex(ByteView(sel("noSuchMethod()"))));
    EXPECT_EQ(reverted(call(kArbGasInfoAddress, {})),
              "ArbGasInfo (0x000000000000000000000000000000000000006c) needs a 4-byte method "
              "selector; the call's input has 0 bytes");
    EXPECT_EQ(reverted(call(kArbSysAddress, sel("arbChainID()"), uint256(1))),
              "ArbSys.arbChainID() is not payable: call it without value");
    // A real method still answers, value included where payable.
    EXPECT_TRUE(call(kArbSysAddress, sel("arbChainID()")).success);

    Address retryable;
    retryable[19] = 0x6e;
    EXPECT_NE(reverted(call(retryable, sel("getTimeout(bytes32)")))
                  .find("ArbRetryableTx (0x000000000000000000000000000000000000006e) is an "
                        "Arbitrum precompile that Fuse L2 does not have"),
              std::string::npos);
    // Without the node's backend (e.g. a trace), 0xC8 says where it answers.
    EXPECT_NE(reverted(call(kNodeInterfaceAddress, sel("nitroGenesisBlock()"), uint256(0), false))
                  .find("answers eth_call and eth_estimateGas only"),
              std::string::npos);
}

TEST_F(NodeInterfaceTest, InsideTransactions0xC8IsAnEmptyAccount) {
    // A transaction to 0xC8 with a NodeInterface selector: no code runs, it succeeds with
    // nothing returned and no logs, as for any empty account.
    const Block& b = chain.execute(chain.message({make_tx(
        0, nonce0++, kNodeInterfaceAddress, uint256(0), 100'000, sel("nitroGenesisBlock()"))}));
    ASSERT_EQ(b.txs.size(), 1u);
    EXPECT_TRUE(b.txs[0].receipt.success);
    EXPECT_TRUE(b.txs[0].receipt.logs.empty());
    const auto acc = chain.world.read_account(kNodeInterfaceAddress).value();
    EXPECT_TRUE(!acc || acc->code_hash == kEmptyCodeHash);
}

}  // namespace
