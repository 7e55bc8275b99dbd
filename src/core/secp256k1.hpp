#pragma once
/// ECDSA over secp256k1 as Ethereum uses it (Yellow Paper, Appendix F), through Debian's
/// libsecp256k1 with its recovery module. One library context is created on first use and
/// shared (read-only) by all threads.

#include <optional>

#include "core/bytes.hpp"
#include "core/uint256.hpp"

namespace fuse {

/// The order n of the secp256k1 group.
inline constexpr uint256 kSecp256k1N{0xBFD25E8CD0364141, 0xBAAEDCE6AF48A03B, 0xFFFFFFFFFFFFFFFE,
                                     0xFFFFFFFFFFFFFFFF};
/// n / 2, the largest s a transaction signature may carry (EIP-2).
inline constexpr uint256 kSecp256k1HalfN{0xDFE92F46681B20A0, 0x5D576E7357A4501D, 0xFFFFFFFFFFFFFFFF,
                                         0x7FFFFFFFFFFFFFFF};

/// A recoverable signature: r, s and the parity of the y coordinate of the point R.
struct Signature {
    uint256 r;
    uint256 s;
    uint8_t y_parity = 0;
    friend bool operator==(const Signature&, const Signature&) = default;
};

/// True when r and s are both in [1, n-1] (Yellow Paper, eq. 312, without the low-s rule).
bool is_valid_signature_values(const uint256& r, const uint256& s);

/// EIP-2: s <= n/2. Required of transaction signatures, not of the ECRECOVER precompile.
bool is_low_s(const uint256& s);

/// The address whose key signed `msg_hash` with (r, s, y_parity); nullopt when r or s is
/// outside [1, n-1], y_parity is not 0 or 1, or no point recovers. Accepts high s (the
/// precompile must); callers enforce EIP-2 with `is_low_s`.
std::optional<Address> ecrecover(const Hash32& msg_hash, const uint256& r, const uint256& s,
                                 uint8_t y_parity);

/// Deterministic signature (RFC 6979 nonces, as libsecp256k1 does; always low s) of
/// `msg_hash` by `private_key`; nullopt when the key is zero or not below n.
std::optional<Signature> sign(const Hash32& msg_hash, const Hash32& private_key);

/// keccak256(uncompressed public key without its 0x04 prefix)[12:] for a private key;
/// nullopt for an invalid key.
std::optional<Address> address_from_private_key(const Hash32& private_key);

/// The address of a 64-byte uncompressed public key (x ‖ y, no prefix).
Address address_from_public_key(ByteView xy64);

}  // namespace fuse
