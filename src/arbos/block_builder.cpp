// BlockBuilder, execute_message and the genesis block (arbos.hpp; docs/arbos.md).
#include <algorithm>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>

#include "arbos/arbos.hpp"
#include "arbos/block_context.hpp"
#include "arbos/deposits.hpp"
#include "arbos/l1_fee.hpp"
#include "arbos/precompiles.hpp"
#include "arbos/system_state.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "evm/interpreter.hpp"
#include "state/exec_state.hpp"
#include "state/transition.hpp"
#include "state/trie.hpp"

namespace fuse::arbos {

namespace {

Unexpected<TxRejection> reject(state::TxRefusal r) {
    return Unexpected{TxRejection::of(std::move(r))};
}

Log to_core_log(state::Log&& l) {
    return Log{l.address, std::move(l.topics), std::move(l.data)};
}

}  // namespace

struct BlockBuilder::Impl {
    Impl(WorldState& w, const Genesis& g, const Block& parent, const Message& m, BlockHashFn hashes,
         std::span<const Deposit> deposits)
        : world(w), genesis(g), exec(w), precompiles(ctx.info) {
        ctx = make_block_context(exec, g, parent, m, std::move(hashes));
        exec.finalize_tx();
        run_deposits(m, deposits);
    }

    WorldState& world;
    const Genesis& genesis;
    BlockContext ctx;
    state::ExecState exec;
    ArbPrecompiles precompiles;
    /// Code analyses shared by the block's transactions (an ERC-20 is analysed once per block).
    evm::AnalysisCache analyses;
    std::deque<ExecutedTx> txs;  ///< deque: pointers returned by add() stay valid
    uint64_t gas_used = 0;       ///< all gas, L1 part included (header gasUsed)
    uint64_t compute_used = 0;   ///< gas without the L1 part: what the block gas limit bounds
    uint64_t log_count = 0;
    size_t deposit_count = 0;
    std::optional<DepositError> deposit_error;
    bool finished = false;
    state::TxTracer* tracer = nullptr;

    /// After the system step: checks the message's deposit ref against `deposits` and ArbOS's
    /// state, then executes them as the block's first transactions (or sets deposit_error).
    void run_deposits(const Message& m, std::span<const Deposit> deposits);
    /// Adds gas to the block's totals and the backlog.
    void count_gas(uint64_t gas, uint64_t l1_gas);

