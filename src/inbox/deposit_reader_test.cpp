#include "inbox/deposit_reader.hpp"

#include <gtest/gtest.h>

#include "inbox/bridge_test_env.hpp"

namespace fuse::inbox {
namespace {

using namespace testing;

Address addr(uint8_t tag) {
    Address a;
    a[19] = tag;
    a[0] = 0x42;
    return a;
}

/// Polls up to the current head until nothing new arrives.
void read_to_head(BridgeEnv& env, DepositReader& r) {
    const uint64_t head = env.latest().number;
    for (int i = 0; i < 100 && r.scanned_block() < head; ++i)
        r.poll(head);
}

// Deposits of both kinds read back exactly as the Bridge emitted them, each checked and chained,
// with the Bridge's accumulator; `pending` stops at the L1 block asked for.
TEST(DepositReader, ReadsDepositsAsTheBridgeEmittedThem) {
    BridgeEnv env;
    const auto r0 = env.deposit(addr(1), uint256(1000));
    const auto r1 = env.message(addr(2), 50000, Bytes{0xde, 0xad}, uint256(7));
    const auto r2 = env.deposit(addr(3), uint256(3));
    std::vector<l1::DepositQueued> events;
    for (const auto* r : {&r0, &r1, &r2})
        for (auto& e : BridgeEnv::deposits_of(*r))
            events.push_back(e);
    ASSERT_EQ(events.size(), 3u);

    DepositReader reader(*env.rpc, env.deposit_config());
    EXPECT_EQ(reader.poll(env.latest().number), 3u);
    EXPECT_EQ(reader.next_index(), 3u);
    for (uint64_t i = 0; i < 3; ++i) {
        const auto d = reader.get(i);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->deposit, events[i].deposit);
        EXPECT_EQ(d->acc, events[i].acc);
    }
    EXPECT_EQ(reader.get(1)->deposit.kind, DepositKind::kMessage);
    EXPECT_EQ(reader.get(1)->deposit.l2_from, env.sender->address());  // an EOA: not aliased
    EXPECT_EQ(reader.get(1)->deposit.value, uint256(7));
    EXPECT_EQ(reader.get(1)->deposit.l2_gas_limit, 50000u);
    EXPECT_EQ(reader.get(2)->tx_hash, r2.tx_hash);
    EXPECT_EQ(reader.get(2)->l1_block_hash, r2.block_hash);
    EXPECT_EQ(reader.get(0)->deposit.l1_block_number, r0.block_number);

