#include "differential/generator.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "arbos/revision.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "core/transaction.hpp"
#include "differential/precompile_inputs.hpp"
#include "state/host.hpp"

#ifndef FUSE_SOURCE_DIR
#define FUSE_SOURCE_DIR "."
#endif

namespace fuse::differential {
namespace {

constexpr uint64_t kGwei = 1'000'000'000;
constexpr size_t kProbes = 4;
constexpr size_t kAuthorities = 12;
const Address kArbSys = [] {
    Address a;
    a[19] = 0x64;
    return a;
}();

/// A call argument: a static 32-byte word or dynamic bytes.
struct Arg {
    bool dynamic = false;
    Bytes data;
};
Arg word(const uint256& v) {
    Arg a;
    a.data.resize(32);
    v.to_be(a.data.data());
    return a;
}
Arg word(const Address& addr) {
    Arg a;
    a.data.assign(12, 0);
    a.data.insert(a.data.end(), addr.bytes.begin(), addr.bytes.end());
    return a;
}
Arg word(const Hash32& h) {
    return Arg{false, Bytes(h.bytes.begin(), h.bytes.end())};
}
Arg dyn(Bytes b) {
    return Arg{true, std::move(b)};
}

/// Solidity ABI call data: selector of `signature`, then the arguments (heads, then tails).
Bytes abi_call(std::string_view signature, const std::vector<Arg>& args) {
    const Hash32 sel =
        keccak256(ByteView(reinterpret_cast<const uint8_t*>(signature.data()), signature.size()));
    Bytes out(sel.bytes.begin(), sel.bytes.begin() + 4);
    Bytes tail;
    for (const Arg& a : args) {
        if (!a.dynamic) {
            out.insert(out.end(), a.data.begin(), a.data.end());
            continue;
        }
        const Arg off = word(uint256(32 * args.size() + tail.size()));
        out.insert(out.end(), off.data.begin(), off.data.end());
        const Arg len = word(uint256(a.data.size()));
        tail.insert(tail.end(), len.data.begin(), len.data.end());
        tail.insert(tail.end(), a.data.begin(), a.data.end());
        tail.resize(tail.size() + (32 - a.data.size() % 32) % 32, 0);
    }
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
}

/// Creation code: `prefix`, then code that returns `runtime`.
Bytes deploy_code(const Bytes& prefix, const Bytes& runtime) {
    Bytes c = prefix;
    const auto len = static_cast<uint8_t>(runtime.size());
    const auto off = static_cast<uint8_t>(prefix.size() + 12);
    const Bytes copier = {0x60, len, 0x60, off, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3};
    c.insert(c.end(), copier.begin(), copier.end());
    c.insert(c.end(), runtime.begin(), runtime.end());
    return c;
}

/// Runtime code that selfdestructs to its caller (after writing slot 0 half the time).
const Bytes kKillRuntime = {0x33, 0xff};
const Bytes kStoreKillRuntime = {0x60, 0x01, 0x60, 0x00, 0x55, 0x33, 0xff};

Hash32 derived_key(uint64_t seed, char tag, uint64_t i) {
    Bytes b = {'d', 'i', 'f', static_cast<uint8_t>(tag)};
    for (int k = 0; k < 8; ++k) {
        b.push_back(static_cast<uint8_t>(seed >> (8 * k)));
        b.push_back(static_cast<uint8_t>(i >> (8 * k)));
    }
    return keccak256(b);
}

}  // namespace

const char* to_string(TxKind k) {
    static constexpr const char* kNames[kKindCount] = {
        "deploy-probe",    "transfer",       "transfer-fresh",
        "transfer-zero",   "store",          "clear",
        "revert",          "out-of-gas",     "log",
        "create-tx",       "create",         "create2",
        "create2-destroy", "selfdestruct",   "precompile-good",
        "precompile-bad",  "arbsys",         "set-code",
        "delegated-call",  "deposit-native", "deposit-message"};
    const auto i = static_cast<size_t>(k);
    return i < kKindCount ? kNames[i] : "?";
}

const char* source_dir() {
    return FUSE_SOURCE_DIR;
}

Result<Bytes, std::string> load_probe_initcode(const std::string& dir) {
    const std::string path = dir + "/contracts/out/test/DiffProbe.json";
    std::ifstream in(path);
    if (!in)
        return Unexpected{"cannot read " + path +
                          ": build the test contracts first (node contracts/build.mjs)"};
    try {
        const auto j = nlohmann::json::parse(in);
        auto code = from_hex(j.at("bytecode").get<std::string>());
        if (!code || code->empty()) return Unexpected{path + ": no bytecode"};
        return std::move(*code);
    } catch (const std::exception& e) {
        return Unexpected{path + ": " + e.what()};
    }
}

Generator::Generator(GeneratorOptions options) : opt_(std::move(options)), rng_(opt_.seed) {
    genesis_.chain_id = opt_.chain_id;
    genesis_.arbos_version = arbos::kArbosVersionLatest;
    genesis_.timestamp = 1'700'000'000;
    // A speed limit above what one machine executes keeps the base fee within the senders'
    // fee caps for a long run; the base fee still moves (docs/differential.md).
    genesis_.fees.speed_limit_per_second = 50'000'000;
    genesis_.fees.network_fee_account[19] = 0xf1;
    genesis_.fees.l1_fee_account[19] = 0xf2;
    for (size_t i = 0; i < opt_.senders; ++i) {
        keys_.push_back(derived_key(opt_.seed, 's', i));
        addrs_.push_back(address_from_private_key(keys_.back()).value());
        genesis_.alloc[addrs_.back()].balance = uint256(1) << 100;
    }
    nonces_.assign(opt_.senders, 0);
    for (size_t i = 0; i < kAuthorities; ++i) {
        authority_keys_.push_back(derived_key(opt_.seed, 'a', i));
        authorities_.push_back(address_from_private_key(authority_keys_.back()).value());
        if (i % 2 == 0) genesis_.alloc[authorities_.back()].balance = uint256(1) << 64;
    }
    authority_nonces_.assign(kAuthorities, 0);
    delegated_.assign(kAuthorities, false);
    for (size_t i = 0; i < kProbes; ++i)
        probes_.push_back(state::create_address(addrs_[0], i));
    l1_.block_number = 1;
    l1_.base_fee = uint256(1'000'000);
}

Address Generator::random_target() {
    switch (pick(6)) {
        case 0:
            return addrs_[pick(addrs_.size())];
        case 1:
            if (!fresh_.empty()) return fresh_[pick(fresh_.size())];
            return addrs_[pick(addrs_.size())];
        case 2:
            if (!children_.empty()) return children_[pick(children_.size())];
            return probe();
        case 3:
            return authorities_[pick(authorities_.size())];
        default:
            return probe();
    }
}

GeneratedTx Generator::make(TxKind kind) {
    GeneratedTx g;
    g.kind = kind;
    g.sender = kind == TxKind::kDeployProbe ? 0 : pick(keys_.size());
    Transaction t;
    t.chain_id = opt_.chain_id;
    t.gas_limit = 300'000;
    auto random_bytes = [&](size_t max) {
        Bytes b(pick(max + 1));
        for (auto& x : b)
            x = static_cast<uint8_t>(rng_());
        return b;
    };
    auto random_hash = [&] {
        Hash32 h;
        for (auto& x : h.bytes)
            x = static_cast<uint8_t>(rng_());
        return h;
    };
    auto small_value = [&] { return uint256(pick(1'000'000'000'000'000'000ull)); };
    // Creation code variants: a contract that selfdestructs when called (twice as likely),
    // one that writes storage in its constructor, a reverting one, one whose code starts with
    // 0xEF (EIP-3541), one that selfdestructs in its constructor.
    auto init_code = [&]() -> Bytes {
        switch (pick(6)) {
            case 0:
            case 1:
                return deploy_code({}, kKillRuntime);
            case 2:
                return deploy_code({0x60, static_cast<uint8_t>(rng_()), 0x60, 0x03, 0x55},
                                   kStoreKillRuntime);
            case 3:
                return {0x60, 0x00, 0x60, 0x00, 0xfd};
            case 4:
                return deploy_code({}, {0xef, 0x00});
            default:
                return {0x33, 0xff};
        }
    };
    const Address probe_addr = probe();
    switch (kind) {
        case TxKind::kDeployProbe:
            t.data = opt_.probe_initcode;
            t.gas_limit = 3'000'000;
            break;
        case TxKind::kTransfer:
            t.to = random_target();
            t.value = small_value() + uint256(1);
            t.gas_limit = 100'000;
            break;
        case TxKind::kTransferFresh: {
            Bytes seed = {'f'};
            for (int k = 0; k < 8; ++k)
                seed.push_back(
                    static_cast<uint8_t>((opt_.seed + (fresh_counter_ << 20)) >> (8 * k)));
            ++fresh_counter_;
            Address a;
            const Hash32 h = keccak256(seed);
            std::copy(h.bytes.begin() + 12, h.bytes.end(), a.bytes.begin());
            fresh_.push_back(a);
            t.to = a;
            t.value = chance(20) ? uint256(0) : small_value() + uint256(1);
            t.gas_limit = 50'000;
            break;
        }
        case TxKind::kTransferZero:
            t.to = random_target();
            t.gas_limit = 100'000;
            break;
        case TxKind::kStore: {
            const uint64_t n = 1 + pick(60);
            t.to = probe_addr;
            t.data = abi_call("store(uint256,uint256,uint256)",
                              {word(uint256(chance(70) ? pick(1000) : rng_())), word(uint256(n)),
                               word(uint256(rng_()))});
            t.gas_limit = 80'000 + 25'000 * n;
            break;
        }
        case TxKind::kClear: {
            const uint64_t n = 1 + pick(40);
            t.to = probe_addr;
            t.data =
                abi_call("clear(uint256,uint256)", {word(uint256(pick(1000))), word(uint256(n))});
            t.gas_limit = 60'000 + 8'000 * n;
            break;
        }
        case TxKind::kRevert:
            t.to = probe_addr;
            t.data = abi_call("fail(bytes)", {dyn(random_bytes(100))});
            if (chance(40))  // reverts inside a call that succeeds
                t.data = abi_call("forward(address,bytes,uint256)",
                                  {word(probe()), dyn(t.data), word(uint256(0))});
            t.gas_limit = 150'000;
            break;
        case TxKind::kOutOfGas:
            t.to = probe_addr;
            if (chance(50)) {
                t.data = abi_call("burn()", {});
                t.gas_limit = 50'000 + pick(250'000);
            } else {
                t.data = abi_call("store(uint256,uint256,uint256)",
                                  {word(uint256(rng_())), word(uint256(400)), word(uint256(1))});
                t.gas_limit = 100'000 + pick(200'000);
            }
            break;
        case TxKind::kLog:
            t.to = chance(80) ? probe_addr : authorities_[pick(authorities_.size())];
            t.data = abi_call("emitLog(uint256,bytes32,bytes32,bytes32,bytes32,bytes)",
                              {word(uint256(pick(5))), word(random_hash()), word(random_hash()),
                               word(random_hash()), word(random_hash()), dyn(random_bytes(96))});
            t.gas_limit = 120'000;
            break;
        case TxKind::kCreateTx: {
            t.data = init_code();
            t.value = chance(30) ? small_value() : uint256(0);
            t.gas_limit = 200'000;
            break;
        }
        case TxKind::kCreate:
            t.to = probe_addr;
            t.data = abi_call("deploy(bytes,uint256)",
                              {dyn(init_code()), word(uint256(chance(20) ? pick(1000) : 0))});
            t.gas_limit = 300'000;
            break;
        case TxKind::kCreate2: {
            // Eight salts and six init codes per probe: collisions are frequent.
            Hash32 salt;
            salt.bytes[31] = static_cast<uint8_t>(pick(8));
            t.to = probe_addr;
            t.data = abi_call("deploy2(bytes,bytes32,uint256)",
                              {dyn(init_code()), word(salt), word(uint256(0))});
            t.gas_limit = 300'000;
            break;
        }
        case TxKind::kCreate2Destroy: {
            Hash32 salt;
            salt.bytes[30] = 0xd0;
            salt.bytes[31] = static_cast<uint8_t>(pick(8));
            t.to = probe_addr;
            t.data = abi_call("deployAndCall(bytes,bytes32,bytes)",
                              {dyn(deploy_code({}, chance(50) ? kKillRuntime : kStoreKillRuntime)),
                               word(salt), dyn(random_bytes(8))});
            t.value = chance(50) ? uint256(pick(1'000'000)) : uint256(0);
            t.gas_limit = 400'000;
            break;
        }
        case TxKind::kSelfDestruct:
            t.to = children_[pick(children_.size())];
            t.value = chance(50) ? small_value() : uint256(0);
            t.gas_limit = 100'000;
            break;
        case TxKind::kPrecompileGood:
        case TxKind::kPrecompileBad: {
            const bool good = kind == TxKind::kPrecompileGood;
            Address pc;
            pc[19] = static_cast<uint8_t>(1 + pick(kLastPrecompile));
            const Bytes input = precompile_input(pc[19], good, rng_);
            const bool hash_like = pc[19] >= 0x01 && pc[19] <= 0x04;
            if (chance(40) && !(hash_like && !good)) {
                t.to = pc;
                t.data = input;
                t.value = chance(10) ? uint256(pick(1000)) : uint256(0);
            } else if (chance(30) && !(hash_like && !good)) {
                t.to = probe_addr;
                t.data = abi_call("forwardStatic(address,bytes)", {word(pc), dyn(input)});
            } else {
                // A bad call to 0x01-0x04 gets too little gas for any input (identity costs 15 at
                // least).
                const uint64_t gas = hash_like && !good ? 1 + pick(14) : 0;
                t.to = probe_addr;
                t.data = abi_call("forward(address,bytes,uint256)",
                                  {word(pc), dyn(input), word(uint256(gas))});
            }
            t.gas_limit = 1'500'000;
            break;
        }
        case TxKind::kArbSys: {
            Bytes call;
            bool payable = false;
            switch (pick(7)) {
                case 0:
                    call = abi_call("arbBlockNumber()", {});
                    break;
                case 1:
                    call = abi_call("arbBlockHash(uint256)", {word(uint256(pick(4096)))});
                    break;
                case 2:
                    call = abi_call("arbChainID()", {});
                    break;
                case 3:
                    call = abi_call("arbOSVersion()", {});
                    break;
                case 4:
                    call = abi_call("withdrawEth(address)", {word(random_target())});
                    payable = true;
                    break;
                case 5:
                    call = abi_call("sendTxToL1(address,bytes)",
                                    {word(random_target()), dyn(random_bytes(80))});
                    payable = true;
                    break;
                default:
                    call = random_bytes(8);  // an unknown selector: reverts
                    break;
            }
            if (chance(50)) {
                t.to = kArbSys;
                t.data = call;
                if (payable) t.value = small_value();
            } else {
                t.to = probe_addr;
                t.data = abi_call("forward(address,bytes,uint256)",
                                  {word(kArbSys), dyn(call), word(uint256(0))});
                if (payable) t.value = small_value();
            }
            t.gas_limit = 300'000;
            break;
        }
        case TxKind::kSetCode: {
            t.type = TxType::kSetCode;
            const size_t n = 1 + pick(2);
            std::vector<size_t> used;
            for (size_t i = 0; i < n; ++i) {
                const size_t a = pick(authorities_.size());
                if (std::find(used.begin(), used.end(), a) != used.end()) continue;
                used.push_back(a);
                Authorization auth;
                auth.chain_id = chance(10) ? uint256(0) : uint256(opt_.chain_id);
                const bool clear = chance(20);
                if (!clear) auth.address = probe();
                const bool wrong_nonce = chance(15);
                auth.nonce = authority_nonces_[a] + (wrong_nonce ? 1 + pick(3) : 0);
                const auto sig = sign(auth.signing_hash(), authority_keys_[a]).value();
                auth.y_parity = sig.y_parity;
                auth.r = sig.r;
                auth.s = sig.s;
                t.authorization_list.push_back(auth);
                if (!wrong_nonce) {
                    ++authority_nonces_[a];
                    delegated_[a] = !clear;
                    g.authorities.push_back(a);
                }
            }
            t.to = chance(50) ? authorities_[used[0]] : probe_addr;
            t.data = abi_call(
                "store(uint256,uint256,uint256)",
                {word(uint256(pick(100))), word(uint256(1 + pick(4))), word(uint256(rng_()))});
            t.gas_limit = 400'000;
            break;
        }
        case TxKind::kDelegated: {
            const size_t a = pick(authorities_.size());
            t.to = authorities_[a];
            t.data =
                chance(50)
                    ? abi_call("store(uint256,uint256,uint256)",
                               {word(uint256(pick(100))), word(uint256(1 + pick(8))),
                                word(uint256(rng_()))})
                    : abi_call("emitLog(uint256,bytes32,bytes32,bytes32,bytes32,bytes)",
                               {word(uint256(pick(5))), word(random_hash()), word(random_hash()),
                                word(random_hash()), word(random_hash()), dyn(random_bytes(40))});
            t.value = chance(30) ? small_value() : uint256(0);
            t.gas_limit = 300'000;
            break;
        }
        default:
            break;
    }
    if (t.type != TxType::kSetCode) {
        const unsigned r = static_cast<unsigned>(pick(10));
        t.type = r < 2 ? TxType::kLegacy : r < 4 ? TxType::kAccessList : TxType::kDynamicFee;
    }
    if (t.type == TxType::kLegacy || t.type == TxType::kAccessList) {
        t.gas_price = uint256(100 * kGwei + pick(kGwei));
    } else {
        t.max_fee_per_gas = uint256(1000 * kGwei);
        t.max_priority_fee_per_gas = uint256(pick(3 * kGwei));
    }
    if (t.type != TxType::kLegacy && chance(30)) {
        AccessListEntry e;
        e.address = chance(70) ? probe() : random_target();
        for (size_t i = pick(4); i > 0; --i) {
            Hash32 slot;
            slot.bytes[31] = static_cast<uint8_t>(pick(8));
            e.storage_keys.push_back(slot);
        }
        t.access_list.push_back(e);
    }
    g.nonce = nonces_[g.sender]++;
    t.nonce = g.nonce;
    if (!t.to && kind == TxKind::kCreateTx)
        children_.push_back(state::create_address(addrs_[g.sender], t.nonce));
    (void)sign_transaction(t, keys_[g.sender]);
    g.raw = encode_transaction(t);
    ++histogram_[static_cast<size_t>(kind)];
    return g;
}

