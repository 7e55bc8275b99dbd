#include "l1/contracts.hpp"

#include <cstring>
#include <functional>

#include <nlohmann/json.hpp>

#include "core/hash.hpp"
#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

std::vector<AbiType> types_of(std::string_view list) {
    auto t = parse_types(list);
    return t ? std::move(*t) : std::vector<AbiType>{};  // only called with literals below
}

Bytes with_selector(std::string_view signature, const Bytes& args) {
    const auto sel = selector(signature);
    Bytes out(sel.size() + args.size());
    std::memcpy(out.data(), sel.data(), sel.size());
    if (!args.empty()) std::memcpy(out.data() + sel.size(), args.data(), args.size());
    return out;
}

uint64_t u64(const AbiValue& v) {
    return v.word.low64();
}

void put_be64(uint8_t* out, uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8)
        out[i] = static_cast<uint8_t>(v);
}

StateRootRecord record_from(const AbiValue& tuple) {
    const auto& it = tuple.items;
    return StateRootRecord{it[0].as_hash(), it[1].as_hash(), it[2].as_hash(), it[3].as_hash(),
                           u64(it[4]),      u64(it[5]),      u64(it[6])};
}

constexpr const char* kRecordTuple = "(bytes32,bytes32,bytes32,bytes32,uint64,uint64,uint64)";

}  // namespace

Bytes encode_add_sequencer_l2_batch(const AddSequencerL2Batch& call) {
    static const auto types = types_of("uint256,bytes,uint256,uint256");
    auto args = abi_encode(
        types, {AbiValue::of(call.sequence_number), AbiValue::of_bytes(call.data),
                AbiValue::of(call.prev_message_count), AbiValue::of(call.new_message_count)});
    return with_selector(sig::kAddSequencerL2Batch, *args);
}

Result<AddSequencerL2Batch, AbiError> decode_add_sequencer_l2_batch(ByteView input) {
    static const auto types = types_of("uint256,bytes,uint256,uint256");
    if (input.size() < 4) return Unexpected{AbiError::kTruncated};
    const auto sel = selector(sig::kAddSequencerL2Batch);
    if (!std::equal(sel.begin(), sel.end(), input.begin()))
        return Unexpected{AbiError::kValueMismatch};
    auto v = abi_decode_exact(types, input.subspan(4));
    if (!v) return Unexpected{v.error()};
    auto& a = *v;
    return AddSequencerL2Batch{a[0].word, std::move(a[1].bytes), a[2].word, a[3].word};
}

Bytes encode_post_state_root(const uint256& batch, uint64_t l2_block_number,
                             const Hash32& l2_block_hash, const Hash32& state_root,
                             const Hash32& send_root) {
    static const auto types = types_of("uint256,uint256,bytes32,bytes32,bytes32");
    auto args = abi_encode(
        types, {AbiValue::of(batch), AbiValue::of(uint256(l2_block_number)),
                AbiValue::of(l2_block_hash), AbiValue::of(state_root), AbiValue::of(send_root)});
    return with_selector(sig::kPostStateRoot, *args);
}

Bytes encode_call(std::string_view signature) {
    return with_selector(signature, {});
}

Bytes encode_call(std::string_view signature, const uint256& arg) {
    Bytes word(32);
    arg.to_be(word.data());
    return with_selector(signature, word);
}

Bytes encode_call(std::string_view signature, const Address& arg) {
    return encode_call(signature, uint256::from_be(arg));
}

Result<SequencerBatchDelivered, AbiError> decode_sequencer_batch_delivered(const Log& log) {
    static const Hash32 topic = event_topic(sig::kSequencerBatchDelivered);
    static const auto types = types_of("bytes32,(uint64,uint64,uint64,uint64),uint256,uint256");
    if (log.topics.size() != 4 || log.topics[0] != topic)
        return Unexpected{AbiError::kValueMismatch};
    auto v = abi_decode_exact(types, log.data);
    if (!v) return Unexpected{v.error()};
    const auto& a = *v;
    const auto& tb = a[1].items;
    return SequencerBatchDelivered{uint256::from_hash(log.topics[1]),
                                   log.topics[2],
                                   log.topics[3],
                                   a[0].as_hash(),
                                   TimeBounds{u64(tb[0]), u64(tb[1]), u64(tb[2]), u64(tb[3])},
                                   a[2].word,
                                   a[3].word};
}

