// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Reverts with a reason string, a custom error, or writes: the revert and differential tests.
contract Reverter {
    error TooSmall(uint256 given, uint256 minimum);

    uint256 public value;

    event ValueSet(address indexed by, uint256 value);

    function set(uint256 v) external {
        require(v != 0, "value must not be zero");
        if (v < 10) revert TooSmall(v, 10);
        value = v;
        emit ValueSet(msg.sender, v);
    }
}