    // pending: from an index, up to an L1 block, at most n.
    EXPECT_EQ(reader.pending(0, r0.block_number, 10).size(), 1u);
    EXPECT_EQ(reader.pending(0, r2.block_number, 10).size(), 3u);
    EXPECT_EQ(reader.pending(1, r2.block_number, 1).size(), 1u);
    EXPECT_EQ(reader.pending(3, r2.block_number, 10).size(), 0u);
    EXPECT_TRUE(reader.pending(0, r0.block_number - 1, 10).empty());
    ASSERT_TRUE(reader.range(1, 2));
    EXPECT_EQ((*reader.range(1, 2))[1], events[2].deposit);
    EXPECT_FALSE(reader.range(2, 2));
    // Nothing new: the same deposits.
    env.mine(2);
    EXPECT_EQ(reader.poll(env.latest().number), 0u);
    EXPECT_EQ(reader.next_index(), 3u);
}

// A poll reads only up to the block it is given, and a catch-up through tiny ranges returns
// in steps with nothing skipped or repeated.
TEST(DepositReader, ReadsUpToTheTargetInSteps) {
    BridgeEnv env;
    std::vector<uint64_t> blocks;
    for (uint8_t i = 0; i < 5; ++i) {
        blocks.push_back(env.deposit(addr(i), uint256(i + 1)).block_number);
        env.mine(1);
    }
    auto cfg = env.deposit_config();
    cfg.max_log_range = 2;
    cfg.max_ranges_per_poll = 1;
    DepositReader reader(*env.rpc, cfg);
    // Up to deposit 2's block only.
    for (int i = 0; i < 20 && reader.scanned_block() < blocks[2]; ++i)
        reader.poll(blocks[2]);
    EXPECT_EQ(reader.scanned_block(), blocks[2]);
    EXPECT_EQ(reader.next_index(), 3u);
    read_to_head(env, reader);
    EXPECT_EQ(reader.next_index(), 5u);
    for (uint64_t i = 0; i < 5; ++i)
        EXPECT_EQ(reader.get(i)->deposit.value, uint256(i + 1));
    // ensure() does the whole catch-up itself.
    DepositReader again(*env.rpc, cfg);
    again.ensure(0, env.latest().number);
    EXPECT_EQ(again.next_index(), 5u);
}

// A reader started at deposit n (a node that already executed 0..n-1) reads from there, taking
// the accumulator before n from the Bridge; the block hint makes it scan from that block.
TEST(DepositReader, StartsAtAnIndexWithABlockHint) {
    BridgeEnv env;
    std::vector<l1::TxReceipt> rs;
    for (uint8_t i = 0; i < 4; ++i) {
        rs.push_back(env.deposit(addr(i), uint256(100 + i)));
        env.mine(3);
    }
    auto cfg = env.deposit_config();
    std::vector<uint64_t> asked;
    cfg.block_of = [&](uint64_t index) -> std::optional<uint64_t> {
        asked.push_back(index);
        return rs[index].block_number;
    };
    DepositReader reader(*env.rpc, cfg, 2);
    EXPECT_EQ(asked, std::vector<uint64_t>{1});
    read_to_head(env, reader);
    EXPECT_EQ(reader.first_index(), 2u);
    EXPECT_EQ(reader.next_index(), 4u);
    EXPECT_FALSE(reader.get(1));
    EXPECT_EQ(reader.get(3)->acc, BridgeEnv::deposits_of(rs[3])[0].acc);

    // Needing an earlier deposit again restarts from it.
    reader.ensure(0, env.latest().number);
    EXPECT_EQ(reader.first_index(), 0u);
    EXPECT_EQ(reader.next_index(), 4u);
    // Pruning forgets the consumed ones.
    reader.prune_below(3);
    EXPECT_EQ(reader.first_index(), 3u);
    EXPECT_FALSE(reader.get(2));
    EXPECT_TRUE(reader.get(3));
}

// A reader started after a deposit the L1 does not have (a node whose chain included a deposit a
// deep reorg removed) reads every deposit again from 0, so its callers see which one is gone.
TEST(DepositReader, StartBeyondTheBridgeReadsEverythingAgain) {
    BridgeEnv env;
    env.deposit(addr(1), uint256(1));
    std::vector<std::string> log;
    auto cfg = env.deposit_config();
    cfg.log = [&](const std::string& l) { log.push_back(l); };
    DepositReader reader(*env.rpc, cfg, 3);  // deposits 0..2 executed, the L1 has only 0
    read_to_head(env, reader);
    EXPECT_EQ(reader.first_index(), 0u);
    EXPECT_EQ(reader.next_index(), 1u);
    EXPECT_EQ(reader.get(0)->deposit.to, addr(1));
    bool said = false;
    for (const auto& l : log)
        said |= l.find("the Bridge has no deposit 2") != std::string::npos;
    EXPECT_TRUE(said);
}

// Asked about an L1 block before the Bridge existed (a sequencer whose lagged view is still
// below the deployment): nothing to read, no error; refs to any deposit fail as missing.
TEST(DepositReader, ATargetBeforeTheBridgeHasNoDeposits) {
    BridgeEnv env;
    auto cfg = env.deposit_config();
    ASSERT_GT(cfg.deploy_block, 1u);
    DepositReader reader(*env.rpc, cfg);
    EXPECT_EQ(reader.scanned_block(), cfg.deploy_block - 1);
    reader.ensure(0, 1);
    EXPECT_EQ(reader.poll(1), 0u);
    EXPECT_EQ(reader.next_index(), 0u);
    batch::L2Message m;
    m.l1_block_number = 1;
    m.deposit_ref = batch::DepositRef{0, 1, Hash32{}};
    uint64_t next = 0;
    const auto err = check_deposit_refs(&reader, {m}, 1, 1, next);
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("references deposit 0, which does not exist on L1"), std::string::npos)
        << *err;
}

