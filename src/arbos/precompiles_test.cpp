#include "arbos/precompiles.hpp"

#include <gtest/gtest.h>

#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"
#include "core/hash.hpp"
#include "state/host.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

const uint256 kEth = uint256(1'000'000'000'000'000'000ull);

/// A forwarding contract: calldata = target (20 bytes) ‖ payload. It CALLs target with the
/// payload and the call value, stores the first returned word in slot 0, and returns (or
/// reverts with) the callee's return data.
const Bytes kProxyRuntime = from_hex(
                                "0x601436038060146000376000600082600034600035606"
                                "01c5af13d600060003e6027573d6000fd5b60005160005"
                                "53d6000f3")
                                .value();

Bytes proxy_initcode() {
    Bytes code = {0x60, static_cast<uint8_t>(kProxyRuntime.size()),
                  0x80, 0x60,
                  0x0b, 0x60,
                  0x00, 0x39,
                  0x60, 0x00,
                  0xf3};
    code.insert(code.end(), kProxyRuntime.begin(), kProxyRuntime.end());
    return code;
}

Bytes via(const Address& target, const Bytes& payload) {
    return cat({Bytes(target.bytes.begin(), target.bytes.end()), payload});
}

struct PrecompilesTest : ::testing::Test {
    Chain chain{dev_genesis(kChainId)};
    Address proxy;
    const uint256 l1_base_fee = uint256(50'000'000);
    uint64_t nonce0 = 0;

