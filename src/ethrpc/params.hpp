#pragma once
/// Decoding of Ethereum JSON-RPC parameters with geth's rules and messages (go-ethereum
/// common/hexutil, rpc/types.go, internal/ethapi TransactionArgs and override.StateOverride,
/// eth/filters FilterCriteria). Every decoder throws `ParamError` with geth's wording; `Params`
/// turns it into -32602 "invalid argument N: ...". Nothing here trusts its input: wrong JSON
/// types, oversized numbers and bad hex all end in a ParamError.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "rpc/errors.hpp"

namespace fuse::ethrpc {

using Json = rpc::Json;

/// A parameter that does not decode; the message is geth's (without "invalid argument N: ").
struct ParamError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---- hexutil-style scalars (JSON strings)

/// hexutil.Uint64: "0x"-prefixed, no leading zeros, at most 64 bits.
uint64_t decode_uint64(const Json& j);
/// hexutil.Big: "0x"-prefixed, no leading zeros, at most 256 bits.
uint256 decode_big(const Json& j);
/// hexutil.Bytes: "0x"-prefixed, even length.
Bytes decode_bytes(const Json& j);
/// common.Address: "0x" and exactly 20 bytes of hex (geth's UnmarshalFixedJSON).
Address decode_address(const Json& j);
/// common.Hash: "0x" and exactly 32 bytes of hex.
Hash32 decode_hash(const Json& j);
/// A JSON string.
std::string decode_string(const Json& j);
/// eth_getStorageAt's slot (geth's decodeHash): up to 32 bytes of hex, prefix optional, odd
/// length allowed, left-padded ("0x0" is slot 0). The error is geth's -32000 text.
Result<Hash32, std::string> decode_storage_slot(std::string_view s);
/// math.HexOrDecimal64 (eth_feeHistory's blockCount): a JSON number, a decimal string or hex.
uint64_t decode_hex_or_decimal64(const Json& j);

// ---- blocks (rpc.BlockNumber, rpc.BlockNumberOrHash / EIP-1898)

enum class BlockTag { kLatest, kPending, kSafe, kFinalized, kEarliest, kNumber };

struct BlockNumberOrTag {
    BlockTag tag = BlockTag::kLatest;
    uint64_t number = 0;  ///< for kNumber
    friend bool operator==(const BlockNumberOrTag&, const BlockNumberOrTag&) = default;
};

/// A tag ("latest", "pending", "safe", "finalized", "earliest") or a hex number <= 2^63-1.
BlockNumberOrTag decode_block_number(const Json& j);

/// EIP-1898: a block number/tag, a 32-byte hash string, or {blockNumber} / {blockHash,
/// requireCanonical}.
struct BlockId {
    std::optional<BlockNumberOrTag> number;
    std::optional<Hash32> hash;
    bool require_canonical = false;
};
BlockId decode_block_id(const Json& j);

// ---- eth_call / eth_estimateGas

/// geth's TransactionArgs; `chain_id` is checked against the node's when given.
arbos::CallRequest decode_call_request(const Json& j, uint64_t chain_id);

/// One account of geth's state override set (internal/ethapi/override).
struct AccountOverride {
    std::optional<uint64_t> nonce;
    std::optional<Bytes> code;
    std::optional<uint256> balance;
    /// `state`: replaces the whole storage.
    std::optional<std::map<Hash32, Hash32>> state;
    /// `stateDiff`: patches single slots.
    std::map<Hash32, Hash32> state_diff;
};
using StateOverrides = std::map<Address, AccountOverride>;
StateOverrides decode_state_overrides(const Json& j);

// ---- eth_getLogs / logs subscription

struct LogQuery {
    std::optional<BlockNumberOrTag> from_block;
    std::optional<BlockNumberOrTag> to_block;
    std::optional<Hash32> block_hash;
    std::vector<Address> addresses;           ///< empty = any
    std::vector<std::vector<Hash32>> topics;  ///< per position: empty = any
};
/// geth's FilterCriteria: address a string or an array, topics up to 4 positions of null, a
/// hash or an array of hashes (null entries inside an array mean "any").
LogQuery decode_log_query(const Json& j);

/// eth_feeHistory reward percentiles: numbers in [0, 100], increasing.
std::vector<double> decode_percentiles(const Json& j);

// ---- positional arguments

/// The params of one call, with geth's positional rules: an object instead of an array is
/// refused, extra arguments are refused, null or absent means "not given".
class Params {
public:
    /// Throws rpc::RpcException (-32602) on an object or more than `max_args` arguments.
    Params(const Json& params, size_t max_args);

    /// The argument, or null when absent or JSON null.
    const Json* get(size_t i) const;

    /// Decodes a required argument: "missing value for required argument i" when absent.
    template <typename F>
    auto required(size_t i, F&& decode) const -> decltype(decode(std::declval<const Json&>())) {
        const Json* j = get(i);
        if (!j) missing(i);
        return run(i, *j, decode);
    }
    /// Decodes an optional argument.
    template <typename F>
    auto optional(size_t i, F&& decode) const
        -> std::optional<decltype(decode(std::declval<const Json&>()))> {
        const Json* j = get(i);
        if (!j) return std::nullopt;
        return run(i, *j, decode);
    }

private:
    template <typename F>
    static auto run(size_t i, const Json& j, F& decode) -> decltype(decode(j)) {
        try {
            return decode(j);
        } catch (const ParamError& e) {
            invalid(i, e.what());
        }
    }
    [[noreturn]] static void missing(size_t i);
    [[noreturn]] static void invalid(size_t i, const char* what);

    const Json& params_;
};

}  // namespace fuse::ethrpc
