#include "state/mpt.hpp"

#include <cstring>

#include "state/mpt_node.hpp"

namespace fuse::state {

using mpt_detail::append_hex_prefix;
using mpt_detail::append_ref;
using mpt_detail::append_string;
using mpt_detail::decode_node;

const char* to_string(MptError e) {
    switch (e) {
        case MptError::kMissingNode:
            return "trie node missing from the database (the state is incomplete)";
        case MptError::kMalformedNode:
            return "trie node in the database is not a valid node (corrupt state)";
        case MptError::kReadFailed:
            return "trie node could not be read from the database";
    }
    return "unknown trie error";
}

namespace {

size_t common_prefix(ByteView a, ByteView b) {
    size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i])
        ++i;
    return i;
}

}  // namespace

Mpt::Mpt(const NodeStore* store, const Hash32& root) : store_(store) {
    if (root != kEmptyTrieRoot) root_ = Node::hash_ref(root.view());
}
Mpt::~Mpt() = default;
Mpt::Mpt(Mpt&&) noexcept = default;
Mpt& Mpt::operator=(Mpt&&) noexcept = default;

ByteView Mpt::to_nibbles(ByteView key) {
    key_nibbles_.resize(key.size() * 2);
    for (size_t i = 0; i < key.size(); ++i) {
        key_nibbles_[2 * i] = key[i] >> 4;
        key_nibbles_[2 * i + 1] = key[i] & 0x0f;
    }
    return key_nibbles_;
}

StorageFault Mpt::fault(MptError e, const Hash32& owner) const {
    StorageFault f;
    f.kind = e == MptError::kMissingNode  ? FaultKind::kMissingNode
             : e == MptError::kReadFailed ? FaultKind::kReadFailed
                                          : FaultKind::kCorrupt;
    f.node = fault_node_;
    f.owner = owner;
    f.path = fault_path_;
    f.detail = fault_detail_;
    return f;
}

Result<void, MptError> Mpt::resolve(NodePtr& slot, ByteView rest) {
    if (!slot || slot->kind != Node::Kind::kHash) return {};
    Hash32 h;
    std::memcpy(h.data(), slot->ref.data(), 32);
    const auto failed = [&](MptError e, std::string detail) {
        // Cold path: where the walk stopped, for the error's text.
        const auto depth = static_cast<size_t>(rest.data() - key_nibbles_.data());
        fault_node_ = h;
        fault_path_.assign(key_nibbles_.begin(),
                           key_nibbles_.begin() +
                               static_cast<std::ptrdiff_t>(std::min(depth, key_nibbles_.size())));
        fault_detail_ = std::move(detail);
        return Unexpected{e};
    };
    if (store_ == nullptr) return failed(MptError::kMissingNode, {});
    auto rlp_bytes = store_->get_node(h);
    if (!rlp_bytes) return failed(MptError::kReadFailed, rlp_bytes.error().detail);
    if (!rlp_bytes->has_value()) return failed(MptError::kMissingNode, {});
    auto n = decode_node(**rlp_bytes, h.view());
    if (!n) return failed(n.error(), {});
    slot = std::move(*n);
    return {};
}

Result<std::optional<Bytes>, MptError> Mpt::get(ByteView key_bytes) {
    ByteView key = to_nibbles(key_bytes);
    NodePtr* slot = &root_;
    while (true) {
        if (auto r = resolve(*slot, key); !r) return Unexpected{r.error()};
        Node* n = slot->get();
        if (n == nullptr) return std::optional<Bytes>{};
        switch (n->kind) {
            case Node::Kind::kLeaf:
                if (ByteView(n->path).size() == key.size() &&
                    std::equal(key.begin(), key.end(), n->path.begin()))
                    return std::optional<Bytes>{n->value};
                return std::optional<Bytes>{};
            case Node::Kind::kExtension:
                if (key.size() < n->path.size() ||
                    !std::equal(n->path.begin(), n->path.end(), key.begin()))
                    return std::optional<Bytes>{};
                key = key.subspan(n->path.size());
                slot = &n->child;
                break;
            case Node::Kind::kBranch:
                if (key.empty()) {
                    if (n->value.empty()) return std::optional<Bytes>{};
                    return std::optional<Bytes>{n->value};
                }
                slot = &(*n->children)[key[0]];
                key = key.subspan(1);
                break;
            case Node::Kind::kHash:
                return Unexpected{MptError::kMissingNode};
        }
    }
}

Result<void, MptError> Mpt::put(ByteView key, ByteView value) {
    if (value.empty()) return erase(key);
    auto r = insert(root_, to_nibbles(key), value);
    if (!r) return Unexpected{r.error()};
    return {};
}

Result<void, MptError> Mpt::erase(ByteView key) {
    auto r = remove(root_, to_nibbles(key));
    if (!r) return Unexpected{r.error()};
    return {};
}

