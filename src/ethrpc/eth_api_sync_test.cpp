// eth_sendRawTransactionSync (EIP-7966): the receipt once the block is durable, code 6 with the
// expected nonce for a nonce gap (never submitted), code 4 with the hash on timeout.

#include <gtest/gtest.h>

#include <mutex>

#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"

namespace fuse::ethrpc::testing {
namespace {

using Done = std::function<void(Result<sequencer::Inclusion, sequencer::Rejection>)>;

/// A sink that builds one ArbOS block per transaction (as EthApiSend), or, when `hold` is set,
/// keeps the transaction without answering (a block that never comes).
struct BlockPerTxSink {
    explicit BlockPerTxSink(TestChain& chain) : c(chain) {}
    TestChain& c;
    bool hold = false;
    size_t submitted = 0;
    std::mutex mu;
    std::vector<Done> held;

    TxSink sink() {
        TxSink s;
        s.submit = [this](Bytes raw, Done done) {
            std::lock_guard lock(mu);
            ++submitted;
            if (hold) {
                held.push_back(std::move(done));
                return;
            }
            arbos::Message m{7, uint256{1'000'000}, c.blocks.back().header.timestamp + 2, {raw}};
            arbos::BlockBuilder b(c.db->world(), c.genesis, c.blocks.back(), m);
            auto r = b.add(raw);
            if (!r) {
                done(Unexpected{sequencer::Rejection{r.error().reason, r.error().message, true}});
                return;
            }
            const Hash32 h = (*r)->hash;
            c.messages.push_back(m);
            c.diffs.emplace_back();
            c.blocks.push_back(b.finish(&c.diffs.back()).value());
            c.commit_last();
            done(sequencer::Inclusion{h, c.blocks.back().header.number, 0});
        };
        s.pending_nonce = [this](const Address& a) {
            auto acc = c.db->latest_state()->read_account(a).value();
            return acc ? acc->nonce : 0;
        };
        return s;
    }
    ~BlockPerTxSink() {
        for (auto& d : held)  // answer late: the request already timed out, this is ignored
            d(Unexpected{sequencer::Rejection::of(state::stopped_before_sealed())});
    }
};

TEST(EthApiSendSync, ReturnsTheReceipt) {
    TestChain c("sync");
    BlockPerTxSink s(c);
    TestNode n(c, {}, s.sink());
    const Bytes raw = c.tx1559(0, 0, c.dev(1).address, kEth);
    const Json receipt = n.result("eth_sendRawTransactionSync", {hex(raw)});
    EXPECT_EQ(receipt["transactionHash"], hex(keccak256(raw)));
    EXPECT_EQ(receipt["status"], "0x1");
    EXPECT_EQ(receipt, n.result("eth_getTransactionReceipt", {hex(keccak256(raw))}));
    // The timeout may be a number or a hex quantity (Nitro); both work.
    const Bytes raw2 = c.tx1559(0, 1, c.dev(1).address, kEth);
    EXPECT_EQ(n.result("eth_sendRawTransactionSync", {hex(raw2), 5000})["blockNumber"], "0x2");
    const Bytes raw3 = c.tx1559(0, 2, c.dev(1).address, kEth);
    EXPECT_EQ(n.result("eth_sendRawTransactionSync", {hex(raw3), "0x1388"})["blockNumber"], "0x3");
    // A refusal is the sequencer's error, at once.
    const Json e = n.error("eth_sendRawTransactionSync", {hex(raw)});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"].get<std::string>().rfind("nonce too low", 0), 0u) << e.dump();
}

TEST(EthApiSendSync, NonceGapIsRefusedWithTheExpectedNonce) {
    TestChain c("sync-gap");
    BlockPerTxSink s(c);
    TestNode n(c, {}, s.sink());
    const Bytes gap = c.tx1559(0, 3, c.dev(1).address, kEth);
    const Json e = n.error("eth_sendRawTransactionSync", {hex(gap)});
    EXPECT_EQ(e["code"], 6);
    EXPECT_EQ(e["data"], "0x0");
    EXPECT_EQ(e["message"], "nonce too high: next nonce 0, tx nonce 3");
    EXPECT_EQ(s.submitted, 0u);  // not added to the pool (EIP-7966)
}

TEST(EthApiSendSync, TimeoutAnswersCode4WithTheHash) {
    TestChain c("sync-timeout");
    BlockPerTxSink s(c);
    s.hold = true;
    TestNode n(c, {}, s.sink());
    const Bytes raw = c.tx1559(0, 0, c.dev(1).address, kEth);
    const Json e = n.error("eth_sendRawTransactionSync", {hex(raw), 50});
    EXPECT_EQ(e["code"], 4);
    EXPECT_EQ(e["data"], hex(keccak256(raw)));
    EXPECT_EQ(e["message"],
              "the transaction was added to the transaction pool but wasn't processed in 50ms");
    EXPECT_EQ(s.submitted, 1u);
}

TEST(EthApiSendSync, ReadOnlyNodeRefuses) {
    TestChain c("sync-readonly");
    TestNode n(c);
    const Json e =
        n.error("eth_sendRawTransactionSync", {hex(c.tx1559(0, 0, c.dev(1).address, kEth))});
    EXPECT_EQ(e["code"], -32000);
}

}  // namespace
}  // namespace fuse::ethrpc::testing
