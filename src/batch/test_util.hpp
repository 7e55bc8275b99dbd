#pragma once
// Helpers shared by the batch tests (header only, not part of the library's API).

#include <brotli/encode.h>

#include <random>

#include "batch/batch.hpp"
#include "core/transaction.hpp"

namespace fuse::batch::testing {

/// format byte 0x00 ‖ brotli(stream) at `quality`.
inline Bytes brotli_batch(ByteView stream, int quality = 5) {
    size_t size = BrotliEncoderMaxCompressedSize(stream.size());
    if (size == 0) size = stream.size() + 1024;
    Bytes out(1 + size);
    out[0] = kBrotliFormat;
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, stream.size(),
                               stream.data(), &size, out.data() + 1))
        return {};
    out.resize(1 + size);
    return out;
}

/// `count` random messages with non-decreasing headers and up to `max_txs` random txs each.
inline std::vector<L2Message> random_messages(std::mt19937_64& rng, size_t count, size_t max_txs,
                                              size_t max_tx_len) {
    std::vector<L2Message> msgs;
    uint64_t ts = 1'700'000'000 + rng() % 1000, block = 1 + rng() % 100'000;
    uint256 fee{rng() % 100'000'000'000};
    for (size_t i = 0; i < count; ++i) {
        if (rng() % 3 == 0) ts += 1 + rng() % 20;
        if (rng() % 4 == 0) {
            block += 1 + rng() % 5;
            fee = uint256{rng(), rng() % 2 ? rng() : 0, 0, 0};
        }
        L2Message m{block, fee, ts, {}};
        const size_t ntx = max_txs ? rng() % (max_txs + 1) : 0;
        for (size_t t = 0; t < ntx; ++t) {
            Bytes tx(1 + rng() % max_tx_len);
            for (auto& b : tx)
                b = static_cast<uint8_t>(rng() % 7 == 0 ? rng() : rng() % 4);  // compressible
            m.txs.push_back(std::move(tx));
        }
        msgs.push_back(std::move(m));
    }
    return msgs;
}

/// Signed transactions of every shape the columns carry: legacy with and without EIP-155,
/// EIP-2930 and EIP-1559, with and without access lists, calls, creations, ERC-20 style ABI
/// call data, odd-length data, zero and large values; `n` of them from `rng`.
inline std::vector<Bytes> signed_txs(std::mt19937_64& rng, size_t n) {
    std::vector<Bytes> out;
    Hash32 key;
    for (auto& b : key.bytes)
        b = static_cast<uint8_t>(rng() | 1);
    std::vector<Address> addrs(6);
    for (auto& a : addrs)
        for (auto& b : a.bytes)
            b = static_cast<uint8_t>(rng());
    for (size_t i = 0; i < n; ++i) {
        Transaction t;
        const int shape = static_cast<int>(rng() % 6);
        t.type = shape < 2   ? TxType::kLegacy
                 : shape < 3 ? TxType::kAccessList
                             : TxType::kDynamicFee;
        if (shape != 0) t.chain_id = 1 + rng() % 5'000'000;
        t.nonce = rng() % 4 == 0 ? rng() : rng() % 300;
        t.gas_price = uint256{rng() % 4 * 1'000'000'000};
        t.max_priority_fee_per_gas = uint256{rng() % 3 * 100'000'000};
        t.max_fee_per_gas = uint256{rng() % 2 ? 2'000'000'000 : rng() % 100'000'000'000};
        t.gas_limit = rng() % 2 ? 21'000 : 21'000 + rng() % 1'000'000;
        if (rng() % 8 != 0) t.to = addrs[rng() % addrs.size()];
        t.value = rng() % 3 == 0   ? uint256{}
                  : rng() % 2 == 0 ? uint256{(rng() % 1000) * 1'000'000'000'000'000ULL}
                                   : uint256{rng(), rng(), rng() % 2 ? rng() : 0, 0};
        switch (rng() % 4) {
            case 0:
                break;
            case 1: {  // transfer(address,uint256)
                t.data = {0xa9, 0x05, 0x9c, 0xbb};
                t.data.resize(68);
                const Address& a = addrs[rng() % addrs.size()];
                std::copy(a.bytes.begin(), a.bytes.end(), t.data.begin() + 16);
                uint256{rng() % 1'000'000 * 1'000'000}.to_be(t.data.data() + 36);
                break;
            }
            case 2:  // ABI-shaped data with random words
                t.data.resize(4 + 32 * (rng() % 4));
                for (auto& b : t.data)
                    b = static_cast<uint8_t>(rng() % 3 ? 0 : rng());
                break;
            default:
                t.data.resize(1 + rng() % 90);
                for (auto& b : t.data)
                    b = static_cast<uint8_t>(rng());
        }
        if (t.type != TxType::kLegacy && rng() % 3 == 0) {
            AccessListEntry e{addrs[rng() % addrs.size()], {}};
            for (size_t k = rng() % 3; k > 0; --k) {
                Hash32 h;
                h.bytes[31] = static_cast<uint8_t>(rng());
                e.storage_keys.push_back(h);
            }
            t.access_list.push_back(e);
        }
        if (!sign_transaction(t, key)) std::abort();
        out.push_back(encode_transaction(t));
    }
    return out;
}

}  // namespace fuse::batch::testing
