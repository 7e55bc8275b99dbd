#pragma once
/// ArbOS: the one state-transition function of Fuse L2 (DESIGN.md §2, §4).
/// `(state, message) -> (block, receipts, state')`: the sequencer builds a block transaction by
/// transaction with `BlockBuilder`; the validator and the tests replay a whole message with
/// `execute_message`, which is the same builder fed every transaction of the message.
/// (Interface agreed up front; owner: "arbos". Extend freely, do not rename without saying so.)

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "arbos/genesis.hpp"
#include "arbos/revision.hpp"
#include "batch/batch.hpp"
#include "core/block.hpp"
#include "core/bytes.hpp"
#include "core/deposit.hpp"
#include "core/receipt.hpp"
#include "core/result.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"
#include "state/exec_state.hpp"
#include "state/host.hpp"
#include "state/state.hpp"
#include "state/storage_fault.hpp"
#include "state/tx_tracer.hpp"
#include "state/validity.hpp"

namespace fuse::arbos {

/// One sequenced message = one L2 block (the batch format's message, docs/batch-format.md).
using Message = batch::L2Message;

/// A committed world state that can also take a block's diff and give the new root. The storage
/// layer implements it over RocksDB (flat state + incremental trie); `MemoryWorld` over an
/// InMemoryState for tests.
class WorldState : public state::StateReader {
public:
    /// Applies `diff` (in memory; the storage layer makes it durable when the block is
    /// committed) and returns the new state root; or the storage fault that stopped it (a trie
    /// node the update needed could not be read), in which case nothing was applied.
    virtual state::ReadResult<Hash32> apply_diff(const state::StateDiff& diff) = 0;
};

/// One included transaction and its outcome.
struct ExecutedTx {
    Transaction tx;
    Bytes raw;  ///< the EIP-2718 bytes as sequenced
    Hash32 hash;
    Address sender;
    Receipt receipt;
    uint64_t gas_used = 0;         ///< this tx's gas, L1 part included (receipt.gasUsed)
    uint64_t gas_used_for_l1 = 0;  ///< the L1 data fee expressed in L2 gas (`gasUsedForL1`)
    uint256 effective_gas_price;   ///< what the sender paid per gas
    /// A creation transaction's target address, also when it failed (geth's contractAddress).
    std::optional<Address> contract_address;
    uint64_t first_log_index = 0;  ///< index in the block of this tx's first log
};

/// Why the deposits a message references were not executed (docs/arbos.md "Deposits"). The
/// block is built without them and ArbOS's deposit index and accumulator stay as they were; a
/// validator treats the batch that carried the message as invalid.
enum class DepositError : uint8_t {
    kUnexpectedDeposits,   ///< deposit contents given for a message without a deposit ref
    kFirstIndexMismatch,   ///< ref.first_index is not ArbOS's next deposit index
    kCountMismatch,        ///< the contents are not ref.count deposits
    kIndexMismatch,        ///< deposit k of the contents does not have index first_index + k
    kBadKind,              ///< a deposit kind other than 0 (native) and 1 (message)
    kDepositTooNew,        ///< a deposit's L1 block is after the message's L1 block number
    kAccumulatorMismatch,  ///< the stored accumulator chained over the contents is not ref.acc
};

/// Human-readable reason for a deposit error.
const char* to_string(DepositError e);

/// A sealed L2 block.
struct Block {
    BlockHeader header;
    Hash32 hash;
    std::vector<ExecutedTx> txs;
    /// Fields ArbOS keeps in the header (see docs/arbos.md for where): send root and count,
    /// the L1 block number the message carried.
    Hash32 send_root;
    uint64_t send_count = 0;
    uint64_t l1_block_number = 0;
    /// Set when the message referenced deposits that failed ArbOS's checks (they were not
    /// executed). Outcome of execution only: not part of the block hash, not stored.
    std::optional<DepositError> deposit_error;
};

/// Why a transaction was not included (the sequencer reports it; a validator skips it): the
/// validity module's reason and geth's text (state/validity.hpp), e.g. "nonce too low: address
/// 0x.., tx: 3 state: 5". The RPC layer picks the JSON-RPC code.
struct TxRejection {
    state::TxReason reason = state::TxReason::kMalformed;
    std::string message;
    /// The transaction is valid but does not fit in what is left of this block ("gas limit
    /// reached", kGasLimitReached): the sequencer should offer it again in the next block.
    bool block_full = false;

