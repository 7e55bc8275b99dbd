#include "loadgen/workload.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "core/transaction.hpp"

namespace fuse::loadgen {
namespace {

void put_word(Bytes& out, const uint256& v) {
    uint8_t w[32];
    v.to_be(w);
    out.insert(out.end(), w, w + 32);
}

void put_address(Bytes& out, const Address& a) {
    out.insert(out.end(), 12, 0);
    out.insert(out.end(), a.bytes.begin(), a.bytes.end());
}

}  // namespace

Hash32 sender_key(uint64_t i) {
    Bytes seed{'f', 'u', 's', 'e', '-', 'l', 'o', 'a', 'd', 'g', 'e', 'n'};
    for (int b = 7; b >= 0; --b)
        seed.push_back(static_cast<uint8_t>(i >> (8 * b)));
    return keccak256(seed);
}

Address address_of(const Hash32& key) {
    Transaction probe;
    probe.type = TxType::kDynamicFee;
    probe.chain_id = 1;
    probe.gas_limit = 21'000;
    if (!sign_transaction(probe, key)) return Address{};
    auto sender = recover_sender(probe);
    return sender ? *sender : Address{};
}

Address create_address(const Address& sender, uint64_t nonce) {
    rlp::Encoder enc;
    enc.begin_list().add(sender).add(nonce).end_list();
    return Address::from_view_right(keccak256(enc.bytes()).view());
}

Bytes erc20_transfer_calldata(const Address& to, const uint256& amount) {
    Bytes out{0xa9, 0x05, 0x9c, 0xbb};
    put_address(out, to);
    put_word(out, amount);
    return out;
}

Bytes drip_calldata(const std::vector<Address>& to, const uint256& amount) {
    // drip(address[],uint256): head = [offset of the array, amount], tail = [length, items].
    const std::string_view text = "drip(address[],uint256)";
    const Hash32 sig =
        keccak256(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    Bytes out(sig.bytes.begin(), sig.bytes.begin() + 4);
    put_word(out, uint256{64});
    put_word(out, amount);
    put_word(out, uint256{to.size()});
    for (const Address& a : to)
        put_address(out, a);
    return out;
}

Bytes sign_call(const Hash32& key, uint64_t nonce, const Fees& fees, uint64_t gas_limit,
                const Address* to, const uint256& value, ByteView data) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = fees.chain_id;
    t.nonce = nonce;
    t.max_fee_per_gas = fees.max_fee;
    t.max_priority_fee_per_gas = fees.tip;
    t.gas_limit = gas_limit;
    if (to) t.to = *to;
    t.value = value;
    t.data.assign(data.begin(), data.end());
    if (!sign_transaction(t, key)) return {};
    return encode_transaction(t);
}

std::string rpc_body(uint64_t id, const std::string& method, const std::string& params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) + ",\"method\":\"" + method +
           "\",\"params\":" + params + "}";
}

std::vector<Request> make_workload(Mode mode, uint64_t senders, uint64_t per_sender,
                                   const std::vector<uint64_t>& first_nonces, uint64_t gas_limit,
                                   const Fees& fees, const Address& token, unsigned threads) {
    std::vector<Request> out(senders * per_sender);
    std::vector<Hash32> keys(senders);
    std::vector<Address> addrs(senders);
    for (uint64_t s = 0; s < senders; ++s) {
        keys[s] = sender_key(s);
        addrs[s] = address_of(keys[s]);
    }
    auto work = [&](uint64_t from, uint64_t to) {
        for (uint64_t i = from; i < to; ++i) {
            const uint64_t s = i % senders;
            const uint64_t k = i / senders;
            const Address& next = addrs[(s + 1) % senders];
            Bytes raw;
            const bool eth = mode == Mode::kEth || (mode == Mode::kMixed && k % 2 == 0);
            if (eth) {
                raw =
                    sign_call(keys[s], first_nonces[s] + k, fees, gas_limit, &next, uint256{1}, {});
            } else {
                const Bytes data = erc20_transfer_calldata(next, uint256{1});
                raw = sign_call(keys[s], first_nonces[s] + k, fees, gas_limit, &token, uint256{},
                                data);
            }
            out[i].body = rpc_body(i + 1, "eth_sendRawTransaction", "[\"" + to_hex(raw) + "\"]");
        }
    };
    threads = std::max(1u, threads);
    std::vector<std::thread> pool;
    const uint64_t n = out.size();
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(work, n * t / threads, n * (t + 1) / threads);
    for (auto& th : pool)
        th.join();
    return out;
}

uint64_t percentile(std::vector<uint32_t>& samples, double p) {
    if (samples.empty()) return 0;
    const double rank = std::ceil(p / 100.0 * static_cast<double>(samples.size()));
    size_t idx = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
    idx = std::min(idx, samples.size() - 1);
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(idx),
                     samples.end());
    return samples[idx];
}

}  // namespace fuse::loadgen
