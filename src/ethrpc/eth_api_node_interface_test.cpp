// NodeInterface (0xC8) through eth_call / eth_estimateGas on a real chain and server, the batch
// index over the records the poster, the L1 guard and a validator keep, fusel2_getOutboxProof,
// and the messages system addresses answer instead of empty data.

#include <gtest/gtest.h>

#include <deque>

#include "arbos/node_interface.hpp"
#include "arbos/precompiles.hpp"
#include "arbos/system_state.hpp"
#include "ethrpc/batch_index.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"
#include "inbox/inbox_reader.hpp"
#include "poster/poster.hpp"
#include "validator/validator.hpp"

namespace fuse::ethrpc::testing {
namespace {

Bytes be64(uint64_t v) {
    Bytes out(8);
    for (int i = 0; i < 8; ++i)
        out[size_t(i)] = uint8_t(v >> (8 * (7 - i)));
    return out;
}

/// What the batch poster records for a confirmed batch (poster.hpp batch_meta_key).
void poster_record(storage::Database& db, uint64_t seq, uint64_t prev, uint64_t last) {
    const Bytes meta = cat({be64(prev), be64(last), Bytes(32, 0xab)});
    ASSERT_TRUE(db.put_meta(poster::batch_meta_key(seq), meta));
}

/// What an inbox reader (the sequencer's L1 guard) persists: its cursor and history.
void guard_read(storage::Database& db, std::vector<std::pair<uint64_t, uint64_t>> seq_l1,
                std::vector<uint64_t> message_counts, uint64_t scanned_block) {
    std::deque<inbox::BatchRef> history;
    for (size_t i = 0; i < seq_l1.size(); ++i) {
        inbox::BatchRef r;
        r.sequence_number = seq_l1[i].first;
        r.l1_block_number = seq_l1[i].second;
        r.message_count = message_counts[i];
        history.push_back(r);
    }
    inbox::InboxCursor c;
    c.scanned_block = scanned_block;
    if (!history.empty()) c.last = history.back();
    const std::string h = inbox::history_to_json(history, 128), t = inbox::to_json(c);
    ASSERT_TRUE(db.put_meta("guard.history", Bytes(h.begin(), h.end())));
    ASSERT_TRUE(db.put_meta("guard.cursor", Bytes(t.begin(), t.end())));
}

/// eth_call params for `data` sent to `to`.
Json call_params(const Address& to, const Bytes& data, const std::string& block = "latest") {
    return Json::array({{{"to", hex(to)}, {"data", hex(data)}}, block});
}

uint256 result_word(const Json& r, size_t i) {
    const auto bytes = from_hex(r.get<std::string>()).value();
    EXPECT_GE(bytes.size(), 32 * (i + 1));
    return uint256::from_be32(bytes.data() + 32 * i);
}

struct NodeInterfaceRpc : ::testing::Test {
    TestChain chain{"nodeinterface"};
    uint64_t nonce0 = 0;

