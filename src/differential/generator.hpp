#pragma once
/// A seeded random stream of L2 transactions and L1 deposits for the differential run
/// (docs/differential.md): every kind of work the chain does — transfers, reverts, out-of-gas,
/// CREATE / CREATE2 with collisions, SELFDESTRUCT of old and same-transaction contracts, every
/// precompile with good and bad input, storage-heavy calls, LOG0-LOG4, ArbSys calls, EIP-7702
/// delegations and deposits — in legacy, EIP-2930, EIP-1559 and EIP-7702 transactions. The same
/// seed gives the same stream; the generator keeps the nonces and addresses the stream needs.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "arbos/genesis.hpp"
#include "core/bytes.hpp"
#include "core/deposit.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse::differential {

/// What a generated transaction (or deposit) exercises.
enum class TxKind : uint8_t {
    kDeployProbe,     ///< a DiffProbe deployment (the first round)
    kTransfer,        ///< ETH to a known account
    kTransferFresh,   ///< ETH to an account that does not exist yet
    kTransferZero,    ///< zero value
    kStore,           ///< storage-heavy loop (DiffProbe.store)
    kClear,           ///< slots cleared (refunds)
    kRevert,          ///< DiffProbe.fail: reverts with data
    kOutOfGas,        ///< DiffProbe.burn, or a store loop with too little gas
    kLog,             ///< LOG0-LOG4
    kCreateTx,        ///< contract creation by a transaction (good, reverting and 0xEF init)
    kCreate,          ///< CREATE from a contract
    kCreate2,         ///< CREATE2 from a contract, few salts: collisions
    kCreate2Destroy,  ///< CREATE2 then SELFDESTRUCT in the same transaction (EIP-6780)
    kSelfDestruct,    ///< SELFDESTRUCT of a contract created earlier (balance moves only)
    kPrecompileGood,  ///< 0x01-0x11 with valid input, directly or from a contract
    kPrecompileBad,   ///< 0x01-0x11 with invalid input
    kArbSys,          ///< ArbSys (0x64): arbBlockNumber, arbBlockHash, withdrawEth, sendTxToL1...
    kSetCode,         ///< an EIP-7702 transaction (authorizations, some invalid)
    kDelegated,       ///< a call to an EOA delegated to DiffProbe
    kDepositNative,   ///< an L1 deposit of value (type 0x64)
    kDepositMessage,  ///< an L1 deposit calling a contract (type 0x66)
    kCount
};
inline constexpr size_t kKindCount = static_cast<size_t>(TxKind::kCount);
const char* to_string(TxKind k);

/// The L1 block the sequencer builds on.
struct L1View {
    uint64_t block_number = 1;
    uint256 base_fee;
};

struct GeneratedTx {
    Bytes raw;  ///< signed EIP-2718 bytes
    TxKind kind = TxKind::kTransfer;
    size_t sender = 0;  ///< index of the sending key
    uint64_t nonce = 0;
    /// EIP-7702: the authorities whose tuples carried their current nonce (they apply unless
    /// the transaction is refused).
    std::vector<size_t> authorities;
};

/// One step of the stream: transactions to submit, then deposits that appear on L1 and the L1
/// view the sequencer sees afterwards.
struct Round {
    std::vector<GeneratedTx> txs;
    std::vector<Deposit> deposits;
    L1View l1_after;
};

struct GeneratorOptions {
    uint64_t seed = 1;
    uint64_t chain_id = 412346;
    size_t senders = 48;    ///< funded keys that send transactions
    size_t round_txs = 64;  ///< transactions per round (the last round may have fewer)
    Bytes probe_initcode;   ///< DiffProbe's creation code (load_probe_initcode)
};

class Generator {
public:
    explicit Generator(GeneratorOptions options);

    /// The chain the stream runs on: Prague rules (ArbOS version 2), the senders funded.
    const arbos::Genesis& genesis() const { return genesis_; }
    /// The L1 view before the first round.
    const L1View& l1() const { return l1_; }
    /// The next round of at most `max_txs` transactions; the first deploys the probes.
    Round next_round(size_t max_txs);
    /// `sender`'s next nonce is `nonce` (after a refusal left a gap).
    void set_nonce(size_t sender, uint64_t nonce) { nonces_[sender] = nonce; }
    const Address& sender_address(size_t sender) const { return addrs_[sender]; }
    /// An EIP-7702 transaction of `sender` was refused: its authorizations did not apply.
    void forget_authorizations(const GeneratedTx& tx);
    /// Deposits generated so far (the L1 Bridge's list, index = position).
    const std::vector<Deposit>& deposits() const { return deposits_; }
    /// Transactions and deposits generated per kind.
    const std::array<uint64_t, kKindCount>& histogram() const { return histogram_; }

private:
    GeneratedTx make(TxKind kind);
    Deposit make_deposit();
    uint64_t pick(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
    bool chance(unsigned percent) { return rng_() % 100 < percent; }
    Address random_target();
    Address probe() { return probes_[pick(probes_.size())]; }

    GeneratorOptions opt_;
    std::mt19937_64 rng_;
    arbos::Genesis genesis_;
    L1View l1_;
    std::vector<Hash32> keys_;
    std::vector<Address> addrs_;
    std::vector<uint64_t> nonces_;
    std::vector<Hash32> authority_keys_;  ///< keys that only sign EIP-7702 authorizations
    std::vector<Address> authorities_;
    std::vector<uint64_t> authority_nonces_;
    std::vector<bool> delegated_;
    std::vector<Address> probes_;
    std::vector<Address> children_;  ///< contracts created by transactions (SELFDESTRUCT later)
    std::vector<Address> fresh_;     ///< accounts created by transfers
    std::vector<Deposit> deposits_;
    Hash32 deposit_acc_;
    std::array<uint64_t, kKindCount> histogram_{};
    bool first_ = true;
    uint64_t fresh_counter_ = 0;
};

/// DiffProbe's creation code from contracts/out/test/DiffProbe.json under `source_dir` (built by
/// `node contracts/build.mjs`); the error says how to build it.
Result<Bytes, std::string> load_probe_initcode(const std::string& source_dir);

/// The source tree this binary was built from (where contracts/out is).
const char* source_dir();

}  // namespace fuse::differential
