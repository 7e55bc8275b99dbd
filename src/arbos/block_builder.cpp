// BlockBuilder, execute_message and the genesis block (arbos.hpp; docs/arbos.md).
#include <algorithm>
#include <deque>
#include <string>

#include "arbos/arbos.hpp"
#include "arbos/block_context.hpp"
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

std::string str(const uint256& v) {
    return v.to_dec();
}

TxRejection reject(std::string reason, bool block_full = false) {
    return TxRejection{std::move(reason), -32000, block_full};
}

/// geth's wording for each invalid-transaction reason.
TxRejection describe(state::TxInvalid e, state::ExecState& st, const Transaction& tx,
                     const Address& sender, const uint256& base_fee, uint64_t required_gas) {
    using state::TxInvalid;
    switch (e) {
        case TxInvalid::kNonceTooLow:
            return reject("nonce too low: address " + to_hex(sender.view()) + ", tx: " +
                          std::to_string(tx.nonce) + " state: " + std::to_string(st.nonce(sender)));
        case TxInvalid::kNonceTooHigh:
            return reject("nonce too high: address " + to_hex(sender.view()) + ", tx: " +
                          std::to_string(tx.nonce) + " state: " + std::to_string(st.nonce(sender)));
        case TxInvalid::kInsufficientAccountFunds: {
            const bool dynamic = tx.type != TxType::kLegacy && tx.type != TxType::kAccessList;
            const uint256 want =
                uint256(tx.gas_limit) * (dynamic ? tx.max_fee_per_gas : tx.gas_price) + tx.value;
            return reject("insufficient funds for gas * price + value: address " +
                          to_hex(sender.view()) + " have " + str(st.balance(sender)) + " want " +
                          str(want));
        }
        case TxInvalid::kIntrinsicGasTooLow:
            return reject("intrinsic gas too low: have " + std::to_string(tx.gas_limit) +
                          ", want " + std::to_string(required_gas));
        case TxInvalid::kInsufficientMaxFeePerGas:
            return reject("max fee per gas less than block base fee: address " +
                          to_hex(sender.view()) + ", maxFeePerGas: " +
                          str(tx.type == TxType::kLegacy || tx.type == TxType::kAccessList
                                  ? tx.gas_price
                                  : tx.max_fee_per_gas) +
                          ", baseFee: " + str(base_fee));
        case TxInvalid::kGasAllowanceExceeded:
            return reject("gas limit reached", true);
        case TxInvalid::kPriorityGreaterThanMaxFee:
            return reject("max priority fee per gas higher than max fee per gas");
        case TxInvalid::kSenderNotEoa:
            return reject("sender not an eoa: address " + to_hex(sender.view()));
        case TxInvalid::kTypeNotSupported:
            return reject("transaction type not supported");
        case TxInvalid::kInitcodeSizeExceeded:
            return reject("max initcode size exceeded");
        case TxInvalid::kNonceIsMax:
            return reject("nonce has max value: address " + to_hex(sender.view()));
        case TxInvalid::kGasLimitPriceProductOverflow:
            return reject("gas * gas price overflows");
        default:
            return reject(state::to_string(e));
    }
}

Log to_core_log(state::Log&& l) {
    return Log{l.address, std::move(l.topics), std::move(l.data)};
}

}  // namespace