Result<StateRootPosted, AbiError> decode_state_root_posted(const Log& log) {
    static const Hash32 topic = event_topic(sig::kStateRootPosted);
    static const auto types = types_of("bytes32,bytes32,bytes32,bytes32,address");
    if (log.topics.size() != 3 || log.topics[0] != topic)
        return Unexpected{AbiError::kValueMismatch};
    const uint256 block = uint256::from_hash(log.topics[2]);
    if (!block.fits_u64()) return Unexpected{AbiError::kDirtyPadding};
    auto v = abi_decode_exact(types, log.data);
    if (!v) return Unexpected{v.error()};
    const auto& a = *v;
    return StateRootPosted{uint256::from_hash(log.topics[1]),
                           block.low64(),
                           a[0].as_hash(),
                           a[1].as_hash(),
                           a[2].as_hash(),
                           a[3].as_hash(),
                           a[4].as_address()};
}

Result<StateRootRecord, AbiError> decode_state_root_record(ByteView output) {
    static const auto types = types_of(kRecordTuple);
    auto v = abi_decode_exact(types, output);
    if (!v) return Unexpected{v.error()};
    return record_from((*v)[0]);
}

Result<std::pair<uint256, StateRootRecord>, AbiError> decode_latest_posted(ByteView output) {
    static const auto types = types_of(std::string("uint256,") + kRecordTuple);
    auto v = abi_decode_exact(types, output);
    if (!v) return Unexpected{v.error()};
    return std::pair{(*v)[0].word, record_from((*v)[1])};
}

Result<TimeBounds, AbiError> decode_time_bounds(ByteView output) {
    static const auto types = types_of("uint64,uint64,uint64,uint64");
    auto v = abi_decode_exact(types, output);
    if (!v) return Unexpected{v.error()};
    const auto& a = *v;
    return TimeBounds{u64(a[0]), u64(a[1]), u64(a[2]), u64(a[3])};
}

Result<uint256, AbiError> decode_uint(ByteView output) {
    static const auto types = types_of("uint256");
    auto v = abi_decode_exact(types, output);
    if (!v) return Unexpected{v.error()};
    return (*v)[0].word;
}

std::array<uint8_t, 48> batch_header(const TimeBounds& b, uint64_t prev_message_count,
                                     uint64_t new_message_count) {
    std::array<uint8_t, 48> h{};
    const uint64_t fields[6] = {b.min_timestamp,    b.max_timestamp,    b.min_block_number,
                                b.max_block_number, prev_message_count, new_message_count};
    for (size_t i = 0; i < 6; ++i)
        put_be64(h.data() + 8 * i, fields[i]);
    return h;
}

Hash32 batch_data_hash(const TimeBounds& bounds, uint64_t prev_message_count,
                       uint64_t new_message_count, ByteView data) {
    const auto header = batch_header(bounds, prev_message_count, new_message_count);
    Bytes buf(header.begin(), header.end());
    buf.insert(buf.end(), data.begin(), data.end());
    return keccak256(buf);
}

Hash32 next_accumulator(const Hash32& prev_acc, const Hash32& data_hash) {
    uint8_t buf[64];
    std::copy(prev_acc.data(), prev_acc.data() + 32, buf);
    std::copy(data_hash.data(), data_hash.data() + 32, buf + 32);
    return keccak256(ByteView(buf, 64));
}

std::string ErrorDef::signature() const {
    std::string s = name + "(";
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (i) s += ",";
        s += inputs[i].canonical();
    }
    return s + ")";
}

bool ErrorRegistry::add(std::string_view name, std::string_view types) {
    auto t = parse_types(types);
    if (!t) return false;
    ErrorDef def{std::string(name), std::move(*t)};
    by_selector_[selector_u32(def.signature())] = std::move(def);
    return true;
}

bool ErrorRegistry::add_abi_json(std::string_view json_text) {
    const auto j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    const nlohmann::json* abi = &j;
    if (j.is_object() && j.contains("abi")) abi = &j["abi"];
    if (!abi->is_array()) return false;
    // A JSON ABI type: "tuple" and "tuple[]" spell their members in "components".
    std::function<std::string(const nlohmann::json&)> type_of =
        [&](const nlohmann::json& p) -> std::string {
        std::string t = p.value("type", "");
        if (!t.starts_with("tuple")) return t;
        std::string s = "(";
        const auto& comps = p.contains("components") ? p["components"] : nlohmann::json::array();
        for (size_t i = 0; i < comps.size(); ++i) {
            if (i) s += ",";
            s += type_of(comps[i]);
        }
        return s + ")" + t.substr(5);
    };
    for (const auto& e : *abi) {
        if (!e.is_object() || e.value("type", "") != "error") continue;
        std::string list;
        const auto& inputs = e.contains("inputs") ? e["inputs"] : nlohmann::json::array();
        for (size_t i = 0; i < inputs.size(); ++i) {
            if (i) list += ",";
            list += type_of(inputs[i]);
        }
        if (!add(e.value("name", ""), list)) return false;
    }
    return true;
}

