// Outbox against a real anvil L1 (london rules) with the whole deployment behind it
// (SequencerInbox, RollupCore, Bridge): withdrawals proven against send roots built by the JS
// copy of ArbOS's accumulator, the delay, spent leaves, wrong indices and roots, pause and
// invalidation by the guardian, a reentrant receiver, l2ToL1Sender seen by a probe, failing calls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import {
  artifact, buildBridgeContracts, contractInterface, deployContracts, errorsInterface, kL1ContractNames, revertOf,
  testL1Artifact,
} from '../../tests/lib/contracts.mjs';
import { calculateRoot, SendAccumulator, sendItemHash } from '../test-lib/bridge.mjs';

const kDelay = 1000n;
const ether = (n) => ethers.parseEther(String(n));

describe('Outbox', () => {
  let anvil, provider, owner, poster, proposer, alice, bob, stranger, guardian;
  let inbox, rollup, bridge, outbox, outboxIface, probe, attacker, reverter, errors;
  const acc = new SendAccumulator();
  const items = [];  // the withdrawals, by leaf index
  let l2Block = 0n;

  before(async () => {
    await buildBridgeContracts();
    anvil = await startAnvil();
    provider = anvil.provider();
    [owner, poster, proposer, alice, bob, stranger, guardian] = [0, 1, 2, 3, 4, 5, 6].map((i) => anvil.wallet(i, provider));
    ({ inbox, rollup, bridge, outbox } = await deployContracts(owner, {
      genesisHash: ethers.id('outbox test'), batchPosters: [poster.address], proposers: [proposer.address],
      withdrawalDelay: kDelay, guardian: guardian.address,
    }));
    outboxIface = contractInterface('Outbox');
    const deploy = async (name, ...args) => {
      const a = testL1Artifact(name);
      return (await new ethers.ContractFactory(a.abi, a.bytecode, owner).deploy(...args)).waitForDeployment();
    };
    probe = await deploy('L2ToL1Probe', await outbox.getAddress());
    attacker = await deploy('ReentrantReceiver', await outbox.getAddress(), await bridge.getAddress());
    reverter = await deploy('Reverter');
    errors = errorsInterface([...kL1ContractNames, testL1Artifact('Reverter').abi, testL1Artifact('ReentrantReceiver').abi]);
    // the escrow: 20 FUSE deposited
    await (await bridge.connect(alice).depositNative(alice.address, { value: ether(20) })).wait();
  });
  after(async () => {
    await anvil?.stop();
  });

  /// A withdrawal made on L2 (appended to the send accumulator); returns its leaf index.
  function withdraw({ l2Sender = alice.address, to, value = 0n, data = '0x' }) {
    const item = { l2Sender, to, l2Block: ++l2Block, l1Block: 1000n + l2Block, l2Timestamp: 1700000000n + l2Block, value, data };
    items.push(item);
    return acc.append(sendItemHash(item));
  }

  /// Posts the next batch and a state root carrying the current send root; returns
  /// { root, size, postedAt, batch }.
  async function postSendRoot(root = acc.root()) {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    await (await inbox.connect(poster).addSequencerL2Batch(n, '0x00', m, m + 1n)).wait();
    const rcpt = await (await rollup.connect(proposer).postStateRoot(n, n + 1n, ethers.id(`b${n}`), ethers.id(`s${n}`), root)).wait();
    const { timestamp } = await provider.getBlock(rcpt.blockNumber);
    return { root, size: acc.size, postedAt: BigInt(timestamp), batch: n };
  }

  /// Mines the next block at `timestamp`.
  async function mineAt(timestamp) {
    await anvil.rpc('evm_setNextBlockTimestamp', [ethers.toQuantity(timestamp)]);
    await anvil.rpc('evm_mine', []);
  }

  /// The next transaction will be mined at or after `timestamp`.
  async function nextBlockAt(timestamp) {
    await anvil.rpc('evm_setNextBlockTimestamp', [ethers.toQuantity(timestamp)]);
  }

  async function age(posted) {
    const { timestamp } = await provider.getBlock('latest');
    if (BigInt(timestamp) < posted.postedAt + kDelay) await mineAt(posted.postedAt + kDelay);
  }

  function claimArgs(index, size = acc.size, overrides = {}) {
    const w = { ...items[index], ...overrides };
    return [acc.proof(index, size), overrides.index ?? index, w.l2Sender, w.to, w.l2Block, w.l1Block, w.l2Timestamp, w.value, w.data];
  }

  const claim = (from, index, size, overrides) => outbox.connect(from).executeTransaction(...claimArgs(index, size, overrides));

  it('is set up with the rollup, the bridge, the delay and the guardian', async () => {
    assert.equal(await outbox.rollup(), await rollup.getAddress());
    assert.equal(await outbox.bridge(), await bridge.getAddress());
    assert.equal(await bridge.outbox(), await outbox.getAddress());
    assert.equal(await outbox.withdrawalDelay(), kDelay);
    assert.equal(await outbox.guardian(), guardian.address);
    assert.equal(await outbox.owner(), owner.address);
    for (const f of ['l2ToL1Block', 'l2ToL1EthBlock', 'l2ToL1Timestamp']) assert.equal(await outbox[f](), 0n, f);
    assert.equal(await outbox.l2ToL1Sender(), ethers.ZeroAddress);
  });

  it('pays a withdrawal with a valid proof once its root has aged past the delay, once', async () => {
    const i = withdraw({ to: bob.address, value: ether(1) });
    withdraw({ to: bob.address, value: ether(2) });
    const posted = await postSendRoot();
    const [posted2, batch] = await rollup.sendRootPostedIn(posted.root);
    assert.deepEqual([posted2, batch], [true, posted.batch]);
    // one second before the delay has passed
    await nextBlockAt(posted.postedAt + kDelay - 1n);
    assert.deepEqual(await revertOf(claim(stranger, i)),
      { name: 'SendRootTooNew', args: [posted.root, posted.postedAt + kDelay] });
    await nextBlockAt(posted.postedAt + kDelay);
    const before = await provider.getBalance(bob.address);
    // anyone may execute it; the value goes to `to`
    const rcpt = await (await claim(stranger, i)).wait();
    assert.equal(await provider.getBalance(bob.address), before + ether(1));
    const ev = rcpt.logs.map((l) => outboxIface.parseLog(l)).find((e) => e?.name === 'OutBoxTransactionExecuted');
    assert.deepEqual([ev.args.to, ev.args.l2Sender, ev.args.zero, ev.args.transactionIndex], [bob.address, alice.address, 0n, BigInt(i)]);
    assert.equal(await outbox.isSpent(i), true);
    assert.equal(await outbox.isSpent(i + 1), false);
    assert.equal(await bridge.totalWithdrawn(), ether(1));
    // a second claim of the same leaf
    assert.deepEqual(await revertOf(claim(bob, i)), { name: 'AlreadySpent', args: [BigInt(i)] });
    // the other leaf of the same root still pays
    await (await claim(bob, i + 1)).wait();
    assert.equal(await bridge.totalWithdrawn(), ether(3));
  });

  it('rejects a wrong index, an unused index bit and a too long proof', async () => {
    const i = withdraw({ to: bob.address, value: 5n });
    withdraw({ to: alice.address, value: 6n });
    const posted = await postSendRoot();
    await age(posted);
    // the proof of leaf i at index i+1 leads to another root
    const wrong = calculateRoot(acc.proof(i), i + 1, ethers.keccak256(sendItemHash(items[i])));
    assert.notEqual(wrong, posted.root);
    assert.deepEqual(await revertOf(claim(bob, i, acc.size, { index: i + 1 })), { name: 'UnknownRoot', args: [wrong] });
    const depth = acc.proof(i).length;
    const beyond = BigInt(i) + (1n << BigInt(depth));
    assert.deepEqual(await revertOf(claim(bob, i, acc.size, { index: beyond })),
      { name: 'PathNotMinimal', args: [beyond, 1n << BigInt(depth)] });
    const long = Array(256).fill(ethers.ZeroHash);
    const w = items[i];
    assert.deepEqual(await revertOf(outbox.executeTransaction(long, i, w.l2Sender, w.to, w.l2Block, w.l1Block, w.l2Timestamp, w.value, w.data)),
      { name: 'ProofTooLong', args: [256n] });
    assert.equal(await outbox.isSpent(i), false);
    await (await claim(bob, i)).wait();
  });

  it('rejects a leaf that is not in a posted root (tampered fields, unposted root)', async () => {
    const i = withdraw({ to: bob.address, value: 7n, data: '0x01' });
    const posted = await postSendRoot();
    await age(posted);
    for (const overrides of [{ value: 8n }, { to: alice.address }, { l2Sender: bob.address }, { data: '0x02' },
      { l2Block: 1n }, { l1Block: 1n }, { l2Timestamp: 1n }]) {
      const root = calculateRoot(acc.proof(i), i, ethers.keccak256(sendItemHash({ ...items[i], ...overrides })));
      assert.deepEqual(await revertOf(claim(bob, i, acc.size, overrides)), { name: 'UnknownRoot', args: [root] },
        Object.keys(overrides)[0]);
    }
    // a leaf appended after the last posting: its root was never posted
    const j = withdraw({ to: bob.address, value: 9n });
    assert.deepEqual(await revertOf(claim(bob, j)), { name: 'UnknownRoot', args: [acc.root()] });
    assert.deepEqual([...(await rollup.sendRootPostedIn(acc.root()))], [false, 0n]);
    assert.deepEqual([...(await rollup.sendRootPostedIn(ethers.ZeroHash))], [false, 0n]);
    const posted2 = await postSendRoot();
    await age(posted2);
    await (await claim(bob, j)).wait();
    await (await claim(bob, i)).wait();  // against the newer root too
  });

  it('reports the L2 sender, blocks and time to the callee, and zero outside the call', async () => {
    const to = await probe.getAddress();
    const i = withdraw({ l2Sender: bob.address, to, value: 1234n, data: probe.interface.encodeFunctionData('probe') });
    const posted = await postSendRoot();
    await age(posted);
    await (await claim(stranger, i)).wait();
    const w = items[i];
    assert.deepEqual(
      [await probe.seenSender(), await probe.seenL2Block(), await probe.seenL1Block(), await probe.seenTimestamp(),
        await probe.seenCaller(), await probe.seenValue(), await probe.calls()],
      [bob.address, w.l2Block, w.l1Block, w.l2Timestamp, await bridge.getAddress(), 1234n, 1n]);
    assert.equal(await outbox.l2ToL1Sender(), ethers.ZeroAddress);
    for (const f of ['l2ToL1Block', 'l2ToL1EthBlock', 'l2ToL1Timestamp']) assert.equal(await outbox[f](), 0n, f);
  });

  it('stops a reentrant receiver: no second claim inside the first, no direct Bridge call', async () => {
    const to = await attacker.getAddress();
    const first = withdraw({ to, value: 100n });
    const second = withdraw({ to, value: 200n });
    const posted = await postSendRoot();
    await age(posted);
    await (await attacker.arm(outboxIface.encodeFunctionData('executeTransaction', claimArgs(second)))).wait();
    await (await claim(stranger, first)).wait();
    assert.equal(await attacker.attacked(), true);
    assert.equal(await attacker.reentrySucceeded(), false);
    assert.deepEqual(errors.parseError(await attacker.reentryError()).name, 'ReentrancyGuardReentrantCall');
    assert.equal(await attacker.bridgeCallSucceeded(), false);
    const bridgeErr = errors.parseError(await attacker.bridgeCallError());
    assert.deepEqual([bridgeErr.name, ...bridgeErr.args], ['NotOutbox', to]);
    assert.equal(await attacker.received(), 100n);
    assert.equal(await provider.getBalance(to), 100n);
    assert.deepEqual([await outbox.isSpent(first), await outbox.isSpent(second)], [true, false]);
    // the leaf it tried to take inside the call is still claimable, once
    await (await claim(stranger, second)).wait();
    assert.equal(await attacker.received(), 300n);
    assert.deepEqual(await revertOf(claim(stranger, second)), { name: 'AlreadySpent', args: [BigInt(second)] });
  });

  it('a failing call reverts the whole claim and the leaf stays unspent', async () => {
    const rev = await reverter.getAddress();
    const custom = withdraw({ to: rev, data: reverter.interface.encodeFunctionData('set', [5]) });
    const reason = withdraw({ to: rev, data: reverter.interface.encodeFunctionData('set', [0]) });
    // value to a contract without receive(): empty revert data
    const target = ethers.getAddress(`0x${'ab'.repeat(20)}`);
    await anvil.rpc('anvil_setCode', [target, testL1Artifact('Reverter').deployedBytecode]);
    const empty = withdraw({ to: target, value: 50n });
    const posted = await postSendRoot();
    await age(posted);
    assert.deepEqual(await revertOf(claim(stranger, custom), errors), { name: 'TooSmall', args: [5n, 10n] });
    await assert.rejects(claim(stranger, reason), /value must not be zero/);
    assert.deepEqual(await revertOf(claim(stranger, empty)), { name: 'BridgeCallFailed', args: [] });
    for (const i of [custom, reason, empty]) assert.equal(await outbox.isSpent(i), false);
    // once the receiver accepts, the same leaf pays
    const withdrawn = await bridge.totalWithdrawn();
    await anvil.rpc('anvil_setCode', [target, '0x']);
    await (await claim(stranger, empty)).wait();
    assert.equal(await provider.getBalance(target), 50n);
    assert.equal(await bridge.totalWithdrawn(), withdrawn + 50n);
  });

  it('a root cannot pay more than the escrow holds', async () => {
    const escrow = await bridge.escrow();
    const i = withdraw({ to: bob.address, value: escrow + 1n });
    const posted = await postSendRoot();
    await age(posted);
    assert.deepEqual(await revertOf(claim(bob, i)), { name: 'InsufficientEscrow', args: [escrow + 1n, escrow] });
    assert.equal(await outbox.isSpent(i), false);
  });

  it('pause stops claims: the guardian or the owner pauses, only the owner unpauses', async () => {
    const i = withdraw({ to: bob.address, value: 11n });
    const posted = await postSendRoot();
    await age(posted);
    assert.deepEqual(await revertOf(outbox.connect(stranger).pause()), { name: 'NotOwnerOrGuardian', args: [stranger.address] });
    await (await outbox.connect(guardian).pause()).wait();
    assert.deepEqual(await revertOf(claim(bob, i)), { name: 'EnforcedPause', args: [] });
    assert.deepEqual(await revertOf(outbox.connect(guardian).unpause()), { name: 'OwnableUnauthorizedAccount', args: [guardian.address] });
    await (await outbox.connect(owner).unpause()).wait();
    await (await outbox.connect(owner).pause()).wait();
    assert.deepEqual(await revertOf(outbox.connect(guardian).pause()), { name: 'EnforcedPause', args: [] });
    await (await outbox.connect(owner).unpause()).wait();
    assert.deepEqual(await revertOf(outbox.connect(owner).unpause()), { name: 'ExpectedPause', args: [] });
    await (await claim(bob, i)).wait();
    assert.equal(await outbox.isSpent(i), true);
  });

  it('an invalidated root pays nothing; a later root carries its leaves', async () => {
    const i = withdraw({ to: bob.address, value: 13n });
    const bad = await postSendRoot();
    await age(bad);
    assert.deepEqual(await revertOf(outbox.connect(stranger).invalidateSendRoot(bad.root)),
      { name: 'NotOwnerOrGuardian', args: [stranger.address] });
    const rcpt = await (await outbox.connect(guardian).invalidateSendRoot(bad.root)).wait();
    const ev = outboxIface.parseLog(rcpt.logs[0]);
    assert.deepEqual([ev.name, ev.args.sendRoot, ev.args.by], ['SendRootInvalidated', bad.root, guardian.address]);
    assert.equal(await outbox.isSendRootInvalidated(bad.root), true);
    assert.deepEqual(await revertOf(claim(bob, i)), { name: 'SendRootIsInvalidated', args: [bad.root] });
    // posting the same root again does not revive it
    await postSendRoot(bad.root);
    assert.deepEqual(await revertOf(claim(bob, i)), { name: 'SendRootIsInvalidated', args: [bad.root] });
    // the owner may invalidate too
    await (await outbox.connect(owner).invalidateSendRoot(ethers.id('some other root'))).wait();
    // the next send root holds leaf i as well
    withdraw({ to: alice.address, value: 1n });
    const good = await postSendRoot();
    await age(good);
    await (await claim(bob, i, good.size)).wait();
    assert.equal(await outbox.isSpent(i), true);
  });

  it('ages a root from its first posting; a new delay applies at once', async () => {
    const i = withdraw({ to: bob.address, value: 17n });
    const first = await postSendRoot();
    await mineAt(first.postedAt + kDelay / 2n);
    const again = await postSendRoot(first.root);  // same root in a later batch
    assert.deepEqual([...(await rollup.sendRootPostedIn(first.root))], [true, first.batch]);
    assert.ok(again.batch > first.batch);
    await nextBlockAt(first.postedAt + kDelay);
    await (await claim(bob, i)).wait();

    assert.deepEqual(await revertOf(outbox.connect(guardian).setWithdrawalDelay(1)),
      { name: 'OwnableUnauthorizedAccount', args: [guardian.address] });
    const rcpt = await (await outbox.connect(owner).setWithdrawalDelay(5000n)).wait();
    const ev = outboxIface.parseLog(rcpt.logs[0]);
    assert.deepEqual([ev.name, ev.args.withdrawalDelay], ['WithdrawalDelaySet', 5000n]);
    const j = withdraw({ to: bob.address, value: 19n });
    const posted = await postSendRoot();
    await mineAt(posted.postedAt + kDelay);
    assert.deepEqual(await revertOf(claim(bob, j)), { name: 'SendRootTooNew', args: [posted.root, posted.postedAt + 5000n] });
    await (await outbox.connect(owner).setWithdrawalDelay(kDelay)).wait();
    await (await claim(bob, j)).wait();
  });

  it('owner functions: guardian, ownership; the constructor checks its addresses', async () => {
    assert.deepEqual(await revertOf(outbox.connect(guardian).setGuardian(stranger.address)),
      { name: 'OwnableUnauthorizedAccount', args: [guardian.address] });
    let rcpt = await (await outbox.connect(owner).setGuardian(stranger.address)).wait();
    let ev = outboxIface.parseLog(rcpt.logs[0]);
    assert.deepEqual([ev.name, ev.args.guardian], ['GuardianSet', stranger.address]);
    assert.deepEqual(await revertOf(outbox.connect(guardian).invalidateSendRoot(ethers.id('x'))),
      { name: 'NotOwnerOrGuardian', args: [guardian.address] });
    await (await outbox.connect(stranger).invalidateSendRoot(ethers.id('x'))).wait();
    rcpt = await (await outbox.connect(owner).setGuardian(ethers.ZeroAddress)).wait();
    ev = outboxIface.parseLog(rcpt.logs[0]);
    assert.equal(ev.args.guardian, ethers.ZeroAddress);
    assert.deepEqual(await revertOf(outbox.connect(stranger).pause()), { name: 'NotOwnerOrGuardian', args: [stranger.address] });
    assert.deepEqual(await revertOf(outbox.connect(owner).renounceOwnership()), { name: 'RenounceOwnershipDisabled', args: [] });

    const art = artifact('Outbox');
    const f = new ethers.ContractFactory(art.abi, art.bytecode, owner);
    assert.deepEqual(await revertOf(f.deploy(owner.address, ethers.ZeroAddress, await bridge.getAddress(), 1, ethers.ZeroAddress)),
      { name: 'ZeroAddress', args: [] });
    assert.deepEqual(await revertOf(f.deploy(owner.address, await rollup.getAddress(), ethers.ZeroAddress, 1, ethers.ZeroAddress)),
      { name: 'ZeroAddress', args: [] });
    assert.deepEqual(await revertOf(f.deploy(ethers.ZeroAddress, await rollup.getAddress(), await bridge.getAddress(), 1,
      ethers.ZeroAddress)), { name: 'OwnableInvalidOwner', args: [ethers.ZeroAddress] });
  });

  it('keeps the supply equation: balance = deposited - withdrawn + fees', async () => {
    const [balance, deposited, withdrawn, fees] = await Promise.all([provider.getBalance(await bridge.getAddress()),
      bridge.totalDeposited(), bridge.totalWithdrawn(), bridge.feesCollected()]);
    assert.equal(balance, deposited - withdrawn + fees);
    const paid = items.map((w, i) => [w, i]);
    let sum = 0n;
    for (const [w, i] of paid) if (await outbox.isSpent(i)) sum += w.value;
    assert.equal(withdrawn, sum, 'totalWithdrawn = the values of the spent leaves');
  });
});
