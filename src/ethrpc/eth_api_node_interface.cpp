// NodeInterface's node side (arbos/node_interface.hpp) over the database and the batch index,
// and fusel2_getOutboxProof: an outbox proof with the leaf's fields, ready for the L1
// Outbox's executeTransaction (docs/eth-rpc.md "NodeInterface and outbox proofs").

#include <algorithm>

#include "arbos/node_interface.hpp"
#include "arbos/system_state.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;
using rpc::RpcException;

[[noreturn]] void server_error(std::string message) {
    throw RpcException(RpcError::server(std::move(message)));
}

Hash32 keccak_text(std::string_view s) {
    return keccak256(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

const Hash32& l2_to_l1_topic() {
    static const Hash32 t = keccak_text(
        "L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)");
    return t;
}

const Hash32& merkle_update_topic() {
    static const Hash32 t = keccak_text("SendMerkleUpdate(uint256,bytes32,uint256)");
    return t;
}

uint64_t be64(const Hash32& h, size_t at) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i)
        v = v << 8 | h[at + i];
    return v;
}

/// ArbOS's header fields (docs/arbos.md "Block header"): mixHash = sendCount ‖ L1 block ‖ …
uint64_t send_count_of(const BlockHeader& h) {
    return be64(h.mix_hash, 0);
}
uint64_t l1_block_of(const BlockHeader& h) {
    return be64(h.mix_hash, 8);
}

}  // namespace

// ---- the accumulator's nodes from the chain's ArbSys events

