// NodeInterface (0xC8) and the other system addresses as eth_call sees them
// (node_interface.hpp). The methods and their ABI are nitro-contracts'
// src/node-interface/NodeInterface.sol; what they answer is Nitro's
// execution/nodeinterface/node_interface.go, in Fuse L2's terms (docs/arbos.md "NodeInterface").

#include "arbos/node_interface.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "arbos/block_context.hpp"
#include "arbos/precompiles.hpp"
#include "arbos/revision.hpp"
#include "arbos/system_state.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"

namespace fuse::arbos {
namespace {

std::string selector_hex(uint32_t sel) {
    const uint8_t b[4] = {static_cast<uint8_t>(sel >> 24), static_cast<uint8_t>(sel >> 16),
                          static_cast<uint8_t>(sel >> 8), static_cast<uint8_t>(sel)};
    return to_hex(ByteView(b, 4));
}

/// The call's ABI-encoded arguments (after the selector).
class Args {
public:
    explicit Args(ByteView input) : in_(input.size() >= 4 ? input.subspan(4) : ByteView{}) {}

    bool word(size_t i, uint256& v) const {
        if (in_.size() < 32 * (i + 1)) return false;
        v = uint256::from_be32(in_.data() + 32 * i);
        return true;
    }
    bool u64(size_t i, uint64_t& v) const {
        uint256 w;
        if (!word(i, w) || (w >> 64) != uint256{}) return false;
        v = w.w[0];
        return true;
    }
    bool boolean(size_t i, bool& v) const {
        uint256 w;
        if (!word(i, w) || w > uint256(1)) return false;
        v = !w.is_zero();
        return true;
    }
    bool address(size_t i, Address& a) const {
        uint256 w;
        if (!word(i, w) || (w >> 160) != uint256{}) return false;
        const Hash32 h = w.to_hash();
        std::memcpy(a.data(), h.data() + 12, 20);
        return true;
    }
    bool hash(size_t i, Hash32& h) const {
        uint256 w;
        if (!word(i, w)) return false;
        h = w.to_hash();
        return true;
    }
    /// A `bytes` argument whose offset is argument `i`.
    bool bytes(size_t i, ByteView& out) const {
        uint256 offset;
        if (!word(i, offset) || offset > uint256(in_.size())) return false;
        const size_t off = static_cast<size_t>(offset.w[0]);
        if (in_.size() - off < 32) return false;
        const uint256 len = uint256::from_be32(in_.data() + off);
        if (len > uint256(in_.size() - off - 32)) return false;
        out = in_.subspan(off + 32, static_cast<size_t>(len.w[0]));
        return true;
    }

private:
    ByteView in_;
};

/// ABI output under construction.
struct Out {
    Bytes b;
    void word(const uint256& v) {
        const size_t at = b.size();
        b.resize(at + 32);
        v.to_be(b.data() + at);
    }
    void word(const Hash32& h) { word(uint256::from_hash(h)); }
};

/// What a method sees.
struct Env {
    evm::Revision rev;  ///< the EVM rules of the state's ArbOS version
    const state::StateReader& st;
    const Genesis& genesis;
    const Block& parent;
    const CallRequest& req;
    const NodeInterfaceBackend& backend;
    /// The text of a read of `st` that failed (docs/storage.md "Errors"): the call's answer is
    /// the fault, not a revert (node_interface_call).
    std::optional<std::string>& fault;
};

using MethodResult = Result<Bytes, std::string>;

/// Records a storage fault (its text) as the call's answer; the method returns this.
Unexpected<std::string> faulted(const Env& env, std::string text) {
    if (!env.fault) env.fault = text;
    return Unexpected{std::move(text)};
}
Unexpected<std::string> faulted(const Env& env, const state::StorageFault& f) {
    return faulted(env, state::to_string(f));
}

struct Method {
    std::string_view signature;
    bool payable;
    MethodResult (*run)(const Env& env, const Args& args);
};

Unexpected<std::string> bad_args(std::string_view signature) {
    return Unexpected{"NodeInterface." + std::string(signature) +
                      ": the arguments do not decode as its ABI types"};
}

std::string head_text(uint64_t head) {
    return "the head is block " + std::to_string(head);
}

/// A block number argument that must name an existing block.
Result<uint64_t, std::string> existing_block(const Env& env, uint64_t number) {
    const uint64_t head = env.backend.head();
    if (number > head)
        return Unexpected{"block " + std::to_string(number) + " does not exist (" +
                          head_text(head) + ")"};
    return number;
}

// ---- gas estimates

/// The transaction the caller means: the eth_call's own fields (from, gas, fees, nonce, value)
/// with `to` (none for a creation) and `data` from the arguments (Nitro's messageArgs).
Result<CallRequest, std::string> inner_request(const Env& env, const Args& args,
                                               std::string_view signature) {
    Address to;
    bool creation = false;
    ByteView data;
    if (!args.address(0, to) || !args.boolean(1, creation) || !args.bytes(2, data))
        return bad_args(signature);
    if (!creation && (to == kNodeInterfaceAddress))
        return Unexpected{std::string("cannot estimate virtual contract")};  // Nitro's text
    CallRequest r;
    r.from = env.req.from;
    r.gas = env.req.gas;
    r.gas_price = env.req.gas_price;
    r.max_fee_per_gas = env.req.max_fee_per_gas;
    r.max_priority_fee_per_gas = env.req.max_priority_fee_per_gas;
    r.nonce = env.req.nonce;
    r.value = env.req.value;
    if (!creation) r.to = to;
    r.data.assign(data.begin(), data.end());
    r.block_hashes = env.req.block_hashes;
    auto fee = env.backend.estimate_l1_base_fee(env.st);
    if (!fee) return faulted(env, fee.error());
    r.l1_base_fee = *fee;
    return r;
}

MethodResult gas_estimate_components(const Env& env, const Args& args) {
    static constexpr std::string_view kSig = "gasEstimateComponents(address,bool,bytes)";
    auto req = inner_request(env, args, kSig);
    if (!req) return Unexpected{std::move(req.error())};
    // As eth_estimateGas at this block: the transaction would run in the next one.
    auto total = estimate_gas(env.st, env.genesis, env.parent, *req);
    if (!total) {
        const CallResult& f = total.error();
        if (f.fault) return faulted(env, f.error);  // the fault's text (CallResult::fault)
        std::string why = f.error.empty() ? "execution reverted" : f.error;
        return Unexpected{"gas estimation failed: " + why};
    }
    CallRequest at = *req;
    at.gas = *total;
    const auto l1_gas = estimate_l1_gas(env.st, env.genesis, env.parent, at);
    if (!l1_gas) return faulted(env, l1_gas.error());
    const auto sys = read_system_state(env.st);
    if (!sys) return faulted(env, sys.error());
    Out o;
    o.word(uint256(*total));
    o.word(uint256(*l1_gas));
    o.word(sys->l2_base_fee);
    o.word(sys->l1_base_fee);
    return std::move(o.b);
}

MethodResult gas_estimate_l1_component(const Env& env, const Args& args) {
    static constexpr std::string_view kSig = "gasEstimateL1Component(address,bool,bytes)";
    auto req = inner_request(env, args, kSig);
    if (!req) return Unexpected{std::move(req.error())};
    const auto sys = read_system_state(env.st);
    if (!sys) return faulted(env, sys.error());
    const auto l1_gas = estimate_l1_gas(env.st, env.genesis, env.parent, *req);
    if (!l1_gas) return faulted(env, l1_gas.error());
    Out o;
    o.word(uint256(*l1_gas));
    o.word(sys->l2_base_fee);
    o.word(sys->l1_base_fee);
    return std::move(o.b);
}

// ---- blocks and batches

MethodResult nitro_genesis_block(const Env&, const Args&) {
    Out o;
    o.word(uint256{});  // Fuse L2 has no classic (pre-Nitro) blocks: its genesis is block 0
    return std::move(o.b);
}

MethodResult block_l1_num(const Env& env, const Args& args) {
    uint64_t n = 0;
    if (!args.u64(0, n)) return bad_args("blockL1Num(uint64)");
    auto block = existing_block(env, n);
    if (!block) return Unexpected{std::move(block.error())};
    const auto l1 = env.backend.l1_block_number(n);
    if (!l1) return Unexpected{"block " + std::to_string(n) + " not found"};
    Out o;
    o.word(uint256(*l1));
    return std::move(o.b);
}

MethodResult l2_block_range_for_l1(const Env& env, const Args& args) {
    uint64_t l1 = 0;
    if (!args.u64(0, l1)) return bad_args("l2BlockRangeForL1(uint64)");
    const uint64_t head = env.backend.head();
    // L1 block numbers never decrease along the chain (docs/arbos.md, the system step):
    // binary search for the first block with an L1 number >= target.
    std::string missing;
    const auto l1_of = [&](uint64_t n) -> uint64_t {
        const auto v = env.backend.l1_block_number(n);
        if (!v && missing.empty()) missing = "block " + std::to_string(n) + " not found";
        return v.value_or(0);
    };
    const auto first_at_least = [&](uint64_t target) -> uint64_t {
        uint64_t lo = 0, hi = head + 1;  // answer in [lo, hi]; hi = head + 1: none
        while (lo < hi) {
            const uint64_t mid = lo + (hi - lo) / 2;
            if (l1_of(mid) < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    };
    const uint64_t first = first_at_least(l1);
    if (!missing.empty()) return Unexpected{std::move(missing)};
    if (first > head || l1_of(first) != l1)
        return Unexpected{"no L2 block has L1 block number " + std::to_string(l1) +
                          " (L2 blocks 0.." + std::to_string(head) + " carry L1 blocks " +
                          std::to_string(l1_of(0)) + ".." + std::to_string(l1_of(head)) + ")"};
    const uint64_t last = l1 == UINT64_MAX ? head : first_at_least(l1 + 1) - 1;
    Out o;
    o.word(uint256(first));
    o.word(uint256(last));
    return std::move(o.b);
}

MethodResult find_batch_containing_block(const Env& env, const Args& args) {
    uint64_t n = 0;
    if (!args.u64(0, n)) return bad_args("findBatchContainingBlock(uint64)");
    if (n == 0)
        return Unexpected{
            std::string("block 0 is the genesis block: it is in no batch (its hash is recorded in "
                        "RollupCore at deployment)")};
    auto block = existing_block(env, n);
    if (!block) return Unexpected{std::move(block.error())};
    auto batch = env.backend.batch_containing(n);
    if (!batch) return Unexpected{std::move(batch.error())};
    Out o;
    o.word(uint256(*batch));
    return std::move(o.b);
}

MethodResult get_l1_confirmations(const Env& env, const Args& args) {
    Hash32 hash;
    if (!args.hash(0, hash)) return bad_args("getL1Confirmations(bytes32)");
    auto number = env.backend.block_number(hash);
    if (!number) return Unexpected{std::move(number.error())};
    if (!*number) return Unexpected{std::string("unknown block hash")};  // Nitro's text
    if (**number == 0)
        return Unexpected{
            std::string("block 0 is the genesis block: it is in no batch (its hash is recorded in "
                        "RollupCore at deployment)")};
    auto confirmations = env.backend.l1_confirmations(**number);
    if (!confirmations) return Unexpected{std::move(confirmations.error())};
    Out o;
    o.word(uint256(*confirmations));
    return std::move(o.b);
}

// ---- outbox proofs

MethodResult construct_outbox_proof_method(const Env& env, const Args& args) {
    uint64_t size = 0, leaf = 0;
    if (!args.u64(0, size) || !args.u64(1, leaf))
        return bad_args("constructOutboxProof(uint64,uint64)");
    const auto sys = read_system_state(env.st);
    if (!sys) return faulted(env, sys.error());
    const uint64_t count = sys->send_count;
    if (size > count)
        return Unexpected{"size " + std::to_string(size) + " is above the send count " +
                          std::to_string(count) + " of block " +
                          std::to_string(env.parent.header.number)};
    auto proof = construct_outbox_proof(size, leaf, [&](uint64_t level, uint64_t last) {
        return env.backend.send_node(level, last);
    });
    if (!proof) return Unexpected{std::move(proof.error())};
    Out o;
    o.word(proof->send);
    o.word(proof->root);
    o.word(uint256(3 * 32));  // offset of the proof array
    o.word(uint256(proof->proof.size()));
    for (const Hash32& h : proof->proof)
        o.word(h);
    return std::move(o.b);
}

// ---- what Fuse L2 does not have

MethodResult no_retryables(const Env&, const Args&) {
    return Unexpected{std::string(
        "NodeInterface.estimateRetryableTicket: Fuse L2 has no retryable tickets (deposits "
        "come through its L1 Bridge)")};
}

MethodResult no_classic(const Env&, const Args&) {
    return Unexpected{std::string(
        "NodeInterface.legacyLookupMessageBatchProof: Fuse L2 has no classic (pre-Nitro) "
        "history; use constructOutboxProof")};
}

const std::array<Method, 10> kMethods = {{
    {"gasEstimateComponents(address,bool,bytes)", true, gas_estimate_components},
    {"gasEstimateL1Component(address,bool,bytes)", true, gas_estimate_l1_component},
    {"nitroGenesisBlock()", false, nitro_genesis_block},
    {"blockL1Num(uint64)", false, block_l1_num},
    {"l2BlockRangeForL1(uint64)", false, l2_block_range_for_l1},
    {"findBatchContainingBlock(uint64)", false, find_batch_containing_block},
    {"getL1Confirmations(bytes32)", false, get_l1_confirmations},
    {"constructOutboxProof(uint64,uint64)", false, construct_outbox_proof_method},
    {"estimateRetryableTicket(address,uint256,address,uint256,address,address,bytes)", false,
     no_retryables},
    {"legacyLookupMessageBatchProof(uint256,uint64)", false, no_classic},
}};

// ---- the answer

uint64_t request_intrinsic_gas(const CallRequest& req, evm::Revision rev) {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.to = req.to;
    tx.data = req.data;
    tx.access_list = req.access_list;
    const state::IntrinsicGas g = state::intrinsic_gas(tx, rev);
    return static_cast<uint64_t>(std::max(g.intrinsic, g.floor));
}

CallResult reverted(const CallRequest& req, evm::Revision rev, std::string_view message) {
    CallResult r;
    r.success = false;
    r.error = "execution reverted";
    r.output = error_revert_data(message);
    r.gas_used = request_intrinsic_gas(req, rev);
    return r;
}

uint32_t selector_of(ByteView input) {
    return (uint32_t{input[0]} << 24) | (uint32_t{input[1]} << 16) | (uint32_t{input[2]} << 8) |
           input[3];
}

std::string no_selector(std::string_view name, const Address& addr, size_t size) {
    return std::string(name) + " (" + to_hex(addr.view()) +
           ") needs a 4-byte method selector; the call's input has " + std::to_string(size) +
           (size == 1 ? " byte" : " bytes");
}

std::string unknown_selector(std::string_view name, const Address& addr, uint32_t sel) {
    return std::string(name) + " (" + to_hex(addr.view()) + ") has no method with selector " +
           selector_hex(sel);
}

std::string not_payable(std::string_view name, std::string_view signature) {
    return std::string(name) + "." + std::string(signature) +
           " is not payable: call it without value";
}

Result<CallResult, TxRejection> node_interface_call(const Env& env) {
    const ByteView input = env.req.data;
    static constexpr std::string_view kName = "NodeInterface";
    if (input.size() < 4)
        return reverted(env.req, env.rev, no_selector(kName, kNodeInterfaceAddress, input.size()));
    const uint32_t sel = selector_of(input);
    const Method* method = nullptr;
    for (const Method& m : kMethods)
        if (selector(m.signature) == sel) method = &m;
    if (!method)
        return reverted(env.req, env.rev, unknown_selector(kName, kNodeInterfaceAddress, sel));
    if (!method->payable && !env.req.value.is_zero())
        return reverted(env.req, env.rev, not_payable(kName, method->signature));
    auto out = method->run(env, Args(input));
    if (env.fault)
        return Unexpected{TxRejection{state::TxReason::kStorageFault, std::move(*env.fault)}};
    if (!out) return reverted(env.req, env.rev, out.error());
    CallResult r;
    r.success = true;
    r.output = std::move(*out);
    r.gas_used = request_intrinsic_gas(env.req, env.rev);
    return r;
}

/// Arbitrum's precompiles that Fuse L2 does not have (their addresses are empty accounts).
struct Missing {
    uint8_t last_byte;
    std::string_view name;
};
constexpr std::array<Missing, 15> kMissing = {{
    {0x65, "ArbInfo"},
    {0x66, "ArbAddressTable"},
    {0x67, "ArbBLS"},
    {0x68, "ArbFunctionTable"},
    {0x69, "ArbosTest"},
    {0x6b, "ArbOwnerPublic"},
    {0x6d, "ArbAggregator"},
    {0x6e, "ArbRetryableTx"},
    {0x6f, "ArbStatistics"},
    {0x70, "ArbOwner"},
    {0x71, "ArbWasm"},
    {0x72, "ArbWasmCache"},
    {0x73, "ArbNativeTokenManager"},
    {0xc9, "NodeInterfaceDebug"},
    {0xff, "ArbDebug"},
}};

std::optional<std::string_view> missing_precompile(const Address& a) {
    for (size_t i = 0; i < 19; ++i)
        if (a[i] != 0) return std::nullopt;
    for (const Missing& m : kMissing)
        if (a[19] == m.last_byte) return m.name;
    return std::nullopt;
}

}  // namespace

Bytes error_revert_data(std::string_view message) {
    Out o;
    o.b = {0x08, 0xc3, 0x79, 0xa0};  // Error(string)
    o.word(uint256(32));
    o.word(uint256(message.size()));
    o.b.insert(o.b.end(), message.begin(), message.end());
    o.b.resize(o.b.size() + (32 - message.size() % 32) % 32);
    return std::move(o.b);
}

std::optional<Result<CallResult, TxRejection>> intercept_system_call(const state::StateReader& st,
                                                                     const Genesis& genesis,
                                                                     const Block& parent,
                                                                     const CallRequest& req,
                                                                     bool /*charge_l1*/) {
    if (!req.to) return std::nullopt;
    const Address& to = *req.to;
    if (to != kNodeInterfaceAddress && to != kArbSysAddress && to != kArbGasInfoAddress &&
        !missing_precompile(to))
        return std::nullopt;
    // The EVM rules of the state's ArbOS version (for the intrinsic gas a revert reports).
    const auto sys = read_system_state(st);
    if (!sys) return Unexpected{TxRejection::of(state::storage_fault_refusal(sys.error()))};
    const evm::Revision rev = revision_for(sys->arbos_version);
    if (to == kNodeInterfaceAddress) {
        if (!req.node_interface)
            return reverted(req, rev,
                            "NodeInterface (0xC8) answers eth_call and eth_estimateGas only; it "
                            "has no code and does nothing inside transactions or traces");
        std::optional<std::string> fault;
        return node_interface_call(Env{rev, st, genesis, parent, req, *req.node_interface, fault});
    }
    if (to == kArbSysAddress || to == kArbGasInfoAddress) {
        const std::string_view name = to == kArbSysAddress ? "ArbSys" : "ArbGasInfo";
        if (req.data.size() < 4) return reverted(req, rev, no_selector(name, to, req.data.size()));
        const uint32_t sel = selector_of(req.data);
        const auto method = precompile_method(to, sel);
        if (!method) return reverted(req, rev, unknown_selector(name, to, sel));
        if (!method->payable && !req.value.is_zero())
            return reverted(req, rev, not_payable(name, method->signature));
        return std::nullopt;  // a real method: the precompile answers
    }
    if (const auto name = missing_precompile(to)) {
        const auto acc = st.read_account(to);
        if (!acc) return Unexpected{TxRejection::of(state::storage_fault_refusal(acc.error()))};
        if (*acc && (*acc)->code_hash != kEmptyCodeHash) return std::nullopt;
        return reverted(req, rev,
                        std::string(*name) + " (" + to_hex(to.view()) +
                            ") is an Arbitrum precompile that Fuse L2 does not have: the "
                            "address is an empty account (docs/arbos.md lists ArbSys at "
                            "0x64, ArbGasInfo at 0x6c and NodeInterface at 0xC8)");
    }
    return std::nullopt;
}

}  // namespace fuse::arbos