    void SetUp() override {
        const Block& b = chain.execute(chain.message(
            {make_tx(0, nonce0++, std::nullopt, uint256(0), 300'000, proxy_initcode())}, 1,
            l1_base_fee, 40));
        ASSERT_EQ(b.txs.size(), 1u);
        ASSERT_TRUE(b.txs[0].contract_address);
        proxy = *b.txs[0].contract_address;
        EXPECT_EQ(proxy, state::create_address(dev_accounts()[0].address, 0));
    }

    CallResult call(const Bytes& data, const uint256& value = uint256(0)) {
        CallRequest req;
        req.from = dev_accounts()[0].address;
        req.to = proxy;
        req.data = data;
        req.value = value;
        auto r = simulate_call(chain.world, chain.genesis, chain.head(), req, false);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : CallResult{};
    }
    uint256 slot0() const { return chain.world.read_storage(proxy, uint256(0)).value(); }
};

TEST_F(PrecompilesTest, ArbSysViewsFromContract) {
    const uint64_t next = chain.head().header.number + 1;
    CallResult r = call(via(kArbSysAddress, sel("arbBlockNumber()")));
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(word_at(r.output, 0), uint256(next));
    EXPECT_EQ(word_at(call(via(kArbSysAddress, sel("arbChainID()"))).output, 0), uint256(kChainId));
    EXPECT_EQ(word_at(call(via(kArbSysAddress, sel("arbOSVersion()"))).output, 0),
              uint256(55 + kArbosVersionLatest));
    EXPECT_EQ(word_at(call(via(kArbSysAddress, sel("getStorageGasAvailable()"))).output, 0),
              uint256(0));
    EXPECT_EQ(word_at(call(via(kArbSysAddress, sel("wasMyCallersAddressAliased()"))).output, 0),
              uint256(0));
    r = call(via(kArbSysAddress,
                 cat({sel("mapL1SenderContractAddressToL2Alias(address,address)"),
                      word(uint256::from_hex("0xffffffffffffffffffffffffffffffffffffeeee").value()),
                      word(uint256(0))})));
    ASSERT_TRUE(r.success);
    EXPECT_EQ(word_at(r.output, 0),
              uint256::from_hex("0x1110ffffffffffffffffffffffffffffffffffff").value());
    // Block hash of the parent; the current block is out of range (InvalidBlockNumber error).
    const uint64_t parent = chain.head().header.number;
    r = call(via(kArbSysAddress, cat({sel("arbBlockHash(uint256)"), word(uint256(parent))})));
    ASSERT_TRUE(r.success);
    EXPECT_EQ(word_at(r.output, 0).to_hash(), chain.head().hash);
    r = call(via(kArbSysAddress, cat({sel("arbBlockHash(uint256)"), word(uint256(next))})));
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error, "execution reverted");
    ASSERT_EQ(r.output.size(), 4u + 64u);
    EXPECT_EQ(Bytes(r.output.begin(), r.output.begin() + 4),
              sel("InvalidBlockNumber(uint256,uint256)"));
    // Unknown selectors and value sent to a view revert.
    r = call(via(kArbSysAddress, sel("noSuchMethod()")));
    EXPECT_FALSE(r.success);
    r = call(via(kArbSysAddress, sel("arbChainID()")), uint256(1));
    EXPECT_FALSE(r.success);
}

TEST_F(PrecompilesTest, IsTopLevelCallDependsOnDepth) {
    // Nitro's rule (evm.Depth() <= 2, 1-based, the precompile's frame counted): EOA -> ArbSys
    // and EOA -> proxy -> ArbSys are top level, EOA -> proxy -> proxy -> ArbSys is not.
    const Bytes q = sel("isTopLevelCall()");
    EXPECT_EQ(word_at(call(via(kArbSysAddress, q)).output, 0), uint256(1));
    const CallResult r = call(via(proxy, via(kArbSysAddress, q)));
    ASSERT_TRUE(r.success);
    EXPECT_EQ(word_at(r.output, 0), uint256(0));
    // EOA -> ArbSys directly.
    CallRequest req;
    req.to = kArbSysAddress;
    req.data = sel("isTopLevelCall()");
    auto d = simulate_call(chain.world, chain.genesis, chain.head(), req, false);
    ASSERT_TRUE(d);
    EXPECT_EQ(word_at(d->output, 0), uint256(1));
}

TEST_F(PrecompilesTest, ArbGasInfoPrices) {
    const SystemState s = read_system_state(chain.world).value();
    const FeeParams& f = chain.genesis.fees;
    EXPECT_EQ(s.l1_base_fee, l1_base_fee);
    CallResult r = call(via(kArbGasInfoAddress, sel("getPricesInWei()")));
    ASSERT_TRUE(r.success);
    ASSERT_EQ(r.output.size(), 6u * 32);
    const uint256 per_byte = uint256(16) * l1_base_fee;
    EXPECT_EQ(word_at(r.output, 0), per_byte * uint256(140));
    EXPECT_EQ(word_at(r.output, 1), per_byte);
    EXPECT_EQ(word_at(r.output, 2), s.l2_base_fee * uint256(20'000));
    EXPECT_EQ(word_at(r.output, 3), f.min_base_fee);
    EXPECT_EQ(word_at(r.output, 4), s.l2_base_fee - f.min_base_fee);
    EXPECT_EQ(word_at(r.output, 5), s.l2_base_fee);
    r = call(via(kArbGasInfoAddress, sel("getPricesInArbGas()")));
    ASSERT_EQ(r.output.size(), 3u * 32);
    EXPECT_EQ(word_at(r.output, 1), per_byte / s.l2_base_fee);
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getL1BaseFeeEstimate()"))).output, 0),
              l1_base_fee);
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getL1GasPriceEstimate()"))).output, 0),
              l1_base_fee);
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getMinimumGasPrice()"))).output, 0),
              f.min_base_fee);
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getGasBacklog()"))).output, 0),
              uint256(s.gas_backlog));
    EXPECT_GT(s.gas_backlog, 0u);  // the deployment's gas, not yet drained (1 s elapsed)
    const Bytes any_aggregator = word(uint256(0xabc));
    EXPECT_EQ(call(via(kArbGasInfoAddress,
                       cat({sel("getPricesInWeiWithAggregator(address)"), any_aggregator})))
                  .output,
              call(via(kArbGasInfoAddress, sel("getPricesInWei()"))).output);
    EXPECT_EQ(call(via(kArbGasInfoAddress,
                       cat({sel("getPricesInArbGasWithAggregator(address)"), any_aggregator})))
                  .output,
              call(via(kArbGasInfoAddress, sel("getPricesInArbGas()"))).output);
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getPricingInertia()"))).output, 0),
              uint256(f.pricing_inertia));
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getGasBacklogTolerance()"))).output, 0),
              uint256(f.backlog_tolerance_seconds));
    r = call(via(kArbGasInfoAddress, sel("getGasAccountingParams()")));
    ASSERT_EQ(r.output.size(), 3u * 32);
    EXPECT_EQ(word_at(r.output, 0), uint256(f.speed_limit_per_second));
    EXPECT_EQ(word_at(r.output, 1), uint256(f.block_gas_limit));
    EXPECT_EQ(word_at(r.output, 2), uint256(f.block_gas_limit));
    // Outside a transaction (eth_call without the L1 charge) the current tx's L1 fee is 0.
    EXPECT_EQ(word_at(call(via(kArbGasInfoAddress, sel("getCurrentTxL1GasFees()"))).output, 0),
              uint256(0));
    EXPECT_FALSE(call(via(kArbGasInfoAddress, sel("getNothing()"))).success);
    // Calls cost gas: more than a plain call to an empty account, far less than a transfer.
    const CallResult priced = call(via(kArbGasInfoAddress, sel("getPricesInWei()")));
    EXPECT_GT(priced.gas_used, 21'000u + 2 * 800);
    EXPECT_LT(priced.gas_used, 21'000u + 40'000);
}

