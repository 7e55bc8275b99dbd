#include "ethrpc/params.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/address.hpp"
#include "core/hex.hpp"
#include "rpc/errors.hpp"

namespace fuse::ethrpc {
namespace {

// hexutil's error texts (go-ethereum common/hexutil/hexutil.go).
constexpr const char* kErrEmptyString = "empty hex string";
constexpr const char* kErrSyntax = "invalid hex string";
constexpr const char* kErrMissingPrefix = "hex string without 0x prefix";
constexpr const char* kErrOddLength = "hex string of odd length";
constexpr const char* kErrEmptyNumber = "hex string \"0x\"";
constexpr const char* kErrLeadingZero = "hex number with leading zero digits";
constexpr const char* kErrUint64Range = "hex number > 64 bits";
constexpr const char* kErrBig256Range = "hex number > 256 bits";

/// Go's encoding/json name of a JSON value kind in "cannot unmarshal X into ..." errors.
const char* json_kind(const Json& j) {
    switch (j.type()) {
        case Json::value_t::string:
            return "string";
        case Json::value_t::boolean:
            return "bool";
        case Json::value_t::array:
            return "array";
        case Json::value_t::object:
            return "object";
        case Json::value_t::null:
            return "null";
        default:
            return "number";
    }
}

[[noreturn]] void type_error(std::string_view what, std::string_view go_type) {
    std::string msg = "json: cannot unmarshal ";
    msg.append(what).append(" into Go value of type ").append(go_type);
    throw ParamError(msg);
}

bool has_prefix(std::string_view s) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

const std::string& string_or(const Json& j, std::string_view go_type) {
    if (!j.is_string()) type_error("non-string", go_type);
    return j.get_ref<const std::string&>();
}

/// hexutil checkNumberText: "" is zero, then prefix, no leading zeros. Returns the digits.
std::string_view number_digits(std::string_view s, std::string_view go_type) {
    if (s.empty()) return s;
    if (!has_prefix(s)) type_error(kErrMissingPrefix, go_type);
    s.remove_prefix(2);
    if (s.empty()) type_error(kErrEmptyNumber, go_type);
    if (s.size() > 1 && s[0] == '0') type_error(kErrLeadingZero, go_type);
    return s;
}

uint64_t parse_u64_digits(std::string_view digits, std::string_view go_type, bool wrapped = true) {
    if (digits.size() > 16) {
        if (wrapped) type_error(kErrUint64Range, go_type);
        throw ParamError(kErrUint64Range);
    }
    uint64_t v = 0;
    for (char c : digits) {
        const int d = hex_digit(c);
        if (d < 0) {
            if (wrapped) type_error(kErrSyntax, go_type);
            throw ParamError(kErrSyntax);
        }
        v = (v << 4) | uint64_t(d);
    }
    return v;
}

/// hexutil checkText(input, wantPrefix=true) + decode.
Bytes hex_bytes(std::string_view s, std::string_view go_type) {
    if (s.empty()) return {};
    if (!has_prefix(s)) type_error(kErrMissingPrefix, go_type);
    s.remove_prefix(2);
    if (s.size() % 2 != 0) type_error(kErrOddLength, go_type);
    auto b = from_hex(s);
    if (!b) type_error(kErrSyntax, go_type);
    return std::move(*b);
}

template <size_t N>
FixedBytes<N> fixed_hex(const Json& j, std::string_view go_type) {
    const std::string& s = string_or(j, go_type);
    std::string_view v = s;
    if (!v.empty()) {
        if (!has_prefix(v)) type_error(kErrMissingPrefix, go_type);
        v.remove_prefix(2);
        if (v.size() % 2 != 0) type_error(kErrOddLength, go_type);
    }
    if (v.size() != 2 * N)
        throw ParamError("hex string has length " + std::to_string(v.size()) + ", want " +
                         std::to_string(2 * N) + " for " + std::string(go_type));
    FixedBytes<N> out;
    for (size_t i = 0; i < N; ++i) {
        const int hi = hex_digit(v[2 * i]), lo = hex_digit(v[2 * i + 1]);
        if (hi < 0 || lo < 0) type_error(kErrSyntax, go_type);
        out[i] = uint8_t(hi << 4 | lo);
    }
    return out;
}

/// Runs `decode` on a struct field, turning "into Go value of type T" into geth's "into Go
/// struct field S.f of type T".
template <typename F>
auto field(const Json& obj, const char* name, std::string_view go_struct, F&& decode)
    -> std::optional<decltype(decode(obj))> {
    const auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return std::nullopt;
    try {
        return decode(*it);
    } catch (const ParamError& e) {
        std::string msg = e.what();
        const std::string from = " into Go value of type ";
        const auto pos = msg.find(from);
        if (pos != std::string::npos) {
            std::string to = " into Go struct field ";
            to.append(go_struct).append(".").append(name).append(" of type ");
            msg.replace(pos, from.size(), to);
        }
        throw ParamError(msg);
    }
}

std::map<Hash32, Hash32> decode_slot_map(const Json& j) {
    if (!j.is_object()) type_error(json_kind(j), "map[common.Hash]common.Hash");
    std::map<Hash32, Hash32> out;
    for (const auto& [key, value] : j.items())
        out[Hash32{fixed_hex<32>(Json(key), "common.Hash")}] =
            Hash32{fixed_hex<32>(value, "common.Hash")};
    return out;
}

std::vector<AccessListEntry> decode_access_list(const Json& j) {
    if (!j.is_array()) type_error(json_kind(j), "types.AccessList");
    std::vector<AccessListEntry> out;
    for (const Json& e : j) {
        if (!e.is_object()) type_error(json_kind(e), "types.AccessTuple");
        AccessListEntry entry;
        if (auto a = field(e, "address", "AccessTuple", decode_address)) entry.address = *a;
        if (auto keys = field(e, "storageKeys", "AccessTuple", [](const Json& k) {
                if (!k.is_array()) type_error(json_kind(k), "[]common.Hash");
                std::vector<Hash32> v;
                for (const Json& h : k)
                    v.push_back(decode_hash(h));
                return v;
            }))
            entry.storage_keys = std::move(*keys);
        out.push_back(std::move(entry));
    }
    return out;
}

/// geth's []types.SetCodeAuthorization (EIP-7702): chainId, address, nonce, yParity, r, s.
std::vector<Authorization> decode_authorization_list(const Json& j) {
    if (!j.is_array()) type_error(json_kind(j), "[]types.SetCodeAuthorization");
    constexpr std::string_view S = "SetCodeAuthorization";
    std::vector<Authorization> out;
    for (const Json& e : j) {
        if (!e.is_object()) type_error(json_kind(e), "types.SetCodeAuthorization");
        Authorization a;
        if (auto v = field(e, "chainId", S, decode_big)) a.chain_id = *v;
        if (auto v = field(e, "address", S, decode_address)) a.address = *v;
        if (auto v = field(e, "nonce", S, decode_uint64)) a.nonce = *v;
        if (auto v = field(e, "yParity", S, decode_uint64)) {
            if (*v > 255) type_error(json_kind(e["yParity"]), "uint8");
            a.y_parity = static_cast<uint8_t>(*v);
        }
        if (auto v = field(e, "r", S, decode_big)) a.r = *v;
        if (auto v = field(e, "s", S, decode_big)) a.s = *v;
        out.push_back(a);
    }
    return out;
}

}  // namespace

uint64_t decode_uint64(const Json& j) {
    const std::string& s = string_or(j, "hexutil.Uint64");
    return parse_u64_digits(number_digits(s, "hexutil.Uint64"), "hexutil.Uint64");
}

uint256 decode_big(const Json& j) {
    const std::string& s = string_or(j, "hexutil.Big");
    const std::string_view digits = number_digits(s, "hexutil.Big");
    if (digits.empty()) return uint256{};
    if (digits.size() > 64) type_error(kErrBig256Range, "hexutil.Big");
    auto v = uint256::from_hex(digits);
    if (!v) type_error(kErrSyntax, "hexutil.Big");
    return *v;
}

Bytes decode_bytes(const Json& j) {
    return hex_bytes(string_or(j, "hexutil.Bytes"), "hexutil.Bytes");
}

Address decode_address(const Json& j) {
    return Address{fixed_hex<20>(j, "common.Address")};
}

Hash32 decode_hash(const Json& j) {
    return Hash32{fixed_hex<32>(j, "common.Hash")};
}

std::string decode_string(const Json& j) {
    if (!j.is_string()) type_error(json_kind(j), "string");
    return j.get<std::string>();
}

Result<Hash32, std::string> decode_storage_slot(std::string_view s) {
    if (has_prefix(s)) s.remove_prefix(2);
    std::string digits;
    if (s.size() % 2) digits = "0";
    digits.append(s);
    auto b = from_hex(digits);
    if (!b) return Unexpected{std::string("hex string invalid")};
    if (b->size() > 32)
        return Unexpected{std::string("hex string too long, want at most 32 bytes")};
    return Hash32::from_view_right(*b);
}

uint64_t decode_hex_or_decimal64(const Json& j) {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
    if (j.is_number_integer() || j.is_number_float())
        type_error("number " + j.dump(), "math.HexOrDecimal64");
    if (!j.is_string()) type_error(json_kind(j), "math.HexOrDecimal64");
    const std::string& s = j.get_ref<const std::string&>();
    std::string_view v = s;
    const auto bad = [&] { throw ParamError("invalid hex or decimal integer " + s); };
    if (has_prefix(v)) {
        v.remove_prefix(2);
        if (v.empty() || v.size() > 16) bad();
        uint64_t out = 0;
        for (char c : v) {
            const int d = hex_digit(c);
            if (d < 0) bad();
            out = out << 4 | uint64_t(d);
        }
        return out;
    }
    if (v.empty() || v.size() > 20) bad();
    auto big = uint256::from_dec(v);
    if (!big || !big->fits_u64()) bad();
    return big->low64();
}

BlockNumberOrTag decode_block_number(const Json& j) {
    // geth rpc.BlockNumber.UnmarshalJSON strips the quotes and reads the rest as hex.
    std::string input = j.is_string() ? j.get<std::string>()
                                      : j.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (input == "earliest") return {BlockTag::kEarliest, 0};
    if (input == "latest") return {BlockTag::kLatest, 0};
    if (input == "pending") return {BlockTag::kPending, 0};
    if (input == "finalized") return {BlockTag::kFinalized, 0};
    if (input == "safe") return {BlockTag::kSafe, 0};
    // hexutil.DecodeUint64 (checkNumber: the empty string is an error here).
    if (input.empty()) throw ParamError(kErrEmptyString);
    if (!has_prefix(input)) throw ParamError(kErrMissingPrefix);
    std::string_view digits = std::string_view(input).substr(2);
    if (digits.empty()) throw ParamError(kErrEmptyNumber);
    if (digits.size() > 1 && digits[0] == '0') throw ParamError(kErrLeadingZero);
    const uint64_t n = parse_u64_digits(digits, "", false);
    if (n > uint64_t(std::numeric_limits<int64_t>::max()))
        throw ParamError("block number larger than int64");
    return {BlockTag::kNumber, n};
}

BlockId decode_block_id(const Json& j) {
    BlockId id;
    if (j.is_object()) {
        id.number = field(j, "blockNumber", "erased", decode_block_number);
        id.hash = field(j, "blockHash", "erased", decode_hash);
        if (auto rc = field(j, "requireCanonical", "erased", [](const Json& b) {
                if (!b.is_boolean()) type_error(json_kind(b), "bool");
                return b.get<bool>();
            }))
            id.require_canonical = *rc;
        if (id.number && id.hash)
            throw ParamError(
                "cannot specify both BlockHash and BlockNumber, choose one or the other");
        return id;
    }
    if (!j.is_string()) type_error(json_kind(j), "string");
    const std::string& s = j.get_ref<const std::string&>();
    if (s.size() == 66 && s != "earliest" && s != "latest") {
        id.hash = decode_hash(j);
        return id;
    }
    id.number = decode_block_number(j);
    return id;
}

arbos::CallRequest decode_call_request(const Json& j, uint64_t chain_id) {
    if (!j.is_object()) type_error(json_kind(j), "ethapi.TransactionArgs");
    constexpr std::string_view S = "TransactionArgs";
    arbos::CallRequest req;
    req.from = field(j, "from", S, decode_address);
    req.to = field(j, "to", S, decode_address);
    req.gas = field(j, "gas", S, decode_uint64);
    req.gas_price = field(j, "gasPrice", S, decode_big);
    req.max_fee_per_gas = field(j, "maxFeePerGas", S, decode_big);
    req.max_priority_fee_per_gas = field(j, "maxPriorityFeePerGas", S, decode_big);
    if (auto v = field(j, "value", S, decode_big)) req.value = *v;
    req.nonce = field(j, "nonce", S, decode_uint64);
    auto data = field(j, "data", S, decode_bytes);
    auto input = field(j, "input", S, decode_bytes);
    if (data && input && *data != *input)
        throw ParamError(
            "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass "
            "transaction call data");
    if (input)
        req.data = std::move(*input);
    else if (data)
        req.data = std::move(*data);
    if (auto al = field(j, "accessList", S, decode_access_list)) req.access_list = std::move(*al);
    if (auto auths = field(j, "authorizationList", S, decode_authorization_list))
        req.authorization_list = std::move(*auths);
    if (auto id = field(j, "chainId", S, decode_big)) {
        if (*id != uint256{chain_id})
            throw ParamError("chainId does not match node's (have=" + id->to_dec() +
                             ", want=" + std::to_string(chain_id) + ")");
    }
    // geth's TransactionArgs.setFeeDefaults checks.
    if (req.gas_price && (req.max_fee_per_gas || req.max_priority_fee_per_gas))
        throw ParamError("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
    if (req.max_fee_per_gas && req.max_priority_fee_per_gas &&
        *req.max_fee_per_gas < *req.max_priority_fee_per_gas)
        throw ParamError("maxFeePerGas (" + req.max_fee_per_gas->to_dec() +
                         ") < maxPriorityFeePerGas (" + req.max_priority_fee_per_gas->to_dec() +
                         ")");
    return req;
}

StateOverrides decode_state_overrides(const Json& j) {
    if (!j.is_object()) type_error(json_kind(j), "override.StateOverride");
    constexpr std::string_view S = "OverrideAccount";
    StateOverrides out;
    for (const auto& [key, value] : j.items()) {
        const Address addr = decode_address(Json(key));
        if (!value.is_object()) type_error(json_kind(value), "override.OverrideAccount");
        AccountOverride acc;
        acc.nonce = field(value, "nonce", S, decode_uint64);
        acc.code = field(value, "code", S, decode_bytes);
        acc.balance = field(value, "balance", S, decode_big);
        acc.state = field(value, "state", S, decode_slot_map);
        auto diff = field(value, "stateDiff", S, decode_slot_map);
        if (value.contains("movePrecompileToAddress") &&
            !value["movePrecompileToAddress"].is_null())
            throw ParamError("movePrecompileToAddress is not supported");
        if (acc.state && diff)
            throw rpc::RpcException(rpc::RpcError::server("account " + to_checksum_hex(addr) +
                                                          " has both 'state' and 'stateDiff'"));
        if (diff) acc.state_diff = std::move(*diff);
        out[addr] = std::move(acc);
    }
    return out;
}

LogQuery decode_log_query(const Json& j) {
    if (!j.is_object()) type_error(json_kind(j), "filters.FilterCriteria");
    LogQuery q;
    q.block_hash = field(j, "blockHash", "FilterCriteria", decode_hash);
    q.from_block = field(j, "fromBlock", "FilterCriteria", decode_block_number);
    q.to_block = field(j, "toBlock", "FilterCriteria", decode_block_number);
    if (q.block_hash && (q.from_block || q.to_block))
        throw ParamError(
            "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the "
            "other");
    if (const auto it = j.find("address"); it != j.end() && !it->is_null()) {
        if (it->is_string()) {
            q.addresses.push_back(decode_address(*it));
        } else if (it->is_array()) {
            for (const Json& a : *it) {
                if (!a.is_string())
                    throw ParamError("invalid address at index " +
                                     std::to_string(q.addresses.size()));
                try {
                    q.addresses.push_back(decode_address(a));
                } catch (const ParamError&) {
                    throw ParamError("invalid address at index " +
                                     std::to_string(q.addresses.size()) + ": " +
                                     a.get<std::string>());
                }
            }
        } else {
            throw ParamError("invalid addresses in query");
        }
    }
    if (const auto it = j.find("topics"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) throw ParamError("invalid topics in query");
        if (it->size() > 4) throw ParamError("exceed max topics");
        for (const Json& pos : *it) {
            std::vector<Hash32> alternatives;
            if (pos.is_string()) {
                try {
                    alternatives.push_back(decode_hash(pos));
                } catch (const ParamError&) {
                    throw ParamError("invalid topic(s)");
                }
            } else if (pos.is_array()) {
                bool any = false;
                for (const Json& t : pos) {
                    if (t.is_null()) {
                        any = true;  // a null inside an array matches anything
                        continue;
                    }
                    if (!t.is_string()) throw ParamError("invalid topic(s)");
                    try {
                        alternatives.push_back(decode_hash(t));
                    } catch (const ParamError&) {
                        throw ParamError("invalid topic(s)");
                    }
                }
                if (any) alternatives.clear();
            } else if (!pos.is_null()) {
                throw ParamError("invalid topic(s)");
            }
            q.topics.push_back(std::move(alternatives));
        }
    }
    return q;
}

std::vector<double> decode_percentiles(const Json& j) {
    if (!j.is_array()) type_error(json_kind(j), "[]float64");
    std::vector<double> out;
    for (const Json& p : j) {
        if (!p.is_number()) type_error(json_kind(p), "float64");
        const double v = p.get<double>();
        char buf[64];
        if (!std::isfinite(v) || v < 0 || v > 100) {
            std::snprintf(buf, sizeof buf, "invalid reward percentile: %f", v);
            throw rpc::RpcException(rpc::RpcError::server(buf));
        }
        if (!out.empty() && v < out.back()) {
            std::snprintf(buf, sizeof buf, "invalid reward percentile: #%zu:%f > #%zu:%f",
                          out.size() - 1, out.back(), out.size(), v);
            throw rpc::RpcException(rpc::RpcError::server(buf));
        }
        out.push_back(v);
    }
    return out;
}

Params::Params(const Json& params, size_t max_args) : params_(params) {
    if (!params_.is_array())
        throw rpc::RpcException(rpc::RpcError::invalid_params("non-array args"));
    if (params_.size() > max_args)
        throw rpc::RpcException(rpc::RpcError::invalid_params("too many arguments, want at most " +
                                                              std::to_string(max_args)));
}

const Json* Params::get(size_t i) const {
    if (i >= params_.size() || params_[i].is_null()) return nullptr;
    return &params_[i];
}

void Params::missing(size_t i) {
    throw rpc::RpcException(
        rpc::RpcError::invalid_params("missing value for required argument " + std::to_string(i)));
}

void Params::invalid(size_t i, const char* what) {
    throw rpc::RpcException(
        rpc::RpcError::invalid_params("invalid argument " + std::to_string(i) + ": " + what));
}

}  // namespace fuse::ethrpc
