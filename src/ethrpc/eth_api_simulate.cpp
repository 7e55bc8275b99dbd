// eth_simulateV1 (geth's internal/ethapi/simulate.go; the execution-apis spec): blocks of calls
// on top of a block, each call on the state the previous ones left, with block and state
// overrides, optional validation as transactions, ETH transfers as logs, and the blocks as
// eth_getBlockByNumber shapes them (docs/eth-rpc.md "eth_simulateV1").

#include <algorithm>
#include <cctype>

#include "arbos/revision.hpp"
#include "arbos/system_state.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/overrides.hpp"
#include "ethrpc/refusal.hpp"
#include "ethrpc/revert.hpp"
#include "ethrpc/simulate_state.hpp"
#include "ethrpc/simulate_tracer.hpp"
#include "state/trie.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;
using rpc::RpcException;

// geth's limits and default block spacing (simulate.go).
constexpr uint64_t kMaxBlocks = 256;
constexpr size_t kMaxCallsPerBlock = 5000;
constexpr size_t kMaxCalls = 10000;
constexpr uint64_t kTimestampIncrement = 12;

// geth's eth_simulateV1 error codes (internal/ethapi/errors.go) besides the transaction
// validity ones (refusal.cpp).
constexpr int kBlockGasLimitReached = -38015;
constexpr int kBlockNumberInvalid = -38020;
constexpr int kBlockTimestampInvalid = -38021;
constexpr int kClientLimitExceeded = -38026;
constexpr int kVmError = -32015;

[[noreturn]] void fail(int code, std::string message) {
    throw RpcException(RpcError{code, std::move(message), std::nullopt});
}

/// One blockStateCalls entry, with the block fields sanitizeChain fills in.
struct SimBlock {
    arbos::BlockOverrides overrides;  ///< number and time always set after sanitizing
    std::optional<Hash32> beacon_root;
    std::optional<StateOverrides> state;
    std::vector<arbos::CallRequest> calls;
};

bool decode_flag(const Json& payload, const char* name) {
    const auto it = payload.find(name);
    if (it == payload.end() || it->is_null()) return false;
    if (!it->is_boolean())
        throw ParamError(std::string("json: cannot unmarshal ") + it->type_name() +
                         " into Go struct field simOpts." +
                         char(std::toupper(static_cast<unsigned char>(name[0]))) + (name + 1) +
                         " of type bool");
    return it->get<bool>();
}

SimBlock decode_sim_block(const Json& j, uint64_t chain_id) {
    if (!j.is_object())
        throw ParamError(std::string("json: cannot unmarshal ") + j.type_name() +
                         " into Go value of type ethapi.simBlock");
    SimBlock b;
    if (const auto it = j.find("blockOverrides"); it != j.end() && !it->is_null()) {
        Json o = *it;
        if (!o.is_object())
            throw ParamError(std::string("json: cannot unmarshal ") + o.type_name() +
                             " into Go value of type override.BlockOverrides");
        // eth_simulateV1 takes withdrawals (none on Fuse L2: only an empty list) and a
        // beacon root (the header's parentBeaconBlockRoot; no EVM reads it here).
        if (const auto w = o.find("withdrawals"); w != o.end()) {
            if (!w->is_null() && !(w->is_array() && w->empty()))
                throw ParamError("BlockOverrides.Withdrawals: Fuse L2 has no withdrawals");
            o.erase("withdrawals");
        }
        if (const auto r = o.find("beaconRoot"); r != o.end()) {
            if (!r->is_null()) b.beacon_root = decode_hash(*r);
            o.erase("beaconRoot");
        }
        b.overrides = decode_block_overrides(o);
    }
    if (const auto it = j.find("stateOverrides"); it != j.end() && !it->is_null())
        b.state = decode_state_overrides(*it);
    if (const auto it = j.find("calls"); it != j.end() && !it->is_null()) {
        if (!it->is_array())
            throw ParamError(
                std::string("json: cannot unmarshal ") + it->type_name() +
                " into Go struct field simBlock.Calls of type []ethapi.TransactionArgs");
        for (const Json& c : *it)
            b.calls.push_back(decode_call_request(c, chain_id));
    }
    return b;
}

