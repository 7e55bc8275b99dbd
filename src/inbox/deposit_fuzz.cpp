// libFuzzer target over what the deposit reader (inbox/deposit_reader.hpp) decodes from L1:
// an eth_getLogs answer (a JSON array of log objects, l1::parse_log), each log as a Bridge
// `DepositQueued` event (l1::decode_deposit_queued), the reader's checks of a decoded deposit
// (kind, hash, accumulator), and the L2 transaction ArbOS makes of it. Input: JSON text.
// Invariants: nothing crashes; a malformed answer is an l1::L1Error (what the reader's callers
// handle), never another exception; an event that decodes, emitted again, decodes to the same
// event; a deposit's transaction decodes back to itself.
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "batch/batch.hpp"
#include "core/deposit.hpp"
#include "core/fuzz_seeds.hpp"
#include "core/hex.hpp"
#include "core/transaction.hpp"
#include "l1/bridge.hpp"
#include "l1/rpc_client.hpp"

namespace {

using namespace fuse;
using nlohmann::json;

void require(bool ok) {
    if (!ok) std::abort();
}

/// The event's log as the Bridge emits it (three indexed fields, eight ABI words of data).
l1::Log event_log(const l1::DepositQueued& ev) {
    static const auto types =
        *l1::parse_types("uint8,uint256,uint256,uint256,uint256,bytes,bytes32,bytes32");
    const Deposit& d = ev.deposit;
    l1::Log log;
    log.topics = {l1::event_topic(l1::sig::kDepositQueued), uint256(d.index).to_hash(),
                  uint256::from_be(d.l2_from.view()).to_hash(),
                  uint256::from_be(d.to.view()).to_hash()};
    log.data = *l1::abi_encode(
        types,
        {l1::AbiValue::of(uint256(static_cast<uint8_t>(d.kind))), l1::AbiValue::of(d.value),
         l1::AbiValue::of(uint256(d.l2_gas_limit)), l1::AbiValue::of(uint256(d.l1_block_number)),
         l1::AbiValue::of(uint256(d.l1_timestamp)), l1::AbiValue::of_bytes(d.data),
         l1::AbiValue::of(ev.deposit_hash), l1::AbiValue::of(ev.acc)});
    return log;
}

json log_json(const l1::Log& log) {
    json topics = json::array();
    for (const Hash32& t : log.topics)
        topics.push_back(to_hex(t));
    return {{"address", to_hex(log.address)},
            {"topics", topics},
            {"data", to_hex(log.data)},
            {"blockNumber", "0x7"},
            {"blockHash", to_hex(Hash32{})},
            {"transactionHash", to_hex(Hash32{})},
            {"logIndex", "0x0"},
            {"removed", false}};
}

void check_log(const l1::Log& log, Hash32& prev_acc) {
    auto ev = l1::decode_deposit_queued(log);
    if (!ev) return;
    // Offsets need not be canonical (the hash is recomputed from the fields), so the check is
    // on values: the event as the Bridge would emit it decodes to the same event.
    auto again = l1::decode_deposit_queued(event_log(*ev));
    require(again && again->deposit == ev->deposit && again->deposit_hash == ev->deposit_hash &&
            again->acc == ev->acc);
    const Deposit& d = ev->deposit;
    // The reader's checks (deposit_reader.cpp): only kinds 0 and 1 execute, and the hash and
    // accumulator must be the event's.
    if (d.kind != DepositKind::kNative && d.kind != DepositKind::kMessage) return;
    const bool hash_ok = d.deposit_hash() == ev->deposit_hash;
    const bool acc_ok = chain_acc(prev_acc, ev->deposit_hash) == ev->acc;
    if (!hash_ok || !acc_ok) return;
    prev_acc = ev->acc;
    const Transaction t = make_deposit_transaction(d, 1220122);
    const Bytes raw = encode_transaction(t);
    auto back = decode_block_transaction(raw);
    require(back && *back == t);
    const auto ref = batch::make_deposit_ref(Hash32{}, std::span<const Deposit>(&d, 1));
    require(ref.count == 1 && ref.first_index == d.index);
}

void write_seeds() {
    Hash32 acc;
    json logs = json::array();
    for (uint64_t i = 0; i < 2; ++i) {
        l1::DepositQueued ev;
        Deposit& d = ev.deposit;
        d.kind = i == 0 ? DepositKind::kNative : DepositKind::kMessage;
        d.index = i;
        d.l2_from[19] = 0x11;
        d.to[19] = 0x22;
        d.value = uint256{1'000'000'000};
        d.l1_block_number = 7;
        d.l1_timestamp = 1'700'000'000;
        if (i == 1) {
            d.l2_gas_limit = 100'000;
            d.data = {0xa9, 0x05, 0x9c, 0xbb};
        }
        ev.deposit_hash = d.deposit_hash();
        acc = chain_acc(acc, ev.deposit_hash);
        ev.acc = acc;
        logs.push_back(log_json(event_log(ev)));
        fuzz::write_seed(log_json(event_log(ev)).dump());
    }
    fuzz::write_seed(logs.dump());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (fuzz::seed_dir()) {
        write_seeds();
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const json doc = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return 0;
    std::vector<l1::Log> logs;
    try {
        if (doc.is_array()) {
            for (const json& j : doc)
                logs.push_back(l1::parse_log(j));
        } else {
            logs.push_back(l1::parse_log(doc));
        }
    } catch (const l1::L1Error&) {
        return 0;
    }
    Hash32 acc;
    for (const l1::Log& log : logs)
        check_log(log, acc);
    return 0;
}
