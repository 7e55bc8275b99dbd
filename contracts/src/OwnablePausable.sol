// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title Owner role and pause switch shared by the L1 contracts
/// @notice Two-step ownership (OpenZeppelin `Ownable2Step`), `pause`/`unpause` for the owner and a
///         disabled `renounceOwnership`: an ownerless contract could never rotate its posters or
///         proposers nor unpause. Adds no storage: the layout stays OpenZeppelin's (`_owner`,
///         `_pendingOwner`, `_paused`), ahead of the inheriting contract's own variables.
/// @dev The inheriting contract calls the `Ownable(initialOwner)` constructor.
abstract contract OwnablePausable is Ownable2Step, Pausable {
    /// @notice `renounceOwnership` is disabled: it would freeze rotation and pausing.
    error RenounceOwnershipDisabled();

    /// @notice Stops the contract's posting function. Owner only (the Outbox also lets its
    ///         guardian pause).
    function pause() external virtual onlyOwner {
        _pause();
    }

    /// @notice Resumes the contract's posting function. Owner only.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Disabled: always reverts with `RenounceOwnershipDisabled`.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }
}
