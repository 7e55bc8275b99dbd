#include "arbos/genesis.hpp"

#include <nlohmann/json.hpp>

#include "arbos/predeploys.hpp"
#include "arbos/revision.hpp"
#include "core/hex.hpp"

namespace fuse::arbos {

namespace {

using nlohmann::json;

/// A parse failure naming the field (a JSON-pointer-like path).
struct Fail {
    std::string msg;
};

std::string field_error(const std::string& path, const std::string& what) {
    return "genesis: field \"" + path + "\": " + what;
}

/// An unsigned integer of up to 256 bits: a JSON unsigned integer, or a "0x" hex / decimal
/// string. `expected` says which forms the field takes when `v` is neither.
Result<uint256, std::string> get_uint(const json& v, const std::string& path,
                                      const char* expected) {
    if (v.is_number_unsigned()) return uint256(v.get<uint64_t>());
    if (!v.is_string()) return Unexpected{field_error(path, expected)};
    const std::string& s = v.get_ref<const std::string&>();
    auto r = (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? uint256::from_hex(s)
                                                                           : uint256::from_dec(s);
    if (!r)
        return Unexpected{field_error(path, std::string("not a number: ") + to_string(r.error()))};
    return *r;
}

/// uint64: a JSON unsigned integer, or a "0x" hex / decimal string.
Result<uint64_t, std::string> get_u64(const json& v, const std::string& path) {
    auto r = get_uint(v, path, "expected an unsigned integer");
    if (!r) return Unexpected{r.error()};
    if (r->w[1] | r->w[2] | r->w[3])
        return Unexpected{field_error(path, "does not fit in 64 bits")};
    return r->w[0];
}

/// uint256: a "0x" hex or decimal string, or a JSON unsigned integer.
Result<uint256, std::string> get_u256(const json& v, const std::string& path) {
    return get_uint(v, path, "expected a hex or decimal string");
}

Result<Address, std::string> get_address(const json& v, const std::string& path) {
    if (!v.is_string()) return Unexpected{field_error(path, "expected a 0x-prefixed address")};
    auto a = address_from_hex(v.get_ref<const std::string&>());
    if (!a)
        return Unexpected{field_error(path, std::string("bad address: ") + to_string(a.error()))};
    return *a;
}

/// Fails on any key of `obj` not in `known`.
Result<void, std::string> check_keys(const json& obj, const std::string& path,
                                     std::initializer_list<const char*> known) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool ok = false;
        for (const char* k : known)
            ok = ok || it.key() == k;
        if (!ok) return Unexpected{field_error(path + it.key(), "unknown field")};
    }
    return {};
}

#define FUSE_CAT2(a, b) a##b
#define FUSE_CAT(a, b) FUSE_CAT2(a, b)
/// Assigns the value of a Result to `target`, or returns its error.
#define FUSE_TRY(target, expr)                                                      \
    auto FUSE_CAT(r_, __LINE__) = (expr);                                           \
    if (!FUSE_CAT(r_, __LINE__)) return Unexpected{FUSE_CAT(r_, __LINE__).error()}; \
    target = std::move(*FUSE_CAT(r_, __LINE__))

Result<FeeParams, std::string> parse_fees(const json& j) {
    FeeParams f;
    if (!j.is_object()) return Unexpected{field_error("fees", "expected an object")};
    if (auto k =
            check_keys(j, "fees.",
                       {"minBaseFee", "speedLimitPerSecond", "backlogToleranceSeconds",
                        "pricingInertia", "blockGasLimit", "maxTxGasLimit", "l1GasPerByte",
                        "networkFeeAccount", "l1FeeAccount", "initialL1BaseFee",
                        "l1TargetBytesPerSecond", "l1BacklogToleranceSeconds", "l1PricingInertia"});
        !k)
        return Unexpected{k.error()};
    auto need = [&](const char* key) { return j.contains(key); };
    for (const char* key :
         {"minBaseFee", "speedLimitPerSecond", "backlogToleranceSeconds", "pricingInertia",
          "blockGasLimit", "maxTxGasLimit", "l1GasPerByte", "networkFeeAccount", "l1FeeAccount"})
        if (!need(key)) return Unexpected{field_error(std::string("fees.") + key, "missing")};
    FUSE_TRY(f.min_base_fee, get_u256(j["minBaseFee"], "fees.minBaseFee"));
    FUSE_TRY(f.speed_limit_per_second,
             get_u64(j["speedLimitPerSecond"], "fees.speedLimitPerSecond"));
    FUSE_TRY(f.backlog_tolerance_seconds,
             get_u64(j["backlogToleranceSeconds"], "fees.backlogToleranceSeconds"));
    FUSE_TRY(f.pricing_inertia, get_u64(j["pricingInertia"], "fees.pricingInertia"));
    FUSE_TRY(f.block_gas_limit, get_u64(j["blockGasLimit"], "fees.blockGasLimit"));
    FUSE_TRY(f.max_tx_gas_limit, get_u64(j["maxTxGasLimit"], "fees.maxTxGasLimit"));
    FUSE_TRY(f.l1_gas_per_byte, get_u64(j["l1GasPerByte"], "fees.l1GasPerByte"));
    FUSE_TRY(f.network_fee_account, get_address(j["networkFeeAccount"], "fees.networkFeeAccount"));
    FUSE_TRY(f.l1_fee_account, get_address(j["l1FeeAccount"], "fees.l1FeeAccount"));
    if (j.contains("initialL1BaseFee")) {
        FUSE_TRY(f.initial_l1_base_fee, get_u256(j["initialL1BaseFee"], "fees.initialL1BaseFee"));
    }
    if (j.contains("l1TargetBytesPerSecond")) {
        FUSE_TRY(f.l1_target_bytes_per_second,
                 get_u64(j["l1TargetBytesPerSecond"], "fees.l1TargetBytesPerSecond"));
    }
    if (j.contains("l1BacklogToleranceSeconds")) {
        FUSE_TRY(f.l1_backlog_tolerance_seconds,
                 get_u64(j["l1BacklogToleranceSeconds"], "fees.l1BacklogToleranceSeconds"));
    }
    if (j.contains("l1PricingInertia")) {
        FUSE_TRY(f.l1_pricing_inertia, get_u64(j["l1PricingInertia"], "fees.l1PricingInertia"));
    }
    if (f.l1_target_bytes_per_second == 0)
        return Unexpected{field_error("fees.l1TargetBytesPerSecond", "must be positive")};
    if (f.l1_pricing_inertia == 0)
        return Unexpected{field_error("fees.l1PricingInertia", "must be positive")};
    if (f.speed_limit_per_second == 0)
        return Unexpected{field_error("fees.speedLimitPerSecond", "must be positive")};
    if (f.pricing_inertia == 0)
        return Unexpected{field_error("fees.pricingInertia", "must be positive")};
    if (f.block_gas_limit < 21'000 || f.max_tx_gas_limit < 21'000)
        return Unexpected{field_error("fees.blockGasLimit", "gas limits must be at least 21000")};
    if (f.max_tx_gas_limit > f.block_gas_limit)
        return Unexpected{field_error("fees.maxTxGasLimit", "exceeds fees.blockGasLimit")};
    return f;
}

Result<GenesisAccount, std::string> parse_account(const json& j, const std::string& path) {
    GenesisAccount a;
    if (!j.is_object()) return Unexpected{field_error(path, "expected an object")};
    if (auto k = check_keys(j, path + ".", {"balance", "nonce", "code", "storage"}); !k)
        return Unexpected{k.error()};
    if (j.contains("balance")) {
        FUSE_TRY(a.balance, get_u256(j["balance"], path + ".balance"));
    }
    if (j.contains("nonce")) {
        FUSE_TRY(a.nonce, get_u64(j["nonce"], path + ".nonce"));
    }
    if (j.contains("code")) {
        if (!j["code"].is_string()) return Unexpected{field_error(path + ".code", "expected hex")};
        auto c = from_hex(j["code"].get_ref<const std::string&>());
        if (!c)
            return Unexpected{
                field_error(path + ".code", std::string("bad hex: ") + to_string(c.error()))};
        a.code = std::move(*c);
    }
    if (j.contains("storage")) {
        const json& s = j["storage"];
        if (!s.is_object()) return Unexpected{field_error(path + ".storage", "expected an object")};
        for (auto it = s.begin(); it != s.end(); ++it) {
            const std::string p = path + ".storage." + it.key();
            auto key = get_u256(json(it.key()), p);
            if (!key) return Unexpected{key.error()};
            auto val = get_u256(it.value(), p);
            if (!val) return Unexpected{val.error()};
            if (!val->is_zero()) a.storage[*key] = *val;
        }
    }
    return a;
}

}  // namespace

