// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Bridge} from "../src/Bridge.sol";
import {IBridge} from "../src/IBridge.sol";
import {ISequencerInbox} from "../src/ISequencerInbox.sol";
import {Outbox} from "../src/Outbox.sol";
import {OwnablePausable} from "../src/OwnablePausable.sol";
import {RollupCore} from "../src/RollupCore.sol";
import {SequencerInbox} from "../src/SequencerInbox.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {vm} from "./Vm.sol";

/// The actions of the bridge's invariant test (forge calls them in random sequences) and a model
/// of what each should do. The model is an honest L2 (withdrawals never exceed the L2 supply,
/// which only deposits create), an honest proposer posting the send root of all withdrawals so
/// far, a dishonest proposer posting bogus roots with a fake leaf, and the watchers + guardian,
/// who invalidate every bogus root before it ages past the delay (the trust model of
/// docs/bridge.md). Every call's outcome is compared with the model's expectation — down to the
/// custom error a rejected claim must give; any mismatch is a violation the invariants report.
contract BridgeHandler {
    uint256 internal constant DELAY = 1 hours;
    address internal constant OWNER = address(0xA11CE0);
    address internal constant GUARDIAN = address(0x6A4D0);
    address internal constant POSTER = address(0xB0B00);
    address internal constant PROPOSER = address(0xCAFE0);
    address internal constant FEE_SINK = address(0xFEE50);
    address internal constant ATTACKER = address(0xBAD00);
    uint256 internal constant USERS = 4;
    uint256 internal constant GAS_PRICE = 1 gwei;
    uint256 internal constant BOGUS_INDEX_BASE = 1 << 19;
    uint256 internal constant BOGUS_DEPTH = 20;

    SequencerInbox public immutable inbox;
    RollupCore public immutable rollup;
    Bridge public immutable bridge;
    Outbox public immutable outbox;

    /// One withdrawal made on the (honest) L2: a leaf of the send accumulator.
    struct Withdrawal {
        address l2Sender;
        address to;
        uint256 l2Block;
        uint256 l1Block;
        uint256 l2Timestamp;
        uint256 value;
    }

    /// A fake leaf in a bogus send root.
    struct Fake {
        bytes32 root;
        uint256 index;
        uint256 value;
        uint256 l2Block;
    }

    Withdrawal[] internal _leaves;
    bytes32[] internal _leafHashes;
    bool[] internal _spent;
    Fake[] internal _fakes;
    uint256[] internal _fakeSeeds;
    bytes32[] internal _honestRoots;
    bytes32[] internal _postedRoots;
    mapping(bytes32 => uint256) internal _honestSize;
    mapping(bytes32 => uint256) internal _postedAtPlusOne;
    mapping(bytes32 => bool) internal _invalidated;

    uint256 public l2Supply;
    uint256 public ghostDeposited;
    uint256 public ghostPaid;
    uint256 internal _nextL2Block = 1;
    uint256 internal _delay = DELAY;
    bool internal _outboxPaused;
    bool internal _bridgePaused;

    uint256 public violations;
    string public firstViolation;

    /// What happened in this sequence (written to a stats file after each run).
    struct Stats {
        uint256 deposits;
        uint256 messages;
        uint256 withdrawals;
        uint256 roots;
        uint256 bogusRoots;
        uint256 claimsPaid;
        uint256 rejectedTooNew;
        uint256 rejectedInvalidated;
        uint256 rejectedSpent;
        uint256 rejectedPaused;
        uint256 rejectedBadProof;
        uint256 bogusClaimsRejected;
        uint256 invalidations;
        uint256 pauses;
        uint256 warps;
    }

    Stats internal stats;

    constructor() {
        address[] memory posters = new address[](1);
        posters[0] = POSTER;
        inbox = new SequencerInbox(OWNER, posters, ISequencerInbox.MaxTimeVariation(17280, 12, 86400, 768), 122880);
        address[] memory proposers = new address[](1);
        proposers[0] = PROPOSER;
        rollup = new RollupCore(OWNER, keccak256("invariant genesis"), inbox, proposers);
        bridge = new Bridge(OWNER, OWNER, GAS_PRICE, 1024, 21000, 1_000_000);
        outbox = new Outbox(OWNER, rollup, IBridge(address(bridge)), DELAY, GUARDIAN);
        vm.prank(OWNER);
        bridge.setOutbox(address(outbox));
    }

    // ---- actions

    /// An L1 user deposits FUSE.
    function depositNative(uint256 userSeed, uint256 amount) external {
        address user = _user(userSeed);
        amount = 1 + amount % 100 ether;
        vm.deal(user, amount);
        vm.prank(user, user);
        try bridge.depositNative{value: amount}(user) {
            _expect(!_bridgePaused, "depositNative succeeded while the Bridge is paused");
            l2Supply += amount;
            ghostDeposited += amount;
            ++stats.deposits;
        } catch (bytes memory err) {
            _expectError(_bridgePaused, err, Pausable.EnforcedPause.selector, "depositNative");
        }
    }

    /// An L1 user sends a message with value (the fee stays in the Bridge).
    function sendMessage(uint256 userSeed, uint256 gasSeed, uint256 extra) external {
        address user = _user(userSeed);
        uint256 gasLimit = 21000 + gasSeed % (1_000_000 - 21000 + 1);
        extra = extra % 10 ether;
        uint256 value = gasLimit * GAS_PRICE + extra;
        vm.deal(user, value);
        vm.prank(user, user);
        try bridge.sendMessage{value: value}(user, gasLimit, "") {
            _expect(!_bridgePaused, "sendMessage succeeded while the Bridge is paused");
            l2Supply += extra;
            ghostDeposited += extra;
            ++stats.messages;
        } catch (bytes memory err) {
            _expectError(_bridgePaused, err, Pausable.EnforcedPause.selector, "sendMessage");
        }
    }

    /// Someone withdraws on L2 (ArbSys.withdrawEth): a new leaf; never more than the L2 supply.
    function withdrawOnL2(uint256 userSeed, uint256 toSeed, uint256 amount) external {
        if (l2Supply == 0) return;
        amount = 1 + amount % l2Supply;
        l2Supply -= amount;
        Withdrawal memory w = Withdrawal({
            l2Sender: _user(userSeed),
            to: _user(toSeed),
            l2Block: _nextL2Block++,
            l1Block: block.number,
            l2Timestamp: block.timestamp,
            value: amount
        });
        _leaves.push(w);
        _leafHashes.push(keccak256(abi.encodePacked(_itemHash(w))));
        _spent.push(false);
        ++stats.withdrawals;
    }

    /// The honest proposer posts the send root of every withdrawal so far.
    function postRoot() external {
        uint256 size = _leafHashes.length;
        if (size == 0) return;
        bytes32 root = _treeRoot(size);
        _honestSize[root] = size;
        if (_postedAtPlusOne[root] == 0) _honestRoots.push(root);
        _post(root);
        ++stats.roots;
    }

    /// A dishonest proposer posts a root holding a fake withdrawal to the attacker of up to the
    /// whole escrow. The guardian invalidates it before it ages (see `_watch`).
    function postBogusRoot(uint256 seed, uint256 value) external {
        uint256 escrow = bridge.escrow();
        Fake memory f;
        f.index = BOGUS_INDEX_BASE + _fakes.length;
        f.value = 1 + value % (escrow == 0 ? 1 : escrow);
        f.l2Block = _nextL2Block++;
        bytes32[] memory proof = _fakeProof(seed);
        f.root = _calcRoot(proof, f.index, keccak256(abi.encodePacked(_fakeItem(f))));
        if (_postedAtPlusOne[f.root] != 0) return;
        _fakes.push(f);
        _fakeSeeds.push(seed);
        _post(f.root);
        ++stats.bogusRoots;
        _watch(block.timestamp, _delay);
    }

    /// Someone claims a withdrawal: mode 0 (5 draws in 8) a valid proof against a random honest
    /// root holding it, 1 the wrong index, 2 a tampered value, 3 the fake leaf of a bogus root.
    function claim(uint256 leafSeed, uint256 rootSeed, uint256 modeSeed) external {
        uint256 mode = modeSeed % 8 < 5 ? 0 : modeSeed % 8 - 4;
        if (mode == 3) return _claimFake(leafSeed);
        if (_honestRoots.length == 0) return;
        bytes32 root = _honestRoots[rootSeed % _honestRoots.length];
        uint256 size = _honestSize[root];
        uint256 i = leafSeed % size;
        bytes4 expected = _expectedClaimError(root, size, i, mode);
        address to = _leaves[i].to;
        uint256 before = to.balance;
        try this.executeAs(_user(leafSeed >> 8), _proof(i, size), mode == 1 ? i ^ 1 : i, _leaves[i], mode == 2 ? 1 : 0) {
            _expect(expected == bytes4(0), "a claim succeeded that the model rejects");
            _expect(to.balance == before + _leaves[i].value, "a claim paid another amount than its leaf");
            _spent[i] = true;
            ghostPaid += _leaves[i].value;
            ++stats.claimsPaid;
        } catch (bytes memory err) {
            _expectError(expected != bytes4(0), err, expected, "claim");
            _countRejection(bytes4(err));
        }
    }

    /// `caller` claims withdrawal `w` (value raised by `extraValue`) from the Outbox; reverts as
    /// it does. External only so that `claim` can try/catch it; not one of the fuzzed actions.
    function executeAs(
        address caller,
        bytes32[] calldata proof,
        uint256 index,
        Withdrawal calldata w,
        uint256 extraValue
    ) external {
        require(msg.sender == address(this), "executeAs: internal");
        vm.prank(caller);
        outbox.executeTransaction(
            proof, index, w.l2Sender, w.to, w.l2Block, w.l1Block, w.l2Timestamp, w.value + extraValue, ""
        );
    }

    /// What the Outbox must answer to claim `mode` of leaf `i` against `root` (0 = success), in the
    /// order of its checks.
    function _expectedClaimError(bytes32 root, uint256 size, uint256 i, uint256 mode) private view returns (bytes4) {
        if (_outboxPaused) return Pausable.EnforcedPause.selector;
        if (mode == 1 && size == 1) return Outbox.PathNotMinimal.selector;
        if (mode != 0) return Outbox.UnknownRoot.selector;
        if (_invalidated[root]) return Outbox.SendRootIsInvalidated.selector;
        if (block.timestamp < _postedAtPlusOne[root] - 1 + _delay) return Outbox.SendRootTooNew.selector;
        if (_spent[i]) return Outbox.AlreadySpent.selector;
        return bytes4(0);
    }

    /// Time passes on L1. The watchers and the guardian invalidate every bogus root that would
    /// otherwise age past the delay in that time.
    function warp(uint256 secs) external {
        secs = 1 + secs % (2 * DELAY);
        _watch(block.timestamp + secs, _delay);
        vm.warp(block.timestamp + secs);
        vm.roll(block.number + 1 + secs / 5);
        ++stats.warps;
    }

    /// The guardian pauses the Outbox.
    function pauseOutbox() external {
        vm.prank(GUARDIAN);
        try outbox.pause() {
            _expect(!_outboxPaused, "pause succeeded while paused");
            _outboxPaused = true;
            ++stats.pauses;
        } catch (bytes memory err) {
            _expectError(_outboxPaused, err, Pausable.EnforcedPause.selector, "pause");
        }
    }

    /// The owner unpauses the Outbox.
    function unpauseOutbox() external {
        vm.prank(OWNER);
        try outbox.unpause() {
            _expect(_outboxPaused, "unpause succeeded while not paused");
            _outboxPaused = false;
        } catch (bytes memory err) {
            _expectError(!_outboxPaused, err, Pausable.ExpectedPause.selector, "unpause");
        }
    }

    /// The owner pauses or unpauses deposits.
    function toggleBridgePause() external {
        vm.prank(OWNER);
        if (_bridgePaused) OwnablePausable(address(bridge)).unpause();
        else OwnablePausable(address(bridge)).pause();
        _bridgePaused = !_bridgePaused;
    }

    /// The guardian invalidates a posted root, honest or not (a mistake for an honest one: its
    /// leaves stay claimable through later roots).
    function invalidateRoot(uint256 seed) external {
        if (_postedRoots.length == 0) return;
        bytes32 root = _postedRoots[seed % _postedRoots.length];
        _invalidate(root);
    }

    /// The owner changes the delay (the guardian first invalidates bogus roots it would age).
    function setDelay(uint256 seed) external {
        uint256 delay = 1 + seed % (2 * DELAY);
        _watch(block.timestamp, delay);
        vm.prank(OWNER);
        outbox.setWithdrawalDelay(delay);
        _delay = delay;
    }

    /// The owner withdraws part of the fees.
    function withdrawFees(uint256 amount) external {
        uint256 fees = bridge.feesCollected();
        amount %= fees + 1;
        vm.prank(OWNER);
        bridge.withdrawFees(FEE_SINK, amount);
    }

    // ---- views for the invariants

    function leafCount() external view returns (uint256) {
        return _leaves.length;
    }

    function isSpentInModel(uint256 i) external view returns (bool) {
        return _spent[i];
    }

    function fakeCount() external view returns (uint256) {
        return _fakes.length;
    }

    function fakeIndex(uint256 k) external view returns (uint256) {
        return _fakes[k].index;
    }

    /// Sum of the values of the withdrawals not yet paid (claimable now or later).
    function unpaidWithdrawals() external view returns (uint256 sum) {
        for (uint256 i = 0; i < _leaves.length; ++i) {
            if (!_spent[i]) sum += _leaves[i].value;
        }
    }

    /// One line of this sequence's counts for the stats file (env FUSE_INVARIANT_STATS).
    function recordStats() external {
        string memory path = vm.envOr("FUSE_INVARIANT_STATS", string(""));
        if (bytes(path).length == 0) return;
        Stats memory s = stats;
        uint256[15] memory v = [
            s.deposits, s.messages, s.withdrawals, s.roots, s.bogusRoots, s.claimsPaid, s.rejectedTooNew,
            s.rejectedInvalidated, s.rejectedSpent, s.rejectedPaused, s.rejectedBadProof, s.bogusClaimsRejected,
            s.invalidations, s.pauses, s.warps
        ];
        string memory line = vm.toString(violations);
        for (uint256 k = 0; k < v.length; ++k) {
            line = string.concat(line, ",", vm.toString(v[k]));
        }
        vm.writeLine(path, line);
    }

    // ---- internals

    function _claimFake(uint256 seed) private {
        if (_fakes.length == 0) return;
        uint256 k = seed % _fakes.length;
        Fake memory f = _fakes[k];
        bytes4 expected;
        if (_outboxPaused) expected = Pausable.EnforcedPause.selector;
        else if (_invalidated[f.root]) expected = Outbox.SendRootIsInvalidated.selector;
        else if (block.timestamp < _postedAtPlusOne[f.root] - 1 + _delay) expected = Outbox.SendRootTooNew.selector;
        else expected = bytes4(0xffffffff);  // the model never lets a bogus root age un-invalidated
        vm.prank(ATTACKER);
        try outbox.executeTransaction(
            _fakeProof(_fakeSeeds[k]), f.index, ATTACKER, ATTACKER, f.l2Block, 0, 0, f.value, ""
        ) {
            _expect(false, "a bogus root paid");
        } catch (bytes memory err) {
            _expectError(true, err, expected, "bogus claim");
            ++stats.bogusClaimsRejected;
        }
    }

    function _post(bytes32 root) private {
        uint256 n = inbox.batchCount();
        uint256 m = inbox.totalMessageCount();
        vm.prank(POSTER, POSTER);
        inbox.addSequencerL2Batch(n, hex"00", m, m + 1);
        vm.prank(PROPOSER);
        rollup.postStateRoot(n, n + 1, keccak256(abi.encode("block", n)), keccak256(abi.encode("state", n)), root);
        if (_postedAtPlusOne[root] == 0) {
            _postedAtPlusOne[root] = block.timestamp + 1;
            _postedRoots.push(root);
        }
    }

    /// The watchers + guardian: invalidate every bogus root aged past `delay` by `untilTime`.
    function _watch(uint256 untilTime, uint256 delay) private {
        for (uint256 k = 0; k < _fakes.length; ++k) {
            bytes32 root = _fakes[k].root;
            if (!_invalidated[root] && _postedAtPlusOne[root] - 1 + delay <= untilTime) _invalidate(root);
        }
    }

    function _invalidate(bytes32 root) private {
        vm.prank(GUARDIAN);
        outbox.invalidateSendRoot(root);
        _invalidated[root] = true;
        ++stats.invalidations;
    }

    function _countRejection(bytes4 sel) private {
        if (sel == Outbox.SendRootTooNew.selector) ++stats.rejectedTooNew;
        else if (sel == Outbox.SendRootIsInvalidated.selector) ++stats.rejectedInvalidated;
        else if (sel == Outbox.AlreadySpent.selector) ++stats.rejectedSpent;
        else if (sel == Pausable.EnforcedPause.selector) ++stats.rejectedPaused;
        else ++stats.rejectedBadProof;
    }

    function _expect(bool ok, string memory what) private {
        if (ok) return;
        if (violations == 0) firstViolation = what;
        ++violations;
    }

    /// A call reverted: it had to (`shouldFail`), and with the selector `expected`.
    function _expectError(bool shouldFail, bytes memory err, bytes4 expected, string memory what) private {
        _expect(shouldFail, string.concat(what, " failed where the model expects success"));
        if (shouldFail) _expect(bytes4(err) == expected, string.concat(what, " failed with another error than the model's"));
    }

    function _user(uint256 seed) private pure returns (address) {
        return address(uint160(0x10000 + seed % USERS));
    }

    function _itemHash(Withdrawal memory w) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(w.l2Sender, w.to, w.l2Block, w.l1Block, w.l2Timestamp, w.value, ""));
    }

    function _fakeItem(Fake memory f) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(ATTACKER, ATTACKER, f.l2Block, uint256(0), uint256(0), f.value, ""));
    }

    function _fakeProof(uint256 seed) private pure returns (bytes32[] memory proof) {
        proof = new bytes32[](BOGUS_DEPTH);
        for (uint256 i = 0; i < BOGUS_DEPTH; ++i) {
            proof[i] = keccak256(abi.encode(seed, i));
        }
    }

    /// The tree over the first `size` leaves, level by level (empty subtrees are zero): the root.
    function _treeRoot(uint256 size) private view returns (bytes32) {
        bytes32[] memory level = _firstLeaves(size);
        while (level.length > 1) level = _up(level);
        return level[0];
    }

    /// The sibling of leaf `i` at each level of the tree over the first `size` leaves.
    function _proof(uint256 i, uint256 size) private view returns (bytes32[] memory proof) {
        bytes32[] memory level = _firstLeaves(size);
        uint256 depth = 0;
        while ((1 << depth) < size) ++depth;
        proof = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            uint256 sibling = i ^ 1;
            proof[d] = sibling < level.length ? level[sibling] : bytes32(0);
            level = _up(level);
            i >>= 1;
        }
    }

    function _firstLeaves(uint256 size) private view returns (bytes32[] memory level) {
        level = new bytes32[](size);
        for (uint256 k = 0; k < size; ++k) {
            level[k] = _leafHashes[k];
        }
    }

    function _up(bytes32[] memory level) private pure returns (bytes32[] memory up) {
        up = new bytes32[]((level.length + 1) / 2);
        for (uint256 k = 0; k < up.length; ++k) {
            bytes32 right = 2 * k + 1 < level.length ? level[2 * k + 1] : bytes32(0);
            up[k] = keccak256(abi.encodePacked(level[2 * k], right));
        }
    }

    function _calcRoot(bytes32[] memory proof, uint256 index, bytes32 leaf) private pure returns (bytes32 node) {
        node = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            node = (index >> i) & 1 == 0
                ? keccak256(abi.encodePacked(node, proof[i]))
                : keccak256(abi.encodePacked(proof[i], node));
        }
    }
}
