// FilterStore on its own: what each kind delivers and when, geth's idle expiry on a test clock,
// the limits per client and in total, overflow, and newPendingTransactions' parameters.

#include "ethrpc/filters.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/hex.hpp"

namespace fuse::ethrpc {
namespace {

using namespace std::chrono_literals;

Hash32 h(uint8_t b) {
    Hash32 x;
    x[31] = b;
    x[0] = 0xaa;
    return x;
}
Address addr(uint8_t b) {
    Address a;
    a[19] = b;
    return a;
}

/// Block `n` with one transaction per entry of `logs_per_tx` (logs from `emitter`, topic0 = n).
arbos::Block block(uint64_t n, std::vector<size_t> logs_per_tx, Address emitter = addr(1)) {
    arbos::Block b;
    b.header.number = n;
    b.hash = h(uint8_t(n));
    uint64_t log_index = 0;
    for (size_t i = 0; i < logs_per_tx.size(); ++i) {
        arbos::ExecutedTx tx;
        tx.hash = h(uint8_t(100 + 10 * n + i));
        tx.first_log_index = log_index;
        for (size_t k = 0; k < logs_per_tx[i]; ++k) {
            Log l;
            l.address = emitter;
            l.topics = {h(uint8_t(n))};
            tx.receipt.logs.push_back(l);
            ++log_index;
        }
        b.txs.push_back(std::move(tx));
    }
    return b;
}

struct TestClock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    FilterStore::Clock fn() {
        return [this] { return now; };
    }
};

TEST(FilterStore, BlockFilterDeliversEachNewBlockOnce) {
    FilterStore s(FilterConfig{});
    s.on_block(block(1, {}));  // before the filter: not delivered
    const auto id = s.install_blocks("c");
    ASSERT_TRUE(id);
    EXPECT_EQ(id->size(), 34u);
    EXPECT_EQ(id->substr(0, 2), "0x");
    s.on_block(block(2, {}));
    s.on_block(block(3, {}));
    EXPECT_EQ(*s.changes(*id), Json::array({to_hex(h(2)), to_hex(h(3))}));
    EXPECT_EQ(*s.changes(*id), Json::array());
    s.on_block(block(4, {}));
    EXPECT_EQ(*s.changes(*id), Json::array({to_hex(h(4))}));
    EXPECT_EQ(s.log_query(*id).error(), FilterError::kNotFound);  // not a log filter
}

TEST(FilterStore, PendingTransactionFilterReportsTransactionsOfNewBlocks) {
    FilterStore s(FilterConfig{});
    const auto id = s.install_pending_txs("c", false);
    const auto full = s.install_pending_txs("c", true);
    ASSERT_TRUE(id && full);
    const auto b = block(5, {0, 1, 0});
    s.on_block(b);
    EXPECT_EQ(*s.changes(*id),
              Json::array({to_hex(b.txs[0].hash), to_hex(b.txs[1].hash), to_hex(b.txs[2].hash)}));
    const Json objects = *s.changes(*full);
    ASSERT_EQ(objects.size(), 3u);
    EXPECT_EQ(objects[1]["hash"], to_hex(b.txs[1].hash));
    EXPECT_EQ(objects[1]["blockNumber"], "0x5");
    EXPECT_EQ(objects[1]["transactionIndex"], "0x1");
}

TEST(FilterStore, LogFilterMatchesAddressTopicsAndNumericRange) {
    FilterStore s(FilterConfig{});
    LogQuery any;
    LogQuery by_topic;
    by_topic.topics = {{h(3)}};
    LogQuery other_address;
    other_address.addresses = {addr(2)};
    LogQuery range;
    range.from_block = BlockNumberOrTag{BlockTag::kNumber, 3};
    range.to_block = BlockNumberOrTag{BlockTag::kNumber, 3};
    LogQuery tagged;  // tags do not bound a live filter (geth)
    tagged.from_block = BlockNumberOrTag{BlockTag::kLatest, 0};
    tagged.to_block = BlockNumberOrTag{BlockTag::kLatest, 0};
    const auto a = s.install_logs("c", any), t = s.install_logs("c", by_topic),
               o = s.install_logs("c", other_address), r = s.install_logs("c", range),
               g = s.install_logs("c", tagged);
    ASSERT_TRUE(a && t && o && r && g);
    s.on_block(block(2, {1, 2}));
    s.on_block(block(3, {0, 1}));
    s.on_block(block(4, {1}));
    const Json all = *s.changes(*a);
    ASSERT_EQ(all.size(), 5u);
    // Positions as in the block: logIndex counts across the block's transactions.
    EXPECT_EQ(all[2]["logIndex"], "0x2");
    EXPECT_EQ(all[2]["transactionIndex"], "0x1");
    EXPECT_EQ(all[3]["blockNumber"], "0x3");
    EXPECT_EQ(all[3]["logIndex"], "0x0");
    EXPECT_EQ(all[3]["transactionIndex"], "0x1");
    const Json topic3 = *s.changes(*t);
    ASSERT_EQ(topic3.size(), 1u);
    EXPECT_EQ(topic3[0], all[3]);
    EXPECT_EQ(*s.changes(*o), Json::array());
    EXPECT_EQ(*s.changes(*r), Json::array({all[3]}));
    EXPECT_EQ(s.changes(*g)->size(), 5u);
    EXPECT_EQ(s.log_query(*t)->topics, by_topic.topics);
}

TEST(FilterStore, InvalidRangeIsRefusedAsGeth) {
    FilterStore s(FilterConfig{});
    LogQuery q;
    q.from_block = BlockNumberOrTag{BlockTag::kNumber, 5};
    q.to_block = BlockNumberOrTag{BlockTag::kNumber, 4};
    EXPECT_EQ(s.install_logs("c", q).error(), FilterError::kInvalidBlockRange);
    EXPECT_EQ(filter_error_message(FilterError::kInvalidBlockRange, s.config()),
              "invalid from and to block combination");
}

TEST(FilterStore, IdleFiltersExpireAfterTheTimeoutAndPollingKeepsThemAlive) {
    TestClock clock;
    FilterConfig cfg;
    cfg.timeout = 5min;
    FilterStore s(cfg, clock.fn());
    const auto polled = s.install_blocks("c");
    const auto idle = s.install_blocks("c");
    const auto idle_logs = s.install_logs("c", {});
    ASSERT_TRUE(polled && idle && idle_logs);
    clock.now += 4min;
    EXPECT_TRUE(s.changes(*polled));  // restarts its timer
    clock.now += 1min;                // idle ones reach their deadline now
    EXPECT_EQ(s.changes(*idle).error(), FilterError::kNotFound);
    EXPECT_EQ(s.log_query(*idle_logs).error(), FilterError::kNotFound);
    EXPECT_EQ(s.size(), 1u);
    EXPECT_TRUE(s.changes(*polled));
    clock.now += 5min + 1ms;
    s.on_block(block(9, {}));  // a block sweeps expired filters too
    EXPECT_EQ(s.size(), 0u);
    EXPECT_FALSE(s.uninstall(*polled));
    EXPECT_EQ(filter_error_message(FilterError::kNotFound, cfg), "filter not found");
}

TEST(FilterStore, UninstallRemovesOnce) {
    FilterStore s(FilterConfig{});
    const auto id = s.install_blocks("c");
    ASSERT_TRUE(id);
    EXPECT_TRUE(s.uninstall(*id));
    EXPECT_FALSE(s.uninstall(*id));
    EXPECT_EQ(s.changes(*id).error(), FilterError::kNotFound);
    EXPECT_EQ(s.changes("0x1234").error(), FilterError::kNotFound);
}

TEST(FilterStore, LimitsPerClientAndInTotal) {
    TestClock clock;
    FilterConfig cfg;
    cfg.max_filters = 5;
    cfg.max_filters_per_client = 3;
    FilterStore s(cfg, clock.fn());
    std::vector<std::string> a;
    for (int i = 0; i < 3; ++i)
        a.push_back(*s.install_blocks("10.0.0.1"));
    EXPECT_EQ(s.install_blocks("10.0.0.1").error(), FilterError::kTooManyForClient);
    EXPECT_EQ(s.install_logs("10.0.0.1", {}).error(), FilterError::kTooManyForClient);
    EXPECT_TRUE(s.install_pending_txs("10.0.0.2", false));
    EXPECT_TRUE(s.install_blocks("10.0.0.3"));
    EXPECT_EQ(s.install_blocks("10.0.0.4").error(), FilterError::kTooMany);
    // Uninstalling (or expiry) frees the slots.
    EXPECT_TRUE(s.uninstall(a[0]));
    EXPECT_TRUE(s.install_blocks("10.0.0.1"));
    clock.now += cfg.timeout;
    EXPECT_TRUE(s.install_blocks("10.0.0.4"));
    EXPECT_EQ(s.size(), 1u);
    const std::string msg = filter_error_message(FilterError::kTooManyForClient, cfg);
    EXPECT_EQ(msg,
              "too many filters for this client: at most 3; uninstall unused ones with "
              "eth_uninstallFilter (idle filters expire after 5m0s)");
    EXPECT_NE(filter_error_message(FilterError::kTooMany, cfg).find("at most 5"),
              std::string::npos);
}

TEST(FilterStore, OverflowIsReportedOnceInsteadOfLosingChangesSilently) {
    FilterConfig cfg;
    cfg.max_changes = 2;
    FilterStore s(cfg);
    const auto id = s.install_blocks("c");
    ASSERT_TRUE(id);
    s.on_block(block(1, {}));
    s.on_block(block(2, {}));
    EXPECT_EQ(s.changes(*id)->size(), 2u);  // at the limit: fine
    for (uint64_t n = 3; n <= 5; ++n)
        s.on_block(block(n, {}));
    EXPECT_EQ(s.changes(*id).error(), FilterError::kOverflow);
    s.on_block(block(6, {}));
    EXPECT_EQ(*s.changes(*id), Json::array({to_hex(h(6))}));  // the filter goes on
}

/// A chain the store can read: blocks by number, a head that may run ahead of on_block.
struct FakeChain {
    std::map<uint64_t, std::shared_ptr<const arbos::Block>> blocks;
    uint64_t head = 0;
    void add(arbos::Block b) {
        head = b.header.number;
        blocks[head] = std::make_shared<const arbos::Block>(std::move(b));
    }
    void attach(FilterStore& s) {
        s.set_chain([this] { return std::optional<uint64_t>(head); },
                    [this](uint64_t n) -> std::shared_ptr<const arbos::Block> {
                        const auto it = blocks.find(n);
                        return it == blocks.end() ? nullptr : it->second;
                    });
    }
};

TEST(FilterStore, PollsCoverBlocksTheHeadShowsBeforeOnBlockAnnouncesThem) {
    FakeChain chain;
    chain.add(block(1, {}));
    FilterStore s(FilterConfig{});
    chain.attach(s);
    const auto id = s.install_pending_txs("c", false);  // starts after block 1 (the head)
    ASSERT_TRUE(id);
    s.on_block(*chain.blocks[1]);  // announced late: before the filter, not delivered
    chain.add(block(2, {1}));
    chain.add(block(3, {1, 1}));
    // The client saw head 3 (a receipt); the store has not been told yet: the poll reads them.
    const Json first = *s.changes(*id);
    EXPECT_EQ(first, Json::array({to_hex(chain.blocks[2]->txs[0].hash),
                                  to_hex(chain.blocks[3]->txs[0].hash),
                                  to_hex(chain.blocks[3]->txs[1].hash)}));
    s.on_block(*chain.blocks[2]);  // the late announcements change nothing
    s.on_block(*chain.blocks[3]);
    EXPECT_EQ(*s.changes(*id), Json::array());
    // A validator rewinds and builds another block 3: it is delivered.
    arbos::Block other = block(3, {1});
    other.hash = h(0x33);
    other.txs[0].hash = h(0x34);
    s.on_block(other);
    EXPECT_EQ(*s.changes(*id), Json::array({to_hex(h(0x34))}));
}

TEST(FilterStore, ClientIsTheRemoteAddressWithoutPort) {
    EXPECT_EQ(client_of("127.0.0.1:5000"), "127.0.0.1");
    EXPECT_EQ(client_of("::1:5000"), "::1");
    EXPECT_EQ(client_of("host"), "host");
}

TEST(FilterConfig, Validate) {
    EXPECT_EQ(FilterConfig{}.validate(), "");
    FilterConfig c;
    c.max_filters = 0;
    EXPECT_NE(c.validate(), "");
    c = {};
    c.timeout = 0ms;
    EXPECT_NE(c.validate(), "");
}

}  // namespace
}  // namespace fuse::ethrpc