struct BlockBuilder::Impl {
    Impl(WorldState& w, const Genesis& g, const Block& parent, const Message& m, BlockHashFn hashes)
        : world(w), genesis(g), exec(w), precompiles(ctx.info) {
        ctx = make_block_context(exec, g, parent, m, std::move(hashes));
        exec.finalize_tx();
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
    bool finished = false;
    state::TxTracer* tracer = nullptr;
};

BlockBuilder::BlockBuilder(WorldState& world, const Genesis& genesis, const Block& parent,
                           const Message& header_fields, BlockHashFn block_hashes)
    : impl_(
          std::make_unique<Impl>(world, genesis, parent, header_fields, std::move(block_hashes))) {}

BlockBuilder::~BlockBuilder() = default;

uint64_t BlockBuilder::gas_left() const {
    const uint64_t limit = impl_->genesis.fees.block_gas_limit;
    return impl_->compute_used >= limit ? 0 : limit - impl_->compute_used;
}

size_t BlockBuilder::tx_count() const {
    return impl_->txs.size();
}

uint256 BlockBuilder::base_fee() const {
    return impl_->ctx.info.base_fee;
}

Result<const ExecutedTx*, TxRejection> BlockBuilder::add(ByteView raw_tx) {
    auto tx = decode_transaction(raw_tx);
    if (!tx)
        return Unexpected{reject(std::string("invalid transaction: ") + to_string(tx.error()))};
    if (tx->type == TxType::kBlob || tx->type == TxType::kSetCode)
        return Unexpected{reject("transaction type not supported")};
    auto sender = recover_sender(*tx);
    if (!sender) return Unexpected{reject("invalid sender")};
    return add(*tx, raw_tx, *sender, tx_hash(*tx));
}

Result<const ExecutedTx*, TxRejection> BlockBuilder::add(const Transaction& tx, ByteView raw_tx,
                                                         const Address& sender,
                                                         const Hash32& hash) {
    Impl& b = *impl_;
    BlockContext& c = b.ctx;
    if (b.finished) return Unexpected{reject("block already sealed")};
    if (tx.type == TxType::kBlob || tx.type == TxType::kSetCode)
        return Unexpected{reject("transaction type not supported")};
    if (tx.chain_id && *tx.chain_id != b.genesis.chain_id)
        return Unexpected{reject("invalid chain id for signer: have " +
                                 std::to_string(*tx.chain_id) + " want " +
                                 std::to_string(b.genesis.chain_id))};
    const uint256 l1_fee = l1_fee_wei(raw_tx, c.info.l1_price_per_byte);
    const uint64_t l1_gas = poster_gas(l1_fee, c.info.base_fee);
    // The per-tx cap and the block gas limit bound compute gas, the L1 part comes on top
    // (as Nitro's per-block gas limit).
    const uint64_t cap = b.genesis.fees.max_tx_gas_limit;
    if (tx.gas_limit > l1_gas && tx.gas_limit - l1_gas > cap)
        return Unexpected{reject("exceeds block gas limit: tx gas " + std::to_string(tx.gas_limit) +
                                 ", max " + std::to_string(cap) + " + L1 gas " +
                                 std::to_string(l1_gas))};
    state::TxHooks hooks = c.hooks(&b.precompiles, l1_gas);
    hooks.tracer = b.tracer;
    b.precompiles.set_tx_l1_fee(l1_fee);  // Nitro's PosterFee: the wei cost, before rounding
    c.info.gas_backlog = c.backlog;

    auto res = state::apply_transaction(b.exec, c.env, kRevision, tx, sender,
                                        static_cast<int64_t>(gas_left() + l1_gas), c.block_hash,
                                        &hooks, &b.analyses);
    if (!res) {
        const state::IntrinsicGas g = state::intrinsic_gas(tx, kRevision);
        const uint64_t need = static_cast<uint64_t>(std::max(g.intrinsic, g.floor)) + l1_gas;
        return Unexpected{describe(res.error(), b.exec, tx, sender, c.info.base_fee, need)};
    }
    const uint64_t used = static_cast<uint64_t>(res->gas_used);
    b.gas_used += used;
    const uint64_t compute = used - l1_gas;
    b.compute_used += compute;
    c.backlog = c.backlog > UINT64_MAX - compute ? UINT64_MAX : c.backlog + compute;

    ExecutedTx& e = b.txs.emplace_back();
    e.tx = tx;
    e.raw = to_bytes(raw_tx);
    e.hash = hash;
    e.sender = sender;
    e.receipt.type = tx.type;
    e.receipt.success = res->status == evm::Status::kSuccess;
    e.receipt.cumulative_gas_used = b.gas_used;
    e.receipt.logs.reserve(res->logs.size());
    for (state::Log& l : res->logs)
        e.receipt.logs.push_back(to_core_log(std::move(l)));
    e.receipt.bloom = logs_bloom(e.receipt.logs);
    e.gas_used = used;
    e.gas_used_for_l1 = l1_gas;
    e.effective_gas_price = c.info.base_fee;
    e.contract_address = res->contract_address;
    e.first_log_index = b.log_count;
    b.log_count += e.receipt.logs.size();
    return &e;
}

void BlockBuilder::set_tracer(state::TxTracer* tracer) {
    impl_->tracer = tracer;
}

state::ExecState& BlockBuilder::exec_state() {
    return impl_->exec;
}

Block BlockBuilder::finish(state::StateDiff* diff) {
    Impl& b = *impl_;
    b.finished = true;
    SystemStorage sys(b.exec);
    sys.set(Slot::kGasBacklog, uint256(b.ctx.backlog));
    b.exec.finalize_tx();

    Block block;
    block.send_root = sys.send_root();
    block.send_count = sys.get_u64(Slot::kSendCount);
    block.l1_block_number = b.ctx.info.l1_block_number;

    state::StateDiff d = b.exec.diff();
    BlockHeader& h = block.header;
    h.state_root = b.world.apply_diff(d);
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

Block execute_message(WorldState& world, const Genesis& genesis, const Block& parent,
                      const Message& msg, state::StateDiff* diff, BlockHashFn block_hashes) {
    BlockBuilder builder(world, genesis, parent, msg, std::move(block_hashes));
    for (const Bytes& raw : msg.txs)
        (void)builder.add(raw);  // invalid ones are skipped
    return builder.finish(diff);
}

}  // namespace fuse::arbos
