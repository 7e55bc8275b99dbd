// Batch density (issue 16, point 3): L1 bytes per transaction of batch format 0x00 (brotli of
// the segment stream) and 0x01 (brotli of the transactions split into columns) against plain
// brotli-11 of the same raw transactions, on two workloads:
//   zipf     realistic repetition: senders and recipients Zipf-like from 100,000 accounts, most
//            calls to a few dozen popular contracts (ERC-20 transfers and approvals, DEX swaps),
//            mixed tx types, wallet-style fees, gas limits and amounts (bench/README.md);
//   uniform  the replay bench's history (bench/replay_bench.cpp): 1,000 accounts, random ETH
//            transfers and ERC-20 transfers to one token, uniform random pairs.
// Full 122,880-byte batches at brotli quality 11 through BatchBuilder; every format-0x01 batch
// is decoded again and compared with the messages that went in. A one-shot program.
#include <brotli/encode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "batch/builder.hpp"
#include "core/hash.hpp"
#include "core/transaction.hpp"

using namespace fuse;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kZipfChainId = 1220122;   // the devnet's L2 chain id
constexpr uint64_t kReplayChainId = 412346;  // replay_bench's
constexpr uint64_t kGwei = 1'000'000'000;

struct Unsigned {
    Transaction tx;
    Hash32 key;
};

Hash32 seeded(const char* tag, uint64_t i) {
    Bytes seed(tag, tag + std::char_traits<char>::length(tag));
    for (int k = 0; k < 8; ++k)
        seed.push_back(static_cast<uint8_t>(i >> (8 * k)));
    return keccak256(seed);
}

Address pseudo_address(const char* tag, uint64_t i) {
    return Address::from_view_right(seeded(tag, i).view());
}

/// Signs on every core, in order.
std::vector<Bytes> sign_all(std::vector<Unsigned>& all) {
    std::vector<Bytes> raw(all.size());
    const size_t threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (size_t i = t; i < all.size(); i += threads) {
                if (!sign_transaction(all[i].tx, all[i].key)) std::abort();
                raw[i] = encode_transaction(all[i].tx);
            }
        });
    for (auto& th : pool)
        th.join();
    return raw;
}

