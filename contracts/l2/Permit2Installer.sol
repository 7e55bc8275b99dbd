// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Preinstalls} from "@eth-optimism/contracts-bedrock/src/libraries/Preinstalls.sol";

/// @title Permit2's init code for the genesis (docs/genesis.md, "Permit2")
/// @notice Never deployed on its own: the genesis runs this contract's creation code as a create
///         to Permit2's canonical address `0x000000000022D473030F116dDEE9F6B43aC78BA3`. Permit2's
///         runtime code holds two immutables set from the chain it was deployed on (the cached
///         chain id and EIP-712 domain separator), so its code differs per chain. No registry
///         package carries its canonical init code; OP's `contracts-bedrock` carries the mainnet
///         runtime as a template and `Preinstalls.getPermit2Code(chainId)`, which writes both
///         immutables for a chain id (how OP Stack chains preinstall it). The constructor runs
///         that function for the chain the genesis is made for and returns the result as the
///         runtime code.
contract Permit2Installer {
    constructor() {
        bytes memory code = Preinstalls.getPermit2Code(block.chainid);
        assembly {
            return(add(code, 0x20), mload(code))
        }
    }
}