Result<bool, MptError> Mpt::insert(NodePtr& slot, ByteView key, ByteView value) {
    if (!slot) {
        slot = Node::leaf(key, value);
        return true;
    }
    if (auto r = resolve(slot, key); !r) return Unexpected{r.error()};
    Node& n = *slot;
    switch (n.kind) {
        case Node::Kind::kBranch: {
            if (key.empty()) {
                if (ByteView(n.value).size() == value.size() &&
                    std::equal(value.begin(), value.end(), n.value.begin()))
                    return false;
                n.value.assign(value.begin(), value.end());
                n.dirty = true;
                return true;
            }
            auto r = insert((*n.children)[key[0]], key.subspan(1), value);
            if (r && *r) n.dirty = true;
            return r;
        }
        case Node::Kind::kLeaf:
        case Node::Kind::kExtension: {
            const size_t m = common_prefix(n.path, key);
            if (n.kind == Node::Kind::kLeaf && m == n.path.size() && m == key.size()) {
                if (ByteView(n.value).size() == value.size() &&
                    std::equal(value.begin(), value.end(), n.value.begin()))
                    return false;
                n.value.assign(value.begin(), value.end());
                n.dirty = true;
                return true;
            }
            if (n.kind == Node::Kind::kExtension && m == n.path.size()) {
                auto r = insert(n.child, key.subspan(m), value);
                if (r && *r) n.dirty = true;
                return r;
            }
            // Split: a branch at nibble m holding the old node's rest and the new key.
            NodePtr br = Node::branch();
            NodePtr old = std::move(slot);
            Bytes prefix(old->path.begin(), old->path.begin() + static_cast<std::ptrdiff_t>(m));
            if (old->kind == Node::Kind::kLeaf && old->path.size() == m) {
                br->value = std::move(old->value);
            } else {
                const uint8_t nib = old->path[m];
                if (old->kind == Node::Kind::kExtension && old->path.size() == m + 1) {
                    (*br->children)[nib] = std::move(old->child);
                } else {
                    old->path.erase(old->path.begin(),
                                    old->path.begin() + static_cast<std::ptrdiff_t>(m + 1));
                    old->dirty = true;
                    old->ref_len = 0;
                    (*br->children)[nib] = std::move(old);
                }
            }
            if (key.size() == m)
                br->value.assign(value.begin(), value.end());
            else
                (*br->children)[key[m]] = Node::leaf(key.subspan(m + 1), value);
            if (m == 0) {
                slot = std::move(br);
            } else {
                auto ext = std::make_unique<Node>();
                ext->kind = Node::Kind::kExtension;
                ext->path = std::move(prefix);
                ext->child = std::move(br);
                slot = std::move(ext);
            }
            return true;
        }
        case Node::Kind::kHash:
            break;
    }
    return Unexpected{MptError::kMalformedNode};
}

Result<bool, MptError> Mpt::remove(NodePtr& slot, ByteView key) {
    if (!slot) return false;
    if (auto r = resolve(slot, key); !r) return Unexpected{r.error()};
    Node& n = *slot;
    switch (n.kind) {
        case Node::Kind::kLeaf:
            if (ByteView(n.path).size() == key.size() &&
                std::equal(key.begin(), key.end(), n.path.begin())) {
                slot.reset();
                return true;
            }
            return false;
        case Node::Kind::kExtension: {
            if (key.size() < n.path.size() ||
                !std::equal(n.path.begin(), n.path.end(), key.begin()))
                return false;
            auto r = remove(n.child, key.subspan(n.path.size()));
            if (!r || !*r) return r;
            n.dirty = true;
            if (!n.child) {
                slot.reset();
            } else if (n.child->is_short()) {  // merge ext + short child
                NodePtr c = std::move(n.child);
                n.path.insert(n.path.end(), c->path.begin(), c->path.end());
                n.kind = c->kind;
                n.value = std::move(c->value);
                n.child = std::move(c->child);
            }
            return true;
        }
        case Node::Kind::kBranch: {
            if (key.empty()) {
                if (n.value.empty()) return false;
                n.value.clear();
            } else {
                auto r = remove((*n.children)[key[0]], key.subspan(1));
                if (!r || !*r) return r;
            }
            n.dirty = true;
            if (auto c = collapse_branch(slot, key); !c) return Unexpected{c.error()};
            return true;
        }
        case Node::Kind::kHash:
            break;
    }
    return Unexpected{MptError::kMalformedNode};
}

