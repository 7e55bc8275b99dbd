#include "arbos/precompiles.hpp"

#include <algorithm>
#include <cstring>

#include "core/hash.hpp"

namespace fuse::arbos {

using evm::ExecResult;
using evm::Status;

namespace {

/// Nitro's l1pricing.TxFixedCostEstimate: bytes assumed for a transaction without calldata.
constexpr uint64_t kTxFixedCostEstimate = 140;
/// params.SstoreSetGas: the L2 gas of one storage allocation (getPricesIn*).
constexpr uint64_t kStorageArbGas = 20'000;

Hash32 keccak_str(std::string_view s) {
    return keccak256({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

int64_t words(size_t n) {
    return static_cast<int64_t>((n + 31) / 32);
}

/// A result under construction: output words and the gas spent so far.
struct Call {
    explicit Call(const evm::Message& m) : msg(m) {}
    const evm::Message& msg;
    int64_t cost = 0;
    Bytes out;

    void word(const uint256& v) {
        const size_t at = out.size();
        out.resize(at + 32);
        v.to_be(out.data() + at);
    }
    void word(const Address& a) { word(uint256::from_be(a.view())); }
    void word(bool b) { word(uint256(b ? 1 : 0)); }
    void word(const Hash32& h) { word(uint256::from_hash(h)); }

    /// Argument `i` (after the selector) as a word; false when the input is too short.
    bool arg(size_t i, uint256& v) const {
        const size_t at = 4 + 32 * i;
        if (msg.input.size() < at + 32) return false;
        v = uint256::from_be32(msg.input.data() + at);
        return true;
    }
    bool arg_address(size_t i, Address& a) const {
        uint256 v;
        if (!arg(i, v) || (v >> 160) != uint256{}) return false;
        const Hash32 h = v.to_hash();
        std::memcpy(a.data(), h.data() + 12, 20);
        return true;
    }
};

ExecResult finish(Call& c) {
    ExecResult r;
    const int64_t cost = c.cost + 3 * words(c.msg.input.size()) + 3 * words(c.out.size());
    if (cost > c.msg.gas) {
        r.status = Status::kOutOfGas;
        r.gas_left = 0;
        return r;
    }
    r.status = Status::kSuccess;
    r.gas_left = c.msg.gas - cost;
    r.output = std::move(c.out);
    return r;
}

/// Arbitrum reverts on an unknown selector, bad arguments, value sent to a non-payable method
/// or a state change in a static context: all gas except what was charged is returned.
ExecResult revert(const evm::Message& msg, int64_t cost = 0, Bytes data = {}) {
    ExecResult r;
    cost += 3 * words(msg.input.size());
    if (cost > msg.gas) {
        r.status = Status::kOutOfGas;
        return r;
    }
    r.status = Status::kRevert;
    r.gas_left = msg.gas - cost;
    r.output = std::move(data);
    return r;
}

int64_t log_gas(size_t topics, size_t data_size) {
    return 375 + 375 * static_cast<int64_t>(topics) + 8 * static_cast<int64_t>(data_size);
}

}  // namespace

uint32_t selector(std::string_view signature) {
    const Hash32 h = keccak_str(signature);
    return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
}

ExecResult ArbPrecompiles::run(state::ExecState& state, const evm::Message& msg) noexcept {
    if (msg.code_address == kArbSysAddress) return run_arbsys(state, msg);
    return run_gasinfo(msg);
}

ExecResult ArbPrecompiles::run_arbsys(state::ExecState& state, const evm::Message& msg) noexcept {
    static const uint32_t kArbBlockNumber = selector("arbBlockNumber()");
    static const uint32_t kArbBlockHash = selector("arbBlockHash(uint256)");
    static const uint32_t kArbChainId = selector("arbChainID()");
    static const uint32_t kArbOsVersion = selector("arbOSVersion()");
    static const uint32_t kGetStorageGas = selector("getStorageGasAvailable()");
    static const uint32_t kIsTopLevelCall = selector("isTopLevelCall()");
    static const uint32_t kWasAliased = selector("wasMyCallersAddressAliased()");
    static const uint32_t kSendMerkleTreeState = selector("sendMerkleTreeState()");
    static const uint32_t kMapAlias =
        selector("mapL1SenderContractAddressToL2Alias(address,address)");
    static const uint32_t kWithdrawEth = selector("withdrawEth(address)");
    static const uint32_t kSendTxToL1 = selector("sendTxToL1(address,bytes)");
    static const uint32_t kInvalidBlockNumber = selector("InvalidBlockNumber(uint256,uint256)");
    static const Hash32 kL2ToL1TxTopic = keccak_str(
        ("L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)"));
    static const Hash32 kSendMerkleUpdateTopic =
        keccak_str(("SendMerkleUpdate(uint256,bytes32,uint256)"));

    if (msg.input.size() < 4) return revert(msg);
    const uint32_t sel = (uint32_t{msg.input[0]} << 24) | (uint32_t{msg.input[1]} << 16) |
                         (uint32_t{msg.input[2]} << 8) | msg.input[3];
    Call c{msg};
    const bool payable = sel == kWithdrawEth || sel == kSendTxToL1;
    if (!payable && !msg.value.is_zero()) return revert(msg);

    if (sel == kArbBlockNumber) {
        c.word(uint256(info_.number));
    } else if (sel == kArbBlockHash) {
        uint256 requested;
        if (!c.arg(0, requested)) return revert(msg);
        const uint256 current = uint256(info_.number);
        if (requested >= current || requested + uint256(256) < current) {
            Call e{msg};
            e.out = {static_cast<uint8_t>(kInvalidBlockNumber >> 24),
                     static_cast<uint8_t>(kInvalidBlockNumber >> 16),
                     static_cast<uint8_t>(kInvalidBlockNumber >> 8),
                     static_cast<uint8_t>(kInvalidBlockNumber)};
            e.word(requested);
            e.word(current);
            return revert(msg, 0, std::move(e.out));
        }
        const Hash32 h =
            info_.block_hash ? info_.block_hash(static_cast<int64_t>(requested.w[0])) : Hash32{};
        c.word(h);
    } else if (sel == kArbChainId) {
        c.word(uint256(info_.chain_id));
    } else if (sel == kArbOsVersion) {
        c.word(uint256(55 + info_.arbos_version));  // Nitro's numbering: ArbOS v1 reports 56
    } else if (sel == kGetStorageGas) {
        c.word(uint256{});
    } else if (sel == kIsTopLevelCall) {
        // Nitro: evm.Depth() <= 2, geth's depth being 1-based and counting the precompile's own
        // frame (Nethermind's Arbitrum port, checked against Nitro: CallDepth <= 1). Our
        // msg.depth is 0-based: 0 = called by the EOA, 1 = by the contract the EOA called.
        c.word(msg.depth <= 1);
    } else if (sel == kSendMerkleTreeState) {
        // Nitro's export of the accumulator, callable only by address zero (so only in
        // eth_call): (uint256 size, bytes32 root, bytes32[] partials).
        if (!msg.sender.is_zero()) return revert(msg);
        SystemStorage sys(state);
        const uint64_t size = sys.get_u64(Slot::kSendCount);
        const uint64_t n = merkle_num_partials(size);
        c.word(uint256(size));
        c.word(sys.send_root());
        c.word(uint256(3 * 32));
        c.word(uint256(n));
        for (uint64_t level = 0; level < n; ++level)
            c.word(state.get_storage(kArbosStateAddress, uint256(kSendPartialsBase + level)));
    } else if (sel == kWasAliased) {
        c.word(false);  // Fuse L2 has no L1-to-L2 messages, so nothing is ever aliased
    } else if (sel == kMapAlias) {
        // Arbitrum's L1-to-L2 alias: address + 0x1111000000000000000000000000000000001111.
        Address sender, unused;
        if (!c.arg_address(0, sender) || !c.arg_address(1, unused)) return revert(msg);
        static const uint256 kOffset =
            uint256::from_hex("0x1111000000000000000000000000000000001111").value();
        c.word((uint256::from_be(sender.view()) + kOffset) & (~uint256{} >> 96));
    } else if (sel == kWithdrawEth || sel == kSendTxToL1) {
        if (msg.is_static || msg.kind != evm::CallKind::kCall) return revert(msg);
        Address destination;
        if (!c.arg_address(0, destination)) return revert(msg);
        ByteView data;
        if (sel == kSendTxToL1) {
            uint256 offset, len;
            if (!c.arg(1, offset) || offset > uint256(msg.input.size())) return revert(msg);
            const size_t off = 4 + static_cast<size_t>(offset.w[0]);
            if (msg.input.size() < off + 32) return revert(msg);
            len = uint256::from_be32(msg.input.data() + off);
            if (len > uint256(msg.input.size() - off - 32)) return revert(msg);
            data = msg.input.subspan(off + 32, static_cast<size_t>(len.w[0]));
        }
        // sendHash = keccak(caller ‖ destination ‖ u256 L2 block ‖ u256 L1 block ‖ u256 time ‖
        // u256 value ‖ data), as Nitro's ArbSys.SendTxToL1.
        Bytes pre;
        pre.reserve(20 + 20 + 4 * 32 + data.size());
        pre.insert(pre.end(), msg.sender.bytes.begin(), msg.sender.bytes.end());
        pre.insert(pre.end(), destination.bytes.begin(), destination.bytes.end());
        for (const uint256& v : {uint256(info_.number), uint256(info_.l1_block_number),
                                 uint256(info_.timestamp), msg.value}) {
            const Hash32 h = v.to_hash();
            pre.insert(pre.end(), h.bytes.begin(), h.bytes.end());
        }
        pre.insert(pre.end(), data.begin(), data.end());
        const Hash32 send_hash = keccak256(pre);

        SystemStorage sys(state);
        const std::vector<MerkleNodeEvent> events = sys.append_send(send_hash);
        const uint64_t size = sys.get_u64(Slot::kSendCount);
        // Reads: count + partials touched; writes: count, root, partials.
        c.cost += kPrecompileReadGas * static_cast<int64_t>(2 + events.size());
        c.cost += kPrecompileWriteGas * static_cast<int64_t>(3 + events.size());

        // Burn the call value, deposited to this precompile's account by the call.
        if (!msg.value.is_zero()) state.sub_balance(kArbSysAddress, msg.value);

        for (const MerkleNodeEvent& e : events) {
            // position = level << 192 | leaf (nitro merkletree.LevelAndLeaf.ToBigInt)
            const uint256 position = (uint256(e.level) << 192) | uint256(e.num_leaves);
            state.add_log({kArbSysAddress,
                           {kSendMerkleUpdateTopic, Hash32{}, e.hash, position.to_hash()},
                           {}});
            c.cost += log_gas(4, 0);
        }
        const uint64_t leaf = size - 1;
        Call ev{msg};
        ev.word(msg.sender);
        ev.word(uint256(info_.number));
        ev.word(uint256(info_.l1_block_number));
        ev.word(uint256(info_.timestamp));
        ev.word(msg.value);
        ev.word(uint256(6 * 32));  // offset of `data`
        ev.word(uint256(data.size()));
        ev.out.insert(ev.out.end(), data.begin(), data.end());
        ev.out.resize(ev.out.size() + (32 - data.size() % 32) % 32);
        c.cost += log_gas(4, ev.out.size());
        state.add_log({kArbSysAddress,
                       {kL2ToL1TxTopic, uint256::from_be(destination.view()).to_hash(), send_hash,
                        uint256(leaf).to_hash()},
                       std::move(ev.out)});
        c.word(uint256(leaf));  // ArbOS >= 4 returns the leaf number
    } else {
        return revert(msg);
    }
    if (sel == kArbBlockHash) c.cost += kPrecompileReadGas;
    return finish(c);
}

ExecResult ArbPrecompiles::run_gasinfo(const evm::Message& msg) noexcept {
    static const uint32_t kPricesInWei = selector("getPricesInWei()");
    static const uint32_t kPricesInWeiAgg = selector("getPricesInWeiWithAggregator(address)");
    static const uint32_t kPricesInArbGas = selector("getPricesInArbGas()");
    static const uint32_t kPricesInArbGasAgg = selector("getPricesInArbGasWithAggregator(address)");
    static const uint32_t kL1BaseFeeEstimate = selector("getL1BaseFeeEstimate()");
    static const uint32_t kL1GasPriceEstimate = selector("getL1GasPriceEstimate()");
    static const uint32_t kCurrentTxL1Fees = selector("getCurrentTxL1GasFees()");
    static const uint32_t kMinimumGasPrice = selector("getMinimumGasPrice()");
    static const uint32_t kGasBacklog = selector("getGasBacklog()");
    static const uint32_t kPricingInertia = selector("getPricingInertia()");
    static const uint32_t kBacklogTolerance = selector("getGasBacklogTolerance()");
    static const uint32_t kGasAccountingParams = selector("getGasAccountingParams()");

    if (msg.input.size() < 4 || !msg.value.is_zero()) return revert(msg);
    const uint32_t sel = (uint32_t{msg.input[0]} << 24) | (uint32_t{msg.input[1]} << 16) |
                         (uint32_t{msg.input[2]} << 8) | msg.input[3];
    Call c{msg};
    const FeeParams& fees = *info_.fees;
    const uint256& base_fee = info_.base_fee;
    if (sel == kPricesInWei || sel == kPricesInWeiAgg) {
        Address ignored;
        if (sel == kPricesInWeiAgg && !c.arg_address(0, ignored)) return revert(msg);
        const uint256 per_byte = info_.l1_price_per_byte;
        const uint256 per_arbgas_base = std::min(fees.min_base_fee, base_fee);
        c.word(per_byte * uint256(kTxFixedCostEstimate));  // per L2 tx
        c.word(per_byte);                                  // per L1 calldata byte
        c.word(base_fee * uint256(kStorageArbGas));        // per storage allocation
        c.word(per_arbgas_base);                           // per ArbGas base
        c.word(base_fee - per_arbgas_base);                // per ArbGas congestion
        c.word(base_fee);                                  // per ArbGas total
        c.cost += 2 * kPrecompileReadGas;
    } else if (sel == kPricesInArbGas || sel == kPricesInArbGasAgg) {
        Address ignored;
        if (sel == kPricesInArbGasAgg && !c.arg_address(0, ignored)) return revert(msg);
        const uint256 per_byte = info_.l1_price_per_byte;
        const uint256 per_tx = per_byte * uint256(kTxFixedCostEstimate);
        const bool zero = base_fee.is_zero();
        c.word(zero ? uint256{} : per_tx / base_fee);
        c.word(zero ? uint256{} : per_byte / base_fee);
        c.word(uint256(kStorageArbGas));
        c.cost += 2 * kPrecompileReadGas;
    } else if (sel == kL1BaseFeeEstimate || sel == kL1GasPriceEstimate) {
        c.word(info_.l1_base_fee);
        c.cost += kPrecompileReadGas;
    } else if (sel == kCurrentTxL1Fees) {
        c.word(tx_l1_fee_);
    } else if (sel == kMinimumGasPrice) {
        c.word(fees.min_base_fee);
        c.cost += kPrecompileReadGas;
    } else if (sel == kGasBacklog) {
        c.word(uint256(info_.gas_backlog));
        c.cost += kPrecompileReadGas;
    } else if (sel == kPricingInertia) {
        c.word(uint256(fees.pricing_inertia));
        c.cost += kPrecompileReadGas;
    } else if (sel == kBacklogTolerance) {
        c.word(uint256(fees.backlog_tolerance_seconds));
        c.cost += kPrecompileReadGas;
    } else if (sel == kGasAccountingParams) {
        // (speed limit, per-block gas limit, per-block gas limit): Nitro before ArbOS 50.
        c.word(uint256(fees.speed_limit_per_second));
        c.word(uint256(fees.block_gas_limit));
        c.word(uint256(fees.block_gas_limit));
        c.cost += 2 * kPrecompileReadGas;
    } else {
        return revert(msg);
    }
    return finish(c);
}

}  // namespace fuse::arbos