const ErrorDef* ErrorRegistry::find(uint32_t sel) const {
    const auto it = by_selector_.find(sel);
    return it == by_selector_.end() ? nullptr : &it->second;
}

ErrorRegistry ErrorRegistry::builtin() {
    static const std::pair<const char*, const char*> kErrors[] = {
        {"NotBatchPoster", "address"},
        {"NotCodelessOrigin", ""},
        {"BadSequenceNumber", "uint256,uint256"},
        {"BadPrevMessageCount", "uint256,uint256"},
        {"BadNewMessageCount", "uint256,uint256"},
        {"EmptyBatchData", ""},
        {"DataTooLarge", "uint256,uint256"},
        {"UnknownBatchFormat", "uint8"},
        {"BatchNotFound", "uint256,uint256"},
        {"InvalidConfig", ""},
        {"NotProposer", "address"},
        {"OutOfOrderBatch", "uint256,uint256"},
        {"BatchNotInInbox", "uint256,uint256"},
        {"L2BlockNumberNotIncreasing", "uint256,uint256"},
        {"ZeroRoot", ""},
        {"RootNotPosted", "uint256"},
        {"NoRootPosted", ""},
        {"ZeroGenesisHash", ""},
        {"ZeroAddress", ""},
        {"RenounceOwnershipDisabled", ""},
        {"EnforcedPause", ""},
        {"ExpectedPause", ""},
        {"OwnableUnauthorizedAccount", "address"},
        {"OwnableInvalidOwner", "address"},
    };
    ErrorRegistry r;
    for (const auto& [name, types] : kErrors)
        r.add(name, types);
    return r;
}

const char* panic_reason(uint64_t code) {
    switch (code) {
        case 0x00:
            return "generic compiler panic";
        case 0x01:
            return "assert failed";
        case 0x11:
            return "arithmetic overflow or underflow";
        case 0x12:
            return "division or modulo by zero";
        case 0x21:
            return "invalid enum value";
        case 0x22:
            return "bad storage byte array encoding";
        case 0x31:
            return "pop on empty array";
        case 0x32:
            return "array index out of bounds";
        case 0x41:
            return "out of memory";
        case 0x51:
            return "call to an uninitialized function pointer";
        default:
            return "unknown panic code";
    }
}

RevertReason decode_revert(ByteView data, const ErrorRegistry& errors) {
    RevertReason r;
    r.raw.assign(data.begin(), data.end());
    if (data.empty()) return r;
    r.kind = RevertReason::Kind::kUnknown;
    if (data.size() < 4) return r;
    const uint32_t sel =
        (uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) | (uint32_t{data[2]} << 8) | data[3];
    static const uint32_t kError = selector_u32("Error(string)");
    static const uint32_t kPanic = selector_u32("Panic(uint256)");
    static const auto kStringType = types_of("string");
    static const auto kUintType = types_of("uint256");
    const auto args = data.subspan(4);
    if (sel == kError) {
        if (auto v = abi_decode(kStringType, args)) {
            r.kind = RevertReason::Kind::kErrorString;
            r.name = "Error";
            r.args = {(*v)[0].as_string()};
            r.values = std::move(*v);
        }
        return r;
    }
    if (sel == kPanic) {
        if (auto v = abi_decode(kUintType, args)) {
            r.kind = RevertReason::Kind::kPanic;
            r.name = "Panic";
            const uint64_t code = (*v)[0].word.fits_u64() ? (*v)[0].word.low64() : ~0ull;
            r.args = {(*v)[0].word.to_hex() + ": " + panic_reason(code)};
            r.values = std::move(*v);
        }
        return r;
    }
    if (const ErrorDef* def = errors.find(sel)) {
        if (auto v = abi_decode(def->inputs, args)) {
            r.kind = RevertReason::Kind::kCustom;
            r.name = def->name;
            for (size_t i = 0; i < v->size(); ++i)
                r.args.push_back(format_value(def->inputs[i], (*v)[i]));
            r.values = std::move(*v);
        }
    }
    return r;
}

std::string RevertReason::to_string() const {
    switch (kind) {
        case Kind::kEmpty:
            return "reverted without data";
        case Kind::kUnknown:
            return "unknown revert " + to_hex(raw);
        case Kind::kErrorString:
            return "Error(\"" + args[0] + "\")";
        default: {
            std::string s = name + "(";
            for (size_t i = 0; i < args.size(); ++i) {
                if (i) s += ", ";
                s += args[i];
            }
            return s + ")";
        }
    }
}

}  // namespace fuse::l1