Result<Genesis, std::string> parse_genesis(std::string_view text) {
    const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Unexpected{std::string("genesis: not valid JSON")};
    if (!j.is_object()) return Unexpected{std::string("genesis: expected a JSON object")};
    if (auto k = check_keys(j, "",
                            {"chainId", "arbosVersion", "timestamp", "fees", "alloc", "predeploys",
                             "l2GatewayAdmin"});
        !k)
        return Unexpected{k.error()};
    Genesis g;
    if (!j.contains("chainId")) return Unexpected{field_error("chainId", "missing")};
    FUSE_TRY(g.chain_id, get_u64(j["chainId"], "chainId"));
    if (g.chain_id == 0) return Unexpected{field_error("chainId", "must not be 0")};
    if (j.contains("arbosVersion")) {
        FUSE_TRY(g.arbos_version, get_u64(j["arbosVersion"], "arbosVersion"));
    }
    if (g.arbos_version == 0) return Unexpected{field_error("arbosVersion", "must be at least 1")};
    if (g.arbos_version > kArbosVersionLatest)
        return Unexpected{field_error(
            "arbosVersion", std::to_string(g.arbos_version) +
                                " is newer than this binary runs (latest: " +
                                std::to_string(kArbosVersionLatest) + "); upgrade fusel2")};
    if (j.contains("timestamp")) {
        FUSE_TRY(g.timestamp, get_u64(j["timestamp"], "timestamp"));
    }
    if (!j.contains("fees")) return Unexpected{field_error("fees", "missing")};
    FUSE_TRY(g.fees, parse_fees(j["fees"]));
    if (g.arbos_version < kArbosVersionL1Backlog)
        for (const char* key :
             {"l1TargetBytesPerSecond", "l1BacklogToleranceSeconds", "l1PricingInertia"})
            if (j["fees"].contains(key))
                return Unexpected{field_error(
                    std::string("fees.") + key,
                    "needs arbosVersion 3 or later (the L1 data backlog); this file has " +
                        std::to_string(g.arbos_version))};
    if (j.contains("alloc")) {
        const json& alloc = j["alloc"];
        if (!alloc.is_object()) return Unexpected{field_error("alloc", "expected an object")};
        for (auto it = alloc.begin(); it != alloc.end(); ++it) {
            const std::string path = "alloc." + it.key();
            auto addr = get_address(json(it.key()), path);
            if (!addr) return Unexpected{addr.error()};
            auto acc = parse_account(it.value(), path);
            if (!acc) return Unexpected{acc.error()};
            if (!g.alloc.emplace(*addr, std::move(*acc)).second)
                return Unexpected{field_error(path, "duplicate address")};
        }
    }
    if (j.contains("predeploys")) {
        const json& list = j["predeploys"];
        if (!list.is_array())
            return Unexpected{field_error("predeploys", "expected an array of names")};
        for (const json& name : list) {
            if (!name.is_string())
                return Unexpected{field_error("predeploys", "expected an array of names")};
            g.predeploys.push_back(name.get<std::string>());
        }
    }
    if (j.contains("l2GatewayAdmin")) {
        FUSE_TRY(g.l2_gateway_admin, get_address(j["l2GatewayAdmin"], "l2GatewayAdmin"));
    }
    if (auto ok = check_predeploys(g); !ok) return Unexpected{ok.error()};
    return g;
}

