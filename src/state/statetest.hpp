#pragma once
/// The core of the state-test runner (`fusel2 statetest`): one fixture case = one transaction
/// applied to a pre-state in a one-transaction block, checked against the expected state root,
/// logs hash and exception (see /work/shared/ethtests/README.md). JSON parsing lives in the
/// node command; this part knows nothing of files.

#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "evm/host.hpp"
#include "state/state.hpp"
#include "state/transition.hpp"

namespace fuse::state {

/// One post entry of a fixture.
struct StateTestExpectation {
    Bytes txbytes;                 ///< the signed EIP-2718 transaction
    Hash32 state_root;             ///< `hash`
    Hash32 logs_hash;              ///< `logs`
    std::string expect_exception;  ///< `expectException` ("A|B" accepts either); empty if valid
};

/// Verdict of one case; `detail` says what differed (empty when passed).
struct StateTestOutcome {
    bool passed = false;
    std::string detail;
};

/// BLOCKHASH in state tests: keccak256 of the decimal block number, as the reference runners
/// (geth's, retesteth's) fill them.
Hash32 state_test_block_hash(int64_t number);

/// Runs one case: decodes `txbytes`, recovers the sender, validates and applies the transaction
/// on an overlay of `pre`, and compares root, logs and exception with the expectation.
StateTestOutcome run_state_test_case(const InMemoryState& pre, const BlockEnv& env,
                                     evm::Revision rev, const Address& fixture_sender,
                                     const StateTestExpectation& expected);

}  // namespace fuse::state
