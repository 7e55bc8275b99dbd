// The EthApi constructor that wires a Sequencer (kept apart so that code using the TxSink
// constructor does not link against the sequencer library).

#include "ethrpc/eth_api.hpp"
#include "sequencer/sequencer.hpp"

namespace fuse::ethrpc {
namespace {

std::optional<TxSink> sink_of(sequencer::Sequencer* seq) {
    if (!seq) return std::nullopt;
    return TxSink{[seq](Bytes raw, auto done) { seq->submit(std::move(raw), std::move(done)); },
                  [seq](const Address& a) { return seq->pending_nonce(a); },
                  [seq] { return seq->current_l1().base_fee; },
                  [seq] { return seq->pool_content(); }};
}

}  // namespace

EthApi::EthApi(storage::Database& db, const arbos::Genesis& genesis,
               sequencer::Sequencer* sequencer, Config config)
    : EthApi(db, genesis, sink_of(sequencer), std::move(config)) {}

}  // namespace fuse::ethrpc