    /// The rejection for `r` (block_full when the block's gas is what is missing).
    static TxRejection of(state::TxRefusal r) {
        const bool full = r.reason == state::TxReason::kGasLimitReached;
        return TxRejection{r.reason, std::move(r.message), full};
    }
};

/// Hash of an earlier L2 block by number (BLOCKHASH and ArbSys.arbBlockHash; numbers within
/// the last 256 below the block being built). When not given, the builder knows only its parent.
using BlockHashFn = state::BlockHashFn;

/// One raw transaction of a message decoded, hashed and its sender recovered ahead of
/// execution. None of it reads the state, so the validator prepares a whole batch on worker
/// threads while earlier blocks execute (docs/validator.md "Catch-up"); `BlockBuilder::add(
/// prepared, raw)` then includes or refuses it exactly as `add(raw)` would.
struct PreparedTx {
    std::optional<Transaction> tx;  ///< nullopt: the bytes do not decode (`decode_error`)
    TxError decode_error = TxError::kEmptyInput;
    std::optional<Address> sender;  ///< nullopt: the signature does not recover
    Hash32 hash;                    ///< keccak256 of the bytes (decoding is canonical)
    uint64_t l1_bytes = 0;  ///< compressed_size of the bytes (the L1 fee's size, l1_fee.hpp)
};

/// `raw` decoded, hashed and its sender recovered (no state read; thread-safe).
PreparedTx prepare_tx(ByteView raw);

/// Builds one block on top of `parent` from transactions offered one at a time.
class BlockBuilder {
public:
    /// `world` must be the state after `parent`. The system step (recording the message's L1
    /// block number, L1 base fee and timestamp in ArbOS's state, updating the L2 base fee from
    /// the backlog) runs here. `world` and `genesis` must outlive the builder.
    /// `block_hashes` answers BLOCKHASH / ArbSys.arbBlockHash for the last 256 blocks; when
    /// empty only the parent's hash is known (docs/arbos.md).
    /// `deposits` are the contents of `header_fields.deposit_ref` as read from the L1 Bridge
    /// (the deposits first_index .. first_index + count - 1, in order): after the system step
    /// ArbOS checks them against the ref and its own state and executes them as the block's
    /// first transactions (types 0x64 / 0x66), or records `Block::deposit_error`
    /// (docs/arbos.md "Deposits"). Not kept: the span need not outlive the constructor.
    BlockBuilder(WorldState& world, const Genesis& genesis, const Block& parent,
                 const Message& header_fields, BlockHashFn block_hashes = {},
                 std::span<const Deposit> deposits = {});
    ~BlockBuilder();

    /// Executes one raw EIP-2718 transaction. On success it is part of the block; on a
    /// rejection the block is as before (a reverted tx is *included*, status 0). The returned
    /// pointer stays valid until `finish`.
    Result<const ExecutedTx*, TxRejection> add(ByteView raw_tx);
    /// Same for an already decoded transaction whose sender is known (sequencer fast path).
    Result<const ExecutedTx*, TxRejection> add(const Transaction& tx, ByteView raw_tx,
                                               const Address& sender, const Hash32& tx_hash);
    /// Same for a transaction prepared ahead (`prepare_tx(raw_tx)`): the same checks in the
    /// same order as `add(raw_tx)`, hence the same inclusion or refusal.
    Result<const ExecutedTx*, TxRejection> add(const PreparedTx& prepared, ByteView raw_tx);

