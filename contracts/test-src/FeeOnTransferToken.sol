// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// An ERC-20 that burns 1% of every transfer (mints and burns are exact): what the ERC-20 gateway
/// must bridge is what it received, not the amount asked for.
contract FeeOnTransferToken is ERC20 {
    uint256 public constant FEE_BIPS = 100;

    constructor(uint256 supply) ERC20("Fee On Transfer", "FOT") {
        _mint(msg.sender, supply);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value * FEE_BIPS / 10_000;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}
