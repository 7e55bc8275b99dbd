#pragma once
// Test helpers for the inbox tests (header only, not part of the library's API): a real anvil
// with the real SequencerInbox deployed, and a poster that builds and posts batches.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "batch/batch.hpp"
#include "core/hex.hpp"
#include "inbox/inbox_reader.hpp"
#include "l1/anvil_process.hpp"
#include "l1/tx_sender.hpp"

namespace fuse::inbox::testing {

using namespace std::chrono_literals;

// anvil's dev accounts 0 (the batch poster) and 1 (not a poster): public test keys.
inline constexpr const char* kPosterKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
inline constexpr const char* kOtherKey =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

inline l1::RpcClientConfig client_config(const std::string& url, int attempts = 3) {
    l1::RpcClientConfig c;
    c.url = url;
    c.max_attempts = attempts;
    c.backoff_initial = 20ms;
    c.backoff_max = 100ms;
    c.connect_timeout = 1000ms;
    return c;
}

/// A port that was free a moment ago (for an anvil that must come back on the same port).
inline uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

struct PostedBatch {
    uint64_t seq = 0;
    Bytes data;
    l1::TxReceipt receipt;
};

/// anvil + SequencerInbox (poster = dev account 0) + a sender for the poster.
struct InboxEnv {
    std::unique_ptr<l1::testing::AnvilProcess> anvil;
    std::unique_ptr<l1::RpcClient> rpc;
    std::unique_ptr<l1::TxSender> sender;
    Address inbox;
    uint64_t deploy_block = 0;
    uint64_t message_count = 0;
    uint64_t next_seq = 0;

    explicit InboxEnv(std::vector<std::string> anvil_args = {}, uint16_t port = 0) {
        anvil = std::make_unique<l1::testing::AnvilProcess>(std::move(anvil_args), port);
        rpc = std::make_unique<l1::RpcClient>(client_config(anvil->url()));
        new_sender();
        const auto artifact = l1::testing::load_artifact("SequencerInbox");
        Bytes code = *from_hex(artifact.at("bytecode").get<std::string>());
        const Address me = sender->address();
        auto args = l1::abi_encode(
            *l1::parse_types("address,address[],(uint64,uint64,uint64,uint64),uint256"),
            {l1::AbiValue::of(me), l1::AbiValue::of_items({l1::AbiValue::of(me)}),
             l1::AbiValue::of_items(
                 {l1::AbiValue::of(uint256(17280)), l1::AbiValue::of(uint256(12)),
                  l1::AbiValue::of(uint256(86400)), l1::AbiValue::of(uint256(768))}),
             l1::AbiValue::of(uint256(122880))});
        code.insert(code.end(), args->begin(), args->end());
        const auto receipt = sender->wait(sender->submit(std::nullopt, code), 20s);
        if (!receipt.success || !receipt.contract_address)
            throw std::runtime_error("SequencerInbox deployment failed");
        inbox = *receipt.contract_address;
        deploy_block = receipt.block_number;
    }

    /// A fresh sender (its nonce re-read), e.g. after evm_revert.
    void new_sender() {
        l1::SenderConfig cfg;
        cfg.poll_interval = 20ms;
        sender = std::make_unique<l1::TxSender>(*rpc, l1::Signer::from_hex(kPosterKey), cfg);
    }

    l1::BlockHeader block(uint64_t n) { return *rpc->get_block(l1::block_tag(n)); }
    l1::BlockHeader latest() { return *rpc->get_block("latest"); }

    /// A message built on L1 block `n` with its true base fee and timestamp.
    batch::L2Message message_on(uint64_t n, std::vector<Bytes> txs) {
        const auto b = block(n);
        return batch::L2Message{b.number, b.base_fee.value_or(uint256{}), b.timestamp,
                                std::move(txs)};
    }

    /// Posts `data` as the next batch claiming `count` messages; waits for inclusion.
    PostedBatch post(const Bytes& data, uint64_t count) {
        const uint64_t seq = next_seq;
        const auto r = sender->wait(
            sender->submit(inbox, l1::encode_add_sequencer_l2_batch(
                                      {seq, data, message_count, message_count + count})),
            20s);
        if (!r.success) throw std::runtime_error("batch " + std::to_string(seq) + " reverted");
        message_count += count;
        ++next_seq;
        return PostedBatch{seq, data, r};
    }

    PostedBatch post(const std::vector<batch::L2Message>& msgs) {
        return post(*batch::encode_batch(msgs), msgs.size());
    }

    void mine(uint64_t blocks) { rpc->request("anvil_mine", nlohmann::json::array({blocks})); }

    /// inboxAccs(seq) as the contract stores it now.
    Hash32 inbox_acc(uint64_t seq) {
        l1::CallRequest req;
        req.to = inbox;
        req.data = l1::encode_call(l1::sig::kInboxAccs, uint256(seq));
        return l1::decode_uint(rpc->call(req))->to_hash();
    }

    InboxReaderConfig reader_config(uint64_t confirmations = 0) const {
        InboxReaderConfig c;
        c.inbox = inbox;
        c.deploy_block = deploy_block;
        c.confirmations = confirmations;
        c.retry_initial = 50ms;
        c.retry_max = 200ms;
        return c;
    }
};

/// Polls until caught up; returns every batch read (rollbacks are not expected).
inline std::vector<DeliveredBatch> read_all(InboxReader& reader) {
    std::vector<DeliveredBatch> all;
    for (int i = 0; i < 100; ++i) {
        auto r = reader.poll();
        if (r.rollback) throw std::runtime_error("unexpected rollback");
        for (auto& b : r.batches)
            all.push_back(std::move(b));
        if (r.caught_up) break;
    }
    return all;
}

}  // namespace fuse::inbox::testing
