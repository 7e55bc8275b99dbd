#pragma once
/// `fusel2 status` (docs/devnet.md): the three heads of an L2 chain (latest from the sequencer,
/// safe = posted to L1, finalized = root on L1), the batch backlog and the L1 balances of the
/// batch posters and proposers, read over JSON-RPC from the sequencer, the L1 and optionally a
/// validator.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "l1/deployment.hpp"

namespace fuse::node {

/// Where to read from.
struct StatusSources {
    std::string rpc = "http://127.0.0.1:8547";  ///< the sequencer's L2 JSON-RPC
    std::string validator_rpc;                  ///< optional: `safe` from its "safe" block
    std::string l1_url = "http://127.0.0.1:8545";
    std::string deployment = "./devnet-data/deployment.json";
    uint256 low_balance = uint256(1'000'000'000'000'000'000ull);  ///< warn below this (wei)
};

/// A failure reading one source; `what()` names it (L2 sequencer, L1, validator, deployment).
class StatusError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses a deployment record; throws StatusError naming `source` and the bad field.
l1::Deployment parse_deployment_record(std::string_view json_text, std::string_view source);

/// Takes rpc, l1_url and deployment from a `fusel2 node` config file (http.address/port,
/// l1.url, l1.deployment); the other fields of `base` are kept. Throws on a bad file.
StatusSources sources_from_node_config(const std::string& path, StatusSources base);

struct Balance {
    std::string role;  ///< "batch poster" | "proposer"
    Address address;
    uint256 wei;
    bool low = false;
};

struct ChainStatus {
    std::string rpc, validator_rpc, l1_url;
    uint64_t l2_chain_id = 0, l1_chain_id = 0, l1_head = 0;
    uint64_t latest = 0;
    uint64_t safe = 0;
    std::string safe_source;  ///< "validator" or "inbox" (SequencerInbox.totalMessageCount)
    uint64_t finalized = 0;   ///< RollupCore.latestPosted()'s L2 block, 0 before any root
    uint64_t batches_posted = 0, messages_posted = 0, roots_posted = 0;
    uint64_t backlog = 0;  ///< messages sealed but not yet posted = latest - messages_posted
    /// The root's block hash on L1 equals the sequencer's block at that number (nullopt: no root).
    std::optional<bool> finalized_matches;
    std::vector<Balance> balances;
    /// The sequencer's own view (JSON-RPC fusel2_sequencerStatus; null when it has none):
    /// halted or not, the last rewind (docs/sequencer.md "When L1 goes back in time").
    nlohmann::json sequencer;
    /// GET /ready of the sequencer and of the validator: {"status": HTTP status, "body": {...}}
    /// (docs/node.md "Health and readiness"); null when it did not answer.
    nlohmann::json ready, validator_ready;
    std::vector<std::string> warnings;
};

/// Reads everything; throws StatusError naming the source that failed.
ChainStatus collect_status(const StatusSources& sources);

/// Human-readable report (several lines).
std::string format_status(const ChainStatus& s);
/// Machine-readable report (numbers as JSON numbers, balances as decimal wei strings).
nlohmann::json status_to_json(const ChainStatus& s);

/// "1.5" / "2" / "0.000000001" ETH → wei; nullopt for anything else (negative, > 18 decimals).
std::optional<uint256> parse_ether(std::string_view text);
/// wei → "1.5 ETH" (at most 6 decimals, truncated; trailing zeros dropped).
std::string format_ether(const uint256& wei);

}  // namespace fuse::node
