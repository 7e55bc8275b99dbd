#include "arbos/precompiles.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

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

namespace {

/// What a method sees: the call, the state, the block.
struct Env {
    state::ExecState& state;
    const evm::Message& msg;
    const BlockInfo& info;
    const uint256& tx_l1_fee;
};

/// One Solidity method of a precompile: its signature (the selector is its keccak), whether it
/// takes value, and its body (which returns `finish(c)` or a revert).
struct Method {
    std::string_view signature;
    bool payable;
    ExecResult (*run)(const Env& env, Call& c);
};

/// selector -> method, built once from a precompile's method list.
class Dispatch {
public:
    template <size_t N>
    explicit Dispatch(const std::array<Method, N>& methods) {
        for (const Method& m : methods)
            entries_.push_back({selector(m.signature), &m});
    }
    const Method* find(uint32_t sel) const {
        for (const auto& [s, m] : entries_)
            if (s == sel) return m;
        return nullptr;
    }

private:
    std::vector<std::pair<uint32_t, const Method*>> entries_;
};

/// Arbitrum's precompile entry: a selector of a known method, no value unless it is payable.
ExecResult dispatch(const Dispatch& table, const Env& env) {
    const evm::Message& msg = env.msg;
    if (msg.input.size() < 4) return revert(msg);
    const uint32_t sel = (uint32_t{msg.input[0]} << 24) | (uint32_t{msg.input[1]} << 16) |
                         (uint32_t{msg.input[2]} << 8) | msg.input[3];
    const Method* m = table.find(sel);
    if (m == nullptr || (!m->payable && !msg.value.is_zero())) return revert(msg);
    Call c{msg};
    return m->run(env, c);
}

/// A method that returns one word and reads `reads` storage slots.
template <uint256 (*Value)(const Env&), int64_t kReads>
ExecResult word_method(const Env& env, Call& c) {
    c.word(Value(env));
    c.cost += kReads * kPrecompileReadGas;
    return finish(c);
}

// ---- ArbSys (0x64)

ExecResult arb_block_hash(const Env& env, Call& c) {
    static const uint32_t kInvalidBlockNumber = selector("InvalidBlockNumber(uint256,uint256)");
    uint256 requested;
    if (!c.arg(0, requested)) return revert(env.msg);
    const uint256 current = uint256(env.info.number);
    if (requested >= current || requested + uint256(256) < current) {
        Call e{env.msg};
        e.out = {static_cast<uint8_t>(kInvalidBlockNumber >> 24),
                 static_cast<uint8_t>(kInvalidBlockNumber >> 16),
                 static_cast<uint8_t>(kInvalidBlockNumber >> 8),
                 static_cast<uint8_t>(kInvalidBlockNumber)};
        e.word(requested);
        e.word(current);
        return revert(env.msg, 0, std::move(e.out));
    }
    Hash32 h;
    if (env.info.block_hash) {
        // The source reads the node's database, whose block reads throw on an I/O error: the
        // fault is the state's (docs/storage.md "Errors"), the call's outcome is discarded.
        try {
            h = env.info.block_hash(static_cast<int64_t>(requested.w[0]));
        } catch (const std::exception& e) {
            env.state.record_fault(state::read_failed("block hash: " + std::string(e.what())));
        }
    }
    c.word(h);
    c.cost += kPrecompileReadGas;
    return finish(c);
}

ExecResult is_top_level_call(const Env& env, Call& c) {
    // Nitro: evm.Depth() <= 2, geth's depth being 1-based and counting the precompile's own
    // frame (Nethermind's Arbitrum port, checked against Nitro: CallDepth <= 1). Our
    // msg.depth is 0-based: 0 = called by the EOA, 1 = by the contract the EOA called.
    c.word(env.msg.depth <= 1);
    return finish(c);
}

ExecResult send_merkle_tree_state(const Env& env, Call& c) {
    // Nitro's export of the accumulator, callable only by address zero (so only in
    // eth_call): (uint256 size, bytes32 root, bytes32[] partials).
    if (!env.msg.sender.is_zero()) return revert(env.msg);
    SystemStorage sys(env.state);
    const uint64_t size = sys.get_u64(Slot::kSendCount);
    const uint64_t n = merkle_num_partials(size);
    c.word(uint256(size));
    c.word(sys.send_root());
    c.word(uint256(3 * 32));
    c.word(uint256(n));
    for (uint64_t level = 0; level < n; ++level)
        c.word(env.state.get_storage(kArbosStateAddress, uint256(kSendPartialsBase + level)));
    return finish(c);
}

ExecResult was_aliased(const Env&, Call& c) {
    c.word(false);  // Fuse L2 has no L1-to-L2 messages, so nothing is ever aliased
    return finish(c);
}

ExecResult map_alias(const Env& env, Call& c) {
    // Arbitrum's L1-to-L2 alias: address + 0x1111000000000000000000000000000000001111.
    Address sender, unused;
    if (!c.arg_address(0, sender) || !c.arg_address(1, unused)) return revert(env.msg);
    static const uint256 kOffset =
        uint256::from_hex("0x1111000000000000000000000000000000001111").value();
    c.word((uint256::from_be(sender.view()) + kOffset) & (~uint256{} >> 96));
    return finish(c);
}

/// sendTxToL1's `bytes data` argument (ABI: offset word, then length and bytes); false when
/// the encoding runs past the input.
bool send_data_arg(const Call& c, ByteView& data) {
    const ByteView input = c.msg.input;
    uint256 offset;
    if (!c.arg(1, offset) || offset > uint256(input.size())) return false;
    const size_t off = 4 + static_cast<size_t>(offset.w[0]);
    if (input.size() < off + 32) return false;
    const uint256 len = uint256::from_be32(input.data() + off);
    if (len > uint256(input.size() - off - 32)) return false;
    data = input.subspan(off + 32, static_cast<size_t>(len.w[0]));
    return true;
}

/// sendHash = keccak(caller ‖ destination ‖ u256 L2 block ‖ u256 L1 block ‖ u256 time ‖
/// u256 value ‖ data), as Nitro's ArbSys.SendTxToL1.
Hash32 send_hash(const Env& env, const Address& destination, ByteView data) {
    Bytes pre;
    pre.reserve(20 + 20 + 4 * 32 + data.size());
    pre.insert(pre.end(), env.msg.sender.bytes.begin(), env.msg.sender.bytes.end());
    pre.insert(pre.end(), destination.bytes.begin(), destination.bytes.end());
    for (const uint256& v : {uint256(env.info.number), uint256(env.info.l1_block_number),
                             uint256(env.info.timestamp), env.msg.value}) {
        const Hash32 h = v.to_hash();
        pre.insert(pre.end(), h.bytes.begin(), h.bytes.end());
    }
    pre.insert(pre.end(), data.begin(), data.end());
    return keccak256(pre);
}

/// The L2ToL1Tx event of leaf `leaf`; returns its gas.
int64_t log_l2_to_l1_tx(const Env& env, const Address& destination, const Hash32& hash,
                        uint64_t leaf, ByteView data) {
    static const Hash32 kL2ToL1TxTopic = keccak_str(
        "L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)");
    Call ev{env.msg};
    ev.word(env.msg.sender);
    ev.word(uint256(env.info.number));
    ev.word(uint256(env.info.l1_block_number));
    ev.word(uint256(env.info.timestamp));
    ev.word(env.msg.value);
    ev.word(uint256(6 * 32));  // offset of `data`
    ev.word(uint256(data.size()));
    ev.out.insert(ev.out.end(), data.begin(), data.end());
    ev.out.resize(ev.out.size() + (32 - data.size() % 32) % 32);
    const int64_t gas = log_gas(4, ev.out.size());
    env.state.add_log({kArbSysAddress,
                       {kL2ToL1TxTopic, uint256::from_be(destination.view()).to_hash(), hash,
                        uint256(leaf).to_hash()},
                       std::move(ev.out)});
    return gas;
}

/// withdrawEth(address) and sendTxToL1(address,bytes): a leaf in the send accumulator, the
/// SendMerkleUpdate and L2ToL1Tx events, the value burnt (docs/arbos.md).
template <bool kWithData>
ExecResult send_to_l1(const Env& env, Call& c) {
    static const Hash32 kSendMerkleUpdateTopic =
        keccak_str("SendMerkleUpdate(uint256,bytes32,uint256)");
    const evm::Message& msg = env.msg;
    if (msg.is_static || msg.kind != evm::CallKind::kCall) return revert(msg);
    Address destination;
    if (!c.arg_address(0, destination)) return revert(msg);
    ByteView data;
    if (kWithData && !send_data_arg(c, data)) return revert(msg);
    const Hash32 hash = send_hash(env, destination, data);

    SystemStorage sys(env.state);
    const std::vector<MerkleNodeEvent> events = sys.append_send(hash);
    const uint64_t size = sys.get_u64(Slot::kSendCount);
    // Reads: count + partials touched; writes: count, root, partials.
    c.cost += kPrecompileReadGas * static_cast<int64_t>(2 + events.size());
    c.cost += kPrecompileWriteGas * static_cast<int64_t>(3 + events.size());

    // Burn the call value, deposited to this precompile's account by the call.
    if (!msg.value.is_zero()) env.state.sub_balance(kArbSysAddress, msg.value);

    for (const MerkleNodeEvent& e : events) {
        // position = level << 192 | leaf (nitro merkletree.LevelAndLeaf.ToBigInt)
        const uint256 position = (uint256(e.level) << 192) | uint256(e.num_leaves);
        env.state.add_log(
            {kArbSysAddress, {kSendMerkleUpdateTopic, Hash32{}, e.hash, position.to_hash()}, {}});
        c.cost += log_gas(4, 0);
    }
    const uint64_t leaf = size - 1;
    c.cost += log_l2_to_l1_tx(env, destination, hash, leaf, data);
    c.word(uint256(leaf));  // ArbOS >= 4 returns the leaf number
    return finish(c);
}

uint256 block_number(const Env& env) {
    return uint256(env.info.number);
}
uint256 chain_id(const Env& env) {
    return uint256(env.info.chain_id);
}
uint256 arbos_version(const Env& env) {
    return uint256(55 + env.info.arbos_version);  // Nitro's numbering: ArbOS v1 reports 56
}
uint256 zero_word(const Env&) {
    return uint256{};
}

const std::array<Method, 11> kArbSysMethods = {{
    {"arbBlockNumber()", false, word_method<block_number, 0>},
    {"arbBlockHash(uint256)", false, arb_block_hash},
    {"arbChainID()", false, word_method<chain_id, 0>},
    {"arbOSVersion()", false, word_method<arbos_version, 0>},
    {"getStorageGasAvailable()", false, word_method<zero_word, 0>},
    {"isTopLevelCall()", false, is_top_level_call},
    {"wasMyCallersAddressAliased()", false, was_aliased},
    {"sendMerkleTreeState()", false, send_merkle_tree_state},
    {"mapL1SenderContractAddressToL2Alias(address,address)", false, map_alias},
    {"withdrawEth(address)", true, send_to_l1<false>},
    {"sendTxToL1(address,bytes)", true, send_to_l1<true>},
}};

// ---- ArbGasInfo (0x6c)

/// getPricesInWei(): per L2 tx, per L1 calldata byte, per storage allocation, per ArbGas base,
/// congestion and total.
template <bool kAggregator>
ExecResult prices_in_wei(const Env& env, Call& c) {
    Address ignored;
    if (kAggregator && !c.arg_address(0, ignored)) return revert(env.msg);
    const uint256& base_fee = env.info.base_fee;
    const uint256 per_byte = env.info.l1_price_per_byte;
    const uint256 per_arbgas_base = std::min(env.info.fees->min_base_fee, base_fee);
    c.word(per_byte * uint256(kTxFixedCostEstimate));  // per L2 tx
    c.word(per_byte);                                  // per L1 calldata byte
    c.word(base_fee * uint256(kStorageArbGas));        // per storage allocation
    c.word(per_arbgas_base);                           // per ArbGas base
    c.word(base_fee - per_arbgas_base);                // per ArbGas congestion
    c.word(base_fee);                                  // per ArbGas total
    c.cost += 2 * kPrecompileReadGas;
    return finish(c);
}

/// getPricesInArbGas(): per L2 tx, per L1 calldata byte, per storage allocation, in L2 gas.
template <bool kAggregator>
ExecResult prices_in_arbgas(const Env& env, Call& c) {
    Address ignored;
    if (kAggregator && !c.arg_address(0, ignored)) return revert(env.msg);
    const uint256& base_fee = env.info.base_fee;
    const uint256 per_byte = env.info.l1_price_per_byte;
    const uint256 per_tx = per_byte * uint256(kTxFixedCostEstimate);
    const bool zero = base_fee.is_zero();
    c.word(zero ? uint256{} : per_tx / base_fee);
    c.word(zero ? uint256{} : per_byte / base_fee);
    c.word(uint256(kStorageArbGas));
    c.cost += 2 * kPrecompileReadGas;
    return finish(c);
}

ExecResult gas_accounting_params(const Env& env, Call& c) {
    // (speed limit, per-block gas limit, per-block gas limit): Nitro before ArbOS 50.
    const FeeParams& fees = *env.info.fees;
    c.word(uint256(fees.speed_limit_per_second));
    c.word(uint256(fees.block_gas_limit));
    c.word(uint256(fees.block_gas_limit));
    c.cost += 2 * kPrecompileReadGas;
    return finish(c);
}

uint256 l1_base_fee(const Env& env) {
    return env.info.l1_base_fee;
}
uint256 tx_l1_fee(const Env& env) {
    return env.tx_l1_fee;
}
uint256 min_gas_price(const Env& env) {
    return env.info.fees->min_base_fee;
}
uint256 gas_backlog(const Env& env) {
    return uint256(env.info.gas_backlog);
}
uint256 pricing_inertia(const Env& env) {
    return uint256(env.info.fees->pricing_inertia);
}
uint256 backlog_tolerance(const Env& env) {
    return uint256(env.info.fees->backlog_tolerance_seconds);
}

const std::array<Method, 12> kArbGasInfoMethods = {{
    {"getPricesInWei()", false, prices_in_wei<false>},
    {"getPricesInWeiWithAggregator(address)", false, prices_in_wei<true>},
    {"getPricesInArbGas()", false, prices_in_arbgas<false>},
    {"getPricesInArbGasWithAggregator(address)", false, prices_in_arbgas<true>},
    {"getL1BaseFeeEstimate()", false, word_method<l1_base_fee, 1>},
    {"getL1GasPriceEstimate()", false, word_method<l1_base_fee, 1>},
    {"getCurrentTxL1GasFees()", false, word_method<tx_l1_fee, 0>},
    {"getMinimumGasPrice()", false, word_method<min_gas_price, 1>},
    {"getGasBacklog()", false, word_method<gas_backlog, 1>},
    {"getPricingInertia()", false, word_method<pricing_inertia, 1>},
    {"getGasBacklogTolerance()", false, word_method<backlog_tolerance, 1>},
    {"getGasAccountingParams()", false, gas_accounting_params},
}};

}  // namespace

std::optional<PrecompileMethod> precompile_method(const Address& addr, uint32_t sel) {
    const auto find = [sel](const auto& methods) -> std::optional<PrecompileMethod> {
        for (const Method& m : methods)
            if (selector(m.signature) == sel) return PrecompileMethod{m.signature, m.payable};
        return std::nullopt;
    };
    if (addr == kArbSysAddress) return find(kArbSysMethods);
    if (addr == kArbGasInfoAddress) return find(kArbGasInfoMethods);
    return std::nullopt;
}

ExecResult ArbPrecompiles::run(state::ExecState& state, const evm::Message& msg) noexcept {
    static const Dispatch kArbSys(kArbSysMethods);
    static const Dispatch kArbGasInfo(kArbGasInfoMethods);
    const Env env{state, msg, info_, tx_l1_fee_};
    return dispatch(msg.code_address == kArbSysAddress ? kArbSys : kArbGasInfo, env);
}

}  // namespace fuse::arbos