/// geth's sanitizeChain: numbers and timestamps strictly increasing (defaults: the next
/// number, 12 s later), gaps filled with empty blocks, at most 256 blocks past the base.
std::vector<SimBlock> sanitize_chain(std::vector<SimBlock> blocks, uint64_t base_number,
                                     uint64_t base_time) {
    std::vector<SimBlock> out;
    uint64_t prev_number = base_number, prev_time = base_time;
    for (SimBlock& b : blocks) {
        const uint64_t number = b.overrides.number.value_or(prev_number + 1);
        if (number <= prev_number)
            fail(kBlockNumberInvalid, "block numbers must be in order: " + std::to_string(number) +
                                          " <= " + std::to_string(prev_number));
        if (number - base_number > kMaxBlocks) fail(kClientLimitExceeded, "too many blocks");
        for (uint64_t n = prev_number + 1; n < number; ++n) {
            SimBlock gap;
            gap.overrides.number = n;
            prev_time += kTimestampIncrement;
            gap.overrides.time = prev_time;
            out.push_back(std::move(gap));
        }
        b.overrides.number = number;
        if (!b.overrides.time) {
            b.overrides.time = prev_time + kTimestampIncrement;
        } else if (*b.overrides.time <= prev_time) {
            fail(kBlockTimestampInvalid,
                 "block timestamps must be in order: " + std::to_string(*b.overrides.time) +
                     " <= " + std::to_string(prev_time));
        }
        prev_number = number;
        prev_time = *b.overrides.time;
        out.push_back(std::move(b));
    }
    return out;
}

/// The transaction a call stands for in its simulated block (geth's ToTransaction of the
/// call's defaults: an unsigned EIP-1559 transaction, fee fields 0 unless given).
Transaction as_unsigned_tx(const arbos::CallRequest& req, uint64_t chain_id) {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.chain_id = chain_id;
    tx.nonce = req.nonce.value_or(0);
    tx.gas_limit = req.gas.value_or(0);
    tx.max_fee_per_gas = req.max_fee_per_gas.value_or(req.gas_price.value_or(uint256{}));
    tx.max_priority_fee_per_gas = req.max_priority_fee_per_gas.value_or(uint256{});
    tx.to = req.to;
    tx.value = req.value;
    tx.data = req.data;
    tx.access_list = req.access_list;
    return tx;
}

/// What one call left for the answer.
struct CallOutcome {
    arbos::CallResult result;
    std::vector<Log> logs;  ///< the tracer's, transfers included
    bool gas_capped = false;
};

Json call_json(const CallOutcome& c, const arbos::Block& block, uint32_t index,
               uint64_t& log_index) {
    Json logs = Json::array();
    const arbos::ExecutedTx& et = block.txs[index];
    for (const Log& l : c.logs)
        logs.push_back(log_json(l, {block.header.number, block.hash, block.header.timestamp,
                                    et.hash, index, log_index++}));
    const arbos::CallResult& r = c.result;
    Json j = {{"returnData", r.success ? to_hex(r.output) : "0x"},
              {"logs", std::move(logs)},
              {"gasUsed", quantity(r.gas_used)},
              {"maxUsedGas", quantity(r.gas_before_refund)},
              {"status", r.success ? "0x1" : "0x0"}};
    if (!r.success) {
        if (r.error == "execution reverted") {
            const RpcError e = revert_error(r.output);
            j["error"] = {{"message", e.message}, {"code", e.code}, {"data", to_hex(r.output)}};
        } else {
            std::string message = r.error;
            if (c.gas_capped)
                message += " (gas limit was capped by the RPC server's global gas cap)";
            j["error"] = {{"message", std::move(message)}, {"code", kVmError}};
        }
    }
    return j;
}

}  // namespace