/// A branch left with a single entry becomes a leaf (value only), or merges into its one child.
Result<void, MptError> Mpt::collapse_branch(NodePtr& slot, ByteView key) {
    Node& n = *slot;
    int count = n.value.empty() ? 0 : 1;
    int only = -1;
    for (int i = 0; i < 16; ++i) {
        if ((*n.children)[i]) {
            ++count;
            only = i;
        }
    }
    if (count >= 2) return {};
    if (count == 0) {
        slot.reset();
        return {};
    }
    if (only < 0) {  // only the value remains
        slot = Node::leaf({}, n.value);
        return {};
    }
    NodePtr& child = (*n.children)[only];
    if (auto r = resolve(child, key); !r) {
        fault_path_.push_back(static_cast<uint8_t>(only));  // the child's nibble below the branch
        return Unexpected{r.error()};
    }
    if (child->is_short()) {
        NodePtr c = std::move(child);
        c->path.insert(c->path.begin(), static_cast<uint8_t>(only));
        c->dirty = true;
        c->ref_len = 0;
        slot = std::move(c);
    } else {
        auto ext = std::make_unique<Node>();
        ext->kind = Node::Kind::kExtension;
        ext->path.push_back(static_cast<uint8_t>(only));
        ext->child = std::move(child);
        slot = std::move(ext);
    }
    return {};
}

void Mpt::encode_node(const Node& n, Bytes& out) {
    payload_.clear();
    switch (n.kind) {
        case Node::Kind::kLeaf:
            append_hex_prefix(payload_, n.path, true);
            append_string(payload_, n.value);
            break;
        case Node::Kind::kExtension:
            append_hex_prefix(payload_, n.path, false);
            append_ref(payload_, *n.child);
            break;
        case Node::Kind::kBranch:
            for (const NodePtr& c : *n.children) {
                if (c)
                    append_ref(payload_, *c);
                else
                    payload_.push_back(0x80);
            }
            append_string(payload_, n.value);
            break;
        case Node::Kind::kHash:
            break;
    }
    uint8_t hdr[9];
    size_t h = rlp::write_header(hdr, true, payload_.size());
    out.assign(hdr, hdr + h);
    out.insert(out.end(), payload_.begin(), payload_.end());
}

void Mpt::hash_node(Node& n) {
    if (!n.dirty && n.ref_len != 0) return;
    if (n.kind == Node::Kind::kExtension) {
        hash_node(*n.child);
    } else if (n.kind == Node::Kind::kBranch) {
        for (NodePtr& c : *n.children)
            if (c) hash_node(*c);
    }
    encode_node(n, rlp_);
    if (rlp_.size() < 32) {
        n.ref_len = static_cast<uint8_t>(rlp_.size());
        std::memcpy(n.ref.data(), rlp_.data(), rlp_.size());
    } else {
        Hash32 h = keccak256(rlp_);
        ++hash_count_;
        n.ref_len = 32;
        std::memcpy(n.ref.data(), h.data(), 32);
        new_nodes_.emplace_back(h, rlp_);
    }
    n.dirty = false;
}

Hash32 Mpt::root_hash() {
    if (!root_) return kEmptyTrieRoot;
    hash_node(*root_);
    Hash32 h;
    if (root_->ref_len == 32) {
        std::memcpy(h.data(), root_->ref.data(), 32);
        return h;
    }
    // A root shorter than 32 bytes is still referenced by its hash (and stored under it).
    ByteView rlp_bytes(root_->ref.data(), root_->ref_len);
    h = keccak256(rlp_bytes);
    ++hash_count_;
    new_nodes_.emplace_back(h, Bytes(rlp_bytes.begin(), rlp_bytes.end()));
    return h;
}

void Mpt::take_new_nodes(std::vector<TrieNode>& out) {
    if (out.empty()) {
        out.swap(new_nodes_);
    } else {
        for (auto& n : new_nodes_)
            out.push_back(std::move(n));
    }
    new_nodes_.clear();
}

void Mpt::unload_below(Node& n, size_t depth, size_t keep_depth) {
    auto visit = [&](NodePtr& c) {
        if (!c || c->kind == Node::Kind::kHash) return;
        if (depth + 1 > keep_depth && !c->dirty && c->ref_len == 32) {
            c = Node::hash_ref(ByteView(c->ref.data(), 32));
            return;
        }
        unload_below(*c, depth + 1, keep_depth);
    };
    if (n.kind == Node::Kind::kExtension) {
        visit(n.child);
    } else if (n.kind == Node::Kind::kBranch) {
        for (NodePtr& c : *n.children)
            visit(c);
    }
}

void Mpt::unload(size_t keep_depth) {
    if (!root_ || root_->kind == Node::Kind::kHash) return;
    if (keep_depth == 0 && !root_->dirty && root_->ref_len == 32) {
        root_ = Node::hash_ref(ByteView(root_->ref.data(), 32));
        return;
    }
    unload_below(*root_, 0, keep_depth);
}

}  // namespace fuse::state