TEST_F(PrecompilesTest, CurrentTxL1GasFeesSeenInsideTheTransaction) {
    const Block& b = chain.execute(
        chain.message({make_tx(0, nonce0++, proxy, uint256(0), 200'000,
                               via(kArbGasInfoAddress, sel("getCurrentTxL1GasFees()")))},
                      1, l1_base_fee, 41));
    ASSERT_EQ(b.txs.size(), 1u);
    ASSERT_TRUE(b.txs[0].receipt.success);
    EXPECT_GT(b.txs[0].gas_used_for_l1, 0u);
    // The fee in wei (Nitro's PosterFee); the receipt's gas is it rounded up to whole gas.
    const uint256 price = b.txs[0].effective_gas_price;
    EXPECT_LE(slot0(), uint256(b.txs[0].gas_used_for_l1) * price);
    EXPECT_GT(slot0(), uint256(b.txs[0].gas_used_for_l1 - 1) * price);
}

TEST_F(PrecompilesTest, SendTxToL1EmitsEventsAndAccumulatesTheSendRoot) {
    const Address dest = addr("0x00000000000000000000000000000000000d0d0d");
    const Bytes payload = {0xde, 0xad, 0xbe, 0xef, 0x01};
    const Bytes call_data =
        cat({sel("sendTxToL1(address,bytes)"), word(uint256::from_be(dest.view())),
             word(uint256(64)), word(uint256(payload.size())), payload, Bytes(27, 0)});
    const uint256 before = chain.balance(dev_accounts()[0].address);
    const Block& b1 = chain.execute(
        chain.message({make_tx(0, nonce0++, proxy, kEth, 300'000, via(kArbSysAddress, call_data))},
                      2, l1_base_fee, 42));
    ASSERT_EQ(b1.txs.size(), 1u);
    const ExecutedTx& t = b1.txs[0];
    ASSERT_TRUE(t.receipt.success);
    EXPECT_EQ(chain.balance(kArbSysAddress), uint256(0));  // burnt
    EXPECT_EQ(chain.balance(proxy), uint256(0));
    EXPECT_EQ(chain.balance(dev_accounts()[0].address),
              before - kEth - uint256(t.gas_used) * t.effective_gas_price);
    ASSERT_EQ(t.receipt.logs.size(), 1u);
    const Log& ev = t.receipt.logs[0];
    EXPECT_EQ(ev.address, kArbSysAddress);
    ASSERT_EQ(ev.topics.size(), 4u);
    const std::string sig =
        "L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)";
    EXPECT_EQ(ev.topics[0], keccak256({reinterpret_cast<const uint8_t*>(sig.data()), sig.size()}));
    EXPECT_EQ(ev.topics[1], uint256::from_be(dest.view()).to_hash());
    // sendHash = keccak(caller ‖ dest ‖ L2 block ‖ L1 block ‖ timestamp ‖ value ‖ data).
    const Bytes pre =
        cat({Bytes(proxy.bytes.begin(), proxy.bytes.end()),
             Bytes(dest.bytes.begin(), dest.bytes.end()), word(uint256(b1.header.number)),
             word(uint256(42)), word(uint256(b1.header.timestamp)), word(kEth), payload});
    const Hash32 h1 = keccak256(pre);
    EXPECT_EQ(ev.topics[2], h1);
    EXPECT_EQ(ev.topics[3], uint256(0).to_hash());  // position: leaf 0
    ASSERT_EQ(ev.data.size(), 7u * 32 + 32);
    EXPECT_EQ(word_at(ev.data, 0), uint256::from_be(proxy.view()));
    EXPECT_EQ(word_at(ev.data, 1), uint256(b1.header.number));
    EXPECT_EQ(word_at(ev.data, 2), uint256(42));
    EXPECT_EQ(word_at(ev.data, 3), uint256(b1.header.timestamp));
    EXPECT_EQ(word_at(ev.data, 4), kEth);
    EXPECT_EQ(word_at(ev.data, 6), uint256(payload.size()));
    EXPECT_EQ(slot0(), uint256(0));  // returned the leaf number 0
    // One leaf: the root is the hashed leaf; the header carries it.
    const Hash32 leaf1 = keccak256(h1.view());
    EXPECT_EQ(b1.send_count, 1u);
    EXPECT_EQ(b1.send_root, leaf1);
    EXPECT_EQ(b1.header.extra_data, Bytes(leaf1.bytes.begin(), leaf1.bytes.end()));
    EXPECT_EQ(b1.header.mix_hash[7], 1);  // send count in mixHash[0..8)

    // withdrawEth straight from an EOA: caller is the EOA, leaf 1, one SendMerkleUpdate.
    const Block& b2 = chain.execute(chain.message(
        {make_tx(2, 0, kArbSysAddress, uint256(5), 300'000,
                 cat({sel("withdrawEth(address)"), word(uint256::from_be(dest.view()))}))},
        1, l1_base_fee, 42));
    ASSERT_EQ(b2.txs.size(), 1u);
    ASSERT_TRUE(b2.txs[0].receipt.success);
    const auto& logs = b2.txs[0].receipt.logs;
    ASSERT_EQ(logs.size(), 2u);
    const Bytes pre2 =
        cat({Bytes(dev_accounts()[2].address.bytes.begin(), dev_accounts()[2].address.bytes.end()),
             Bytes(dest.bytes.begin(), dest.bytes.end()), word(uint256(b2.header.number)),
             word(uint256(42)), word(uint256(b2.header.timestamp)), word(uint256(5))});
    const Hash32 h2 = keccak256(pre2);
    const Hash32 leaf2 = keccak256(h2.view());
    const Hash32 node = keccak256(cat({Bytes(leaf1.bytes.begin(), leaf1.bytes.end()),
                                       Bytes(leaf2.bytes.begin(), leaf2.bytes.end())}));
    const std::string upd = "SendMerkleUpdate(uint256,bytes32,uint256)";
    EXPECT_EQ(logs[0].topics[0],
              keccak256({reinterpret_cast<const uint8_t*>(upd.data()), upd.size()}));
    EXPECT_EQ(logs[0].topics[2], node);
    EXPECT_EQ(logs[0].topics[3], ((uint256(1) << 192) | uint256(1)).to_hash());
    EXPECT_EQ(logs[1].topics[2], h2);
    EXPECT_EQ(logs[1].topics[3], uint256(1).to_hash());
    EXPECT_EQ(b2.send_count, 2u);
    EXPECT_EQ(b2.send_root, node);
    EXPECT_EQ(read_system_state(chain.world).value().send_root, node);

    // A simulated send succeeds but writes nothing.
    CallRequest req;
    req.from = dev_accounts()[0].address;
    req.to = kArbSysAddress;
    req.data = cat({sel("withdrawEth(address)"), word(uint256(1))});
    EXPECT_TRUE(simulate_call(chain.world, chain.genesis, chain.head(), req, false)->success);
    EXPECT_EQ(read_system_state(chain.world).value().send_count, 2u);  // simulate wrote nothing

    // sendMerkleTreeState (address zero only): size 2, the root, partials [0, node].
    CallRequest state_req;
    state_req.to = kArbSysAddress;
    state_req.data = sel("sendMerkleTreeState()");
    auto st = simulate_call(chain.world, chain.genesis, chain.head(), state_req, false);
    ASSERT_TRUE(st && st->success);
    ASSERT_EQ(st->output.size(), 6u * 32);
    EXPECT_EQ(word_at(st->output, 0), uint256(2));
    EXPECT_EQ(word_at(st->output, 1).to_hash(), node);
    EXPECT_EQ(word_at(st->output, 2), uint256(96));
    EXPECT_EQ(word_at(st->output, 3), uint256(2));
    EXPECT_EQ(word_at(st->output, 4), uint256(0));
    EXPECT_EQ(word_at(st->output, 5).to_hash(), node);
    state_req.from = dev_accounts()[0].address;
    st = simulate_call(chain.world, chain.genesis, chain.head(), state_req, false);
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->success);
}

TEST(MerkleAccumulator, ThreeLeavesRootAsNitro) {
    MemoryWorld w;
    state::ExecState st(w);
    SystemStorage s(st);
    Hash32 items[3];
    for (int i = 0; i < 3; ++i)
        items[i][31] = static_cast<uint8_t>(i + 1);
    for (const Hash32& it : items)
        s.append_send(it);
    auto h = [](const Hash32& a, const Hash32& b) {
        Bytes buf(a.bytes.begin(), a.bytes.end());
        buf.insert(buf.end(), b.bytes.begin(), b.bytes.end());
        return keccak256(buf);
    };
    const Hash32 l0 = keccak256(items[0].view()), l1 = keccak256(items[1].view()),
                 l2 = keccak256(items[2].view());
    // Three leaves: partial[0] = l2, partial[1] = h(l0, l1); the root pads l2 to capacity 2.
    EXPECT_EQ(s.send_root(), h(h(l0, l1), h(l2, Hash32{})));
    EXPECT_EQ(s.get_u64(Slot::kSendCount), 3u);
}

}  // namespace
