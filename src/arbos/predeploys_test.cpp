#include "arbos/predeploys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "arbos/memory_world.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"

using namespace fuse;
using namespace fuse::arbos;

namespace {

constexpr uint64_t kChainId = 412346;

Address addr(const char* hex) {
    return address_from_hex(hex).value();
}

Hash32 hash(const char* hex) {
    return hash_from_hex(hex).value();
}

/// Runtime code hashes published for the canonical deployments (the same on every chain: none
/// of these embeds the chain id). Multicall3: the runtime of its deployment transaction
/// 0x07471adf…4ed1 (mds1/multicall3); the CREATE2 deployer and the Safe factory (the same
/// contract): Arachnid's deterministic-deployment-proxy; EntryPoint v0.7 and the SenderCreator its
/// constructor deploys: eth-infinitism's deployment (the hashes Alchemy's modular-account tests
/// assert).
struct Published {
    const char* address;
    const char* code_hash;
};
const Published kPublished[] = {
    {"0xcA11bde05977b3631167028862bE2a173976CA11",
     "0xd5c15df687b16f2ff992fc8d767b4216323184a2bbc6ee2f9c398c318e770891"},
    {"0x4e59b44847b379578588920cA78FbF26c0B4956C",
     "0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989"},
    {"0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7",
     "0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989"},
    {"0x0000000071727De22E5E9d8BAf0edAc6f37da032",
     "0x8db5ff695839d655407cc8490bb7a5d82337a86a6b39c3f0258aa6c3b582fc58"},
    {"0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C",  // SenderCreator (EntryPoint's constructor)
     "0x283c9d14378f5f4c4e24045b87d621d48443fa5b4af7dd7180a599b3756a7689"},
};

Hash32 code_hash_at(const MemoryWorld& w, const Address& a) {
    auto acc = w.read_account(a).value();
    return acc ? acc->code_hash : Hash32{};
}

const Address kPermit2 = addr("0x000000000022D473030F116dDEE9F6B43aC78BA3");

Bytes code_at(const MemoryWorld& w, const Address& a) {
    auto acc = w.read_account(a).value();
    return acc ? w.read_code(acc->code_hash).value() : Bytes{};
}

/// Permit2's EIP-712 domain separator for `chain_id`:
/// keccak(typeHash ‖ keccak("Permit2") ‖ chainId ‖ address), each a 32-byte word.
Hash32 permit2_domain_separator(uint64_t chain_id) {
    Bytes enc;
    auto word = [&enc](ByteView w) {
        Bytes pad(32 - w.size(), 0);
        enc.insert(enc.end(), pad.begin(), pad.end());
        enc.insert(enc.end(), w.begin(), w.end());
    };
    const std::string type = "EIP712Domain(string name,uint256 chainId,address verifyingContract)";
    const std::string name = "Permit2";
    word(keccak256(ByteView(reinterpret_cast<const uint8_t*>(type.data()), type.size())).view());
    word(keccak256(ByteView(reinterpret_cast<const uint8_t*>(name.data()), name.size())).view());
    word(uint256(chain_id).to_hash().view());
    word(kPermit2.view());
    return keccak256(enc);
}

/// Where `needle` occurs in `hay`, every offset.
std::vector<size_t> find_all(const Bytes& hay, ByteView needle) {
    std::vector<size_t> at;
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (std::equal(needle.begin(), needle.end(), hay.begin() + static_cast<long>(i)))
            at.push_back(i);
    return at;
}

TEST(Predeploys, TableHasTheFiveStandardContractsInDeploymentOrder) {
    const auto names = standard_predeploy_names();
    ASSERT_EQ(names.size(), 5u);
    EXPECT_EQ(names[0], "multicall3");
    EXPECT_EQ(names[1], "create2Deployer");
    EXPECT_EQ(names[2], "safeSingletonFactory");
    EXPECT_EQ(names[3], "entryPointV07");
    EXPECT_EQ(names[4], "permit2");
    const Predeploy* ep = find_predeploy("entryPointV07");
    ASSERT_NE(ep, nullptr);
    ASSERT_TRUE(ep->factory);
    EXPECT_EQ(*ep->factory, find_predeploy("create2Deployer")->address);
    EXPECT_EQ(find_predeploy("nope"), nullptr);
    EXPECT_FALSE(l2_gateway_runtime().empty());
}

TEST(Predeploys, DevGenesisHoldsThePublishedRuntimeCode) {
    MemoryWorld w;
    make_genesis_block(w, dev_genesis(kChainId));
    for (const Published& p : kPublished)
        EXPECT_EQ(code_hash_at(w, addr(p.address)), hash(p.code_hash)) << p.address;
    // Created contracts have nonce 1 (EIP-161); the EntryPoint created SenderCreator (nonce 2).
    EXPECT_EQ(w.read_account(addr("0xcA11bde05977b3631167028862bE2a173976CA11")).value()->nonce,
              1u);
    EXPECT_EQ(w.read_account(addr("0x0000000071727De22E5E9d8BAf0edAc6f37da032")).value()->nonce,
              2u);
    // The CREATE2 deployer's own nonce counts its create, as on every chain it ran on.
    EXPECT_EQ(w.read_account(addr("0x4e59b44847b379578588920cA78FbF26c0B4956C")).value()->nonce,
              2u);
}

TEST(Predeploys, TheCodeDoesNotDependOnTheChainIdButTheGenesisHashCommitsToIt) {
    MemoryWorld a, b, none;
    const Block ga = make_genesis_block(a, dev_genesis(1));
    const Block gb = make_genesis_block(b, dev_genesis(2));
    for (const Published& p : kPublished)
        EXPECT_EQ(code_hash_at(a, addr(p.address)), code_hash_at(b, addr(p.address)));
    // Permit2 is the one that does embed it (docs/genesis.md "Permit2").
    EXPECT_NE(code_hash_at(a, kPermit2), code_hash_at(b, kPermit2));
    Genesis without = dev_genesis(1);
    without.predeploys.clear();
    const Block gn = make_genesis_block(none, without);
    EXPECT_NE(ga.hash, gn.hash);
    EXPECT_NE(ga.hash, gb.hash);
    EXPECT_FALSE(none.read_account(addr("0xcA11bde05977b3631167028862bE2a173976CA11")).value());
}

TEST(Predeploys, Permit2HoldsTheChainsIdAndDomainSeparatorAsItsImmutables) {
    // The two chains' Permit2 code differs in exactly the two immutable words: the chain id and
    // the EIP-712 domain separator computed here independently of the Solidity that wrote them.
    MemoryWorld a, b;
    make_genesis_block(a, dev_genesis(kChainId));
    make_genesis_block(b, dev_genesis(1));
    const Bytes ca = code_at(a, kPermit2), cb = code_at(b, kPermit2);
    ASSERT_GT(ca.size(), 9000u);
    ASSERT_EQ(ca.size(), cb.size());
    EXPECT_EQ(a.read_account(kPermit2).value()->nonce, 1u);
    const Hash32 id_a = uint256(kChainId).to_hash(), id_b = uint256(1).to_hash();
    const Hash32 sep_a = permit2_domain_separator(kChainId), sep_b = permit2_domain_separator(1);
    const auto at_id = find_all(ca, id_a.view());
    const auto at_sep = find_all(ca, sep_a.view());
    ASSERT_EQ(at_id.size(), 1u);
    ASSERT_EQ(at_sep.size(), 1u);
    EXPECT_EQ(find_all(cb, id_b.view()), at_id);
    EXPECT_EQ(find_all(cb, sep_b.view()), at_sep);
    size_t differing = 0;
    for (size_t i = 0; i < ca.size(); ++i) {
        if (ca[i] == cb[i]) continue;
        ++differing;
        const bool in_id = i >= at_id[0] && i < at_id[0] + 32;
        const bool in_sep = i >= at_sep[0] && i < at_sep[0] + 32;
        EXPECT_TRUE(in_id || in_sep) << "byte " << i << " differs outside the immutables";
    }
    EXPECT_GT(differing, 0u);
}

TEST(Predeploys, ListOrderDoesNotMatterAndASubsetWorks) {
    Genesis g1 = dev_genesis(kChainId), g2 = dev_genesis(kChainId);
    g2.predeploys = {"permit2", "entryPointV07", "safeSingletonFactory", "create2Deployer",
                     "multicall3"};
    MemoryWorld w1, w2;
    EXPECT_EQ(make_genesis_block(w1, g1).hash, make_genesis_block(w2, g2).hash);

    Genesis only = dev_genesis(kChainId);
    only.predeploys = {"multicall3"};
    MemoryWorld w3;
    make_genesis_block(w3, only);
    EXPECT_EQ(code_hash_at(w3, addr(kPublished[0].address)), hash(kPublished[0].code_hash));
    EXPECT_FALSE(w3.read_account(addr(kPublished[1].address)).value());
}

TEST(Predeploys, ParseChecksNamesDependenciesAndAllocConflicts) {
    Genesis g = dev_genesis(kChainId);
    g.predeploys = {"multicall3", "bogus"};
    auto r = parse_genesis(to_json(g));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("unknown predeploy \"bogus\""), std::string::npos) << r.error();