    /// Blocks 1..n, one transfer each.
    void blocks(int n) {
        for (int i = 0; i < n; ++i)
            chain.add_block({chain.tx1559(0, nonce0++, chain.dev(1).address, uint256(1))},
                            /*l1_block=*/10 + uint64_t(i));
    }
};

TEST_F(NodeInterfaceRpc, BlockL1NumAndGenesisThroughEthCall) {
    blocks(3);
    TestNode node(chain);
    EXPECT_EQ(node.result("eth_call",
                          call_params(arbos::kNodeInterfaceAddress, sel("nitroGenesisBlock()"))),
              hex(word(uint256(0))));
    EXPECT_EQ(
        result_word(node.result("eth_call",
                                call_params(arbos::kNodeInterfaceAddress,
                                            cat({sel("blockL1Num(uint64)"), word(uint256(2))}))),
                    0),
        uint256(11));
    const Json r = node.result(
        "eth_call", call_params(arbos::kNodeInterfaceAddress,
                                cat({sel("l2BlockRangeForL1(uint64)"), word(uint256(12))})));
    EXPECT_EQ(result_word(r, 0), uint256(3));
    EXPECT_EQ(result_word(r, 1), uint256(3));
    // An eth_call at an older block still answers about the whole chain.
    EXPECT_EQ(
        result_word(
            node.result("eth_call",
                        call_params(arbos::kNodeInterfaceAddress,
                                    cat({sel("blockL1Num(uint64)"), word(uint256(3))}), "0x1")),
            0),
        uint256(12));
}

TEST_F(NodeInterfaceRpc, FindBatchAndConfirmationsFromThePostersAndGuardsRecords) {
    blocks(4);
    TestNode node(chain);
    const auto find = [&](uint64_t n) {
        return node.call(
            "eth_call",
            call_params(arbos::kNodeInterfaceAddress,
                        cat({sel("findBatchContainingBlock(uint64)"), word(uint256(n))})));
    };
    const auto confirmations = [&](uint64_t n) {
        return node.call("eth_call",
                         call_params(arbos::kNodeInterfaceAddress,
                                     cat({sel("getL1Confirmations(bytes32)"),
                                          word(uint256::from_hash(chain.blocks[n].hash))})));
    };
    // Nothing posted yet: a revert that says so (code 3, the reason decoded).
    Json e = find(1);
    ASSERT_TRUE(e.contains("error")) << e.dump();
    EXPECT_EQ(e["error"]["code"], 3);
    EXPECT_EQ(e["error"]["message"],
              "execution reverted: block 1 is not yet in a batch on L1 (this node knows of no "
              "batch: the batch poster has posted none yet, or the node does not read L1)");
    EXPECT_EQ(confirmations(1)["result"], hex(word(uint256(0))));

    // The poster confirmed batches 0 (blocks 1-2) and 1 (block 3).
    poster_record(*chain.db, 0, 0, 2);
    poster_record(*chain.db, 1, 2, 3);
    EXPECT_EQ(find(1)["result"], hex(word(uint256(0))));
    EXPECT_EQ(find(2)["result"], hex(word(uint256(0))));
    EXPECT_EQ(find(3)["result"], hex(word(uint256(1))));
    e = find(4);
    ASSERT_TRUE(e.contains("error"));
    EXPECT_EQ(e["error"]["message"],
              "execution reverted: block 4 is not yet in a batch on L1 (the batches this node "
              "knows of end at block 3; the batch poster has not posted it, or it is not "
              "confirmed yet)");
    e = find(5);
    EXPECT_EQ(e["error"]["message"],
              "execution reverted: block 5 does not exist (the head is block 4)");
    // Posted but not read from L1 by the guard yet: 0 confirmations.
    EXPECT_EQ(confirmations(3)["result"], hex(word(uint256(0))));

    // The guard read batch 0 at L1 block 100 and batch 1 at 105, up to L1 block 110.
    guard_read(*chain.db, {{0, 100}, {1, 105}}, {2, 3}, 110);
    EXPECT_EQ(confirmations(1)["result"], hex(word(uint256(10))));
    EXPECT_EQ(confirmations(3)["result"], hex(word(uint256(5))));
    // Told how deep the guard reads, the count starts at the L1 head.
    {
        Config c;
        c.l1_confirmations = 20;
        TestNode deep(chain, c);
        EXPECT_EQ(deep.result("eth_call",
                              call_params(arbos::kNodeInterfaceAddress,
                                          cat({sel("getL1Confirmations(bytes32)"),
                                               word(uint256::from_hash(chain.blocks[3].hash))}))),
                  hex(word(uint256(25))));
    }
    e = node.call("eth_call",
                  call_params(arbos::kNodeInterfaceAddress,
                              cat({sel("getL1Confirmations(bytes32)"), word(uint256(12345))})));
    EXPECT_EQ(e["error"]["message"], "execution reverted: unknown block hash");
}

TEST_F(NodeInterfaceRpc, RecordedIndexReadsValidatorRecordsAndTheGuardsHistoryAlone) {
    blocks(5);
    // A validator's records: batch 0 ends at block 2, batch 1 at 5.
    ASSERT_TRUE(chain.db->put_meta(validator::batch_block_key(0), be64(2)));
    ASSERT_TRUE(chain.db->put_meta(validator::batch_block_key(1), be64(5)));
    auto index = make_recorded_batch_index(*chain.db);
    ASSERT_TRUE(index->batch_of(2));
    EXPECT_EQ(index->batch_of(2)->sequence_number, 0u);
    EXPECT_EQ(index->batch_of(3)->sequence_number, 1u);
    EXPECT_FALSE(index->batch_of(6));
    EXPECT_EQ(index->last_batched_block(), 5u);
    EXPECT_FALSE(index->l1_head());  // no inbox reader record: no L1 view

    // History alone (another datadir): only batches whose start it knows.
    TestChain other("nodeinterface-history");
    guard_read(*other.db, {{7, 300}, {8, 301}}, {40, 44}, 310);
    auto hist = make_recorded_batch_index(*other.db, 2);
    EXPECT_FALSE(hist->batch_of(40));  // batch 7's first block is not known
    ASSERT_TRUE(hist->batch_of(42));
    EXPECT_EQ(hist->batch_of(42)->sequence_number, 8u);
    EXPECT_EQ(hist->batch_of(42)->l1_block, 301u);
    EXPECT_EQ(hist->l1_head(), 312u);
}

TEST_F(NodeInterfaceRpc, EstimateGasComponentsAgreesWithEthEstimateGas) {
    blocks(1);
    TestNode node(chain);
    const Address to = chain.dev(5).address;
    const Bytes data(64, 0x11);
    const Json est = node.result(
        "eth_estimateGas",
        Json::array({{{"from", hex(chain.dev(2).address)}, {"to", hex(to)}, {"data", hex(data)}}}));
    const Bytes args =
        cat({sel("gasEstimateComponents(address,bool,bytes)"), word(uint256::from_be(to.view())),
             word(uint256(0)), word(uint256(96)), word(uint256(data.size())), data});
    const Json r = node.result("eth_call", Json::array({{{"from", hex(chain.dev(2).address)},
                                                         {"to", hex(arbos::kNodeInterfaceAddress)},
                                                         {"data", hex(args)}}}));
    EXPECT_EQ(quantity(result_word(r, 0)), est.get<std::string>());
    EXPECT_GT(result_word(r, 1), uint256(0));  // the L1 part, at the genesis's L1 base fee
    const auto st = chain.db->latest_state();
    EXPECT_EQ(result_word(r, 2), arbos::read_system_state(*st).value().l2_base_fee);
    EXPECT_EQ(result_word(r, 3), arbos::read_system_state(*st).value().l1_base_fee);
    // eth_estimateGas of a NodeInterface call answers too.
    EXPECT_TRUE(
        node.call("eth_estimateGas", Json::array({{{"to", hex(arbos::kNodeInterfaceAddress)},
                                                   {"data", hex(sel("nitroGenesisBlock()"))}}}))
            .contains("result"));
}

TEST_F(NodeInterfaceRpc, SystemAddressesNeverAnswerSilently) {
    blocks(1);
    TestNode node(chain);
    Json e = node.error("eth_call", call_params(arbos::kArbSysAddress, sel("noSuchMethod()")));
    EXPECT_EQ(e["code"], 3);
    EXPECT_EQ(e["message"],
              "execution reverted: ArbSys (0x0000000000000000000000000000000000000064) has no "
              "method with selector " +
                  hex(sel("noSuchMethod()")));
    EXPECT_EQ(e["data"], hex(arbos::error_revert_data(
                             "ArbSys (0x0000000000000000000000000000000000000064) has no method "
                             "with selector " +
                             hex(sel("noSuchMethod()")))));
    e = node.error("eth_call", call_params(arbos::kArbGasInfoAddress, sel("getL1RewardRate()")));
    EXPECT_NE(e["message"].get<std::string>().find("ArbGasInfo"), std::string::npos);
    e = node.error("eth_call", call_params(arbos::kNodeInterfaceAddress, sel("nope()")));
    EXPECT_NE(e["message"].get<std::string>().find("NodeInterface"), std::string::npos);
    Address retryable;
    retryable[19] = 0x6e;
    e = node.error("eth_estimateGas", call_params(retryable, sel("getLifetime()")));
    EXPECT_EQ(e["code"], 3);
    EXPECT_NE(e["message"].get<std::string>().find("ArbRetryableTx"), std::string::npos);
    // The methods that exist still answer.
    EXPECT_EQ(
        result_word(
            node.result("eth_call", call_params(arbos::kArbSysAddress, sel("arbChainID()"))), 0),
        uint256(kChainId));
}

TEST_F(NodeInterfaceRpc, OutboxProofOfEverySendAgainstTheBlocksSendRoots) {
    // Seven withdrawals over three blocks (3, 1, 3 sends).
    const Bytes withdraw =
        cat({sel("withdrawEth(address)"), word(uint256::from_be(chain.dev(7).address.view()))});
    uint64_t value = 1000;
    for (int per_block : {3, 1, 3}) {
        std::vector<Bytes> txs;
        for (int i = 0; i < per_block; ++i)
            txs.push_back(
                chain.tx1559(0, nonce0++, arbos::kArbSysAddress, uint256(value++), withdraw));
        const arbos::Block& b = chain.add_block(std::move(txs));
        for (const auto& t : b.txs)
            ASSERT_TRUE(t.receipt.success);
    }
    blocks(1);  // a block without sends: same send count as the one before
    TestNode node(chain);
    ASSERT_EQ(chain.blocks.back().send_count, 7u);
    for (uint64_t size : {3ull, 4ull, 7ull}) {
        uint64_t root_block = 0;
        for (const auto& b : chain.blocks)
            if (b.send_count == size) {
                root_block = b.header.number;
                break;
            }
        for (uint64_t leaf = 0; leaf < size; ++leaf) {
            const Json p = node.result("fusel2_getOutboxProof", {quantity(leaf), quantity(size)});
            EXPECT_EQ(p["root"], hex(chain.blocks[root_block].send_root)) << size;
            EXPECT_EQ(p["rootBlock"], quantity(root_block));
            EXPECT_EQ(p["index"], quantity(leaf));
            EXPECT_EQ(p["l2Sender"], hex(chain.dev(0).address));
            EXPECT_EQ(p["to"], hex(chain.dev(7).address));
            EXPECT_EQ(p["value"], quantity(uint256(1000 + leaf)));
            EXPECT_EQ(p["data"], "0x");
            // The send hash is what the Outbox recomputes from the fields.
            Bytes pre =
                cat({Bytes(chain.dev(0).address.bytes.begin(), chain.dev(0).address.bytes.end()),
                     Bytes(chain.dev(7).address.bytes.begin(), chain.dev(7).address.bytes.end()),
                     word(decode_big(p["l2Block"])), word(decode_big(p["l1Block"])),
                     word(decode_big(p["l2Timestamp"])), word(decode_big(p["value"]))});
            EXPECT_EQ(p["send"], hex(keccak256(pre)));
            std::vector<Hash32> proof;
            for (const auto& h : p["proof"])
                proof.push_back(decode_hash(h));
            EXPECT_EQ(hex(arbos::outbox_root(proof, leaf, decode_hash(p["send"]))), p["root"]);
            // NodeInterface.constructOutboxProof gives the same.
            const Json c = node.result(
                "eth_call", call_params(arbos::kNodeInterfaceAddress,
                                        cat({sel("constructOutboxProof(uint64,uint64)"),
                                             word(uint256(size)), word(uint256(leaf))})));
            EXPECT_EQ(quantity(result_word(c, 1)), quantity(decode_big(p["root"])));
            EXPECT_EQ(result_word(c, 3), uint256(proof.size()));
        }
    }
    // A size no block ended with (inside block 1's three sends) has no root block.
    EXPECT_EQ(node.result("fusel2_getOutboxProof", {"0x0", "0x2"})["rootBlock"], nullptr);
    // Errors say what is wrong.
    Json e = node.error("fusel2_getOutboxProof", {"0x7"});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"], "leaf 7 does not exist: the chain has 7 sends to L1 (head block 4)");
    e = node.error("fusel2_getOutboxProof", {"0x1"});
    EXPECT_EQ(e["message"],
              "leaf 1 is not under a send root on L1 yet: the finalized block 0 has send count "
              "0; wait until the proposer posts a later root, or pass a size (the head's send "
              "count is 7)");
    e = node.error("fusel2_getOutboxProof", {"0x1", "0x8"});
    EXPECT_EQ(e["message"], "size 8 is above the send count 7 of the head block 4");
    e = node.error("fusel2_getOutboxProof", {"0x3", "0x3"});
    EXPECT_EQ(e["message"], "leaf 3 is not below size 3 (leaves are numbered from 0)");
    // The default size is the finalized block's (RollupCore's latest root).
    ASSERT_TRUE(chain.db->set_head(storage::Head::kFinalized, 2));
    const Json p = node.result("fusel2_getOutboxProof", {"0x3"});
    EXPECT_EQ(p["size"], "0x4");
    EXPECT_EQ(p["rootBlock"], "0x2");
}

}  // namespace
}  // namespace fuse::ethrpc::testing
