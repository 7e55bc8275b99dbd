// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// OpenZeppelin's ERC-20 (from node_modules) with the whole supply minted to the deployer: the
/// token the end-to-end tests and benchmarks transfer.
contract TestToken is ERC20 {
    constructor(uint256 supply) ERC20("Fuse Test Token", "FTT") {
        _mint(msg.sender, supply);
    }
}