    /// The builder's own checks before execution: sealed, type, chain id (EIP-155), the
    /// per-tx cap on compute gas.
    std::optional<state::TxRefusal> check(const Transaction& tx, uint64_t l1_gas) const;
    /// Adds an executed transaction to the block (receipt, gas, backlog).
    ExecutedTx& record(const Transaction& tx, ByteView raw_tx, const Address& sender,
                       const Hash32& hash, state::TxResult&& res, uint64_t l1_gas,
                       uint64_t l1_bytes);
};

BlockBuilder::BlockBuilder(WorldState& world, const Genesis& genesis, const Block& parent,
                           const Message& header_fields, BlockHashFn block_hashes,
                           std::span<const Deposit> deposits)
    : impl_(std::make_unique<Impl>(world, genesis, parent, header_fields, std::move(block_hashes),
                                   deposits)) {}

void BlockBuilder::Impl::run_deposits(const Message& m, std::span<const Deposit> deposits) {
    SystemStorage sys(exec);
    deposit_error = check_deposits(sys, m, deposits);
    if (deposit_error || !m.deposit_ref) {
        exec.finalize_tx();  // the checks' reads leave nothing warm for the first transaction
        return;
    }
    for (const Deposit& d : deposits) {
        DepositOutcome o = execute_deposit(exec, ctx, precompiles, &analyses, d);
        count_gas(o.gas_used, 0);
        ExecutedTx& e = txs.emplace_back();
        e.tx = std::move(o.tx);
        e.raw = std::move(o.raw);
        e.hash = o.hash;
        e.sender = d.l2_from;
        e.receipt.type = e.tx.type;
        e.receipt.success = o.success;
        e.receipt.cumulative_gas_used = gas_used;
        e.receipt.logs = std::move(o.logs);
        e.receipt.bloom = logs_bloom(e.receipt.logs);
        e.gas_used = o.gas_used;
        e.effective_gas_price = uint256{};  // paid on L1
        e.first_log_index = log_count;
        log_count += e.receipt.logs.size();
    }
    deposit_count = deposits.size();
    const batch::DepositRef& ref = *m.deposit_ref;
    sys.set(Slot::kNextDepositIndex, uint256(ref.first_index) + uint256(ref.count));
    sys.set(Slot::kDepositAcc, uint256::from_hash(ref.acc));
    exec.finalize_tx();
}

void BlockBuilder::Impl::count_gas(uint64_t gas, uint64_t l1_gas) {
    gas_used += gas;
    const uint64_t compute = gas - l1_gas;
    compute_used += compute;
    ctx.backlog = ctx.backlog > UINT64_MAX - compute ? UINT64_MAX : ctx.backlog + compute;
}

BlockBuilder::~BlockBuilder() = default;

uint64_t BlockBuilder::gas_left() const {
    const uint64_t limit = impl_->genesis.fees.block_gas_limit;
    return impl_->compute_used >= limit ? 0 : limit - impl_->compute_used;
}

size_t BlockBuilder::tx_count() const {
    return impl_->txs.size();
}

size_t BlockBuilder::deposit_count() const {
    return impl_->deposit_count;
}

std::optional<DepositError> BlockBuilder::deposit_error() const {
    return impl_->deposit_error;
}

uint256 BlockBuilder::base_fee() const {
    return impl_->ctx.info.base_fee;
}

Result<const ExecutedTx*, TxRejection> BlockBuilder::add(ByteView raw_tx) {
    auto tx = decode_transaction(raw_tx);
    if (!tx) return reject(state::decode_error(tx.error()));
    if (auto bad = state::check_type(*tx, impl_->ctx.rev)) return reject(std::move(*bad));
    auto sender = recover_sender(*tx);
    if (!sender) return reject(state::make_refusal(state::TxReason::kInvalidSignature));
    return add(*tx, raw_tx, *sender, tx_hash(*tx));
}

PreparedTx prepare_tx(ByteView raw) {
    PreparedTx p;
    auto tx = decode_transaction(raw);
    if (!tx) {
        p.decode_error = tx.error();
        return p;
    }
    // decode_transaction accepts only canonical encodings (encode(decode(b)) == b), so the
    // hash of the bytes is tx_hash(*tx) without encoding again.
    p.hash = keccak256(raw);
    if (auto sender = recover_sender(*tx)) p.sender = *sender;
    p.l1_bytes = compressed_size(raw);
    p.tx = std::move(*tx);
    return p;
}

Result<const ExecutedTx*, TxRejection> BlockBuilder::add(const PreparedTx& prepared,
                                                         ByteView raw_tx) {
    if (!prepared.tx) return reject(state::decode_error(prepared.decode_error));
    if (auto bad = state::check_type(*prepared.tx, impl_->ctx.rev)) return reject(std::move(*bad));
    if (!prepared.sender) return reject(state::make_refusal(state::TxReason::kInvalidSignature));
    return add_sized(*prepared.tx, raw_tx, *prepared.sender, prepared.hash, prepared.l1_bytes);
}

std::optional<state::TxRefusal> BlockBuilder::Impl::check(const Transaction& tx,
                                                          uint64_t l1_gas) const {
    using state::TxReason;
    if (finished) return state::make_refusal(TxReason::kBlockSealed);
    // Deposit transactions come from the message's deposit ref only, never offered.
    if (is_deposit_type(tx.type)) return state::make_refusal(TxReason::kUnsupportedType);
    if (auto bad = state::check_type(tx, ctx.rev)) return bad;
    // Pre-EIP-155 legacy transactions (no chain id) are valid in a block; the pool refuses them.
    if (auto bad = state::check_chain_id(tx, genesis.chain_id, false)) return bad;
    // The per-tx cap and the block gas limit bound compute gas, the L1 part comes on top
    // (as Nitro's per-block gas limit).
    const uint64_t cap = genesis.fees.max_tx_gas_limit;
    if (tx.gas_limit > l1_gas && tx.gas_limit - l1_gas > cap)
        return state::make_refusal(TxReason::kGasLimit, "tx gas " + std::to_string(tx.gas_limit) +
                                                            ", max " + std::to_string(cap) +
                                                            " + L1 gas " + std::to_string(l1_gas));
    return std::nullopt;
}

Result<const ExecutedTx*, TxRejection> BlockBuilder::add(const Transaction& tx, ByteView raw_tx,
                                                         const Address& sender,
                                                         const Hash32& hash) {
    // A block whose state could not be read is abandoned: nothing more goes in (and nothing
    // more is compressed).
    if (impl_->exec.faulted()) return reject(state::storage_fault_refusal(*impl_->exec.fault()));
    return add_sized(tx, raw_tx, sender, hash, compressed_size(raw_tx));
}

Result<const ExecutedTx*, TxRejection> BlockBuilder::add_sized(const Transaction& tx,
                                                               ByteView raw_tx,
                                                               const Address& sender,
                                                               const Hash32& hash,
                                                               uint64_t l1_bytes) {
    Impl& b = *impl_;
    if (b.exec.faulted()) return reject(state::storage_fault_refusal(*b.exec.fault()));
    BlockContext& c = b.ctx;
    const uint256 l1_fee = uint256(l1_bytes) * c.info.l1_price_per_byte;
    const uint64_t l1_gas = poster_gas(l1_fee, c.info.base_fee);
    if (auto bad = b.check(tx, l1_gas)) return reject(std::move(*bad));
    state::TxHooks hooks = c.hooks(&b.precompiles, l1_gas);
    hooks.tracer = b.tracer;
    b.precompiles.set_tx_l1_fee(l1_fee);  // Nitro's PosterFee: the wei cost, before rounding
    c.info.gas_backlog = c.backlog;

    auto res = state::apply_transaction(b.exec, c.env, c.rev, tx, sender,
                                        static_cast<int64_t>(gas_left() + l1_gas), c.block_hash,
                                        &hooks, &b.analyses);
    if (!res) return reject(std::move(res.error()));
    return &b.record(tx, raw_tx, sender, hash, std::move(*res), l1_gas, l1_bytes);
}

ExecutedTx& BlockBuilder::Impl::record(const Transaction& tx, ByteView raw_tx,
                                       const Address& sender, const Hash32& hash,
                                       state::TxResult&& res, uint64_t l1_gas, uint64_t l1_bytes) {
    const uint64_t used = static_cast<uint64_t>(res.gas_used);
    count_gas(used, l1_gas);
    // The bytes this transaction adds to the batches (the L1 fee's estimate); deposits add none:
    // their data is on L1 already.
    ctx.l1_backlog = add_l1_bytes(ctx.l1_backlog, l1_bytes);

    ExecutedTx& e = txs.emplace_back();
    e.tx = tx;
    e.raw = to_bytes(raw_tx);
    e.hash = hash;
    e.sender = sender;
    e.receipt.type = tx.type;
    e.receipt.success = res.status == evm::Status::kSuccess;
    e.receipt.cumulative_gas_used = gas_used;
    e.receipt.logs.reserve(res.logs.size());
    for (state::Log& l : res.logs)
        e.receipt.logs.push_back(to_core_log(std::move(l)));
    e.receipt.bloom = logs_bloom(e.receipt.logs);
    e.gas_used = used;
    e.gas_used_for_l1 = l1_gas;
    e.effective_gas_price = ctx.info.base_fee;
    e.contract_address = res.contract_address;
    e.first_log_index = log_count;
    log_count += e.receipt.logs.size();
    return e;
}

void BlockBuilder::set_tracer(state::TxTracer* tracer) {
    impl_->tracer = tracer;
}

state::ExecState& BlockBuilder::exec_state() {
    return impl_->exec;
}

const std::optional<state::StorageFault>& BlockBuilder::fault() const {
    return impl_->exec.fault();
}

state::ReadResult<Block> BlockBuilder::finish(state::StateDiff* diff) {
    Impl& b = *impl_;
    b.finished = true;
    SystemStorage sys(b.exec);
    sys.set(Slot::kGasBacklog, uint256(b.ctx.backlog));
    if (b.ctx.info.arbos_version >= kArbosVersionL1Backlog)
        sys.set(Slot::kL1Backlog, uint256(b.ctx.l1_backlog));
    b.exec.finalize_tx();

    Block block;
    block.send_root = sys.send_root();
    block.send_count = sys.get_u64(Slot::kSendCount);
    block.l1_block_number = b.ctx.info.l1_block_number;
    block.deposit_error = b.deposit_error;
    // The last reads (send root, count) included: a state that could not be read builds no
    // block, and nothing reaches the world.
    if (b.exec.faulted()) return Unexpected{*b.exec.fault()};

    state::StateDiff d = b.exec.diff();
    BlockHeader& h = block.header;
    auto root = b.world.apply_diff(d);
    if (!root) return Unexpected{std::move(root.error())};
    h.state_root = *root;
    if (diff) *diff = std::move(d);

    std::vector<Bytes> raw_txs, receipts;
    raw_txs.reserve(b.txs.size());
    receipts.reserve(b.txs.size());
    for (const ExecutedTx& e : b.txs) {
        raw_txs.push_back(e.raw);
        receipts.push_back(encode_receipt(e.receipt));
        h.logs_bloom |= e.receipt.bloom;
    }
    h.transactions_root = state::ordered_trie_root(raw_txs);
    h.receipts_root = state::ordered_trie_root(receipts);
    h.gas_used = b.gas_used;
    fill_header(h, b.ctx, b.genesis, block);
    block.hash = *header_hash(h);
    block.txs.assign(std::make_move_iterator(b.txs.begin()), std::make_move_iterator(b.txs.end()));
    b.txs.clear();
    return block;
}

state::ReadResult<Block> try_execute_message(WorldState& world, const Genesis& genesis,
                                             const Block& parent, const Message& msg,
                                             state::StateDiff* diff, BlockHashFn block_hashes,
                                             std::span<const Deposit> deposits,
                                             std::span<const PreparedTx> prepared) {
    if (!prepared.empty() && prepared.size() != msg.txs.size())
        throw std::invalid_argument("try_execute_message: " + std::to_string(prepared.size()) +
                                    " prepared transactions for a message of " +
                                    std::to_string(msg.txs.size()));
    BlockBuilder builder(world, genesis, parent, msg, std::move(block_hashes), deposits);
    for (size_t i = 0; i < msg.txs.size(); ++i) {
        const Bytes& raw = msg.txs[i];
        // Invalid transactions are skipped (the deterministic rule); a storage fault is not a
        // property of the transaction: it ends the block.
        if (auto added = prepared.empty() ? builder.add(raw) : builder.add(prepared[i], raw);
            !added && added.error().reason == state::TxReason::kStorageFault)
            break;
    }
    return builder.finish(diff);
}

Block execute_message(WorldState& world, const Genesis& genesis, const Block& parent,
                      const Message& msg, state::StateDiff* diff, BlockHashFn block_hashes,
                      std::span<const Deposit> deposits, std::span<const PreparedTx> prepared) {
    auto block = try_execute_message(world, genesis, parent, msg, diff, std::move(block_hashes),
                                     deposits, prepared);
    if (!block) throw StorageFaultError(std::move(block.error()));
    return std::move(*block);
}

}  // namespace fuse::arbos
