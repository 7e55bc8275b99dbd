// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// The load generator's ERC-20: OpenZeppelin's ERC20 plus one setup call that funds many
/// senders at once (tokens minted, ETH split), so setup takes a few transactions, not thousands.
contract LoadToken is ERC20 {
    constructor() ERC20("Fuse Load", "LOAD") {}

    /// Mints `amount` tokens to each of `to` and splits msg.value equally among them.
    function drip(address[] calldata to, uint256 amount) external payable {
        uint256 share = msg.value / to.length;
        for (uint256 i = 0; i < to.length; ++i) {
            _mint(to[i], amount);
            (bool ok, ) = to[i].call{value: share}("");
            require(ok, "ETH transfer failed");
        }
    }
}
