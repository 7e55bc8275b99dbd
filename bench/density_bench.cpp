// Batch density (issue 16, point 3): L1 bytes per transaction of batch format 0x00 (brotli of
// the segment stream), 0x01 (brotli of the transactions split into columns) and 0x02 (0x01 with
// the address registry carried from batch to batch) against plain brotli-11 of the same raw
// transactions, on two workloads:
//   zipf     realistic repetition: senders and recipients Zipf-like from 100,000 accounts, most
//            calls to a few dozen popular contracts (ERC-20 transfers and approvals, DEX swaps),
//            mixed tx types, wallet-style fees, gas limits and amounts (bench/README.md);
//   uniform  the replay bench's history (bench/replay_bench.cpp): 1,000 accounts, random ETH
//            transfers and ERC-20 transfers to one token, uniform random pairs.
// Full 122,880-byte batches at brotli quality 11 through BatchBuilder, in sequence; every batch
// is decoded again (0x02 with the registry of the batches before it) and compared with the
// messages that went in; the batches of the second half are also reported alone (steady
// state). A one-shot program.
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

#include "batch/address_registry.hpp"
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

uint256 pow10(uint64_t e) {
    uint256 r{1};
    for (uint64_t i = 0; i < e; ++i)
        r *= uint256{10};
    return r;
}

/// An amount of a token with `decimals`, in base units: log-uniform between `lo_units` and
/// `hi_units` whole units; with probability `round_pct`% rounded to 1-2 significant digits (what
/// people type), else at the token's full precision (quotes, balances, "max").
uint256 amount(std::mt19937_64& rng, uint64_t decimals, double lo_units, double hi_units,
               unsigned round_pct) {
    const double units = std::exp(
        std::uniform_real_distribution<double>(std::log(lo_units), std::log(hi_units))(rng));
    if (rng() % 100 < round_pct) {
        const int mag = static_cast<int>(std::floor(std::log10(units)));
        const int digits = rng() % 2 ? 1 : 2;
        const int e = mag - digits + 1 + static_cast<int>(decimals);
        const uint64_t m = static_cast<uint64_t>(units / std::pow(10.0, mag - digits + 1));
        return e >= 0 ? uint256{std::max<uint64_t>(m, 1)} * pow10(static_cast<uint64_t>(e))
                      : uint256{1};
    }
    // Full precision: 15 significant digits from the double, the rest random.
    const uint256 whole{static_cast<uint64_t>(units * 1e6)};
    return whole * pow10(decimals) / uint256{1'000'000} +
           uint256{rng()} % pow10(std::min<uint64_t>(decimals, 12));
}

