#include "inbox/l1_progress.hpp"

#include <algorithm>

#include "core/hex.hpp"
#include "l1/contracts.hpp"

namespace fuse::inbox {
namespace {

/// A counter of `to` at block `tag` through l1::call; 0 when `to` has no code at that block (the
/// contract was deployed later, so nothing was posted yet).
uint64_t read_u64(l1::RpcClient& rpc, const Address& to, const char* sig, const std::string& tag) {
    const Bytes out = l1::call(rpc, to, l1::encode_call(sig), sig, tag);
    if (out.empty()) return 0;
    auto v = l1::decode_uint(out);
    if (!v || !v->fits_u64()) throw l1::unexpected_answer(sig, out);
    return v->low64();
}

}  // namespace

L1Progress read_l1_progress(l1::RpcClient& rpc, const Address& inbox, const Address& rollup,
                            uint64_t confirmations) {
    L1Progress p;
    const uint64_t head = rpc.block_number();
    p.l1_block = head > confirmations ? head - confirmations : 0;
    const std::string tag = l1::quantity(p.l1_block);
    p.posted_blocks = read_u64(rpc, inbox, l1::sig::kTotalMessageCount, tag);
    if (read_u64(rpc, rollup, l1::sig::kPostedBatchCount, tag) == 0) return p;
    const auto latest = l1::call_decoded(
        rpc, rollup, l1::encode_call(l1::sig::kLatestPosted), l1::sig::kLatestPosted,
        [](ByteView b) { return l1::decode_latest_posted(b); }, tag);
    p.root_block = latest.second.l2_block_number;
    p.root_block_hash = latest.second.l2_block_hash;
    return p;
}

std::optional<std::string> apply_l1_progress(storage::Database& db, const L1Progress& p,
                                             bool move_safe) {
    const auto latest = db.head(storage::Head::kLatest);
    if (!latest) return std::string("no latest block");
    const uint64_t safe = move_safe ? std::min(p.posted_blocks, *latest)
                                    : std::min(db.head(storage::Head::kSafe).value_or(0), *latest);
    if (move_safe && db.head(storage::Head::kSafe) != safe) {
        if (auto r = db.set_head(storage::Head::kSafe, safe); !r) return r.error();
    }
    if (!p.root_block) return std::nullopt;
    const uint64_t n = *p.root_block;
    if (n > *latest) return std::nullopt;  // we are behind (restoring); not ours to judge yet
    const auto ours = db.block_hash(n);
    if (!ours || *ours != p.root_block_hash) {
        return "RollupCore's latest root is for L2 block " + std::to_string(n) + " with hash " +
               to_hex(p.root_block_hash) + " but this node's block " + std::to_string(n) + " is " +
               (ours ? to_hex(*ours) : std::string("missing")) + "; finalized head not moved";
    }
    const uint64_t finalized = std::min(n, safe);
    if (db.head(storage::Head::kFinalized) != finalized) {
        if (auto r = db.set_head(storage::Head::kFinalized, finalized); !r) return r.error();
    }
    return std::nullopt;
}

}  // namespace fuse::inbox
