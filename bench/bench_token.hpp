#pragma once
// The bench programs' ERC-20 (replay_bench, prune_bench): a minimal hand-assembled token, its
// CREATE address and its transfer calldata. Header-only; bench/ is not a library.

#include <algorithm>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/uint256.hpp"

namespace fuse::bench {

inline constexpr char kTransferSig[] = "Transfer(address,address,uint256)";

/// A minimal ERC-20 `transfer(address,uint256)` (any calldata is a transfer; balances at
/// keccak(holder ‖ 0) as Solidity's `mapping(address => uint256)` in slot 0; emits Transfer;
/// returns true; reverts on insufficient balance). The constructor credits the deployer with
/// `supply`.
inline Bytes token_initcode(const uint256& supply) {
    Bytes rt = {0x33, 0x60, 0x00, 0x52, 0x60, 0x40, 0x60, 0x00, 0x20,  // kf = keccak(caller‖0)
                0x80, 0x54, 0x60, 0x24, 0x35,                          // bal, amt
                0x80, 0x82, 0x10, 0x60, 0x00, 0x57,                    // if bal < amt: jump
                0x80, 0x82, 0x03, 0x83, 0x55,                          // sstore(kf, bal - amt)
                0x60, 0x04, 0x35, 0x80, 0x60, 0x00, 0x52,              // to; mem[0] = to
                0x60, 0x40, 0x60, 0x00, 0x20, 0x80, 0x54,              // kt, sload(kt)
                0x83, 0x01, 0x90, 0x55,                                // sstore(kt, bt + amt)
                0x81, 0x60, 0x00, 0x52, 0x33, 0x7f};                   // mem[0] = amt, caller
    const Hash32 topic = keccak256(
        ByteView(reinterpret_cast<const uint8_t*>(kTransferSig), sizeof(kTransferSig) - 1));
    rt.insert(rt.end(), topic.bytes.begin(), topic.bytes.end());
    const Bytes tail = {0x60, 0x20, 0x60, 0x00, 0xa3,                                // log3
                        0x60, 0x01, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,  // ret true
                        0x5b, 0x60, 0x00, 0x80, 0xfd};                               // revert
    rt.insert(rt.end(), tail.begin(), tail.end());
    rt[18] = static_cast<uint8_t>(rt.size() - 5);  // the JUMPDEST
    Bytes init(33);  // PUSH32 supply
    init[0] = 0x7f;
    supply.to_be(init.data() + 1);
    const Bytes ctor = {0x33, 0x60, 0x00, 0x52, 0x60, 0x40, 0x60, 0x00, 0x20, 0x55, 0x61,
                        0x00, 0x00, 0x80, 0x60, 0x00, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3};
    init.insert(init.end(), ctor.begin(), ctor.end());
    const size_t ctor_len = init.size();
    init[33 + 11] = static_cast<uint8_t>(rt.size() >> 8);
    init[33 + 12] = static_cast<uint8_t>(rt.size());
    init[33 + 15] = static_cast<uint8_t>(ctor_len);
    init.insert(init.end(), rt.begin(), rt.end());
    return init;
}

/// CREATE address for a sender's nonce < 128.
inline Address create_address(const Address& sender, uint64_t nonce) {
    Bytes r = {0xd6, 0x94};
    r.insert(r.end(), sender.bytes.begin(), sender.bytes.end());
    r.push_back(nonce == 0 ? 0x80 : static_cast<uint8_t>(nonce));
    const Hash32 h = keccak256(r);
    Address a;
    std::copy(h.bytes.begin() + 12, h.bytes.end(), a.bytes.begin());
    return a;
}

inline Bytes transfer_calldata(const Address& to, uint64_t amount) {
    Bytes d(4 + 64, 0);
    d[0] = 0xa9;
    d[1] = 0x05;
    d[2] = 0x9c;
    d[3] = 0xbb;
    std::copy(to.bytes.begin(), to.bytes.end(), d.begin() + 4 + 12);
    for (int k = 0; k < 8; ++k)
        d[4 + 64 - 1 - k] = static_cast<uint8_t>(amount >> (8 * k));
    return d;
}

}  // namespace fuse::bench
