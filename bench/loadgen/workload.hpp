#pragma once
/// The load generator's transactions: deterministic sender keys, the setup calls (deploy the
/// LoadToken, fund senders with `drip`) and the pre-signed workload (ETH or ERC-20 transfers),
/// each sender's transactions in nonce order.

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/uint256.hpp"

namespace fuse::loadgen {

/// kMixed: a sender's even-numbered transfers move ETH, its odd-numbered ones the token.
enum class Mode { kEth, kErc20, kMixed };

/// Fee fields every generated transaction carries (EIP-1559).
struct Fees {
    uint64_t chain_id = 0;
    uint256 max_fee;  ///< high enough for the base fee rising under load
    uint256 tip = 0;
};

/// Generated sender `i`'s private key (keccak of a fixed label and i; never the dev keys).
Hash32 sender_key(uint64_t i);
Address address_of(const Hash32& key);
/// The CREATE address: keccak(rlp([sender, nonce]))[12:].
Address create_address(const Address& sender, uint64_t nonce);

/// ABI calldata of ERC-20 `transfer(address,uint256)` (selector 0xa9059cbb).
Bytes erc20_transfer_calldata(const Address& to, const uint256& amount);
/// ABI calldata of LoadToken `drip(address[],uint256)`.
Bytes drip_calldata(const std::vector<Address>& to, const uint256& amount);

/// A signed EIP-1559 transaction as raw EIP-2718 bytes.
Bytes sign_call(const Hash32& key, uint64_t nonce, const Fees& fees, uint64_t gas_limit,
                const Address* to, const uint256& value, ByteView data);

/// One pre-built request: the JSON-RPC body of eth_sendRawTransaction.
struct Request {
    std::string body;
};

/// The workload: `per_sender` transfers from each of `senders` generated senders (sender s,
/// nonces first_nonces[s].., gas limit `gas_limit`), interleaved so that consecutive requests come
/// from different senders: request k * senders + s is sender s's k-th. Transfers go to the next
/// sender (s + 1 mod n); ERC-20 transfers call `token` (in kMixed mode every other transfer of
/// each sender). Signed on `threads` threads.
std::vector<Request> make_workload(Mode mode, uint64_t senders, uint64_t per_sender,
                                   const std::vector<uint64_t>& first_nonces, uint64_t gas_limit,
                                   const Fees& fees, const Address& token, unsigned threads);

/// The JSON-RPC request body for `method` with already-JSON `params` (e.g. `["0x.."]`).
std::string rpc_body(uint64_t id, const std::string& method, const std::string& params);

/// Latency percentile `p` (0..100) of unsorted microsecond samples (nearest rank); 0 if none.
uint64_t percentile(std::vector<uint32_t>& samples, double p);

}  // namespace fuse::loadgen