void Generator::forget_authorizations(const GeneratedTx& tx) {
    for (size_t a : tx.authorities)
        if (authority_nonces_[a] > 0) --authority_nonces_[a];
}

Deposit Generator::make_deposit() {
    Deposit d;
    d.index = deposits_.size();
    Address from;
    const Hash32 h = derived_key(opt_.seed, 'l', pick(16));
    std::copy(h.bytes.begin() + 12, h.bytes.end(), from.bytes.begin());
    d.l2_from = from;
    const uint64_t prev_block = deposits_.empty() ? 0 : deposits_.back().l1_block_number;
    d.l1_block_number = std::max(prev_block, l1_.block_number + (chance(20) ? 1 : 0));
    d.l1_timestamp = 1'700'000'000 + 12 * d.l1_block_number;
    if (chance(50)) {
        d.kind = DepositKind::kNative;
        d.to = chance(30) ? addrs_[pick(addrs_.size())] : random_target();
        d.value = uint256(pick(1'000'000'000'000'000'000ull));
        ++histogram_[static_cast<size_t>(TxKind::kDepositNative)];
    } else {
        d.kind = DepositKind::kMessage;
        d.to = probe();
        d.value = chance(30) ? uint256(pick(1'000'000'000)) : uint256(0);
        d.l2_gas_limit = 100'000 + pick(400'000);
        switch (pick(4)) {
            case 0:
                d.data = abi_call("store(uint256,uint256,uint256)",
                                  {word(uint256(pick(1000))), word(uint256(1 + pick(10))),
                                   word(uint256(rng_()))});
                break;
            case 1:
                d.data = abi_call("fail(bytes)", {dyn(Bytes(pick(40), 0xab))});
                break;
            case 2:
                d.data = abi_call("burn()", {});
                break;
            default:
                d.data = abi_call(
                    "emitLog(uint256,bytes32,bytes32,bytes32,bytes32,bytes)",
                    {word(uint256(pick(5))), word(uint256(rng_())), word(uint256(rng_())),
                     word(uint256(rng_())), word(uint256(rng_())), dyn(Bytes(pick(40), 0xcd))});
                break;
        }
        ++histogram_[static_cast<size_t>(TxKind::kDepositMessage)];
    }
    deposits_.push_back(d);
    return d;
}

Round Generator::next_round(size_t max_txs) {
    Round r;
    if (first_) {
        first_ = false;
        for (size_t i = 0; i < std::min(kProbes, max_txs); ++i)
            r.txs.push_back(make(TxKind::kDeployProbe));
        r.l1_after = l1_;
        return r;
    }
    // Weights per kind (per mille-ish), every kind present in every few rounds.
    static constexpr std::pair<TxKind, unsigned> kWeights[] = {
        {TxKind::kTransfer, 10},     {TxKind::kTransferFresh, 6},
        {TxKind::kTransferZero, 3},  {TxKind::kStore, 10},
        {TxKind::kClear, 4},         {TxKind::kRevert, 6},
        {TxKind::kOutOfGas, 4},      {TxKind::kLog, 6},
        {TxKind::kCreateTx, 5},      {TxKind::kCreate, 4},
        {TxKind::kCreate2, 5},       {TxKind::kCreate2Destroy, 4},
        {TxKind::kSelfDestruct, 4},  {TxKind::kPrecompileGood, 9},
        {TxKind::kPrecompileBad, 6}, {TxKind::kArbSys, 6},
        {TxKind::kSetCode, 3},       {TxKind::kDelegated, 3},
    };
    unsigned total = 0;
    for (const auto& [k, w] : kWeights)
        total += w;
    std::vector<size_t> authorities_used;
    for (size_t i = 0; i < std::min(opt_.round_txs, max_txs); ++i) {
        unsigned x = static_cast<unsigned>(pick(total));
        TxKind kind = TxKind::kTransfer;
        for (const auto& [k, w] : kWeights) {
            if (x < w) {
                kind = k;
                break;
            }
            x -= w;
        }
        if (kind == TxKind::kSelfDestruct && children_.empty()) kind = TxKind::kCreateTx;
        // One EIP-7702 transaction per round: the order of transactions from different
        // senders is the sequencer's, so authorization nonces must not depend on it.
        if (kind == TxKind::kSetCode && !authorities_used.empty()) kind = TxKind::kDelegated;
        GeneratedTx g = make(kind);
        if (kind == TxKind::kSetCode) authorities_used.push_back(0);
        r.txs.push_back(std::move(g));
    }
    if (chance(35))
        for (size_t n = 1 + pick(3); n > 0; --n)
            r.deposits.push_back(make_deposit());
    if (chance(30)) {
        l1_.block_number += 1 + pick(2);
        l1_.base_fee = uint256(1'000'000 + pick(20'000'000));
    }
    r.l1_after = l1_;
    return r;
}

}  // namespace fuse::differential
