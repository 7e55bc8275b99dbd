#include "ethrpc/format.hpp"

#include "core/hex.hpp"
#include "core/rlp.hpp"

namespace fuse::ethrpc {
namespace {

std::string hex(ByteView b) {
    return to_hex(b);
}

Json access_list_json(const std::vector<AccessListEntry>& list) {
    Json out = Json::array();
    for (const auto& e : list) {
        Json keys = Json::array();
        for (const auto& k : e.storage_keys)
            keys.push_back(hex(k));
        out.push_back({{"address", hex(e.address)}, {"storageKeys", std::move(keys)}});
    }
    return out;
}

Json authorization_list_json(const std::vector<Authorization>& list) {
    Json out = Json::array();
    for (const auto& a : list)
        out.push_back({{"chainId", quantity(a.chain_id)},
                       {"address", hex(a.address)},
                       {"nonce", quantity(a.nonce)},
                       {"yParity", quantity(uint64_t{a.y_parity})},
                       {"r", quantity(a.r)},
                       {"s", quantity(a.s)}});
    return out;
}

}  // namespace

std::string quantity(uint64_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char buf[18];
    char* end = buf + sizeof buf;
    char* p = end;
    do {
        *--p = kDigits[v & 0xf];
        v >>= 4;
    } while (v);
    *--p = 'x';
    *--p = '0';
    return std::string(p, end);
}

Json log_json(const Log& log, const LogPosition& pos) {
    Json topics = Json::array();
    for (const auto& t : log.topics)
        topics.push_back(hex(t));
    return {{"address", hex(log.address)},
            {"topics", std::move(topics)},
            {"data", hex(log.data)},
            {"blockNumber", quantity(pos.block_number)},
            {"blockHash", hex(pos.block_hash)},
            {"blockTimestamp", quantity(pos.block_timestamp)},
            {"transactionHash", hex(pos.tx_hash)},
            {"transactionIndex", quantity(uint64_t{pos.tx_index})},
            {"logIndex", quantity(pos.log_index)},
            {"removed", false}};
}

Json header_json(const arbos::Block& block) {
    const BlockHeader& h = block.header;
    Json j = {{"number", quantity(h.number)},
              {"hash", hex(block.hash)},
              {"parentHash", hex(h.parent_hash)},
              {"nonce", hex(ByteView(h.nonce.data(), h.nonce.size()))},
              {"mixHash", hex(h.mix_hash)},
              {"sha3Uncles", hex(h.ommers_hash)},
              {"logsBloom", hex(h.logs_bloom)},
              {"stateRoot", hex(h.state_root)},
              {"miner", hex(h.beneficiary)},
              {"difficulty", quantity(h.difficulty)},
              {"extraData", hex(h.extra_data)},
              {"gasLimit", quantity(h.gas_limit)},
              {"gasUsed", quantity(h.gas_used)},
              {"timestamp", quantity(h.timestamp)},
              {"transactionsRoot", hex(h.transactions_root)},
              {"receiptsRoot", hex(h.receipts_root)},
              {"l1BlockNumber", quantity(block.l1_block_number)},
              {"sendCount", quantity(block.send_count)},
              {"sendRoot", hex(block.send_root)}};
    if (h.base_fee_per_gas) j["baseFeePerGas"] = quantity(*h.base_fee_per_gas);
    if (h.withdrawals_root) j["withdrawalsRoot"] = hex(*h.withdrawals_root);
    if (h.blob_gas_used) j["blobGasUsed"] = quantity(*h.blob_gas_used);
    if (h.excess_blob_gas) j["excessBlobGas"] = quantity(*h.excess_blob_gas);
    if (h.parent_beacon_block_root) j["parentBeaconBlockRoot"] = hex(*h.parent_beacon_block_root);
    if (h.requests_hash) j["requestsHash"] = hex(*h.requests_hash);
    return j;
}

uint64_t block_size(const arbos::Block& block) {
    rlp::Encoder e;
    e.begin_list();
    auto header = encode_header(block.header);
    if (header) e.add_raw(*header);
    e.begin_list();
    for (const auto& tx : block.txs) {
        if (!tx.raw.empty() && tx.raw[0] >= 0xc0)
            e.add_raw(tx.raw);  // legacy: a bare RLP list
        else
            e.add(ByteView(tx.raw));  // typed: the envelope as an RLP string
    }
    e.end_list();
    e.begin_list().end_list();  // uncles
    if (block.header.withdrawals_root) e.begin_list().end_list();
    e.end_list();
    return e.bytes().size();
}

Json block_json(const arbos::Block& block, bool full_txs) {
    Json j = header_json(block);
    j["size"] = quantity(block_size(block));
    j["uncles"] = Json::array();
    Json txs = Json::array();
    for (uint32_t i = 0; i < block.txs.size(); ++i)
        txs.push_back(full_txs ? tx_json(block, i) : Json(hex(block.txs[i].hash)));
    j["transactions"] = std::move(txs);
    if (block.header.withdrawals_root) j["withdrawals"] = Json::array();
    return j;
}

namespace {

/// geth's newRPCTransaction without the block fields; `dynamic_gas_price` is what a
/// dynamic-fee transaction reports as gasPrice (the effective price once mined, its fee cap
/// while pending).
Json tx_fields(const Transaction& tx, const Address& from, const Hash32& hash,
               const uint256& dynamic_gas_price) {
    Json j = {{"from", hex(from)},
              {"gas", quantity(tx.gas_limit)},
              {"gasPrice", quantity(tx.gas_price)},
              {"hash", hex(hash)},
              {"input", hex(tx.data)},
              {"nonce", quantity(tx.nonce)},
              {"to", tx.to ? Json(hex(*tx.to)) : Json(nullptr)},
              {"value", quantity(tx.value)},
              {"type", quantity(uint64_t(tx.type))},
              {"v", quantity(tx.v)},
              {"r", quantity(tx.r)},
              {"s", quantity(tx.s)}};
    if (tx.type == TxType::kLegacy) {
        if (tx.chain_id) j["chainId"] = quantity(*tx.chain_id);
        return j;
    }
    if (is_deposit_type(tx.type)) {
        // Nitro's newRPCTransaction for ArbitrumDepositTx / ArbitrumContractTx: no access list
        // or yParity, v = r = s = 0, the request id; 0x66 adds maxFeePerGas (its gasFeeCap, 0
        // here: the L2 gas was paid on L1), which is also its gasPrice.
        j["chainId"] = quantity(tx.chain_id.value_or(0));
        j["requestId"] = hex(tx.request_id);
        if (tx.type == TxType::kArbitrumContract) {
            j["maxFeePerGas"] = quantity(tx.max_fee_per_gas);
            j["gasPrice"] = quantity(tx.max_fee_per_gas);
        }
        return j;
    }
    j["chainId"] = quantity(tx.chain_id.value_or(0));
    j["accessList"] = access_list_json(tx.access_list);
    j["yParity"] = quantity(uint64_t{tx.y_parity});
    if (tx.type == TxType::kAccessList) return j;
    j["maxFeePerGas"] = quantity(tx.max_fee_per_gas);
    j["maxPriorityFeePerGas"] = quantity(tx.max_priority_fee_per_gas);
    j["gasPrice"] = quantity(dynamic_gas_price);
    if (tx.type == TxType::kBlob) {
        j["maxFeePerBlobGas"] = quantity(tx.max_fee_per_blob_gas);
        Json hashes = Json::array();
        for (const auto& h : tx.blob_versioned_hashes)
            hashes.push_back(hex(h));
        j["blobVersionedHashes"] = std::move(hashes);
    }
    if (tx.type == TxType::kSetCode)
        j["authorizationList"] = authorization_list_json(tx.authorization_list);
    return j;
}

}  // namespace

Json tx_json(const arbos::Block& block, uint32_t index) {
    const arbos::ExecutedTx& et = block.txs.at(index);
    // Dynamic-fee types: the mined gasPrice is the effective price paid.
    Json j = tx_fields(et.tx, et.sender, et.hash, et.effective_gas_price);
    j["blockHash"] = hex(block.hash);
    j["blockNumber"] = quantity(block.header.number);
    j["transactionIndex"] = quantity(uint64_t{index});
    return j;
}

Json pending_tx_json(const Transaction& tx, const Address& from, const Hash32& hash) {
    Json j = tx_fields(tx, from, hash, tx.max_fee_per_gas);
    j["blockHash"] = nullptr;
    j["blockNumber"] = nullptr;
    j["transactionIndex"] = nullptr;
    return j;
}

Json receipt_json(const arbos::Block& block, uint32_t index) {
    const arbos::ExecutedTx& et = block.txs.at(index);
    const Receipt& r = et.receipt;
    Json logs = Json::array();
    LogPosition pos{block.header.number, block.hash, block.header.timestamp, et.hash, index,
                    et.first_log_index};
    for (const auto& log : r.logs) {
        logs.push_back(log_json(log, pos));
        ++pos.log_index;
    }
    return {
        {"blockHash", hex(block.hash)},
        {"blockNumber", quantity(block.header.number)},
        {"transactionHash", hex(et.hash)},
        {"transactionIndex", quantity(uint64_t{index})},
        {"from", hex(et.sender)},
        {"to", et.tx.to ? Json(hex(*et.tx.to)) : Json(nullptr)},
        {"gasUsed", quantity(et.gas_used)},
        {"cumulativeGasUsed", quantity(r.cumulative_gas_used)},
        {"contractAddress", et.contract_address ? Json(hex(*et.contract_address)) : Json(nullptr)},
        {"logs", std::move(logs)},
        {"logsBloom", hex(r.bloom)},
        {"type", quantity(uint64_t(et.tx.type))},
        {"effectiveGasPrice", quantity(et.effective_gas_price)},
        {"status", r.success ? "0x1" : "0x0"},
        {"gasUsedForL1", quantity(et.gas_used_for_l1)},
        {"l1BlockNumber", quantity(block.l1_block_number)}};
}

}  // namespace fuse::ethrpc