    /// Compute gas still available in the block (FeeParams::block_gas_limit bounds gas used
    /// minus the L1 part; a transaction fits when gas limit − its L1 gas ≤ gas_left()).
    uint64_t gas_left() const;
    /// Transactions in the block so far, its deposit transactions included.
    size_t tx_count() const;
    /// The deposit transactions at the start of the block (0 when none or when they failed the
    /// checks, see `deposit_error`).
    size_t deposit_count() const;
    /// Why the message's deposits were not executed (nullopt: executed, or none referenced).
    std::optional<DepositError> deposit_error() const;
    /// The L2 base fee of this block.
    uint256 base_fee() const;

    /// Traces the transactions added from now on (debug_trace*; null: untraced). ArbOS's
    /// system step ran in the constructor and is never traced (docs/eth-rpc.md "Tracing").
    void set_tracer(state::TxTracer* tracer);
    /// The block's execution state so far (a tracer reads accounts through it).
    state::ExecState& exec_state();

    /// The first read of the state that failed (docs/storage.md "Errors"), in the system step,
    /// a deposit or a transaction: the block cannot be built (`add` refuses everything with
    /// kStorageFault, `finish` fails); the caller abandons it.
    const std::optional<state::StorageFault>& fault() const;

    /// Finishes the block: computes roots via `world.apply_diff` and seals the header.
    /// The builder is spent afterwards. `diff` receives the block's state diff (for storage).
    /// Fails, applying nothing, when a read of the state failed (`fault`).
    state::ReadResult<Block> finish(state::StateDiff* diff = nullptr);

private:
    /// add(tx, raw, ...) with the transaction's compressed size already known.
    Result<const ExecutedTx*, TxRejection> add_sized(const Transaction& tx, ByteView raw_tx,
                                                     const Address& sender, const Hash32& tx_hash,
                                                     uint64_t l1_bytes);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The validator's path: `msg`'s deposits (`deposits`, the contents of msg.deposit_ref read
/// from L1; see BlockBuilder), then every transaction of `msg` in order, invalid ones skipped
/// (a deterministic rule: the sequencer never emits them, a faulty batch cannot crash us).
/// Fails with the storage fault when a read of `world` failed: no block, nothing applied.
/// `prepared`: empty, or `prepare_tx` of every transaction of `msg` in order (the same block
/// either way; throws std::invalid_argument when the count differs).
state::ReadResult<Block> try_execute_message(WorldState& world, const Genesis& genesis,
                                             const Block& parent, const Message& msg,
                                             state::StateDiff* diff = nullptr,
                                             BlockHashFn block_hashes = {},
                                             std::span<const Deposit> deposits = {},
                                             std::span<const PreparedTx> prepared = {});

/// A storage fault thrown by `execute_message` (the fault's text as what()).
class StorageFaultError : public std::runtime_error {
public:
    explicit StorageFaultError(state::StorageFault f)
        : std::runtime_error(state::to_string(f)), fault(std::move(f)) {}
    state::StorageFault fault;
};

/// `try_execute_message` for tests and tools whose state cannot fail (in-memory worlds, test
/// chains): throws StorageFaultError instead of returning the fault. Node code calls
/// try_execute_message.
Block execute_message(WorldState& world, const Genesis& genesis, const Block& parent,
                      const Message& msg, state::StateDiff* diff = nullptr,
                      BlockHashFn block_hashes = {}, std::span<const Deposit> deposits = {},
                      std::span<const PreparedTx> prepared = {});

/// Block 0: the alloc and ArbOS's initial state; its hash is the genesis hash recorded in
/// RollupCore. `world` must be empty; the alloc is applied to it. (An empty world needs no
/// read below it: a storage fault here aborts with its text, as a broken genesis does.)
Block make_genesis_block(WorldState& world, const Genesis& genesis,
                         state::StateDiff* diff = nullptr);

/// geth's BlockOverrides for eth_call (internal/ethapi/override): block fields replaced in
/// the simulated block's context.
struct BlockOverrides {
    std::optional<uint64_t> number;  ///< NUMBER and ArbSys.arbBlockNumber
    std::optional<uint64_t> time;    ///< TIMESTAMP
    std::optional<uint64_t> gas_limit;
    std::optional<Address> coinbase;  ///< geth's feeRecipient
    std::optional<uint256> base_fee;
    std::optional<uint256> prev_randao;
};

class NodeInterfaceBackend;  // node_interface.hpp

/// A call or gas estimate that is not part of any block (eth_call, eth_estimateGas).
struct CallRequest {
    std::optional<Address> from;
    std::optional<Address> to;
    std::optional<uint64_t> gas;
    std::optional<uint256> gas_price;
    std::optional<uint256> max_fee_per_gas;
    std::optional<uint256> max_priority_fee_per_gas;
    uint256 value;
    Bytes data;
    std::optional<uint64_t> nonce;
    std::vector<AccessListEntry> access_list;
    /// EIP-7702 authorizations (geth's TransactionArgs.authorizationList): processed before the
    /// call as a type-4 transaction would (Prague rules only), and counted in intrinsic gas.
    std::vector<Authorization> authorization_list;
    /// Price the L1 data fee at this L1 base fee (e.g. the sequencer's current L1 view) instead
    /// of the one ArbOS stored with the parent block.
    std::optional<uint256> l1_base_fee;
    /// Traces the call (debug_traceCall; null: untraced). Not owned.
    state::TxTracer* tracer = nullptr;
    /// Run in block `parent` itself (NUMBER, TIMESTAMP, base fee and ArbSys.arbBlockNumber of
    /// that block), as geth and Nitro answer eth_call at block N; false (eth_estimateGas): in
    /// the block after it, where a transaction sent now will run.
    bool in_block = false;
    /// Replaced block fields (eth_call's fourth parameter), applied last.
    std::optional<BlockOverrides> block_overrides;
    /// Hashes for BLOCKHASH and ArbSys.arbBlockHash; unset: only the block before the
    /// simulated one is known.
    BlockHashFn block_hashes;
    /// Fill CallResult::access_list (eth_createAccessList).
    bool collect_access_list = false;
    /// What NodeInterface (0xC8, node_interface.hpp) asks the node; null: a call to 0xC8
    /// reverts saying it answers only eth_call and eth_estimateGas. Not owned.
    const NodeInterfaceBackend* node_interface = nullptr;
};

struct CallResult {
    bool success = false;
    Bytes output;           ///< return data, or revert data when !success
    uint64_t gas_used = 0;  ///< L1 part included
    uint64_t gas_used_for_l1 = 0;
    std::string error;  ///< "execution reverted", "out of gas", ... ("" on success)
    /// With CallRequest::collect_access_list: the accounts and slots the call accessed
    /// (EIP-2929 warm sets, the request's access list included); the sender, the recipient (or
    /// created contract), the precompiles and the coinbase only when slots of theirs were
    /// used (geth's access-list tracer); sorted.
    std::vector<AccessListEntry> access_list;
    /// A read of the state failed: `error` is the fault's text, nothing else is meaningful.
    bool fault = false;

    /// The gas used before the EIP-3529 refund (eth_simulateV1's maxUsedGas), L1 part included.
    uint64_t gas_before_refund = 0;
    /// A successful creation's address.
    std::optional<Address> contract_address;
    /// The call's logs (simulate_call_on only: a chained call keeps its effects).
    std::vector<state::Log> logs;
};

/// Runs `req` on `state` (read-only: nothing is written) in a block following `parent`
/// (a storage fault while reading `state` is the rejection kStorageFault with its text)
/// (NUMBER = parent + 1, the parent's timestamp and the L2 base fee stored in `state`), or in
/// `parent` itself with `req.in_block` (NUMBER = parent, its timestamp).
/// Without a gas price the call runs at price 0 (geth's eth_call); `from` defaults to zero,
/// `gas` to the per-tx cap. Safe to call from any thread on a thread-safe reader.
/// `charge_l1` adds the L1 data fee as gas, as eth_estimateGas must.
Result<CallResult, TxRejection> simulate_call(const state::StateReader& state,
                                              const Genesis& genesis, const Block& parent,
                                              const CallRequest& req, bool charge_l1);

/// One call of a chain of simulated calls (eth_simulateV1): `req` runs on `exec` (an overlay
/// over `state`, which gives the block context: ArbOS's prices) in the block after `parent`
/// shaped by `req.block_overrides`, and its state changes stay in `exec`: gas is paid as a
/// transaction pays it, the transaction is finalized and `CallResult::logs` has its logs.
/// With `validate` the request must be a valid transaction (nonce, fee cap against the base
/// fee, balance, intrinsic gas with the L1 part, which it then pays; errors are ArbOS's texts)
/// except that a sender with code is allowed; without, it runs as eth_call does.
Result<CallResult, TxRejection> simulate_call_on(state::ExecState& exec,
                                                 const state::StateReader& state,
                                                 const Genesis& genesis, const Block& parent,
                                                 const CallRequest& req, bool validate);

/// The L1 data gas `simulate_call(..., charge_l1 = true)` counts for `req`: the equivalent
/// signed transaction's brotli size plus Nitro's estimation padding, at `req.l1_base_fee` or
/// the L1 price stored in `state` (NodeInterface.gasEstimateL1Component); the storage fault
/// when `state` cannot be read.
state::ReadResult<uint64_t> estimate_l1_gas(const state::StateReader& state, const Genesis& genesis,
                                            const Block& parent, const CallRequest& req);

/// eth_estimateGas: the smallest gas limit with which `req` succeeds (binary search), L1 data
/// fee included; an error carries the revert reason when the call fails at any limit, or the
/// storage fault's text (`CallResult::fault`) when a read of `state` failed.
Result<uint64_t, CallResult> estimate_gas(const state::StateReader& state, const Genesis& genesis,
                                          const Block& parent, const CallRequest& req);

/// ArbOS's own state as stored in its reserved account (ArbGasInfo and eth_gasPrice read it).
struct SystemState {
    uint64_t arbos_version = 0;
    uint64_t chain_id = 0;
    uint64_t l1_block_number = 0;
    uint256 l1_base_fee;
    uint256 l1_price_per_byte;  ///< wei per compressed byte of L1 data
    uint256 l2_base_fee;
    uint64_t gas_backlog = 0;
    uint64_t last_timestamp = 0;
    Hash32 send_root;
    uint64_t send_count = 0;
    /// The index of the next L1 deposit to execute (0 before the first).
    uint64_t next_deposit_index = 0;
    /// The Bridge's accumulator after the last executed deposit (zero before the first).
    Hash32 deposit_acc;
    /// The L1 data backlog in compressed bytes after the last block (0 before ArbOS version 3).
    uint64_t l1_backlog = 0;
};
state::ReadResult<SystemState> read_system_state(const state::StateReader& state);

/// The L2 base fee a block at `timestamp` built on `state` will have (the system step's
/// formula without writing anything): for the pool's fee floor and eth_gasPrice.
state::ReadResult<uint256> next_base_fee(const state::StateReader& state, const Genesis& genesis,
                                         uint64_t timestamp);

/// The L1 price per byte a block at `timestamp` on top of ArbOS state `s` charges at
/// `l1_base_fee`: the system step's formula on the stored L1 backlog (which already counts the
/// latest block's bytes) drained for `timestamp` − the last timestamp (docs/arbos.md "L1 price per
/// byte"). The pool's poster gas uses it with the current time, so that an idle chain's price
/// falls back before the next block; eth_estimateGas and NodeInterface with the last timestamp.
uint256 next_l1_price_per_byte(const Genesis& genesis, const SystemState& s,
                               const uint256& l1_base_fee, uint64_t timestamp);

}  // namespace fuse::arbos