// An L1 reorg that replaces deposits: the reader drops what is no longer canonical and reads the
// new chain's deposits (same indices, other contents), the accumulator continuing from the last
// deposit that stayed.
TEST(DepositReader, ReorgReplacesDeposits) {
    BridgeEnv env;
    env.deposit(addr(1), uint256(1));
    std::vector<std::string> log;
    auto cfg = env.deposit_config();
    cfg.log = [&](const std::string& l) { log.push_back(l); };
    DepositReader reader(*env.rpc, cfg);
    read_to_head(env, reader);
    const std::string snap = env.rpc->request("evm_snapshot").get<std::string>();
    env.deposit(addr(2), uint256(2));
    env.deposit(addr(3), uint256(3));
    read_to_head(env, reader);
    ASSERT_EQ(reader.next_index(), 3u);

    ASSERT_TRUE(env.rpc->request("evm_revert", nlohmann::json::array({snap})).get<bool>());
    env.new_sender();
    env.mine(1);  // the new chain differs at every height
    const auto n1 = env.deposit(addr(9), uint256(90));
    env.mine(3);
    read_to_head(env, reader);
    EXPECT_EQ(reader.next_index(), 2u);
    EXPECT_EQ(reader.get(1)->deposit.to, addr(9));
    EXPECT_EQ(reader.get(1)->acc, BridgeEnv::deposits_of(n1)[0].acc);
    EXPECT_EQ(reader.get(0)->deposit.to, addr(1));
    bool said = false;
    for (const auto& l : log)
        said |= l.find("L1 reorg") != std::string::npos;
    EXPECT_TRUE(said);
}

