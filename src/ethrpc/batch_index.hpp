#pragma once
/// What the node knows of the batches on L1, for NodeInterface's findBatchContainingBlock and
/// getL1Confirmations (docs/eth-rpc.md "NodeInterface and outbox proofs"): a narrow interface the
/// RPC layer receives, so that it depends on no poster, validator or L1 client. `EthApi` uses
/// `make_recorded_batch_index(db)` unless its Config names another one.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "storage/database.hpp"

namespace fuse::ethrpc {

/// The batch holding an L2 block.
struct BatchLocation {
    uint64_t sequence_number = 0;
    /// The L1 block the batch was delivered in, when the node read it from L1; for a batch
    /// older than what the node remembers of L1, an L1 block at or after it (so confirmations
    /// counted from it are at most the true count).
    std::optional<uint64_t> l1_block;
};

class BatchIndex {
public:
    virtual ~BatchIndex() = default;
    /// The batch holding block `number` (≥ 1), nullopt when the node knows of none.
    virtual std::optional<BatchLocation> batch_of(uint64_t number) const = 0;
    /// The newest L1 block the node has read; nullopt when it reads no L1.
    virtual std::optional<uint64_t> l1_head() const = 0;
    /// The last L2 block in a batch the node knows of (for messages); nullopt: none.
    virtual std::optional<uint64_t> last_batched_block() const = 0;
};

/// The batches as the node's own parts record them in `db`'s metadata: the batch poster's
/// per-batch records (`batcher.batch.<seq>`: the messages it carried), a validator's
/// (`validator.batch.<seq>`: its last block), and the inbox reader's cursor and history
/// (`guard.*` on a sequencer, whose L1 guard reads the inbox as validators do, `validator.*`
/// on a validator: the L1 block each recent batch was delivered in and the L1 block read up
/// to, saved each time the reader gets further, batch or not). `inbox_depth` is the inbox reader's
/// confirmations (node flag `l1.confirmations`): the L1 head is taken as the block read up to plus
/// it; 0 counts from the block read up to, so confirmations are never overstated. `db` must outlive
/// the index.
std::unique_ptr<BatchIndex> make_recorded_batch_index(const storage::Database& db,
                                                      uint64_t inbox_depth = 0);

}  // namespace fuse::ethrpc
