#pragma once
/// A small in-memory storage::Database for the sequencer's tests: arbos::MemoryWorld as the
/// writer's world, a second InMemoryState as the committed state (readable from any thread),
/// blocks and the tx index in maps, and an optional delay per commit standing in for the fsync
/// (so the sealing loop builds ahead and commits groups). The real RocksDB database is tested
/// the same way in sequencer_test.cpp.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "arbos/memory_world.hpp"
#include "storage/database.hpp"

namespace fuse::sequencer::testing {

class TestDatabase final : public storage::Database {
public:
    /// `commit_delay` stands in for the fsync; `read_delay` slows every account read of the
    /// committed-state readers (widens races between a read and later commits in tests).
    explicit TestDatabase(std::chrono::microseconds commit_delay = {},
                          std::chrono::microseconds read_delay = {})
        : shared_(std::make_shared<Shared>()),
          commit_delay_(commit_delay),
          read_delay_(read_delay) {}

    arbos::WorldState& world() override { return world_; }

    /// A snapshot, as RocksDB's: later commits do not show through it.
    std::unique_ptr<state::StateReader> latest_state() const override {
        std::lock_guard lock(shared_->mu);
        return std::make_unique<Reader>(
            std::make_shared<const state::InMemoryState>(shared_->state), read_delay_);
    }
    std::unique_ptr<state::StateReader> state_at(const Hash32&) const override { return nullptr; }

    Result<void, std::string> commit(std::span<const storage::BlockCommit> blocks) override {
        if (commit_delay_.count() > 0) std::this_thread::sleep_for(commit_delay_);
        std::lock_guard lock(shared_->mu);
        ++commit_calls_;
        for (const auto& c : blocks) {
            const uint64_t number = c.block->header.number;
            if (head_ && number != *head_ + 1)
                return Unexpected{std::string("block out of order: ") + std::to_string(number)};
            if (head_ && c.block->header.parent_hash != blocks_.at(*head_).hash)
                return Unexpected{std::string("parent hash mismatch at ") + std::to_string(number)};
            shared_->state.apply(*c.diff);
            blocks_[number] = *c.block;
            messages_[number] = *c.message;
            for (uint32_t i = 0; i < c.block->txs.size(); ++i)
                tx_index_[c.block->txs[i].hash] = storage::TxLocation{number, i};
            head_ = number;
        }
        return {};
    }
    Result<void, std::string> set_head(storage::Head, uint64_t) override { return {}; }
    Result<void, std::string> rewind_to(uint64_t) override {
        return Unexpected{std::string("not supported by the test database")};
    }

    std::optional<uint64_t> head(storage::Head h) const override {
        std::lock_guard lock(shared_->mu);
        return h == storage::Head::kLatest ? head_ : std::nullopt;
    }
    std::optional<arbos::Block> block_by_number(uint64_t number) const override {
        std::lock_guard lock(shared_->mu);
        auto it = blocks_.find(number);
        return it == blocks_.end() ? std::nullopt : std::optional<arbos::Block>(it->second);
    }
    std::optional<arbos::Block> block_by_hash(const Hash32& hash) const override {
        std::lock_guard lock(shared_->mu);
        for (const auto& [n, b] : blocks_)
            if (b.hash == hash) return b;
        return std::nullopt;
    }
    std::optional<BlockHeader> header_by_number(uint64_t number) const override {
        auto b = block_by_number(number);
        return b ? std::optional<BlockHeader>(b->header) : std::nullopt;
    }
    std::optional<Hash32> block_hash(uint64_t number) const override {
        auto b = block_by_number(number);
        return b ? std::optional<Hash32>(b->hash) : std::nullopt;
    }
    std::optional<storage::TxLocation> tx_location(const Hash32& tx_hash) const override {
        std::lock_guard lock(shared_->mu);
        auto it = tx_index_.find(tx_hash);
        return it == tx_index_.end() ? std::nullopt
                                     : std::optional<storage::TxLocation>(it->second);
    }
    std::optional<arbos::Message> message(uint64_t number) const override {
        std::lock_guard lock(shared_->mu);
        auto it = messages_.find(number);
        return it == messages_.end() ? std::nullopt : std::optional<arbos::Message>(it->second);
    }
    Result<std::vector<storage::LogEntry>, std::string> logs(const storage::LogFilter&,
                                                             size_t) const override {
        return std::vector<storage::LogEntry>{};
    }
    Result<Hash32, std::string> recompute_state_root() const override {
        std::lock_guard lock(shared_->mu);
        return shared_->state.state_root();
    }
    std::optional<Bytes> get_meta(std::string_view) const override { return std::nullopt; }
    Result<void, std::string> put_meta(std::string_view, ByteView) override { return {}; }

    uint64_t commit_calls() const {
        std::lock_guard lock(shared_->mu);
        return commit_calls_;
    }

private:
    struct Shared {
        mutable std::mutex mu;
        state::InMemoryState state;
    };
    /// Reads a copy of the committed state taken when the reader was made.
    class Reader final : public state::StateReader {
    public:
        Reader(std::shared_ptr<const state::InMemoryState> s, std::chrono::microseconds delay)
            : s_(std::move(s)), delay_(delay) {}
        state::ReadResult<std::optional<state::Account>> read_account(
            const Address& a) const noexcept override {
            if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
            return s_->read_account(a);
        }
        state::ReadResult<uint256> read_storage(const Address& a,
                                                const uint256& k) const noexcept override {
            return s_->read_storage(a, k);
        }
        state::ReadResult<bool> has_storage(const Address& a) const noexcept override {
            return s_->has_storage(a);
        }
        state::ReadResult<Bytes> read_code(const Hash32& h) const noexcept override {
            return s_->read_code(h);
        }

    private:
        std::shared_ptr<const state::InMemoryState> s_;
        std::chrono::microseconds delay_;
    };

    std::shared_ptr<Shared> shared_;
    std::chrono::microseconds commit_delay_;
    std::chrono::microseconds read_delay_;
    arbos::MemoryWorld world_;
    std::optional<uint64_t> head_;
    std::map<uint64_t, arbos::Block> blocks_;
    std::map<uint64_t, arbos::Message> messages_;
    std::unordered_map<Hash32, storage::TxLocation, FixedBytesHasher> tx_index_;
    uint64_t commit_calls_ = 0;
};

}  // namespace fuse::sequencer::testing
