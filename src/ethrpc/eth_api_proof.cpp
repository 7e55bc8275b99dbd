// eth_getProof (EIP-1186): the account and storage Merkle proofs of a block's state, read from
// the database's committed trie nodes.

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"
#include "state/mpt_proof.hpp"

namespace fuse::ethrpc {
namespace {

[[noreturn]] void server_error(std::string message) {
    throw rpc::RpcException(rpc::RpcError::server(std::move(message)));
}

std::vector<std::string> decode_key_list(const Json& j) {
    if (!j.is_array())
        throw ParamError(std::string("json: cannot unmarshal ") + j.type_name() +
                         " into Go value of type []string");
    std::vector<std::string> out;
    for (const Json& k : j)
        out.push_back(decode_string(k));
    return out;
}

Json proof_json(const std::vector<Bytes>& nodes) {
    Json out = Json::array();
    for (const Bytes& n : nodes)
        out.push_back(to_hex(n));
    return out;
}

state::MptProof prove(const state::NodeStore& store, const Hash32& root, ByteView key) {
    auto p = state::mpt_prove(store, root, key);
    if (!p)
        server_error(std::string(p.error() == state::MptError::kReadFailed
                                     ? "database read failed: "
                                     : "missing trie node: ") +
                     state::to_string(p.error()));
    return std::move(*p);
}

struct AccountFields {
    uint64_t nonce = 0;
    uint256 balance;
    Hash32 storage_root = kEmptyTrieRoot;
    Hash32 code_hash = kEmptyCodeHash;
};

/// The state trie's leaf: RLP([nonce, balance, storageRoot, codeHash]) (YP eq. 8).
AccountFields decode_account(ByteView leaf) {
    AccountFields a;
    rlp::Decoder top(leaf);
    auto list = top.read_list();
    if (!list) server_error("malformed account in the state trie");
    auto nonce = list->read_u64();
    auto balance = list->read_uint256();
    auto root = list->read_hash();
    auto code = list->read_hash();
    if (!nonce || !balance || !root || !code) server_error("malformed account in the state trie");
    a.nonce = *nonce;
    a.balance = *balance;
    a.storage_root = *root;
    a.code_hash = *code;
    return a;
}

}  // namespace

Json EthApi::Impl::get_proof(const Json& params) const {
    Params p(params, 3);
    const Address address = p.required(0, decode_address);
    const std::vector<std::string> keys = p.required(1, decode_key_list);
    const BlockId id = p.required(2, decode_block_id);
    // Every key is checked before any state is read (geth).
    std::vector<Hash32> slots;
    for (const std::string& k : keys) {
        const auto slot = decode_storage_slot(k);
        if (!slot) server_error("unable to decode storage key: " + slot.error());
        slots.push_back(*slot);
    }
    const state::NodeStore* store = db.trie_nodes();
    if (!store) server_error("eth_getProof is not available: this node keeps no state trie");
    const ResolvedState s = resolve_state(id);
    const Hash32& root = s.block.header.state_root;
    if (!db.trie_kept(s.block.header.number)) {
        const storage::PruneStatus ps = db.prune_status();
        server_error(
            storage::pruned_trie_message(s.block.header.number, ps.oldest_trie, ps.checkpoint));
    }

    const state::MptProof account = prove(*store, root, keccak256(address.view()));
    const AccountFields acc = account.value ? decode_account(*account.value) : AccountFields{};
    Json storage = Json::array();
    for (size_t i = 0; i < slots.size(); ++i) {
        const state::MptProof sp = prove(*store, acc.storage_root, keccak256(slots[i].view()));
        uint256 value;
        if (sp.value) {
            auto item = rlp::decode_single(*sp.value);
            if (!item || item->is_list) server_error("malformed storage value in the state trie");
            auto n = rlp::parse_uint256(item->payload);
            if (!n) server_error("malformed storage value in the state trie");
            value = *n;
        }
        // geth echoes a full 32-byte key as given and shortens any other to a QUANTITY.
        std::string key = keys[i];
        const size_t digits =
            key.size() - (key.rfind("0x", 0) == 0 || key.rfind("0X", 0) == 0 ? 2 : 0);
        if (digits != 64) key = quantity(uint256::from_hash(slots[i]));
        storage.push_back(
            {{"key", key}, {"value", quantity(value)}, {"proof", proof_json(sp.nodes)}});
    }
    return Json{{"address", to_hex(address)},        {"accountProof", proof_json(account.nodes)},
                {"balance", quantity(acc.balance)},  {"codeHash", to_hex(acc.code_hash)},
                {"nonce", quantity(acc.nonce)},      {"storageHash", to_hex(acc.storage_root)},
                {"storageProof", std::move(storage)}};
}

}  // namespace fuse::ethrpc