std::vector<Bytes> zipf_workload(size_t n_txs, size_t n_accounts, double s, size_t block_txs) {
    std::mt19937_64 rng(16);
    constexpr size_t kTokens = 30, kRouters = 10;
    const Zipf accounts(n_accounts, s), tokens(kTokens, 1.0), routers(kRouters, 1.2);
    // Popularity ranks are mapped to accounts by two different permutations, so heavy
    // senders are not the most frequent recipients.
    std::vector<uint64_t> sender_of(n_accounts), recipient_of(n_accounts);
    for (size_t i = 0; i < n_accounts; ++i)
        sender_of[i] = recipient_of[i] = i;
    std::shuffle(sender_of.begin(), sender_of.end(), rng);
    std::shuffle(recipient_of.begin(), recipient_of.end(), rng);
    std::map<uint64_t, uint64_t> nonce;
    // The 3 most popular tokens have 6 decimals (stablecoins), the others 18. Per token, the
    // gas a transfer needs to an existing / a new holder (implementations differ).
    auto decimals = [](size_t token) -> uint64_t { return token < 3 ? 6 : 18; };
    std::vector<uint64_t> transfer_gas(kTokens);
    for (auto& g : transfer_gas)
        g = 29'000 + rng() % 8'000;
    // The L2 base fee: at its floor (0.01 gwei) most of the time, now and then above it for a
    // while; wallets derive their fee fields from it (ethers: 2 * base + 1 gwei tip; viem:
    // 1.2 * base + eth_maxPriorityFeePerGas (0 here); legacy: eth_gasPrice = base).
    uint64_t base = kGwei / 100;
    std::vector<Unsigned> all;
    all.reserve(n_txs);
    for (size_t i = 0; i < n_txs; ++i) {
        if (i % block_txs == 0)
            base =
                rng() % 10 ? (rng() % 3 ? base : kGwei / 100) : kGwei / 100 + rng() % (kGwei / 20);
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
        if (rng() % 2) {  // ethers
            t.max_priority_fee_per_gas = uint256{kGwei};
            t.max_fee_per_gas = uint256{2 * base + kGwei};
        } else {  // viem
            t.max_priority_fee_per_gas = uint256{0};
            t.max_fee_per_gas = uint256{base * 6 / 5};
        }
        t.gas_price = uint256{base};
        const unsigned kind = static_cast<unsigned>(rng() % 100);
        bool exact_estimate = rng() % 2;  // else the wallet adds 20%
        if (kind < 35) {                  // ETH transfer
            t.to = to;
            t.gas_limit = 21'000;
            t.value = amount(rng, 18, 0.001, 10, 70);
            exact_estimate = true;
        } else if (kind < 75) {  // ERC-20 transfer(to, amount) on a popular token
            const size_t token = tokens(rng);
            t.to = pseudo_address("token", token);
            t.data = abi_call({0xa9, 0x05, 0x9c, 0xbb},
                              {word(to), amount(rng, decimals(token), 1, 10'000, 60)});
            t.gas_limit = transfer_gas[token] + (rng() % 3 == 0 ? 17'100 : 0);  // new holder
        } else if (kind < 83) {  // approve(router, amount)
            const size_t token = tokens(rng);
            t.to = pseudo_address("token", token);
            const Address spender = pseudo_address("router", routers(rng));
            t.data = abi_call(
                {0x09, 0x5e, 0xa7, 0xb3},
                {word(spender),
                 rng() % 2 ? uint256::max() : amount(rng, decimals(token), 10, 100'000, 80)});
            t.gas_limit = 24'000 + rng() % 3'000 + (rng() % 2 ? 20'000 : 0);
        } else if (kind < 95) {  // swapExactTokensForTokens(in, outMin, path, to, deadline)
            t.to = pseudo_address("router", routers(rng));
            const size_t a = tokens(rng), b = tokens(rng);
            const uint256 in = amount(rng, decimals(a), 1, 10'000, 50);
            const uint256 out_min = amount(rng, decimals(b), 1, 10'000, 0);  // a quote
            t.data = abi_call({0x38, 0xed, 0x17, 0x39},
                              {in, out_min, uint256{0xa0}, word(pseudo_address("acct", from)),
                               uint256{1'800'000'000 + i / block_txs + 1200}, uint256{2},
                               word(pseudo_address("token", a)), word(pseudo_address("token", b))});
            t.gas_limit = 110'000 + rng() % 80'000;
        } else {  // another popular contract: a selector and two opaque words
            t.to = pseudo_address("router", routers(rng));
            t.data = abi_call({0x12, 0x34, static_cast<uint8_t>(rng() % 4), 0x56},
                              {uint256::from_be(seeded("w", rng()).view()), uint256{rng() % 1000}});
            t.gas_limit = 60'000 + rng() % 200'000;
        }
        if (!exact_estimate) t.gas_limit = t.gas_limit * 6 / 5;
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
    size_t full_min = SIZE_MAX, full_max = 0;  // sizes of the batches closed by the limit
    double build_s = 0, decode_s = 0;
    // The batches that start in the second half of the transactions (steady state).
    size_t late_batches = 0, late_txs = 0, late_bytes = 0, late_plain = 0;
    uint64_t registry_size = 0;
};

/// Fills full batches of `format` with messages of `block_txs` txs; plain brotli-11 of the raw
/// txs of each batch alongside. Every batch is decoded and compared; format 0x02 batches are
/// built and decoded in sequence, the address registry carried from batch to batch.
Figures fill(const std::vector<Bytes>& txs, size_t block_txs, uint8_t format) {
    Figures f;
    batch::AddressRegistry registry;
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
        batch::BatchBuilder b({}, 11, format, &registry);
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
        std::vector<Address> registered;
        auto back = batch::decode_batch(data, {}, &registry, &registered);
        f.decode_s += std::chrono::duration<double>(Clock::now() - d0).count();
        if (!back || back->size() != next - first ||
            !std::equal(back->begin(), back->end(), msgs.begin() + first) ||
            !registry.apply_batch(f.batches, registered)) {
            std::fprintf(stderr, "batch %zu does not round-trip\n", f.batches);
            std::exit(2);
        }
        Bytes raw;
        size_t batch_txs = 0;
        for (size_t k = first; k < next; ++k)
            for (const Bytes& tx : msgs[k].txs) {
                raw.insert(raw.end(), tx.begin(), tx.end());
                ++batch_txs;
            }
        const size_t plain = brotli11(raw).size();
        f.txs += batch_txs;
        f.plain += plain;
        f.bytes += data.size();
        if (first >= msgs.size() / 2) {
            ++f.late_batches;
            f.late_txs += batch_txs;
            f.late_bytes += data.size();
            f.late_plain += plain;
        }
        if (next < msgs.size()) {
            f.full_min = std::min(f.full_min, data.size());
            f.full_max = std::max(f.full_max, data.size());
        }
        ++f.batches;
    }
    f.registry_size = registry.size();
    return f;
}

void report(const char* name, const std::vector<Bytes>& txs, size_t block_txs,
            const std::vector<uint8_t>& formats) {
    size_t raw = 0;
    for (const Bytes& t : txs)
        raw += t.size();
    const double n = static_cast<double>(txs.size());
    std::printf("%s: %zu txs, raw %.1f B/tx\n", name, txs.size(), static_cast<double>(raw) / n);
    for (uint8_t format : formats) {
        const Figures f = fill(txs, block_txs, format);
        const double bpt = static_cast<double>(f.bytes) / n;
        const double plain = static_cast<double>(f.plain) / n;
        std::printf(
            "  format 0x%02x q11: %.2f B/tx in %zu batches (%.0f txs/batch); plain brotli-11 of "
            "the same txs per batch %.2f B/tx => %.1f%% fewer bytes; build %.0f ms/batch, "
            "decode %.1f ms/batch; full batches %zu-%zu B\n",
            format, bpt, f.batches, n / static_cast<double>(f.batches), plain,
            100.0 * (1 - bpt / plain), 1000 * f.build_s / static_cast<double>(f.batches),
            1000 * f.decode_s / static_cast<double>(f.batches), f.full_min, f.full_max);
        if (f.late_txs > 0) {
            const double lt = static_cast<double>(f.late_txs);
            const double lb = static_cast<double>(f.late_bytes) / lt;
            const double lp = static_cast<double>(f.late_plain) / lt;
            std::printf(
                "    second half (%zu batches, %zu txs): %.2f B/tx; plain brotli-11 %.2f B/tx => "
                "%.1f%% fewer bytes%s\n",
                f.late_batches, f.late_txs, lb, lp, 100.0 * (1 - lb / lp),
                format == batch::kRegistryFormat
                    ? (", registry " + std::to_string(f.registry_size) + " addresses at the end")
                          .c_str()
                    : "");
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    size_t n_txs = 40'000, block_txs = 100, n_accounts = 100'000;
    double zipf_s = 1.0;
    std::string only;
    std::vector<uint8_t> formats = {batch::kBrotliFormat, batch::kColumnarFormat,
                                    batch::kRegistryFormat};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--txs" && i + 1 < argc)
            n_txs = std::stoul(argv[++i]);
        else if (a == "--block-txs" && i + 1 < argc)
            block_txs = std::stoul(argv[++i]);
        else if (a == "--accounts" && i + 1 < argc)
            n_accounts = std::stoul(argv[++i]);
        else if (a == "--zipf-s" && i + 1 < argc)
            zipf_s = std::stod(argv[++i]);
        else if ((a == "--only") && i + 1 < argc)
            only = argv[++i];
        else if (a == "--formats" && i + 1 < argc) {
            formats.clear();
            for (const char* p = argv[++i]; *p; ++p)
                if (*p >= '0' && *p <= '2') formats.push_back(static_cast<uint8_t>(*p - '0'));
        } else {
            std::fprintf(
                stderr,
                "usage: density_bench [--txs N] [--block-txs N] [--accounts N] [--zipf-s S] "
                "[--only zipf|uniform] [--formats 012]\n");
            return 1;
        }
    }
    if (only.empty() || only == "zipf")
        report(("zipf (" + std::to_string(n_accounts) + " accounts, s = " + std::to_string(zipf_s) +
                ")")
                   .c_str(),
               zipf_workload(n_txs, n_accounts, zipf_s, block_txs), block_txs, formats);
    if (only.empty() || only == "uniform")
        report("uniform (replay_bench history, 1,000 accounts)", uniform_workload(n_txs, 1'000),
               block_txs, formats);
    return 0;
}
