#pragma once
/// The deployment record: the JSON file `fusel2 deploy` (contracts/deploy.mjs) writes and every
/// node role reads (`l1.deployment`, `fusel2 status --deployment`, the devnet's datadir):
/// docs/contracts.md "Deployment", docs/l1-client.md "Deployment file".

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"

namespace fuse::l1 {

/// The bridge's L1 contracts (DESIGN.md §3a), when the deployment has them.
struct BridgeDeployment {
    Address bridge;                     ///< "bridge": deposits and the escrow
    Address outbox;                     ///< "outbox": withdrawals
    std::optional<Address> l1_gateway;  ///< "l1Gateway": the ERC-20 gateway
    uint64_t deploy_block = 0;          ///< "bridgeDeployBlock"; the record's deployBlock if absent
};

/// What the node uses of a deployment record (other keys are ignored).
struct Deployment {
    std::optional<uint64_t> chain_id;  ///< "chainId": the L1's chain id
    Address inbox;                     ///< "inbox": SequencerInbox (required)
    Address rollup;                    ///< "rollup": RollupCore (required)
    uint64_t deploy_block = 0;  ///< "deployBlock": where the inbox reader starts (0 if absent)
    std::optional<Hash32> genesis_hash;  ///< "genesisHash": the L2 genesis it was made for
    std::vector<Address> batch_posters, proposers;  ///< "batchPosters", "proposers"
    std::optional<BridgeDeployment> bridge;         ///< "bridge" and "outbox" (both or neither)
};

/// A deployment record that cannot be used; the message names the file and the key, e.g.
/// `devnet/deployment.json: bad address in "inbox"`.
class DeploymentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Parses a deployment record; `source` (the file name) starts every error message. Addresses are
/// 20 bytes of hex, EIP-55 checksummed when mixed case; numbers are unsigned JSON integers.
/// Throws DeploymentError.
Deployment parse_deployment(std::string_view json_text, std::string_view source);

/// Reads and parses the deployment record at `path`. Throws DeploymentError (a missing or
/// unreadable file says so and how to create one).
Deployment read_deployment(const std::string& path);

}  // namespace fuse::l1
