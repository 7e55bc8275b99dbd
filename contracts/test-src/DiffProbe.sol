// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The differential tests' target (issue #15, "Determinism at scale"): one contract whose
/// functions exercise storage, reverts, out-of-gas, LOG0-LOG4, calls to any address (precompiles,
/// ArbSys, other contracts) with their outcome written to storage, CREATE / CREATE2 (collisions
/// included) and calls to contracts created in the same transaction (SELFDESTRUCT of a contract
/// created in the same transaction removes it, EIP-6780). The random transaction generators
/// (src/differential, tests/e2e/differential_random.test.mjs) call it; its outcomes end in the
/// state root, the receipts and the logs that the tests compare.
contract DiffProbe {
    /// Number of forwarded calls so far; result `i` is at slot keccak256(i).
    uint256 public calls;
    /// The last contract deploy / deploy2 created (zero when the creation failed).
    address public lastCreated;

    event Forwarded(address indexed to, bool ok, bytes32 returnHash, uint256 gasLeft);
    event Created(address indexed created, bytes32 indexed salt, bool viaCreate2);

    receive() external payable {}

    /// Writes slots base .. base + n - 1 with keccak256(seed + i) (storage-heavy calls).
    function store(uint256 base, uint256 n, uint256 seed) external {
        assembly {
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(0, add(seed, i))
                sstore(add(base, i), keccak256(0, 32))
            }
        }
    }

    /// Clears slots base .. base + n - 1 (refunds).
    function clear(uint256 base, uint256 n) external {
        assembly {
            for { let i := 0 } lt(i, n) { i := add(i, 1) } { sstore(add(base, i), 0) }
        }
    }

    /// Reverts with `data` as the revert data.
    function fail(bytes calldata data) external pure {
        assembly {
            calldatacopy(0, data.offset, data.length)
            revert(0, data.length)
        }
    }

    /// Spins until out of gas.
    function burn() external {
        assembly {
            for { let i := 0 } 1 { i := add(i, 1) } { sstore(0xb0, i) }
        }
    }

    /// Emits one log with `n` (0-4) of the topics and `data`.
    function emitLog(uint256 n, bytes32 t0, bytes32 t1, bytes32 t2, bytes32 t3, bytes calldata data)
        external
    {
        assembly {
            calldatacopy(0, data.offset, data.length)
            let len := data.length
            switch n
            case 0 { log0(0, len) }
            case 1 { log1(0, len, t0) }
            case 2 { log2(0, len, t0, t1) }
            case 3 { log3(0, len, t0, t1, t2) }
            default { log4(0, len, t0, t1, t2, t3) }
        }
    }

    /// Calls `to` with `data` and the value sent, with `gas` (0: all), records
    /// keccak256(ok, returndata) at slot keccak256(calls) and emits it; returns the return data
    /// (a failed call does not revert this one).
    function forward(address to, bytes calldata data, uint256 gas) external payable returns (bytes memory ret) {
        bool ok;
        if (gas == 0) gas = gasleft();
        (ok, ret) = to.call{value: msg.value, gas: gas}(data);
        _record(to, ok, ret);
    }

    /// As forward, with STATICCALL.
    function forwardStatic(address to, bytes calldata data) external returns (bytes memory ret) {
        bool ok;
        (ok, ret) = to.staticcall(data);
        _record(to, ok, ret);
    }

    /// CREATE with `init` and `value`; records the address (zero on failure).
    function deploy(bytes calldata init, uint256 value) external payable returns (address a) {
        bytes memory code = init;
        assembly {
            a := create(value, add(code, 32), mload(code))
        }
        lastCreated = a;
        emit Created(a, bytes32(0), false);
    }

    /// CREATE2 with `init`, `salt` and `value`; records the address (zero on failure, e.g. a
    /// collision with an existing account).
    function deploy2(bytes calldata init, bytes32 salt, uint256 value) external payable returns (address a) {
        bytes memory code = init;
        assembly {
            a := create2(value, add(code, 32), mload(code), salt)
        }
        lastCreated = a;
        emit Created(a, salt, true);
    }

    /// CREATE2 with `init` and `salt`, then calls the new contract with `data` in the same
    /// transaction (a SELFDESTRUCT there removes it, EIP-6780), then calls it again.
    function deployAndCall(bytes calldata init, bytes32 salt, bytes calldata data) external payable returns (address a) {
        bytes memory code = init;
        assembly {
            a := create2(0, add(code, 32), mload(code), salt)
        }
        lastCreated = a;
        emit Created(a, salt, true);
        if (a != address(0)) {
            (bool ok, bytes memory ret) = a.call{value: msg.value}(data);
            _record(a, ok, ret);
            (ok, ret) = a.call(data);
            _record(a, ok, ret);
        }
    }

    function _record(address to, bool ok, bytes memory ret) private {
        bytes32 h = keccak256(abi.encodePacked(ok, ret));
        uint256 i = calls;
        calls = i + 1;
        assembly {
            mstore(0, i)
            sstore(keccak256(0, 32), h)
        }
        emit Forwarded(to, ok, keccak256(ret), gasleft());
    }
}
