// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// Arbitrum's ArbSys precompile at 0x64 (selectors as in Nitro's precompiles/ArbSys.sol).
interface ArbSys {
    function arbBlockNumber() external view returns (uint256);
    function arbBlockHash(uint256 arbBlockNum) external view returns (bytes32);
    function arbChainID() external view returns (uint256);
    function arbOSVersion() external view returns (uint256);
    function isTopLevelCall() external view returns (bool);
}

/// Arbitrum's ArbGasInfo precompile at 0x6c.
interface ArbGasInfo {
    function getPricesInWei()
        external
        view
        returns (uint256, uint256, uint256, uint256, uint256, uint256);
    function getL1BaseFeeEstimate() external view returns (uint256);
    function getCurrentTxL1GasFees() external view returns (uint256);
    function getMinimumGasPrice() external view returns (uint256);
    function getGasBacklog() external view returns (uint64);
}

/// Calls ArbSys and ArbGasInfo from a contract, in a view (eth_call) and in a transaction that
/// emits what it saw, so the tests compare the values with the chain's.
contract ArbProbe {
    ArbSys constant ARB_SYS = ArbSys(address(0x64));
    ArbGasInfo constant ARB_GAS_INFO = ArbGasInfo(address(0x6c));

    struct Seen {
        uint256 arbBlockNumber;
        bytes32 parentHash;
        uint256 chainId;
        uint256 arbosVersion;
        bool topLevel;
        uint256 l1BaseFee;
        uint256 minGasPrice;
        uint256 currentTxL1Fees;
        uint64 backlog;
        uint256 perL2Gas;
    }

    event Probed(
        uint256 arbBlockNumber,
        bytes32 parentHash,
        uint256 chainId,
        uint256 arbosVersion,
        bool topLevel,
        uint256 l1BaseFee,
        uint256 minGasPrice,
        uint256 currentTxL1Fees,
        uint64 backlog,
        uint256 perL2Gas
    );

    function probe() public view returns (Seen memory s) {
        s.arbBlockNumber = ARB_SYS.arbBlockNumber();
        s.parentHash = ARB_SYS.arbBlockHash(s.arbBlockNumber - 1);
        s.chainId = ARB_SYS.arbChainID();
        s.arbosVersion = ARB_SYS.arbOSVersion();
        s.topLevel = ARB_SYS.isTopLevelCall();
        s.l1BaseFee = ARB_GAS_INFO.getL1BaseFeeEstimate();
        s.minGasPrice = ARB_GAS_INFO.getMinimumGasPrice();
        s.currentTxL1Fees = ARB_GAS_INFO.getCurrentTxL1GasFees();
        s.backlog = ARB_GAS_INFO.getGasBacklog();
        (,,,,, s.perL2Gas) = ARB_GAS_INFO.getPricesInWei();
    }

    function record() external {
        Seen memory s = probe();
        emit Probed(
            s.arbBlockNumber,
            s.parentHash,
            s.chainId,
            s.arbosVersion,
            s.topLevel,
            s.l1BaseFee,
            s.minGasPrice,
            s.currentTxL1Fees,
            s.backlog,
            s.perL2Gas
        );
    }
}
