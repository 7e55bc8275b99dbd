// The EVM rules follow the ArbOS version stored in ArbOS's state (arbos/revision.hpp): version 1
// (a genesis file without `arbosVersion`) keeps Cancun, version 2 runs Prague — EIP-7702
// set-code transactions through the block builder, the EIP-7685 requests hash in the header —
// and version 3 adds the L1 data backlog (l1_pricing_test.cpp).
#include "arbos/revision.hpp"

#include <gtest/gtest.h>

#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"
#include "core/hash.hpp"
#include "core/secp256k1.hpp"
#include "state/host.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

Genesis genesis_at(uint64_t version) {
    Genesis g = dev_genesis(kChainId);
    g.arbos_version = version;
    g.predeploys.clear();
    return g;
}

/// A signed EIP-7702 transaction from dev account `from` delegating dev account `authority`'s
/// code to `target` (the authorization signed by `authority` for `auth_nonce`), calling `to`.
Bytes make_set_code_tx(size_t from, uint64_t nonce, size_t authority, uint64_t auth_nonce,
                       const Address& target, const Address& to, uint64_t gas = 100'000) {
    Authorization a;
    a.chain_id = uint256(kChainId);
    a.address = target;
    a.nonce = auth_nonce;
    const Signature sig = sign(a.signing_hash(), dev_accounts()[authority].private_key).value();
    a.y_parity = sig.y_parity;
    a.r = sig.r;
    a.s = sig.s;
    Transaction t;
    t.type = TxType::kSetCode;
    t.chain_id = kChainId;
    t.nonce = nonce;
    t.max_fee_per_gas = kGwei;
    t.gas_limit = gas;
    t.to = to;
    t.authorization_list = {a};
    EXPECT_TRUE(sign_transaction(t, dev_accounts()[from].private_key));
    return encode_transaction(t);
}

TEST(Revision, VersionSelectsTheRules) {
    EXPECT_EQ(revision_for(kArbosVersionCancun), evm::Revision::kCancun);
    EXPECT_EQ(revision_for(kArbosVersionPrague), evm::Revision::kPrague);
    EXPECT_EQ(revision_for(kArbosVersionL1Backlog), evm::Revision::kPrague);
    EXPECT_EQ(kArbosVersionLatest, kArbosVersionL1Backlog);
    // A file without arbosVersion is version 1: an existing chain keeps Cancun.
    Genesis g = genesis_at(kArbosVersionPrague);
    std::string text = to_json(g);
    const auto at = text.find("\"arbosVersion\": 2,");
    ASSERT_NE(at, std::string::npos) << text;
    text.erase(at, std::string("\"arbosVersion\": 2,").size());
    auto parsed = parse_genesis(text);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->arbos_version, kArbosVersionCancun);
    // A version this binary does not know is refused.
    g.arbos_version = kArbosVersionLatest + 1;
    auto future = parse_genesis(to_json(g));
    ASSERT_FALSE(future);
    EXPECT_NE(future.error().find("newer than this binary runs"), std::string::npos);
}

TEST(Revision, TheGenesisHashCommitsToTheVersion) {
    MemoryWorld a, b;
    const Block ga = make_genesis_block(a, genesis_at(1));
    const Block gb = make_genesis_block(b, genesis_at(2));
    EXPECT_NE(ga.hash, gb.hash);
    MemoryWorld c;
    EXPECT_NE(make_genesis_block(c, genesis_at(3)).hash, gb.hash);
    EXPECT_NE(ga.header.state_root, gb.header.state_root);  // slot 0 of ArbOS's account
    EXPECT_EQ(read_system_state(a).value().arbos_version, 1u);
    EXPECT_EQ(read_system_state(b).value().arbos_version, 2u);
    EXPECT_FALSE(ga.header.requests_hash);
    EXPECT_EQ(gb.header.requests_hash, kEmptyRequestsHash);
}

TEST(Revision, CancunChainRefusesSetCodeTransactions) {
    Chain c(genesis_at(kArbosVersionCancun));
    const Address target = addr("0x1111111111111111111111111111111111111111");
    BlockBuilder builder(c.world, c.genesis, c.head(), c.message({}));
    auto r = builder.add(make_set_code_tx(1, 0, 2, 0, target, dev_accounts()[2].address));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, state::TxReason::kUnsupportedType);
    const Block b = builder.finish().value();
    EXPECT_FALSE(b.header.requests_hash);
}

TEST(Revision, PragueChainDelegatesThroughTheBlockBuilder) {
    Chain c(genesis_at(kArbosVersionPrague));
    const Address target = addr("0x1111111111111111111111111111111111111111");
    const Address authority = dev_accounts()[2].address;
    const Message m = c.message({make_set_code_tx(1, 0, 2, 0, target, authority)});
    const Block& b = c.execute(m);
    ASSERT_EQ(b.txs.size(), 1u);
    const ExecutedTx& t = b.txs[0];
    EXPECT_EQ(t.tx.type, TxType::kSetCode);
    EXPECT_EQ(t.receipt.type, TxType::kSetCode);
    EXPECT_TRUE(t.receipt.success);
    EXPECT_EQ(b.header.requests_hash, kEmptyRequestsHash);
    // The authority's code is the delegation designator 0xef0100 ‖ target, its nonce bumped.
    const auto acc = c.world.read_account(authority).value();
    ASSERT_TRUE(acc);
    EXPECT_EQ(acc->nonce, 1u);
    Bytes want{0xef, 0x01, 0x00};
    want.insert(want.end(), target.bytes.begin(), target.bytes.end());
    EXPECT_EQ(c.world.read_code(acc->code_hash).value(), want);
    EXPECT_EQ(state::delegation_target(want), target);

    // The validator's replay of the same message gives the same block.
    Chain val(genesis_at(kArbosVersionPrague));
    const Block& vb = val.execute(m);
    EXPECT_EQ(vb.hash, b.hash);

    // A delegated EOA still sends transactions (EIP-3607 exempts delegations).
    const Block& b2 = c.execute(c.message({make_tx(2, 1, target, uint256(1))}));
    ASSERT_EQ(b2.txs.size(), 1u);
    EXPECT_TRUE(b2.txs[0].receipt.success);

    // Delegating to the zero address clears the code (EIP-7702).
    const Block& b3 = c.execute(c.message({make_set_code_tx(1, 1, 2, 2, Address{}, authority)}));
    ASSERT_EQ(b3.txs.size(), 1u);
    EXPECT_EQ(c.world.read_account(authority).value()->code_hash, kEmptyCodeHash);
}

TEST(Revision, CalldataFloorOnlyFromPrague) {
    // EIP-7623: a transaction of mostly calldata pays the floor (10 gas per token) in Prague.
    const Address to = addr("0x2222222222222222222222222222222222222222");
    const Bytes data(1000, 0x01);  // 1000 non-zero bytes: 4000 tokens
    uint64_t used[2];
    for (uint64_t v : {kArbosVersionCancun, kArbosVersionPrague}) {
        Chain c(genesis_at(v));
        const Block& b = c.execute(c.message({make_tx(1, 0, to, uint256(0), 100'000, data)}));
        ASSERT_EQ(b.txs.size(), 1u);
        used[v - 1] = b.txs[0].gas_used;
    }
    EXPECT_EQ(used[0], 21'000u + 16'000u);
    EXPECT_EQ(used[1], 21'000u + 40'000u);
}

}  // namespace