// The wrong contract (the inbox: no DepositQueued) reads nothing and the Bridge's counter
// check fails cleanly against a Bridge that has deposits the logs do not show.
TEST(DepositReader, CountCheckCatchesMissingLogs) {
    BridgeEnv env;
    env.deposit(addr(1), uint256(1));
    auto cfg = env.deposit_config();
    cfg.deploy_block = env.latest().number + 1;  // starts after the deposit: its log is missed
    DepositReader reader(*env.rpc, cfg);
    env.mine(1);
    try {
        reader.poll(env.latest().number);
        FAIL() << "no error";
    } catch (const DepositError& e) {
        EXPECT_EQ(e.kind, DepositError::Kind::kGap);
        EXPECT_NE(std::string(e.what()).find("the Bridge has 1 deposits"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(reader.next_index(), 0u);  // nothing changed
}

// The validators' deposit rule for one batch: contiguous refs, existing deposits from L1
// blocks <= the message's, the Bridge's accumulator.
TEST(DepositRefs, CheckedAgainstTheBridge) {
    BridgeEnv env;
    const auto r0 = env.deposit(addr(1), uint256(1));
    const auto r1 = env.deposit(addr(2), uint256(2));
    env.mine(1);
    DepositReader reader(*env.rpc, env.deposit_config());
    const uint64_t head = env.latest().number;
    const Hash32 acc0 = BridgeEnv::deposits_of(r0)[0].acc;
    const Hash32 acc1 = BridgeEnv::deposits_of(r1)[0].acc;
    auto msg = [&](uint64_t l1_block, std::optional<batch::DepositRef> ref) {
        batch::L2Message m;
        m.l1_block_number = l1_block;
        m.deposit_ref = ref;
        return m;
    };
    auto check = [&](std::vector<batch::L2Message> msgs, uint64_t& next) {
        return check_deposit_refs(&reader, msgs, 5, head, next);
    };
    uint64_t next = 0;
    EXPECT_EQ(check({msg(head, batch::DepositRef{0, 1, acc0}), msg(head, std::nullopt),
                     msg(head, batch::DepositRef{1, 1, acc1})},
                    next),
              std::nullopt);
    EXPECT_EQ(next, 2u);
    next = 0;
    EXPECT_EQ(check({msg(head, batch::DepositRef{0, 2, acc1})}, next), std::nullopt);
    EXPECT_EQ(next, 2u);

    auto fails = [&](std::vector<batch::L2Message> msgs, uint64_t start, const std::string& what) {
        uint64_t n = start;
        const auto err = check(std::move(msgs), n);
        ASSERT_TRUE(err) << what;
        EXPECT_NE(err->find(what), std::string::npos) << *err;
        EXPECT_EQ(n, start);
    };
    fails({msg(head, batch::DepositRef{1, 1, acc1})}, 0,
          "L2 block 5 (L1 block " + std::to_string(head) +
              ") references deposit 1 and skips "
              "deposit 0");
    fails({msg(head, batch::DepositRef{0, 1, acc0})}, 1, "deposit 0 was already included");
    fails({msg(head, batch::DepositRef{0, 3, acc1})}, 0,
          "references deposit 2, which does not exist on L1");
    fails({msg(r0.block_number, batch::DepositRef{0, 2, acc1})}, 0,
          "references deposit 1 from L1 block " + std::to_string(r1.block_number));
    fails({msg(head, batch::DepositRef{0, 2, acc0})}, 0,
          "the Bridge's accumulator after deposit 1 is");
    // The second message's ref fails: nothing of the batch counts.
    fails({msg(head, batch::DepositRef{0, 1, acc0}), msg(head, batch::DepositRef{0, 1, acc0})}, 0,
          "L2 block 6");
    // No Bridge: any ref fails.
    uint64_t n = 0;
    const auto none =
        check_deposit_refs(nullptr, {msg(head, batch::DepositRef{0, 1, acc0})}, 1, head, n);
    ASSERT_TRUE(none);
    EXPECT_NE(none->find("this chain has no Bridge"), std::string::npos);
}

}  // namespace
}  // namespace fuse::inbox

namespace fuse::inbox {
namespace {

using namespace testing;

/// A message on the latest L1 block referencing `count` deposits from `first` (acc: after them).
batch::L2Message with_deposits(BridgeEnv& env, DepositReader& r, uint64_t first, uint64_t count,
                               uint64_t tag) {
    auto m = env.message_on(env.latest().number, {Bytes{0x02, static_cast<uint8_t>(tag)}});
    r.ensure(first, env.latest().number);
    m.deposit_ref = batch::DepositRef{first, count, r.get(first + count - 1)->acc};
    return m;
}

// Batches carrying deposit refs through the inbox reader: valid ones are delivered as posted
// (and the next deposit index travels in the cursor); one that skips a deposit becomes filler
// with kDepositRef naming it, and the next batch must start where the last valid one ended.
TEST(InboxDeposits, DepositRefsAreValidatorRules) {
    BridgeEnv env;
    for (uint8_t i = 0; i < 4; ++i)
        env.deposit(addr(i), uint256(10 + i));
    env.mine(1);
    DepositReader deposits(*env.rpc, env.deposit_config());
    env.post({with_deposits(env, deposits, 0, 2, 1)});  // valid: 0..1
    env.post({with_deposits(env, deposits, 3, 1, 2)});  // skips deposit 2
    const auto third = with_deposits(env, deposits, 2, 2, 3);
    env.post({env.message_on(env.latest().number, {Bytes{0x02, 9}}), third});  // valid: 2..3

    auto cfg = env.reader_config();
    DepositReader reader_deposits(*env.rpc, env.deposit_config());
    cfg.deposits = &reader_deposits;
    InboxReader reader(*env.rpc, cfg);
    const auto batches = read_all(reader);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[0].resolved.invalid, batch::ResolveError::kNone);
    EXPECT_EQ(batches[0].next_deposit_index, 2u);
    EXPECT_EQ(batches[1].resolved.invalid, batch::ResolveError::kDepositRef);
    EXPECT_NE(batches[1].deposit_problem.find("L2 block 2 "), std::string::npos);
    EXPECT_NE(batches[1].deposit_problem.find("references deposit 3 and skips deposit 2"),
              std::string::npos)
        << batches[1].deposit_problem;
    EXPECT_FALSE(batches[1].resolved.messages[0].deposit_ref);  // filler
    EXPECT_EQ(batches[1].next_deposit_index, 2u);
    EXPECT_EQ(batches[2].resolved.invalid, batch::ResolveError::kNone)
        << batches[2].deposit_problem;
    EXPECT_EQ(batches[2].resolved.messages[1], third);
    EXPECT_EQ(batches[2].next_deposit_index, 4u);
    EXPECT_EQ(reader.cursor().last->next_deposit_index, 4u);
    // The cursor keeps it across a restart.
    EXPECT_EQ(cursor_from_json(to_json(reader.cursor())).last->next_deposit_index, 4u);

    // Without a Bridge every deposit ref is invalid.
    InboxReader no_bridge(*env.rpc, env.reader_config());
    const auto plain = read_all(no_bridge);
    ASSERT_EQ(plain.size(), 3u);
    EXPECT_EQ(plain[0].resolved.invalid, batch::ResolveError::kDepositRef);
    EXPECT_NE(plain[0].deposit_problem.find("this chain has no Bridge"), std::string::npos);
}

// A message may take only deposits from L1 blocks up to its own; a deposit made after the
// batch's inclusion block does not exist for that batch even when the reader has read it.
TEST(InboxDeposits, TooNewAndMissingDeposits) {
    BridgeEnv env;
    const auto d0 = env.deposit(addr(1), uint256(1));
    DepositReader deposits(*env.rpc, env.deposit_config());
    deposits.ensure(0, env.latest().number);
    // The message names the block before the deposit's.
    auto early = env.message_on(d0.block_number - 1, {Bytes{0x02, 1}});
    early.deposit_ref = batch::DepositRef{0, 1, deposits.get(0)->acc};
    env.post({early});
    // A ref to deposit 1, which is made only after the batch lands.
    auto m = env.message_on(env.latest().number, {Bytes{0x02, 2}});
    m.deposit_ref = batch::DepositRef{0, 2, Hash32{}};
    const auto posted = env.post({m});
    env.deposit(addr(2), uint256(2));
    env.mine(1);

    auto cfg = env.reader_config();
    DepositReader reader_deposits(*env.rpc, env.deposit_config());
    reader_deposits.ensure(0, env.latest().number);  // already read past the batches
    cfg.deposits = &reader_deposits;
    InboxReader reader(*env.rpc, cfg);
    const auto batches = read_all(reader);
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0].resolved.invalid, batch::ResolveError::kDepositRef);
    EXPECT_NE(batches[0].deposit_problem.find("references deposit 0 from L1 block " +
                                              std::to_string(d0.block_number) +
                                              ", after the message's L1 block"),
              std::string::npos)
        << batches[0].deposit_problem;
    EXPECT_EQ(batches[1].resolved.invalid, batch::ResolveError::kDepositRef);
    EXPECT_NE(batches[1].deposit_problem.find(
                  "references deposit 1, which does not exist on L1 (the Bridge's deposits up "
                  "to the batch's L1 block " +
                  std::to_string(posted.receipt.block_number)),
              std::string::npos)
        << batches[1].deposit_problem;
}

}  // namespace
}  // namespace fuse::inbox
