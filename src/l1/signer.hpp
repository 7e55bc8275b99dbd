#pragma once
/// The L1 transaction signer: holds one secp256k1 private key read from a file or an environment
/// variable. The key is never printed: no accessor returns it, errors name only where it came
/// from, and the memory is wiped on destruction.

#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/transaction.hpp"

namespace fuse::l1 {

class Signer {
public:
    /// From hex ("0x" optional, surrounding whitespace ignored); throws L1Error(kConfig) with a
    /// message that does not contain the input.
    static Signer from_hex(std::string_view hex, std::string_view source = "the key");
    /// From a file holding the hex key.
    static Signer from_file(const std::string& path);
    /// From an environment variable holding the hex key.
    static Signer from_env(const std::string& name);

    Signer(const Signer&) = default;
    Signer& operator=(const Signer&) = default;
    ~Signer();

    const Address& address() const { return address_; }
    /// Signs `txn` in place (EIP-155 / EIP-2718 rules by its type).
    Result<void, TxError> sign(Transaction& txn) const;

private:
    Signer() = default;
    Hash32 key_;
    Address address_;
};

}  // namespace fuse::l1
