// The validator's halts besides storage failures (docs/validator.md "Halts"), against a real anvil
// with the real SequencerInbox: a database that does not match its saved inbox cursor halts the
// validator with the reason (Status::halted) instead of throwing out of step(), which ended the
// node's validator thread (std::terminate) before.
#include <gtest/gtest.h>

#include <string>

#include "validator/test_env.hpp"

namespace fuse::validator {
namespace {

using namespace std::chrono_literals;
using testing::Env;
using testing::FreshNode;
using testing::run_until;

// A database whose chain is behind the cursor saved in it (e.g. restored from an older backup
// while the cursor came from a newer one): the next batch does not start where the chain ends.
// step() must not throw; the validator halts naming the batch and the blocks, and derives
// nothing more.
TEST(ValidatorHalts, DatabaseBehindItsCursorHaltsWithTheReasonInsteadOfThrowing) {
    Env env;
    env.seal(6);
    env.post_all();
    const uint64_t first_batches = env.batch_count();
    FreshNode node;
    {
        Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
        run_until(v, [&] { return v.status().batches_derived == first_batches; });
    }
    ASSERT_EQ(node.db->head(storage::Head::kLatest), 6u);
    ASSERT_TRUE(node.db->rewind_to(2));  // the cursor still says: every batch derived

    env.seal(3);
    env.post_all();
    std::vector<std::string> log;
    auto cfg = env.config(Mode::kFollow);
    cfg.log = [&log](const std::string& line) { log.push_back(line); };
    Validator v(*node.db, node.genesis, env.rpc, nullptr, cfg);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!v.status().halted && std::chrono::steady_clock::now() < deadline) {
        ASSERT_NO_THROW(v.step());
        std::this_thread::sleep_for(20ms);
    }
    const Status s = v.status();
    ASSERT_TRUE(s.halted) << s.last_error;
    EXPECT_EQ(*s.halted, "inconsistent data: batch " + std::to_string(first_batches) +
                             " starts after L2 block 6 but the database's chain ends at block 2 "
                             "(the database does not match its saved inbox cursor, e.g. a "
                             "database restored from another time; re-derive from an empty "
                             "datadir)");
    EXPECT_EQ(s.storage_errors, 0u);  // not a disk failure
    bool logged = false;
    for (const auto& line : log)
        logged = logged || line.starts_with("HALTED: inconsistent data: batch ");
    EXPECT_TRUE(logged);
    // Halted: later rounds do nothing.
    for (int i = 0; i < 5; ++i)
        ASSERT_NO_THROW(v.step());
    EXPECT_EQ(node.db->head(storage::Head::kLatest), 2u);
}

}  // namespace
}  // namespace fuse::validator
