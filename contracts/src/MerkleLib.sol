// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Merkle proofs of the L2 send accumulator (Arbitrum's MerkleLib.calculateRoot)
/// @notice Matches ArbOS's send accumulator (docs/arbos.md, docs/bridge.md): leaves are
///         `keccak256(itemHash)`, a parent is `keccak256(left ‖ right)`, and an empty subtree is
///         the zero hash.
library MerkleLib {
    /// @notice Folds `proof` into `leaf` along `route`: at level `i`, if bit `i` of `route` is 1
    ///         the node is `keccak256(proof[i] ‖ node)`, else `keccak256(node ‖ proof[i])`.
    ///         The caller bounds `proof.length` (< 256) and `route` (< 2 ** proof.length).
    function calculateRoot(bytes32[] calldata proof, uint256 route, bytes32 leaf) internal pure returns (bytes32) {
        bytes32 node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            bytes32 sibling = proof[i];
            if ((route >> i) & 1 == 0) {
                node = _hashPair(node, sibling);
            } else {
                node = _hashPair(sibling, node);
            }
        }
        return node;
    }

    /// @dev keccak256(a ‖ b) in the scratch space.
    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