    g.predeploys = {"multicall3", "multicall3"};
    r = parse_genesis(to_json(g));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("listed twice"), std::string::npos) << r.error();

    g.predeploys = {"entryPointV07"};
    r = parse_genesis(to_json(g));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("list the predeploy at that address too"), std::string::npos)
        << r.error();

    g = dev_genesis(kChainId);
    g.alloc[addr("0xcA11bde05977b3631167028862bE2a173976CA11")].balance = uint256(1);
    r = parse_genesis(to_json(g));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("which the alloc also sets"), std::string::npos) << r.error();

    g = dev_genesis(kChainId);
    r = parse_genesis(to_json(g));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(*r, g);
}

TEST(Predeploys, AFileWithoutThemKeepsItsGenesisHash) {
    // An existing chain's file: no `predeploys`, no `arbosVersion` (Cancun rules).
    Genesis g = dev_genesis(kChainId);
    g.predeploys.clear();
    g.arbos_version = 1;
    std::string text = to_json(g);
    EXPECT_EQ(text.find("predeploys"), std::string::npos);
    auto parsed = parse_genesis(text);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->predeploys.empty());
    EXPECT_FALSE(parsed->l2_gateway_admin);
}

TEST(Predeploys, L2GatewayWithItsAdminInSlotZero) {
    Genesis g = dev_genesis(kChainId);
    const Address admin = addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    g.l2_gateway_admin = admin;
    auto parsed = parse_genesis(to_json(g));
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->l2_gateway_admin, admin);
    MemoryWorld w;
    make_genesis_block(w, *parsed);
    auto acc = w.read_account(kL2GatewayAddress).value();
    ASSERT_TRUE(acc);
    EXPECT_EQ(acc->nonce, 1u);
    EXPECT_EQ(acc->code_hash, keccak256(l2_gateway_runtime()));
    EXPECT_EQ(w.read_storage(kL2GatewayAddress, uint256{}).value(), uint256::from_be(admin.view()));
    EXPECT_TRUE(
        w.read_storage(kL2GatewayAddress, uint256(1)).value().is_zero());  // l1Gateway unset

    g.alloc[kL2GatewayAddress].balance = uint256(1);
    auto clash = parse_genesis(to_json(g));
    ASSERT_FALSE(clash);
    EXPECT_NE(clash.error().find("l2GatewayAdmin"), std::string::npos);
}

}  // namespace
