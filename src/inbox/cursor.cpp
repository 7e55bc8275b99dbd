// JSON form of the inbox cursor (docs/inbox.md, "Cursor").
#include <nlohmann/json.hpp>

#include "core/hex.hpp"
#include "inbox/inbox_reader.hpp"

namespace fuse::inbox {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
    throw InboxError(
        InboxError::Kind::kBadCursor,
        "inbox cursor: " + what + " (delete it to re-derive from the deployment block)");
}

Hash32 hash_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string()) bad(std::string("missing ") + key);
    auto h = hash_from_hex(j[key].get<std::string>());
    if (!h) bad(std::string("bad ") + key);
    return *h;
}

uint64_t u64_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) bad(std::string("missing ") + key);
    return j[key].get<uint64_t>();
}

uint256 u256_of(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string()) bad(std::string("missing ") + key);
    auto v = uint256::from_hex(j[key].get<std::string>());
    if (!v) bad(std::string("bad ") + key);
    return *v;
}

}  // namespace

std::string to_json(const InboxCursor& c) {
    json j = {{"scannedBlock", c.scanned_block}, {"scannedHash", to_hex(c.scanned_hash)}};
    if (c.last) {
        const BatchRef& r = *c.last;
        j["last"] = {{"seq", r.sequence_number},
                     {"l1Block", r.l1_block_number},
                     {"l1BlockHash", to_hex(r.l1_block_hash)},
                     {"afterAcc", to_hex(r.after_acc)},
                     {"messageCount", r.message_count},
                     {"lastL1Block", r.last_header.l1_block_number},
                     {"lastL1BaseFee", r.last_header.l1_base_fee.to_hex()},
                     {"lastTimestamp", r.last_header.timestamp},
                     {"nextDeposit", r.next_deposit_index}};
    }
    return j.dump();
}

InboxCursor cursor_from_json(const std::string& text) {
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) bad("not a JSON object");
    InboxCursor c;
    c.scanned_block = u64_of(j, "scannedBlock");
    c.scanned_hash = hash_of(j, "scannedHash");
    if (j.contains("last") && !j["last"].is_null()) {
        const json& l = j["last"];
        BatchRef r;
        r.sequence_number = u64_of(l, "seq");
        r.l1_block_number = u64_of(l, "l1Block");
        r.l1_block_hash = hash_of(l, "l1BlockHash");
        r.after_acc = hash_of(l, "afterAcc");
        r.message_count = u64_of(l, "messageCount");
        r.last_header.l1_block_number = u64_of(l, "lastL1Block");
        r.last_header.l1_base_fee = u256_of(l, "lastL1BaseFee");
        r.last_header.timestamp = u64_of(l, "lastTimestamp");
        if (l.contains("nextDeposit")) r.next_deposit_index = u64_of(l, "nextDeposit");
        c.last = r;
    }
    return c;
}

std::string history_to_json(const std::deque<BatchRef>& history, size_t max_refs) {
    json arr = json::array();
    const size_t from = history.size() > max_refs ? history.size() - max_refs : 0;
    for (size_t i = from; i < history.size(); ++i) {
        InboxCursor c;
        c.last = history[i];
        arr.push_back(to_json(c));
    }
    return arr.dump();
}

std::vector<BatchRef> history_from_json(const std::string& text) {
    const json arr = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!arr.is_array()) bad("history is not a JSON array");
    std::vector<BatchRef> out;
    for (const json& item : arr) {
        if (!item.is_string()) bad("history entry is not a string");
        if (auto ref = cursor_from_json(item.get<std::string>()).last) out.push_back(*ref);
    }
    return out;
}

}  // namespace fuse::inbox
