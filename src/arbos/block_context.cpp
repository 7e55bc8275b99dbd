#include "arbos/block_context.hpp"

#include <algorithm>
#include <cstring>

#include "arbos/revision.hpp"
#include "arbos/system_state.hpp"
#include "core/hash.hpp"

namespace fuse::arbos {

namespace {

BlockHashFn with_parent_fallback(BlockHashFn hashes, uint64_t parent_number,
                                 const Hash32& parent_hash) {
    if (hashes) return hashes;
    return [parent_number, parent_hash](int64_t n) {
        return n == static_cast<int64_t>(parent_number) ? parent_hash : Hash32{};
    };
}

void fill_env(BlockContext& c, const Genesis& g) {
    c.rev = revision_for(c.info.arbos_version);
    c.env.coinbase = g.fees.l1_fee_account;
    c.env.number = static_cast<int64_t>(c.info.number);
    c.env.timestamp = static_cast<int64_t>(c.info.timestamp);
    c.env.gas_limit = static_cast<int64_t>(kHeaderGasLimit);
    c.env.prev_randao = uint256(1);  // Nitro: difficulty 1
    c.env.base_fee = c.info.base_fee;
    c.env.excess_blob_gas = 0;
    c.env.chain_id = g.chain_id;
    c.info.chain_id = g.chain_id;
    c.info.fees = &g.fees;
    c.info.block_hash = c.block_hash;
}

}  // namespace

state::TxHooks BlockContext::hooks(ArbPrecompiles* precompiles, uint64_t l1_gas) const {
    state::TxHooks h;
    h.extra_gas = static_cast<int64_t>(l1_gas);
    h.base_fee_to_accounts = true;
    h.network_fee_account = info.fees->network_fee_account;
    h.l1_fee_account = info.fees->l1_fee_account;
    h.precompiles = precompiles;
    h.precompile_addresses = kPrecompileAddresses;
    return h;
}

BlockContext make_block_context(state::ExecState& exec, const Genesis& g, const Block& parent,
                                const Message& msg, BlockHashFn hashes) {
    BlockContext c;
    c.parent_hash = parent.hash;
    c.block_hash = with_parent_fallback(std::move(hashes), parent.header.number, parent.hash);
    SystemStorage sys(exec);
    // Time and the L1 block never go backwards (Nitro clamps the same way).
    const uint64_t last_ts = sys.get_u64(Slot::kLastTimestamp);
    const uint64_t ts = std::max({msg.timestamp, parent.header.timestamp, last_ts});
    const uint64_t l1_block = std::max(msg.l1_block_number, sys.get_u64(Slot::kL1BlockNumber));
    const uint64_t backlog = drain_backlog(g.fees, sys.get_u64(Slot::kGasBacklog), ts - last_ts);
    const uint256 base_fee = l2_base_fee_for_backlog(g.fees, backlog);
    const uint64_t version = sys.get_u64(Slot::kVersion);
    const bool l1_backlog_on = version >= kArbosVersionL1Backlog;
    const uint64_t l1_backlog =
        l1_backlog_on ? drain_l1_backlog(g.fees, sys.get_u64(Slot::kL1Backlog), ts - last_ts) : 0;
    const uint256 price_per_byte = l1_price_per_byte(g.fees, version, msg.l1_base_fee, l1_backlog);

    sys.set(Slot::kL1BlockNumber, uint256(l1_block));
    sys.set(Slot::kL1BaseFee, msg.l1_base_fee);
    sys.set(Slot::kL1PricePerByte, price_per_byte);
    sys.set(Slot::kL2BaseFee, base_fee);
    sys.set(Slot::kGasBacklog, uint256(backlog));
    sys.set(Slot::kLastTimestamp, uint256(ts));
    if (l1_backlog_on) sys.set(Slot::kL1Backlog, uint256(l1_backlog));

    c.backlog = backlog;
    c.l1_backlog = l1_backlog;
    c.info.number = parent.header.number + 1;
    c.info.timestamp = ts;
    c.info.arbos_version = version;
    c.info.l1_block_number = l1_block;
    c.info.l1_base_fee = msg.l1_base_fee;
    c.info.l1_price_per_byte = price_per_byte;
    c.info.base_fee = base_fee;
    c.info.gas_backlog = backlog;
    fill_env(c, g);
    return c;
}

state::ReadResult<BlockContext> make_call_context(const state::StateReader& st, const Genesis& g,
                                                  const Block& parent, bool in_block,
                                                  BlockHashFn hashes) {
    const auto sys = read_system_state(st);
    if (!sys) return Unexpected{sys.error()};
    const SystemState& s = *sys;
    BlockContext c;
    if (in_block) {
        // Block N itself: its number and time; BLOCKHASH knows N-1 (its parent) at least.
        c.parent_hash = parent.header.parent_hash;
        c.block_hash = parent.header.number == 0
                           ? (hashes ? std::move(hashes) : [](int64_t) { return Hash32{}; })
                           : with_parent_fallback(std::move(hashes), parent.header.number - 1,
                                                  parent.header.parent_hash);
        c.info.number = parent.header.number;
        c.info.timestamp = parent.header.timestamp;
    } else {
        c.parent_hash = parent.hash;
        c.block_hash = with_parent_fallback(std::move(hashes), parent.header.number, parent.hash);
        c.info.number = parent.header.number + 1;
        c.info.timestamp = std::max(parent.header.timestamp, s.last_timestamp);
    }
    c.backlog = s.gas_backlog;
    c.l1_backlog = s.l1_backlog;
    c.info.arbos_version = s.arbos_version;
    c.info.l1_block_number = s.l1_block_number;
    c.info.l1_base_fee = s.l1_base_fee;
    // Block N's own price, or the next block's: the stored L1 backlog already counts block N's
    // bytes (the same as the stored price before ArbOS version 3).
    c.info.l1_price_per_byte = in_block
                                   ? s.l1_price_per_byte
                                   : next_l1_price_per_byte(g, s, s.l1_base_fee, c.info.timestamp);
    c.info.base_fee = s.l2_base_fee;
    c.info.gas_backlog = s.gas_backlog;
    fill_env(c, g);
    return c;
}

void fill_header(BlockHeader& h, const BlockContext& c, const Genesis& g, const Block& block) {
    h.parent_hash = c.parent_hash;
    h.ommers_hash = kEmptyListHash;
    h.beneficiary = g.fees.l1_fee_account;
    h.difficulty = uint256(1);
    h.number = c.info.number;
    h.gas_limit = kHeaderGasLimit;
    h.timestamp = c.info.timestamp;
    h.extra_data.assign(block.send_root.bytes.begin(), block.send_root.bytes.end());
    // Nitro's mixHash: sendCount ‖ L1 block number ‖ ArbOS version ‖ 0, 8 bytes each, BE.
    h.mix_hash = Hash32{};
    for (int i = 0; i < 8; ++i) {
        const int shift = 56 - 8 * i;
        h.mix_hash[i] = static_cast<uint8_t>(block.send_count >> shift);
        h.mix_hash[8 + i] = static_cast<uint8_t>(block.l1_block_number >> shift);
        h.mix_hash[16 + i] = static_cast<uint8_t>(c.info.arbos_version >> shift);
    }
    h.nonce = {};
    h.base_fee_per_gas = c.info.base_fee;
    h.withdrawals_root = kEmptyTrieRoot;
    h.blob_gas_used = 0;
    h.excess_blob_gas = 0;
    h.parent_beacon_block_root = Hash32{};
    // EIP-7685 from Prague: an L2 has no execution-layer requests, so the hash of the empty
    // list, sha256("") (geth's EmptyRequestsHash).
    if (revision_for(c.info.arbos_version) >= evm::Revision::kPrague)
        h.requests_hash = kEmptyRequestsHash;
    else
        h.requests_hash.reset();
}

}  // namespace fuse::arbos
