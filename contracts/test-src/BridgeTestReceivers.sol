// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IOutboxView {
    function l2ToL1Sender() external view returns (address);
    function l2ToL1Block() external view returns (uint256);
    function l2ToL1EthBlock() external view returns (uint256);
    function l2ToL1Timestamp() external view returns (uint256);
}

/// Calls `target` with its value and data (bubbling a revert): an L1 contract for the aliasing
/// tests (a deposit made through it comes from its alias on L2).
contract CallForwarder {
    function forward(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }
}

/// Records its last caller: the L2 target of the aliasing e2e (a message deposit sent by an L1
/// contract runs on L2 from that contract's alias, as `msg.sender` and `tx.origin`).
contract SenderRecorder {
    address public lastSender;
    address public lastOrigin;
    uint256 public lastValue;
    uint256 public calls;

    function record() external payable {
        lastSender = msg.sender;
        lastOrigin = tx.origin;
        lastValue = msg.value;
        ++calls;
    }
}

/// A withdrawal's receiver that records what the Outbox reports during the call.
contract L2ToL1Probe {
    IOutboxView public immutable outbox;
    address public seenCaller;
    uint256 public seenValue;
    address public seenSender;
    uint256 public seenL2Block;
    uint256 public seenL1Block;
    uint256 public seenTimestamp;
    uint256 public calls;

    constructor(IOutboxView outbox_) {
        outbox = outbox_;
    }

    function probe() external payable {
        seenCaller = msg.sender;
        seenValue = msg.value;
        seenSender = outbox.l2ToL1Sender();
        seenL2Block = outbox.l2ToL1Block();
        seenL1Block = outbox.l2ToL1EthBlock();
        seenTimestamp = outbox.l2ToL1Timestamp();
        ++calls;
    }
}

/// An attacker: when paid by a withdrawal it re-enters the Outbox with a second claim (armed
/// beforehand) and calls the Bridge's executeCall directly, swallowing and recording both
/// failures so that the outer claim itself succeeds.
contract ReentrantReceiver {
    address public immutable outbox;
    address public immutable bridge;
    bytes public reentryCall;
    bool public attacked;
    bool public reentrySucceeded;
    bytes public reentryError;
    bool public bridgeCallSucceeded;
    bytes public bridgeCallError;
    uint256 public received;

    constructor(address outbox_, address bridge_) {
        outbox = outbox_;
        bridge = bridge_;
    }

    /// Sets the calldata of the Outbox call made on re-entry.
    function arm(bytes calldata call) external {
        reentryCall = call;
    }

    receive() external payable {
        received += msg.value;
        if (attacked) return;
        attacked = true;
        (reentrySucceeded, reentryError) = outbox.call(reentryCall);
        (bridgeCallSucceeded, bridgeCallError) = bridge.call(
            abi.encodeWithSignature("executeCall(address,uint256,bytes)", address(this), 1, "")
        );
    }
}
