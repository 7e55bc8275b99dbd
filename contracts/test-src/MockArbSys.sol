// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// ArbSys's L2-to-L1 part for tests on a plain (cancun) anvil, set at 0x64 with anvil_setCode:
/// `sendTxToL1` / `withdrawEth` append to a send accumulator written as ArbOS's
/// (src/arbos/system_state.cpp append_send / send_root, Nitro's MerkleAccumulator) and emit
/// Nitro's L2ToL1Tx and SendMerkleUpdate events. The L1 block number is set by the test.
contract MockArbSys {
    event L2ToL1Tx(
        address caller,
        address indexed destination,
        uint256 indexed hash,
        uint256 indexed position,
        uint256 arbBlockNum,
        uint256 ethBlockNum,
        uint256 timestamp,
        uint256 callvalue,
        bytes data
    );
    event SendMerkleUpdate(uint256 indexed reserved, bytes32 indexed hash, uint256 indexed position);

    uint256 public sendCount;
    uint256 public l1BlockNumber;
    mapping(uint256 => bytes32) public partials;

    function setL1BlockNumber(uint256 n) external {
        l1BlockNumber = n;
    }

    function sendTxToL1(address destination, bytes calldata data) external payable returns (uint256) {
        return _send(destination, data);
    }

    function withdrawEth(address destination) external payable returns (uint256) {
        return _send(destination, "");
    }

    /// The root: fold the non-empty partials from level 0 up, padding with keccak(x ‖ 0).
    function sendRoot() public view returns (bytes32 soFar) {
        uint256 size = sendCount;
        bool have;
        uint256 capacityInHash;
        uint256 capacity = 1;
        for (uint256 level = 0; level < _numPartials(size); ++level) {
            bytes32 part = partials[level];
            if (part != 0) {
                if (!have) {
                    have = true;
                    soFar = part;
                    capacityInHash = capacity;
                } else {
                    while (capacityInHash < capacity) {
                        soFar = keccak256(abi.encodePacked(soFar, bytes32(0)));
                        capacityInHash *= 2;
                    }
                    soFar = keccak256(abi.encodePacked(part, soFar));
                    capacityInHash = 2 * capacity;
                }
            }
            capacity *= 2;
        }
    }

    function _send(address destination, bytes memory data) private returns (uint256 leaf) {
        bytes32 hash = keccak256(
            abi.encodePacked(msg.sender, destination, block.number, l1BlockNumber, block.timestamp, msg.value, data)
        );
        uint256 size = sendCount + 1;
        sendCount = size;
        bytes32 soFar = keccak256(abi.encodePacked(hash));
        for (uint256 level = 0;; ++level) {
            if (level == _numPartials(size - 1)) {
                partials[level] = soFar;
                break;
            }
            bytes32 part = partials[level];
            if (part == 0) {
                partials[level] = soFar;
                break;
            }
            soFar = keccak256(abi.encodePacked(part, soFar));
            partials[level] = 0;
            emit SendMerkleUpdate(0, soFar, ((level + 1) << 192) | (size - 1));
        }
        leaf = size - 1;
        emit L2ToL1Tx(
            msg.sender, destination, uint256(hash), leaf, block.number, l1BlockNumber, block.timestamp, msg.value, data
        );
    }

    /// The bit length of `size` (Nitro's Log2ceil as ArbOS uses it; 0 for 0).
    function _numPartials(uint256 size) private pure returns (uint256 n) {
        while (size != 0) {
            ++n;
            size >>= 1;
        }
    }
}
