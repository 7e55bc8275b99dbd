#pragma once
/// The evm::Host over an ExecState: everything that happens *inside* a call or create
/// (Yellow Paper §8 and §7): depth and balance checks, value transfer, snapshots and reverts,
/// precompile dispatch, create address derivation, nonce bump, collision check (EIP-684/7610),
/// EIP-3541, EIP-170, code deposit cost, EIP-6780 SELFDESTRUCT and EIP-7702 delegation.

#include <functional>
#include <optional>

#include "evm/host.hpp"
#include "evm/interpreter.hpp"
#include "evm/tracer.hpp"
#include "state/exec_state.hpp"

namespace fuse::state {

/// EIP-170 maximum deployed code size.
inline constexpr size_t kMaxCodeSize = 0x6000;
/// EIP-3860 maximum initcode size.
inline constexpr size_t kMaxInitcodeSize = 2 * kMaxCodeSize;
/// Yellow Paper G_codedeposit per byte of deployed code.
inline constexpr int64_t kCodeDepositGasPerByte = 200;
/// Maximum call depth (Yellow Paper §8).
inline constexpr int32_t kMaxCallDepth = 1024;

/// EIP-7702 delegation designator prefix 0xef0100.
inline constexpr uint8_t kDelegationPrefix[3] = {0xef, 0x01, 0x00};

/// The delegate address when `code` is exactly 0xef0100 ‖ address (EIP-7702).
std::optional<Address> delegation_target(ByteView code);

/// CREATE address: keccak256(rlp([sender, nonce]))[12:] (Yellow Paper eq. 88).
Address create_address(const Address& sender, uint64_t nonce);
/// CREATE2 address: keccak256(0xff ‖ sender ‖ salt ‖ keccak256(initcode))[12:] (EIP-1014).
Address create2_address(const Address& sender, const Hash32& salt, ByteView initcode);

/// Returns the hash of block `number` (BLOCKHASH); the caller checked the 256-block window.
/// It may throw when it cannot read (the node database's block reads do): the StateHost and
/// ArbOS record that as the state's storage fault (docs/storage.md "Errors").
using BlockHashFn = std::function<Hash32(int64_t)>;

/// Extra precompiled contracts served by a chain layer above the state (ArbOS: ArbSys at 0x64,
/// ArbGasInfo at 0x6c). The StateHost consults it before Ethereum's precompiles; without a hook
/// the behaviour is Ethereum's.
class PrecompileHook {
public:
    virtual ~PrecompileHook() = default;
    /// Whether `addr` is served by this hook.
    virtual bool contains(const Address& addr) const noexcept = 0;
    /// Runs the call `msg` to one of its addresses. Any value was already transferred to
    /// `msg.recipient`; the host reverts the call's state changes unless the result is success,
    /// and a status other than success/revert consumes all gas. The hook charges its own gas.
    virtual evm::ExecResult run(ExecState& state, const evm::Message& msg) noexcept = 0;
};

class StateHost final : public evm::Host {
public:
    StateHost(ExecState& state, evm::Revision rev, const evm::TxContext& ctx,
              BlockHashFn block_hash)
        : state_(state), rev_(rev), ctx_(ctx), block_hash_(std::move(block_hash)) {}
    /// `ctx` is kept by reference: a temporary would dangle.
    StateHost(ExecState&, evm::Revision, evm::TxContext&&, BlockHashFn) = delete;

    bool account_exists(const Address& addr) const noexcept override;
    uint256 get_storage(const Address& addr, const uint256& key) const noexcept override;
    evm::StorageStatus set_storage(const Address& addr, const uint256& key,
                                   const uint256& value) noexcept override;
    uint256 get_balance(const Address& addr) const noexcept override;
    size_t get_code_size(const Address& addr) const noexcept override;
    Hash32 get_code_hash(const Address& addr) const noexcept override;
    size_t copy_code(const Address& addr, size_t offset, uint8_t* buf,
                     size_t size) const noexcept override;
    bool selfdestruct(const Address& addr, const Address& beneficiary) noexcept override;
    evm::ExecResult call(const evm::Message& msg) noexcept override;
    const evm::TxContext& get_tx_context() const noexcept override { return ctx_; }
    Hash32 get_block_hash(int64_t number) const noexcept override;
    void emit_log(const Address& addr, ByteView data,
                  std::span<const uint256> topics) noexcept override;
    evm::AccessStatus access_account(const Address& addr) noexcept override;
    evm::AccessStatus access_storage(const Address& addr, const uint256& key) noexcept override;
    uint256 get_transient_storage(const Address& addr, const uint256& key) const noexcept override;
    void set_transient_storage(const Address& addr, const uint256& key,
                               const uint256& value) noexcept override;

    /// The create of a contract-creation transaction: the sender's nonce was already bumped by
    /// transaction processing, the address derives from `tx_nonce`.
    evm::ExecResult create_top(const evm::Message& msg, uint64_t tx_nonce) noexcept;

    /// Runs the init code `msg.input` of a create (sender, value, gas from `msg`) to `addr`,
    /// whatever the sender's nonce or the salt: the address checks (EIP-684/7610), EIP-3541,
    /// EIP-170 and the code deposit as for any create. For genesis predeploys: the result of a
    /// keyless deployment without replaying its transaction (docs/genesis.md).
    evm::ExecResult create_at(const evm::Message& msg, const Address& addr) noexcept;

    bool is_prague() const { return rev_ >= evm::Revision::kPrague; }

    /// Serves the hook's addresses as precompiles (null: none, Ethereum's behaviour).
    void set_precompile_hook(PrecompileHook* hook) { hook_ = hook; }
    /// Code analyses (JUMPDEST maps) come from `cache`, keyed by code hash, so a contract is
    /// analysed once for as long as the caller keeps the cache (e.g. a block or a node); null
    /// (the default) uses this host's own cache, which lives for one transaction.
    void set_analysis_cache(evm::AnalysisCache* cache) noexcept { analysis_cache_ = cache; }
    /// Reports every call (on_enter/on_exit, precompiles and code-less accounts included),
    /// log and instruction (through evm::execute_traced) to `tracer`; null (the default):
    /// untraced. For a create, the message given to on_enter carries the new address.
    void set_tracer(evm::Tracer* tracer) noexcept { tracer_ = tracer; }

private:
    /// `call`/`create_top` with the frame reported to the tracer.
    evm::ExecResult traced_call(const evm::Message& msg, std::optional<uint64_t> tx_nonce) noexcept;
    /// Runs code in a frame, traced when a tracer is set.
    evm::ExecResult run_code(const evm::Message& msg, const evm::CodeAnalysis& code) noexcept;
    evm::ExecResult create(const evm::Message& msg, std::optional<uint64_t> tx_nonce) noexcept;
    evm::ExecResult execute_call(const evm::Message& msg) noexcept;
    /// A failed call (code or ArbOS precompile) undoes its state changes back to `snap`; an
    /// exceptional halt also loses its gas and output (Yellow Paper §8).
    evm::ExecResult undo_if_failed(evm::ExecResult res, size_t snap) noexcept;
    /// A call or create on a state whose read failed: nothing runs, all gas is gone.
    static evm::ExecResult storage_fault_result() noexcept;

    ExecState& state_;
    evm::Revision rev_;
    const evm::TxContext& ctx_;
    BlockHashFn block_hash_;
    PrecompileHook* hook_ = nullptr;
    evm::AnalysisCache* analysis_cache_ = nullptr;
    evm::Tracer* tracer_ = nullptr;
    evm::AnalysisCache tx_analyses_;  ///< used when no analysis_cache_ is set
};

}  // namespace fuse::state