/// Ranks 0..n-1 with P(k) proportional to 1 / (k + 1)^s.
class Zipf {
public:
    Zipf(size_t n, double s) : cdf_(n) {
        double sum = 0;
        for (size_t k = 0; k < n; ++k)
            cdf_[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
        for (double& c : cdf_)
            c /= sum;
    }
    size_t operator()(std::mt19937_64& rng) const {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    }

private:
    std::vector<double> cdf_;
};

Bytes abi_call(std::initializer_list<uint8_t> selector, const std::vector<uint256>& words) {
    Bytes d(selector);
    d.resize(4 + 32 * words.size());
    for (size_t i = 0; i < words.size(); ++i)
        words[i].to_be(d.data() + 4 + 32 * i);
    return d;
}

uint256 word(const Address& a) {
    return uint256::from_be(a.view());
}

/// A wallet-style amount around 10^e, e in [min_exp, max_exp]: 55% "round" (1 or up to 3
/// significant digits), else arbitrary (full precision, up to 1000 * 10^e).
uint256 amount(std::mt19937_64& rng, uint64_t min_exp, uint64_t max_exp) {
    const uint64_t e = min_exp + rng() % (max_exp - min_exp + 1);
    uint256 scale{1};
    for (uint64_t i = 0; i < e; ++i)
        scale *= uint256{10};
    if (rng() % 100 < 55) return uint256{1 + rng() % (rng() % 2 ? 9 : 999)} * scale;
    return uint256{rng(), rng(), 0, 0} % (scale * uint256{1000}) + uint256{1};
}

std::vector<Bytes> zipf_workload(size_t n_txs, size_t n_accounts) {
    std::mt19937_64 rng(16);
    const Zipf accounts(n_accounts, 1.0), tokens(30, 1.0), routers(10, 1.2);
    // Popularity ranks are mapped to accounts by two different permutations, so heavy
    // senders are not the most frequent recipients.
    std::vector<uint64_t> sender_of(n_accounts), recipient_of(n_accounts);
    for (size_t i = 0; i < n_accounts; ++i)
        sender_of[i] = recipient_of[i] = i;
    std::shuffle(sender_of.begin(), sender_of.end(), rng);
    std::shuffle(recipient_of.begin(), recipient_of.end(), rng);
    std::map<uint64_t, uint64_t> nonce;
    const uint64_t common_max_fee[] = {kGwei / 100 * 2, kGwei / 10, kGwei, 3 * kGwei / 2};
    const uint64_t common_tip[] = {0, kGwei / 1000, kGwei / 100, kGwei};
    std::vector<Unsigned> all;
    all.reserve(n_txs);
    for (size_t i = 0; i < n_txs; ++i) {
        const uint64_t from = sender_of[accounts(rng)];
        const Address to = pseudo_address("acct", recipient_of[accounts(rng)]);
        Unsigned u;
        u.key = seeded("acct-key", from);
        Transaction& t = u.tx;
        const unsigned type_roll = static_cast<unsigned>(rng() % 100);
        t.type = type_roll < 85   ? TxType::kDynamicFee
                 : type_roll < 97 ? TxType::kLegacy
                                  : TxType::kAccessList;
        t.chain_id = kZipfChainId;
        auto [it, fresh] = nonce.try_emplace(from, 0);
        if (fresh) it->second = rng() % 4 == 0 ? rng() % 20'000 : rng() % 300;
        t.nonce = it->second++;
        const uint64_t fee =
            rng() % 5 ? common_max_fee[rng() % 4] : kGwei / 100 + rng() % (2 * kGwei);  // estimated
        t.max_fee_per_gas = uint256{fee};
        t.max_priority_fee_per_gas = uint256{std::min(fee, common_tip[rng() % 4])};
        t.gas_price = uint256{fee};
        const unsigned kind = static_cast<unsigned>(rng() % 100);
        if (kind < 35) {  // ETH transfer
            t.to = to;
            t.gas_limit = rng() % 20 ? 21'000 : 21'000 + rng() % 30'000;
            t.value = amount(rng, 14, 18);
        } else if (kind < 75) {  // ERC-20 transfer(to, amount) on a popular token
            t.to = pseudo_address("token", tokens(rng));
            t.gas_limit = rng() % 2 ? (rng() % 2 ? 65'000 : 100'000) : 45'000 + rng() % 25'000;
            t.data = abi_call({0xa9, 0x05, 0x9c, 0xbb}, {word(to), amount(rng, 4, 20)});
        } else if (kind < 83) {  // approve(router, amount)
            t.to = pseudo_address("token", tokens(rng));
            t.gas_limit = rng() % 2 ? 60'000 : 44'000 + rng() % 10'000;
            const Address spender = pseudo_address("router", routers(rng));
            t.data = abi_call({0x09, 0x5e, 0xa7, 0xb3},
                              {word(spender), rng() % 2 ? uint256::max() : amount(rng, 6, 22)});
        } else if (kind < 95) {  // swapExactTokensForTokens(in, outMin, path, to, deadline)
            t.to = pseudo_address("router", routers(rng));
            t.gas_limit = 150'000 + rng() % 100'000;
            const uint256 in = amount(rng, 4, 20);
            t.data =
                abi_call({0x38, 0xed, 0x17, 0x39},
                         {in, in / uint256{100} * uint256{95 + rng() % 5}, uint256{0xa0},
                          word(pseudo_address("acct", from)), uint256{1'800'000'000 + i / 4 + 1200},
                          uint256{2}, word(pseudo_address("token", tokens(rng))),
                          word(pseudo_address("token", tokens(rng)))});
        } else {  // another contract call: a selector and two opaque words
            t.to = pseudo_address("router", routers(rng));
            t.gas_limit = 80'000 + rng() % 400'000;
            t.data = abi_call({0x12, 0x34, static_cast<uint8_t>(rng() % 4), 0x56},
                              {uint256::from_be(seeded("w", rng()).view()), uint256{rng() % 1000}});
        }
        if (t.type == TxType::kAccessList) {
            AccessListEntry e{*t.to, {seeded("slot", rng() % 8)}};
            t.access_list.push_back(e);
        }
        all.push_back(std::move(u));
    }
    return sign_all(all);
}

/// replay_bench's random part: ETH (50%) and ERC-20 (50%) transfers between distinct uniform
/// random accounts among `n_accounts`, to one token, max fee 10 gwei, tip 0.
std::vector<Bytes> uniform_workload(size_t n_txs, size_t n_accounts) {
    std::mt19937_64 rng(42);
    std::vector<uint64_t> nonce(n_accounts, 0);
    const Address token = pseudo_address("replay-token", 0);
    std::vector<Unsigned> all;
    all.reserve(n_txs);
    while (all.size() < n_txs) {
        const size_t from = rng() % n_accounts;
        size_t to = rng() % n_accounts;
        if (to == from) to = (to + 1) % n_accounts;
        Unsigned u;
        u.key = seeded("rb", from);
        Transaction& t = u.tx;
        t.type = TxType::kDynamicFee;
        t.chain_id = kReplayChainId;
        t.nonce = nonce[from]++;
        t.max_fee_per_gas = uint256{10 * kGwei};
        if (rng() % 2 == 0) {
            t.to = pseudo_address("rb-addr", to);
            t.gas_limit = 30'000;
            t.value = uint256{1'000'000'000ull + rng() % 1'000'000'000'000ull};
        } else {
            t.to = token;
            t.gas_limit = 100'000;
            t.data = abi_call({0xa9, 0x05, 0x9c, 0xbb}, {word(pseudo_address("rb-addr", to)),
                                                         uint256{1 + rng() % 1'000'000}});
        }
        all.push_back(std::move(u));
    }
    return sign_all(all);
}

Bytes brotli11(ByteView in) {
    size_t size = BrotliEncoderMaxCompressedSize(in.size());
    Bytes out(size);
    if (!BrotliEncoderCompress(11, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in.size(), in.data(),
                               &size, out.data()))
        std::abort();
    out.resize(size);
    return out;
}

struct Figures {
    size_t batches = 0, txs = 0, bytes = 0, plain = 0;
    double build_s = 0, decode_s = 0;
};

/// Fills full batches of `format` with messages of `block_txs` txs; plain brotli-11 of the raw
/// txs of each batch alongside. Format 0x01 batches are decoded and compared.
Figures fill(const std::vector<Bytes>& txs, size_t block_txs, uint8_t format) {
    Figures f;
    std::vector<batch::L2Message> msgs;
    for (size_t i = 0; i < txs.size(); i += block_txs) {
        batch::L2Message m{1000 + i / (4 * block_txs),
                           uint256{7 + i / (4 * block_txs)},
                           1'800'000'000 + i / block_txs,
                           {}};
        for (size_t j = i; j < std::min(txs.size(), i + block_txs); ++j)
            m.txs.push_back(txs[j]);
        msgs.push_back(std::move(m));
    }
    size_t next = 0;
    while (next < msgs.size()) {
        const auto t0 = Clock::now();
        batch::BatchBuilder b({}, 11, format);
        const size_t first = next;
        while (next < msgs.size()) {
            auto r = b.add(msgs[next]);
            if (!r) std::abort();
            if (!*r) break;
            ++next;
        }
        const Bytes data = b.finish(true);
        const auto t1 = Clock::now();
        f.build_s += std::chrono::duration<double>(t1 - t0).count();
        const auto d0 = Clock::now();
        auto back = batch::decode_batch(data);
        f.decode_s += std::chrono::duration<double>(Clock::now() - d0).count();
        if (!back || back->size() != next - first ||
            !std::equal(back->begin(), back->end(), msgs.begin() + first)) {
            std::fprintf(stderr, "batch %zu does not round-trip\n", f.batches);
            std::exit(2);
        }
        Bytes raw;
        for (size_t k = first; k < next; ++k)
            for (const Bytes& tx : msgs[k].txs) {
                raw.insert(raw.end(), tx.begin(), tx.end());
                ++f.txs;
            }
        f.plain += brotli11(raw).size();
        f.bytes += data.size();
        ++f.batches;
    }
    return f;
}

void report(const char* name, const std::vector<Bytes>& txs, size_t block_txs) {
    size_t raw = 0;
    for (const Bytes& t : txs)
        raw += t.size();
    const double n = static_cast<double>(txs.size());
    std::printf("%s: %zu txs, raw %.1f B/tx\n", name, txs.size(), static_cast<double>(raw) / n);
    double plain1 = 0, fmt1 = 0;
    for (uint8_t format : {batch::kBrotliFormat, batch::kColumnarFormat}) {
        const Figures f = fill(txs, block_txs, format);
        const double bpt = static_cast<double>(f.bytes) / n;
        const double plain = static_cast<double>(f.plain) / n;
        std::printf(
            "  format 0x%02x q11: %.2f B/tx in %zu batches (%.0f txs/batch); plain brotli-11 of "
            "the same txs per batch %.2f B/tx (%+.1f%%); build %.0f ms/batch, decode %.1f "
            "ms/batch\n",
            format, bpt, f.batches, n / static_cast<double>(f.batches), plain,
            100.0 * (bpt / plain - 1), 1000 * f.build_s / static_cast<double>(f.batches),
            1000 * f.decode_s / static_cast<double>(f.batches));
        if (format == batch::kColumnarFormat) {
            plain1 = plain;
            fmt1 = bpt;
        }
    }
    std::printf("  => format 0x01 spends %.1f%% fewer bytes than plain brotli-11\n",
                100.0 * (1 - fmt1 / plain1));
}

}  // namespace

int main(int argc, char** argv) {
    size_t n_txs = 40'000, block_txs = 100;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--txs" && i + 1 < argc)
            n_txs = std::stoul(argv[++i]);
        else if (a == "--block-txs" && i + 1 < argc)
            block_txs = std::stoul(argv[++i]);
        else if ((a == "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: density_bench [--txs N] [--block-txs N] [--only zipf|uniform]\n");
            return 1;
        }
    }
    if (only.empty() || only == "zipf")
        report("zipf (100,000 accounts)", zipf_workload(n_txs, 100'000), block_txs);
    if (only.empty() || only == "uniform")
        report("uniform (replay_bench history, 1,000 accounts)", uniform_workload(n_txs, 1'000),
               block_txs);
    return 0;
}
