// libFuzzer target over the ABI decoder (abi.hpp) and the contract decoders built on it
// (contracts.hpp, bridge.hpp). Input: a type list, a NUL byte, then data; without a NUL the
// whole input is data for the fixed decoders. Invariants: nothing crashes; a type that parses
// prints a canonical form that parses to itself; values that decode re-encode to bytes that
// decode to the same values, and that encoding is a fixed point (the strict decoder rejects
// what the encoder would not write, except where offsets point: they are not canonical).
#include <cstdlib>
#include <cstring>

#include "core/fuzz_seeds.hpp"
#include "l1/abi.hpp"
#include "l1/bridge.hpp"
#include "l1/contracts.hpp"

namespace {

using namespace fuse;
using namespace fuse::l1;

void require(bool ok) {
    if (!ok) std::abort();
}

void check_types(std::string_view list, ByteView data) {
    auto types = parse_types(list);
    if (!types) return;
    std::string canonical;
    for (const AbiType& t : *types) {
        auto again = AbiType::parse(t.canonical());
        require(again.has_value() && again->canonical() == t.canonical());
        (void)t.is_dynamic();
        (void)t.head_size();
        if (!canonical.empty()) canonical += ',';
        canonical += t.canonical();
    }
    auto reparsed = parse_types(canonical);
    require(reparsed.has_value() && reparsed->size() == types->size());

    auto values = abi_decode(*types, data);
    auto exact = abi_decode_exact(*types, data);
    if (exact) require(values && *values == *exact);
    if (!values) return;
    for (size_t i = 0; i < types->size(); ++i)
        (void)format_value((*types)[i], (*values)[i]);
    auto encoded = abi_encode(*types, *values);
    require(encoded.has_value());
    auto back = abi_decode_exact(*types, *encoded);
    require(back && *back == *values);
    auto again = abi_encode(*types, *back);
    require(again && *again == *encoded);
}

/// The fixed decoders of the L1 contracts' calldata, return data, events and reverts.
void check_contract_decoders(ByteView data) {
    if (auto call = decode_add_sequencer_l2_batch(data))
        require(decode_add_sequencer_l2_batch(encode_add_sequencer_l2_batch(*call)).has_value());
    (void)decode_state_root_record(data);
    (void)decode_latest_posted(data);
    (void)decode_time_bounds(data);
    (void)decode_uint(data);
    static const ErrorRegistry errors = ErrorRegistry::builtin();
    (void)decode_revert(data, errors).to_string();
    // The data as a log: up to four topics from its head, the rest as the log's data.
    for (const char* event :
         {sig::kDepositQueued, sig::kSequencerBatchDelivered, sig::kStateRootPosted}) {
        Log log;
        log.topics.push_back(event_topic(event));
        ByteView rest = data;
        const size_t n = rest.empty() ? 0 : rest[0] % 4;
        rest = rest.subspan(rest.empty() ? 0 : 1);
        for (size_t i = 0; i < n && rest.size() >= 32; ++i) {
            Hash32 t;
            std::memcpy(t.data(), rest.data(), 32);
            log.topics.push_back(t);
            rest = rest.subspan(32);
        }
        log.data = to_bytes(rest);
        (void)decode_deposit_queued(log);
        (void)decode_sequencer_batch_delivered(log);
        (void)decode_state_root_posted(log);
    }
}

void write_seeds() {
    const auto types = *parse_types(
        "uint8,uint256,address,bool,bytes4,int16,bytes,string,"
        "(uint64,bytes32)[],uint8[2]");
    std::vector<AbiValue> values = {
        AbiValue::of(uint256(1)),
        AbiValue::of(uint256(123456)),
        AbiValue::of(Address{}),
        AbiValue::of_bool(true),
        AbiValue::of(uint256(0x61626364) << 224),
        AbiValue::of(~uint256{}),
        AbiValue::of_bytes(Bytes{1, 2, 3}),
        AbiValue::of_string("fuse"),
        AbiValue::of_items(
            {AbiValue::of_items({AbiValue::of(uint256(7)), AbiValue::of(Hash32{})})}),
        AbiValue::of_items({AbiValue::of(uint256(1)), AbiValue::of(uint256(2))}),
    };
    std::string list;
    for (size_t i = 0; i < types.size(); ++i) {
        if (i) list += ',';
        const std::string name = types[i].canonical();
        list += name;
        Bytes one(name.begin(), name.end());
        one.push_back(0);
        const Bytes enc = *abi_encode({types[i]}, {values[i]});
        one.insert(one.end(), enc.begin(), enc.end());
        fuzz::write_seed(ByteView(one));
    }
    Bytes all(list.begin(), list.end());
    all.push_back(0);
    const Bytes enc = *abi_encode(types, values);
    all.insert(all.end(), enc.begin(), enc.end());
    fuzz::write_seed(ByteView(all));
    fuzz::write_seed(ByteView(encode_send_message(Address{}, 100000, Bytes{1, 2})));
    AddSequencerL2Batch call;
    call.data = {0, 1, 2};
    fuzz::write_seed(ByteView(encode_add_sequencer_l2_batch(call)));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const ByteView in(data, size);
    const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
    if (nul && nul - data <= 256) {
        const std::string_view list(reinterpret_cast<const char*>(data), size_t(nul - data));
        check_types(list, in.subspan(size_t(nul - data) + 1));
    } else {
        check_contract_decoders(in);
    }
    return 0;
}
