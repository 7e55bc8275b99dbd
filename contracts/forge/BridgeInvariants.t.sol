// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BridgeHandler} from "./BridgeHandler.sol";
import {vm} from "./Vm.sol";

/// forge invariant test of the bridge (run by contracts/test/bridge_invariants.test.mjs): random
/// sequences of deposits, L2 withdrawals, honest and bogus root postings, claims (valid, wrong
/// index, tampered, bogus), time, pauses, invalidations, delay changes and fee withdrawals
/// (BridgeHandler); after every call:
///   - the escrow equals the L2 supply plus every withdrawal not yet paid, so it always covers
///     every withdrawal that can still be claimed;
///   - no leaf is paid twice, and the Outbox's spent set is exactly the model's;
///   - no claim succeeds without a posted root aged past the delay and not invalidated (each
///     claim's outcome, down to its error, matches the model; a bogus root never pays);
///   - the supply equation balance = deposited - withdrawn + fees holds.
contract BridgeInvariants {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    BridgeHandler internal handler;

    function setUp() public {
        handler = new BridgeHandler();
    }

    /// forge fuzzes only the handler's actions.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        // Repeats weigh the draw: more claims, time and unpausing, so that claims get paid.
        bytes4[] memory s = new bytes4[](22);
        s[0] = BridgeHandler.depositNative.selector;
        s[1] = BridgeHandler.depositNative.selector;
        s[2] = BridgeHandler.sendMessage.selector;
        s[3] = BridgeHandler.withdrawOnL2.selector;
        s[4] = BridgeHandler.withdrawOnL2.selector;
        s[5] = BridgeHandler.postRoot.selector;
        s[6] = BridgeHandler.postRoot.selector;
        s[7] = BridgeHandler.postBogusRoot.selector;
        s[8] = BridgeHandler.claim.selector;
        s[9] = BridgeHandler.claim.selector;
        s[10] = BridgeHandler.claim.selector;
        s[11] = BridgeHandler.claim.selector;
        s[12] = BridgeHandler.claim.selector;
        s[13] = BridgeHandler.warp.selector;
        s[14] = BridgeHandler.warp.selector;
        s[15] = BridgeHandler.pauseOutbox.selector;
        s[16] = BridgeHandler.unpauseOutbox.selector;
        s[17] = BridgeHandler.unpauseOutbox.selector;
        s[18] = BridgeHandler.toggleBridgePause.selector;
        s[19] = BridgeHandler.invalidateRoot.selector;
        s[20] = BridgeHandler.setDelay.selector;
        s[21] = BridgeHandler.withdrawFees.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), s);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// One campaign checks all four properties after every call of every sequence.
    function invariant_bridge() external view {
        _everyOutcomeAsModelled();
        _escrowCoversEveryUnpaidWithdrawal();
        _noLeafPaidTwice();
        _supplyEquation();
    }

    function _everyOutcomeAsModelled() private view {
        require(handler.violations() == 0, handler.firstViolation());
    }

    function _escrowCoversEveryUnpaidWithdrawal() private view {
        uint256 escrow = handler.bridge().escrow();
        uint256 unpaid = handler.unpaidWithdrawals();
        require(escrow >= unpaid, "the escrow does not cover the unpaid withdrawals");
        require(escrow == handler.l2Supply() + unpaid, "escrow != L2 supply + unpaid withdrawals");
    }

    function _noLeafPaidTwice() private view {
        uint256 n = handler.leafCount();
        for (uint256 i = 0; i < n; ++i) {
            require(handler.outbox().isSpent(i) == handler.isSpentInModel(i), "spent set differs from the model");
        }
        for (uint256 k = 0; k < handler.fakeCount(); ++k) {
            require(!handler.outbox().isSpent(handler.fakeIndex(k)), "a fake leaf was spent");
        }
        require(handler.bridge().totalWithdrawn() == handler.ghostPaid(), "paid more than the spent leaves hold");
    }

    function _supplyEquation() private view {
        BridgeHandler h = handler;
        uint256 balance = address(h.bridge()).balance;
        require(h.bridge().totalDeposited() == h.ghostDeposited(), "totalDeposited != the deposits' L2 values");
        require(
            balance == h.bridge().totalDeposited() - h.bridge().totalWithdrawn() + h.bridge().feesCollected(),
            "balance != deposited - withdrawn + fees"
        );
    }

    /// After each sequence: its counts, for the run's figures.
    function afterInvariant() external {
        handler.recordStats();
    }
}
