// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// A bare ERC-20 (balances, allowances, transfers) with no metadata functions at all.
contract NoMetadataToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(uint256 supply) {
        balanceOf[msg.sender] = supply;
        totalSupply = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        allowance[from][msg.sender] -= value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}

/// Like MKR: `name()` and `symbol()` return bytes32, `decimals()` a uint256.
contract Bytes32MetadataToken is NoMetadataToken {
    bytes32 public constant name = "Maker";
    bytes32 public constant symbol = "MKR";
    uint256 public immutable decimals;

    constructor(uint256 supply, uint256 decimals_) NoMetadataToken(supply) {
        decimals = decimals_;
    }
}