Json EthApi::Impl::simulate(const Json& params) const {
    Params p(params, 2);
    std::vector<SimBlock> blocks;
    bool trace_transfers = false, validation = false, full_txs = false;
    p.required(0, [&](const Json& j) {
        if (!j.is_object())
            throw ParamError(std::string("json: cannot unmarshal ") + j.type_name() +
                             " into Go value of type ethapi.simOpts");
        trace_transfers = decode_flag(j, "traceTransfers");
        validation = decode_flag(j, "validation");
        full_txs = decode_flag(j, "returnFullTransactions");
        const auto calls = j.find("blockStateCalls");
        if (calls != j.end() && !calls->is_null()) {
            if (!calls->is_array())
                throw ParamError(std::string("json: cannot unmarshal ") + calls->type_name() +
                                 " into Go struct field simOpts.BlockStateCalls of type "
                                 "[]ethapi.simBlock");
            for (const Json& b : *calls)
                blocks.push_back(decode_sim_block(b, genesis.chain_id));
        }
        return 0;
    });
    const BlockId id = p.optional(1, decode_block_id)
                           .value_or(BlockId{BlockNumberOrTag{BlockTag::kLatest, 0}, {}, false});
    if (blocks.empty()) fail(rpc::code::kInvalidParams, "empty input");
    if (blocks.size() > kMaxBlocks) fail(kClientLimitExceeded, "too many blocks");
    size_t total_calls = 0;
    for (const SimBlock& b : blocks) {
        if (b.calls.size() > kMaxCallsPerBlock)
            fail(kClientLimitExceeded,
                 "too many calls in block: " + std::to_string(b.calls.size()) + " > " +
                     std::to_string(kMaxCallsPerBlock));
        total_calls += b.calls.size();
        if (total_calls > kMaxCalls)
            fail(kClientLimitExceeded, "too many calls: " + std::to_string(total_calls) + " > " +
                                           std::to_string(kMaxCalls));
    }

    const ResolvedState base = resolve_state(id);
    const BlockHeader& base_header = base.block.header;
    blocks = sanitize_chain(std::move(blocks), base_header.number, base_header.timestamp);

    SimState layer(*base.state);
    std::vector<arbos::Block> results;
    std::vector<std::vector<CallOutcome>> outcomes;
    results.reserve(blocks.size());
    uint64_t budget = config.max_call_gas;  // geth's RPCGasCap over the whole simulation
    SimulateTracer tracer(trace_transfers);
    // BLOCKHASH: the chain below the base, then the simulated blocks.
    const auto block_hashes = [this, &results, base_number = base_header.number,
                               base_hash = base.block.hash](int64_t n) -> Hash32 {
        if (n < 0) return {};
        const auto u = static_cast<uint64_t>(n);
        if (u == base_number) return base_hash;
        if (u < base_number) return db.block_hash(u).value_or(Hash32{});
        if (u - base_number - 1 < results.size()) return results[u - base_number - 1].hash;
        return {};
    };

    for (SimBlock& b : blocks) {
        const arbos::Block& prev = results.empty() ? base.block : results.back();
        if (b.state) or_storage_error(layer.apply(*b.state));
        arbos::BlockOverrides o = b.overrides;
        if (!o.coinbase) o.coinbase = base_header.beneficiary;
        if (!o.gas_limit) o.gas_limit = base_header.gas_limit;
        // Without validation the base fee is 0 unless overridden (geth: no gasPrice < baseFee
        // edge case); with it, what ArbOS would charge at that time.
        if (!o.base_fee)
            o.base_fee = validation
                             ? or_storage_error(arbos::next_base_fee(layer, genesis, *o.time))
                             : uint256{};
        arbos::Block parent;
        parent.header.number = *o.number - 1;
        parent.header.timestamp = prev.header.timestamp;
        parent.hash = prev.hash;

        state::ExecState exec(layer);
        arbos::Block block;
        std::vector<CallOutcome> calls;
        uint64_t gas_used = 0, log_count = 0;
        for (size_t i = 0; i < b.calls.size(); ++i) {
            arbos::CallRequest req = b.calls[i];
            const Address from = req.from.value_or(Address{});
            if (!req.nonce) req.nonce = exec.nonce(from);
            const uint64_t remaining = *o.gas_limit - gas_used;
            if (!req.gas) req.gas = remaining;
            if (remaining < *req.gas)
                fail(kBlockGasLimitReached,
                     "block gas limit reached: remaining: " + std::to_string(remaining) +
                         ", required: " + std::to_string(*req.gas));
            CallOutcome out;
            if (*req.gas > budget) {
                req.gas = budget;
                out.gas_capped = true;
            }
            req.block_overrides = o;
            req.in_block = false;
            req.block_hashes = block_hashes;
            tracer.reset();
            req.tracer = &tracer;
            auto r = arbos::simulate_call_on(exec, layer, genesis, parent, req, validation);
            if (!r) throw RpcException(simulate_refusal_error(r.error().reason, r.error().message));
            if (r->gas_used > budget)
                fail(rpc::code::kServerError, "RPC gas cap exhausted: need " +
                                                  std::to_string(r->gas_used) + ", remaining " +
                                                  std::to_string(budget));
            budget -= r->gas_used;
            gas_used += r->gas_used;

            arbos::ExecutedTx et;
            et.tx = as_unsigned_tx(req, genesis.chain_id);
            et.raw = encode_transaction(et.tx);
            et.hash = keccak256(et.raw);
            et.sender = from;
            et.gas_used = r->gas_used;
            et.gas_used_for_l1 = r->gas_used_for_l1;
            et.effective_gas_price =
                validation || req.gas_price || req.max_fee_per_gas ? *o.base_fee : uint256{};
            et.contract_address = r->contract_address;
            et.first_log_index = log_count;
            et.receipt.type = et.tx.type;
            et.receipt.success = r->success;
            et.receipt.cumulative_gas_used = gas_used;
            for (state::Log& l : r->logs)
                et.receipt.logs.push_back(Log{l.address, std::move(l.topics), std::move(l.data)});
            et.receipt.bloom = logs_bloom(et.receipt.logs);
            log_count += et.receipt.logs.size();
            block.txs.push_back(std::move(et));
            out.result = std::move(*r);
            out.logs = tracer.logs();
            calls.push_back(std::move(out));
        }
        layer.apply(exec.diff());

        // The header, as ArbOS fills it (docs/arbos.md "Block header"), with the overrides.
        const arbos::SystemState sys = or_storage_error(arbos::read_system_state(layer));
        block.send_root = sys.send_root;
        block.send_count = sys.send_count;
        block.l1_block_number = sys.l1_block_number;
        BlockHeader& h = block.header;
        h.parent_hash = prev.hash;
        h.ommers_hash = kEmptyListHash;
        h.beneficiary = *o.coinbase;
        h.difficulty = base_header.difficulty;
        h.number = *o.number;
        h.gas_limit = *o.gas_limit;
        h.gas_used = gas_used;
        h.timestamp = *o.time;
        h.extra_data.assign(sys.send_root.bytes.begin(), sys.send_root.bytes.end());
        h.mix_hash = Hash32{};
        for (int i = 0; i < 8; ++i) {
            const int shift = 56 - 8 * i;
            h.mix_hash[i] = static_cast<uint8_t>(sys.send_count >> shift);
            h.mix_hash[8 + i] = static_cast<uint8_t>(sys.l1_block_number >> shift);
            h.mix_hash[16 + i] = static_cast<uint8_t>(sys.arbos_version >> shift);
        }
        h.base_fee_per_gas = *o.base_fee;
        h.withdrawals_root = kEmptyTrieRoot;
        h.blob_gas_used = 0;
        h.excess_blob_gas = 0;
        h.parent_beacon_block_root = b.beacon_root.value_or(Hash32{});
        // As arbos::fill_header: from Prague (ArbOS version 2) the empty requests' hash.
        if (arbos::revision_for(sys.arbos_version) >= evm::Revision::kPrague)
            h.requests_hash = kEmptyRequestsHash;
        std::vector<Bytes> raws, receipts;
        for (const auto& et : block.txs) {
            raws.push_back(et.raw);
            receipts.push_back(encode_receipt(et.receipt));
            h.logs_bloom |= et.receipt.bloom;
        }
        h.transactions_root = state::ordered_trie_root(raws);
        h.receipts_root = state::ordered_trie_root(receipts);
        h.state_root = or_storage_error(layer.state_root(db.trie_nodes(), base_header.state_root))
                           .value_or(Hash32{});
        if (const auto hash = header_hash(h)) block.hash = *hash;
        results.push_back(std::move(block));
        outcomes.push_back(std::move(calls));
    }

    Json out = Json::array();
    for (size_t bi = 0; bi < results.size(); ++bi) {
        const arbos::Block& block = results[bi];
        Json j = block_json(block, full_txs);
        Json calls = Json::array();
        uint64_t log_index = 0;
        for (uint32_t i = 0; i < outcomes[bi].size(); ++i)
            calls.push_back(call_json(outcomes[bi][i], block, i, log_index));
        j["calls"] = std::move(calls);
        out.push_back(std::move(j));
    }
    return out;
}

void EthApi::Impl::register_simulate_methods(rpc::MethodRegistry& r) {
    r.register_method(
        "eth_simulateV1",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            return simulate(params);
        });
}

}  // namespace fuse::ethrpc
