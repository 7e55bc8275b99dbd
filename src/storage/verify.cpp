// The from-scratch state root over the flat state (consistency checks, crash tests).

#include <algorithm>

#include "core/hash.hpp"
#include "core/rlp.hpp"
#include "state/trie.hpp"
#include "storage/rocks_database.hpp"

namespace fuse::storage {

Result<Hash32, std::string> RocksDatabase::recompute_state_root() const {
    rocksdb::ReadOptions ro;
    const rocksdb::Snapshot* snap = db_->GetSnapshot();
    ro.snapshot = snap;
    std::unique_ptr<rocksdb::Iterator> acc(db_->NewIterator(ro, cf(kAccounts)));
    std::unique_ptr<rocksdb::Iterator> sto(db_->NewIterator(ro, cf(kStorage)));
    std::vector<std::pair<Hash32, Bytes>> leaves;
    std::vector<std::pair<Hash32, Bytes>> slots;
    state::HashBuilder hb;
    std::string error;
    sto->SeekToFirst();
    for (acc->SeekToFirst(); acc->Valid(); acc->Next()) {
        if (acc->key().size() != 20) {
            error = "malformed account key";
            break;
        }
        auto rec = decode_account_record(
            ByteView(reinterpret_cast<const uint8_t*>(acc->value().data()), acc->value().size()));
        if (!rec) {
            error = "malformed account record";
            break;
        }
        slots.clear();
        // Storage rows sort by address first: skip orphans before this account, take its own.
        while (sto->Valid() && std::memcmp(sto->key().data(), acc->key().data(), 20) < 0)
            sto->Next();
        for (; sto->Valid() && std::memcmp(sto->key().data(), acc->key().data(), 20) == 0;
             sto->Next()) {
            const auto* k = reinterpret_cast<const uint8_t*>(sto->key().data());
            const auto* v = reinterpret_cast<const uint8_t*>(sto->value().data());
            uint256 value = uint256::from_be(ByteView(v, sto->value().size()));
            if (value.is_zero()) continue;
            slots.emplace_back(keccak256(ByteView(k + 20, 32)), rlp::encode(value));
        }
        std::sort(slots.begin(), slots.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [k, v] : slots)
            hb.add(k, v);
        const Hash32 storage_root = hb.root();
        leaves.emplace_back(
            keccak256(ByteView(reinterpret_cast<const uint8_t*>(acc->key().data()), 20)),
            state::encode_account(rec->account, storage_root));
    }
    if (error.empty() && (!acc->status().ok() || !sto->status().ok()))
        error = acc->status().ok() ? sto->status().ToString() : acc->status().ToString();
    acc.reset();
    sto.reset();
    db_->ReleaseSnapshot(snap);
    if (!error.empty()) return Unexpected{"recomputing the state root: " + error};
    std::sort(leaves.begin(), leaves.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [k, v] : leaves)
        hb.add(k, v);
    return hb.root();
}

}  // namespace fuse::storage