std::optional<uint64_t> EthApi::Impl::block_of_send(uint64_t leaf) const {
    const auto head = db.head(storage::Head::kLatest);
    if (!head) return std::nullopt;
    const auto count = [&](uint64_t n) {
        const auto h = db.header_by_number(n);
        return h ? send_count_of(*h) : 0;
    };
    if (count(*head) <= leaf) return std::nullopt;
    uint64_t lo = 0, hi = *head;  // the first block whose send count is above `leaf`
    while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (count(mid) > leaf)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

Result<storage::LogEntry, std::string> EthApi::Impl::send_event(uint64_t level,
                                                                uint64_t last_leaf) const {
    const auto block = block_of_send(last_leaf);
    if (!block) return Unexpected{"send " + std::to_string(last_leaf) + " is not in the chain"};
    storage::LogFilter f;
    f.from_block = f.to_block = *block;
    f.addresses = {arbos::kArbSysAddress};
    f.topics = {{level == 0 ? l2_to_l1_topic() : merkle_update_topic()},
                {},
                {},
                {((uint256(level) << 192) | uint256(last_leaf)).to_hash()}};
    auto logs = db.logs(f, 4);
    if (!logs || logs->empty())
        return Unexpected{"the ArbSys event of send accumulator node (level " +
                          std::to_string(level) + ", leaf " + std::to_string(last_leaf) +
                          ") is missing from block " + std::to_string(*block)};
    return std::move(logs->front());
}

/// The node's answers to NodeInterface (arbos::NodeInterfaceBackend).
class EthApi::Impl::NodeBackend final : public arbos::NodeInterfaceBackend {
public:
    explicit NodeBackend(const EthApi::Impl& api) : api_(api) {}

    uint64_t head() const override { return api_.db.head(storage::Head::kLatest).value_or(0); }

    std::optional<uint64_t> l1_block_number(uint64_t number) const override {
        const auto h = api_.db.header_by_number(number);
        if (!h) return std::nullopt;
        return l1_block_of(*h);
    }

    Result<std::optional<uint64_t>, std::string> block_number(const Hash32& hash) const override {
        const auto block = api_.db.block_by_hash(hash);
        if (!block) return std::optional<uint64_t>{};
        const uint64_t n = block->header.number;
        if (api_.db.block_hash(n) != hash)
            return Unexpected{"block " + to_hex(hash) + " is not canonical: block " +
                              std::to_string(n) + " is now another one (the chain was rewound)"};
        return std::optional<uint64_t>(n);
    }

    Result<uint64_t, std::string> batch_containing(uint64_t number) const override {
        if (const auto loc = api_.batches->batch_of(number)) return loc->sequence_number;
        return Unexpected{not_batched(number)};
    }

    Result<uint64_t, std::string> l1_confirmations(uint64_t number) const override {
        // 0 until the batch is read from L1 (Nitro: "0 if block not yet included in an L1
        // batch"), then the L1 blocks on top of the one it was delivered in.
        const auto loc = api_.batches->batch_of(number);
        if (!loc || !loc->l1_block) return uint64_t{0};
        const auto head = api_.batches->l1_head();
        if (!head || *head < *loc->l1_block) return uint64_t{0};
        return *head - *loc->l1_block;
    }

    Result<Hash32, std::string> send_node(uint64_t level, uint64_t last_leaf) const override {
        auto e = api_.send_event(level, last_leaf);
        if (!e) return Unexpected{std::move(e.error())};
        return e->log.topics[2];
    }

    state::ReadResult<uint256> estimate_l1_base_fee(const state::StateReader& st) const override {
        return api_.estimate_l1_base_fee(st);
    }

private:
    std::string not_batched(uint64_t number) const {
        std::string why = "block " + std::to_string(number) + " is not yet in a batch on L1";
        if (const auto last = api_.batches->last_batched_block())
            return why + " (the batches this node knows of end at block " + std::to_string(*last) +
                   "; the batch poster has not posted it, or it is not "
                   "confirmed yet)";
        return why +
               " (this node knows of no batch: the batch poster has posted none yet, or "
               "the node does not read L1)";
    }

    const EthApi::Impl& api_;
};

std::unique_ptr<arbos::NodeInterfaceBackend> EthApi::Impl::make_node_interface() const {
    return std::make_unique<NodeBackend>(*this);
}

// ---- fusel2_getOutboxProof

Json EthApi::Impl::outbox_proof(const Json& params) const {
    Params p(params, 2);
    const uint64_t leaf = p.required(0, decode_uint64);
    const auto size_arg = p.optional(1, decode_uint64);
    const auto head = db.head(storage::Head::kLatest);
    const auto head_header = head ? db.header_by_number(*head) : std::nullopt;
    if (!head_header) server_error("header not found");
    const uint64_t sends = send_count_of(*head_header);
    if (leaf >= sends)
        server_error("leaf " + std::to_string(leaf) + " does not exist: the chain has " +
                     std::to_string(sends) + " sends to L1 (head block " + std::to_string(*head) +
                     ")");
    uint64_t size = 0;
    if (size_arg) {
        size = *size_arg;
        if (size > sends)
            server_error("size " + std::to_string(size) + " is above the send count " +
                         std::to_string(sends) + " of the head block " + std::to_string(*head));
    } else {
        // The newest root on L1: RollupCore's latest posted block (the finalized head).
        const auto fin = db.head(storage::Head::kFinalized);
        const auto fin_header = fin ? db.header_by_number(*fin) : std::nullopt;
        size = fin_header ? send_count_of(*fin_header) : 0;
        if (leaf >= size)
            server_error("leaf " + std::to_string(leaf) +
                         " is not under a send root on L1 yet: the finalized block " +
                         std::to_string(fin.value_or(0)) + " has send count " +
                         std::to_string(size) +
                         "; wait until the proposer posts a later root, or pass a size (the "
                         "head's send count is " +
                         std::to_string(sends) + ")");
    }
    auto proof = arbos::construct_outbox_proof(size, leaf, [this](uint64_t level, uint64_t last) {
        return node_interface->send_node(level, last);
    });
    if (!proof) server_error(proof.error());

    // The leaf's fields, from its L2ToL1Tx event: what Outbox.executeTransaction takes.
    auto event = send_event(0, leaf);
    if (!event) server_error(event.error());
    const Log& log = event->log;
    const auto word = [&](size_t i) { return uint256::from_be32(log.data.data() + 32 * i); };
    if (log.data.size() < 7 * 32)
        throw RpcException(RpcError::internal("malformed L2ToL1Tx event"));
    const uint256 len = word(6);
    if (len > uint256(log.data.size() - 7 * 32))
        throw RpcException(RpcError::internal("malformed L2ToL1Tx event"));
    const Bytes data(log.data.begin() + 7 * 32,
                     log.data.begin() + 7 * 32 + static_cast<long>(len.w[0]));
    const Address sender = Address::from_view_right(ByteView(log.data.data(), 32));
    const Address to = Address::from_view_right(log.topics[1].view());

    Json out = {{"index", quantity(leaf)},
                {"size", quantity(size)},
                {"send", to_hex(proof->send)},
                {"root", to_hex(proof->root)},
                {"proof", Json::array()},
                {"l2Sender", to_hex(sender.view())},
                {"to", to_hex(to.view())},
                {"l2Block", quantity(word(1))},
                {"l1Block", quantity(word(2))},
                {"l2Timestamp", quantity(word(3))},
                {"value", quantity(word(4))},
                {"data", to_hex(data)},
                {"transactionHash", to_hex(event->tx_hash)},
                {"rootBlock", nullptr}};
    for (const Hash32& h : proof->proof)
        out["proof"].push_back(to_hex(h));
    // The block whose send root this is (when some block ended with exactly `size` sends).
    if (const auto at = block_of_send(size - 1)) {
        const auto header = db.header_by_number(*at);
        if (header && send_count_of(*header) == size) {
            if (Hash32::from_view_right(header->extra_data) != proof->root)
                throw RpcException(RpcError::internal(
                    "the proof's root differs from block " + std::to_string(*at) +
                    "'s send root: the send events are inconsistent with the state"));
            out["rootBlock"] = quantity(*at);
        }
    }
    return out;
}

void EthApi::Impl::register_node_interface_methods(rpc::MethodRegistry& r) {
    r.register_method(
        "fusel2_getOutboxProof",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            return outbox_proof(params);
        });
}

}  // namespace fuse::ethrpc
