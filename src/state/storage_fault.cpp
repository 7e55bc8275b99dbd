#include "state/storage_fault.hpp"

#include "core/hex.hpp"

namespace fuse::state {

std::string to_string(const StorageFault& f) {
    // geth's trie.MissingNodeError: hashes and the path in hex without "0x", one nibble per
    // byte of the path.
    const auto where = [&f] {
        std::string s;
        if (!f.owner.is_zero()) s += " (owner " + to_hex_raw(f.owner.view()) + ")";
        s += " (path " + to_hex_raw(f.path) + ")";
        return s;
    };
    switch (f.kind) {
        case FaultKind::kMissingNode:
            return "missing trie node " + to_hex_raw(f.node.view()) + where() +
                   (f.detail.empty() ? "" : " " + f.detail);
        case FaultKind::kCorrupt:
            if (!f.node.is_zero())
                return "corrupt state: trie node " + to_hex_raw(f.node.view()) + where() +
                       " is not a valid node" + (f.detail.empty() ? "" : ": " + f.detail);
            return "corrupt state: " + f.detail;
        case FaultKind::kReadFailed:
            break;
    }
    return "database read failed: " + f.detail;
}

}  // namespace fuse::state