std::string to_json(const Genesis& g) {
    json j = json::object();
    j["chainId"] = g.chain_id;
    j["arbosVersion"] = g.arbos_version;
    j["timestamp"] = g.timestamp;
    const FeeParams& f = g.fees;
    j["fees"] = {
        {"minBaseFee", f.min_base_fee.to_hex()},
        {"speedLimitPerSecond", f.speed_limit_per_second},
        {"backlogToleranceSeconds", f.backlog_tolerance_seconds},
        {"pricingInertia", f.pricing_inertia},
        {"blockGasLimit", f.block_gas_limit},
        {"maxTxGasLimit", f.max_tx_gas_limit},
        {"l1GasPerByte", f.l1_gas_per_byte},
        {"networkFeeAccount", to_hex(f.network_fee_account.view())},
        {"l1FeeAccount", to_hex(f.l1_fee_account.view())},
        {"initialL1BaseFee", f.initial_l1_base_fee.to_hex()},
    };
    // The L1 backlog's parameters exist from ArbOS version 3 on; an older chain's canonical
    // form is unchanged.
    if (g.arbos_version >= kArbosVersionL1Backlog) {
        j["fees"]["l1TargetBytesPerSecond"] = f.l1_target_bytes_per_second;
        j["fees"]["l1BacklogToleranceSeconds"] = f.l1_backlog_tolerance_seconds;
        j["fees"]["l1PricingInertia"] = f.l1_pricing_inertia;
    }
    json alloc = json::object();
    for (const auto& [addr, a] : g.alloc) {
        json acc = json::object();
        acc["balance"] = a.balance.to_hex();
        if (a.nonce != 0) acc["nonce"] = a.nonce;
        if (!a.code.empty()) acc["code"] = to_hex(a.code);
        if (!a.storage.empty()) {
            json st = json::object();
            for (const auto& [k, v] : a.storage)
                st[k.to_hex()] = v.to_hex();
            acc["storage"] = std::move(st);
        }
        alloc[to_hex(addr.view())] = std::move(acc);
    }
    j["alloc"] = std::move(alloc);
    // Written only when set, so that the canonical form of an older file is unchanged.
    if (!g.predeploys.empty()) j["predeploys"] = g.predeploys;
    if (g.l2_gateway_admin) j["l2GatewayAdmin"] = to_hex(g.l2_gateway_admin->view());
    return j.dump(2) + "\n";
}

Genesis dev_genesis(uint64_t chain_id) {
    Genesis g;
    g.chain_id = chain_id;
    g.arbos_version = kArbosVersionLatest;
    g.predeploys = standard_predeploy_names();
    // 0xA4B0 ‖ zeros ‖ ASCII name, as Nitro's batch-poster address 0xA4B0…"sequencer".
    auto named = [](std::string_view name) {
        Address a;
        a[0] = 0xA4;
        a[1] = 0xB0;
        std::copy(name.begin(), name.end(), a.bytes.end() - static_cast<long>(name.size()));
        return a;
    };
    g.fees.l1_fee_account = named("sequencer");
    g.fees.network_fee_account = named("network");
    g.fees.initial_l1_base_fee = uint256(1'000'000'000);
    const uint256 ten_thousand_eth = uint256(10'000) * uint256(1'000'000'000'000'000'000ull);
    for (const DevAccount& d : dev_accounts())
        g.alloc[d.address].balance = ten_thousand_eth;
    return g;
}

}  // namespace fuse::arbos
