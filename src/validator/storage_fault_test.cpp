// The validator under the storage error policy (docs/storage.md "Errors"), on RocksDB with a
// fault-injecting file system and a real anvil: a write that fails (the blocks of a batch, the
// inbox cursor) or a read that fails while deriving halts the validator before any root built
// on it is posted; the halt says why; a restart on a healed disk resumes from what is durable
// and derives the same chain.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/fault_injection.hpp"
#include "validator/test_env.hpp"

namespace fuse::validator {
namespace {

using namespace std::chrono_literals;
using testing::Env;
using testing::expect_same_chain;
using testing::FreshNode;
using testing::run_until;

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

uint64_t posted_roots(Env& env) {
    return l1::call_u64(env.rpc, env.rollup, l1::encode_call(l1::sig::kPostedBatchCount),
                        "RollupCore postedBatchCount()");
}

/// Rounds of a halted validator: nothing may change.
void step_a_while(Validator& v) {
    for (int i = 0; i < 10; ++i) {
        v.step();
        std::this_thread::sleep_for(20ms);
    }
}

// The disk fails while the proposer derives new batches: the commit fails, the validator halts
// with the reason, posts no root for them and derives nothing more; restarted on a healed disk it
// resumes at the last durable block and posts every root.
TEST(ValidatorStorageFaults, FailedCommitHaltsBeforeAnyRootAndARestartResumes) {
    Env env;
    env.seal(6);
    env.post_all();
    const uint64_t first = env.batch_count();
    const uint64_t durable = env.chain.blocks.size() - 1;
    storage::FaultInjection faults;
    FreshNode node(faults.env());
    std::vector<std::string> log;
    auto cfg = env.config(Mode::kPropose);
    cfg.log = [&log](const std::string& line) { log.push_back(line); };
    {
        Validator v(*node.db, node.genesis, env.rpc, &env.proposer_sender, cfg);
        run_until(v, [&] {
            const Status s = v.status();
            return s.roots_posted == first && s.roots_in_flight == 0 &&
                   s.finalized_block == durable;
        });
        env.seal(6);
        env.post_all();
        ASSERT_GT(env.batch_count(), first);

        faults.fail_writes();
        run_until(v, [&] { return v.status().halted.has_value(); });
        const Status s = v.status();
        EXPECT_TRUE(starts_with(
            *s.halted, "storage: committing L2 blocks " + std::to_string(durable + 1) + ".."))
            << *s.halted;
        EXPECT_TRUE(contains(*s.halted, "injected")) << *s.halted;
        EXPECT_EQ(s.storage_errors, 1u);
        EXPECT_EQ(s.derived_block, durable);
        EXPECT_GT(faults.failed_writes(), 0u);
        bool logged = false;
        for (const auto& line : log)
            logged |= starts_with(line, "HALTED: " + *s.halted);
        EXPECT_TRUE(logged);

        step_a_while(v);
        EXPECT_EQ(v.status().derived_block, durable);
        EXPECT_EQ(v.status().storage_errors, 1u);
        EXPECT_EQ(posted_roots(env), first);  // nothing built on the failed write was posted
    }
    EXPECT_EQ(node.db->head(storage::Head::kLatest).value_or(0), durable);

    faults.heal();
    node.open(faults.env());
    Validator v(*node.db, node.genesis, env.rpc, &env.proposer_sender, cfg);
    EXPECT_EQ(v.status().derived_block, durable);
    EXPECT_FALSE(v.status().halted);
    const uint64_t all = env.batch_count();
    run_until(v, [&] { return v.status().roots_posted == all; });
    expect_same_chain(env.chain, *node.db);
    EXPECT_EQ(posted_roots(env), all);
}

// L1 moves on without a batch and the inbox cursor cannot be saved: halted with the reason;
// after a restart the validator reads from its last saved cursor and derives what came since.
TEST(ValidatorStorageFaults, FailedCursorSaveHaltsAndARestartResumes) {
    Env env;
    env.seal(4);
    env.post_all();
    storage::FaultInjection faults;
    FreshNode node(faults.env());
    const uint64_t durable = env.chain.blocks.size() - 1;
    {
        Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
        run_until(v, [&] { return v.status().derived_block == durable; });
        faults.fail_writes();
        env.rpc.request("anvil_mine", nlohmann::json::array({3}));
        run_until(v, [&] { return v.status().halted.has_value(); });
        EXPECT_TRUE(starts_with(*v.status().halted, "storage: saving the inbox cursor failed: "))
            << *v.status().halted;
        step_a_while(v);
        EXPECT_EQ(v.status().derived_block, durable);
    }
    faults.heal();
    node.open(faults.env());
    env.seal(4);
    env.post_all();
    Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
    run_until(v, [&] { return v.status().derived_block == env.chain.blocks.size() - 1; });
    EXPECT_FALSE(v.status().halted);
    expect_same_chain(env.chain, *node.db);
}

// The disk fails the reads of the state's table files while the next batch is derived: the
// validator halts (nothing of the batch is written) and resumes after a restart.
TEST(ValidatorStorageFaults, ReadFailureWhileDerivingHaltsAndARestartResumes) {
    Env env;
    env.seal(4);
    env.post_all();
    storage::FaultInjection faults;
    FreshNode node(faults.env());
    const uint64_t durable = env.chain.blocks.size() - 1;
    {
        Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
        run_until(v, [&] { return v.status().derived_block == durable; });
    }
    node.open(faults.env());  // what was committed is now in table files
    env.seal(4);
    env.post_all();
    {
        Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
        faults.fail_reads();
        run_until(v, [&] { return v.status().halted.has_value(); });
        const std::string why = *v.status().halted;
        EXPECT_TRUE(starts_with(why, "storage: reading the ")) << why;
        EXPECT_TRUE(contains(why, "injected read fault")) << why;
        faults.heal();
        step_a_while(v);  // halted for good, even with the disk back
        EXPECT_EQ(v.status().derived_block, durable);
    }
    EXPECT_EQ(node.db->head(storage::Head::kLatest).value_or(0), durable);
    node.open(faults.env());
    Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
    run_until(v, [&] { return v.status().derived_block == env.chain.blocks.size() - 1; });
    expect_same_chain(env.chain, *node.db);
}

}  // namespace
}  // namespace fuse::validator
