// RollupCore against a real anvil L1 (london rules), with a real SequencerInbox behind it:
// happy path, every revert, the recorded inbox accumulator, owner functions and ownership.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import { artifact, buildContracts, contractInterface, deployContracts, revertOf } from '../../tests/lib/contracts.mjs';

const kGenesis = ethers.keccak256(ethers.toUtf8Bytes('rollup core test genesis'));
const h = (label) => ethers.keccak256(ethers.toUtf8Bytes(label));

describe('RollupCore', () => {
  let anvil, provider, owner, poster, proposer, stranger, newOwner, inbox, rollup, rollupIface;

  before(async () => {
    await buildContracts();
    anvil = await startAnvil();
    provider = anvil.provider();
    [owner, poster, proposer, stranger, newOwner] = [0, 1, 2, 3, 4].map((i) => anvil.wallet(i, provider));
    ({ inbox, rollup } = await deployContracts(owner, {
      genesisHash: kGenesis, batchPosters: [poster.address], proposers: [proposer.address],
    }));
    rollupIface = contractInterface('RollupCore');
  });
  after(async () => {
    await anvil?.stop();
  });

  async function postBatch(messages = 2) {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    await (await inbox.connect(poster).addSequencerL2Batch(n, '0x00abcdef', m, m + BigInt(messages))).wait();
    return n;
  }

  /// Posts a root for batch `batch` and checks the event, the record and the views.
  async function postRootAndCheck(batch, l2Block, from = proposer) {
    const [blockHash, stateRoot, sendRoot] = [h(`block ${batch}`), h(`state ${batch}`), h(`send ${batch}`)];
    const rcpt = await (await rollup.connect(from).postStateRoot(batch, l2Block, blockHash, stateRoot, sendRoot)).wait();
    const acc = await inbox.inboxAccs(batch);
    const logs = rcpt.logs.map((l) => rollupIface.parseLog(l)).filter((l) => l?.name === 'StateRootPosted');
    assert.equal(logs.length, 1);
    const ev = logs[0].args;
    assert.deepEqual([ev.batchSequenceNumber, ev.l2BlockNumber, ev.l2BlockHash, ev.stateRoot, ev.sendRoot, ev.inboxAcc, ev.proposer],
      [BigInt(batch), BigInt(l2Block), blockHash, stateRoot, sendRoot, acc, from.address]);
    const block = await provider.getBlock(rcpt.blockNumber);
    const rec = await rollup.getRecord(batch);
    assert.deepEqual([rec.l2BlockHash, rec.stateRoot, rec.sendRoot, rec.inboxAcc, rec.l2BlockNumber, rec.postedAtL1Block, rec.postedAtTimestamp],
      [blockHash, stateRoot, sendRoot, acc, BigInt(l2Block), BigInt(rcpt.blockNumber), BigInt(block.timestamp)]);
    const [latest, latestRec] = await rollup.latestPosted();
    assert.equal(latest, BigInt(batch));
    assert.equal(latestRec.stateRoot, stateRoot);
    assert.equal(await rollup.postedBatchCount(), BigInt(batch) + 1n);
    assert.deepEqual([...(await rollup.sendRootPostedIn(sendRoot))], [true, BigInt(batch)]);
    return rcpt;
  }

  it('is set up with the genesis hash, the inbox and the proposers', async () => {
    assert.equal(await rollup.genesisHash(), kGenesis);
    assert.equal(await rollup.inbox(), await inbox.getAddress());
    assert.equal(await rollup.owner(), owner.address);
    assert.equal(await rollup.isProposer(proposer.address), true);
    assert.equal(await rollup.isProposer(poster.address), false);
    assert.equal(await rollup.postedBatchCount(), 0n);
    assert.deepEqual(await revertOf(rollup.latestPosted()), { name: 'NoRootPosted', args: [] });
    assert.deepEqual(await revertOf(rollup.getRecord(0)), { name: 'RootNotPosted', args: [0n] });
  });

  it('rejects a root for a batch that is not in the inbox', async () => {
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(0, 1, h('b'), h('s'), h('x'))),
      { name: 'BatchNotInInbox', args: [0n, 0n] });
  });

  it('records roots for batches in order, with the inbox accumulator', async () => {
    await postBatch(2);
    await postBatch(3);
    await postRootAndCheck(0, 2);
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(2, 9, h('b'), h('s'), h('x'))),
      { name: 'OutOfOrderBatch', args: [1n, 2n] });
    await postRootAndCheck(1, 5);
    assert.deepEqual(await revertOf(rollup.getRecord(2)), { name: 'RootNotPosted', args: [2n] });
    // batch 2 does not exist yet
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(2, 9, h('b'), h('s'), h('x'))),
      { name: 'BatchNotInInbox', args: [2n, 2n] });
    // the sendRoot may be zero (no withdrawals yet)
    await postBatch(1);
    await (await rollup.connect(proposer).postStateRoot(2, 6, h('b2'), h('s2'), ethers.ZeroHash)).wait();
    assert.equal((await rollup.getRecord(2)).sendRoot, ethers.ZeroHash);
    // the first record is unchanged
    assert.equal((await rollup.getRecord(0)).stateRoot, h('state 0'));
  });

  it('records the first batch that posted each non-zero send root', async () => {
    assert.deepEqual([...(await rollup.sendRootPostedIn(h('never posted')))], [false, 0n]);
    assert.deepEqual([...(await rollup.sendRootPostedIn(ethers.ZeroHash))], [false, 0n], 'a zero send root is not recorded');
    const root = h('repeated send root');
    const first = await rollup.postedBatchCount();
    for (let i = 0; i < 3; ++i) {
      await postBatch(1);
      const next = await rollup.postedBatchCount();
      const prev = (await rollup.getRecord(next - 1n)).l2BlockNumber;
      await (await rollup.connect(proposer).postStateRoot(next, prev + 1n, h(`rb${i}`), h(`rs${i}`), root)).wait();
      assert.equal((await rollup.getRecord(next)).sendRoot, root, 'every record keeps its send root');
      assert.deepEqual([...(await rollup.sendRootPostedIn(root))], [true, first], 'the first posting stays');
    }
  });

  it('rejects out-of-order roots: replays, gaps', async () => {
    await postBatch(1);
    await postBatch(1);
    const next = await rollup.postedBatchCount();
    for (const bad of [0n, next - 1n, next + 1n]) {
      assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(bad, 100, h('b'), h('s'), h('x'))),
        { name: 'OutOfOrderBatch', args: [next, bad] });
    }
  });

  it('rejects an L2 block number that does not increase, and zero roots', async () => {
    const next = await rollup.postedBatchCount();
    const prev = (await rollup.getRecord(next - 1n)).l2BlockNumber;
    for (const bad of [prev, prev - 1n, 0n, 2n ** 64n]) {
      assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(next, bad, h('b'), h('s'), h('x'))),
        { name: 'L2BlockNumberNotIncreasing', args: [prev, bad] });
    }
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(next, prev + 1n, ethers.ZeroHash, h('s'), h('x'))),
      { name: 'ZeroRoot', args: [] });
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(next, prev + 1n, h('b'), ethers.ZeroHash, h('x'))),
      { name: 'ZeroRoot', args: [] });
  });

  it('rejects a caller that is not a proposer', async () => {
    const next = await rollup.postedBatchCount();
    for (const who of [stranger, owner, poster]) {
      assert.deepEqual(await revertOf(rollup.connect(who).postStateRoot(next, 100, h('b'), h('s'), h('x'))),
        { name: 'NotProposer', args: [who.address] });
    }
  });

  it('pauses and unpauses root posting (owner only)', async () => {
    const next = await rollup.postedBatchCount();
    assert.deepEqual(await revertOf(rollup.connect(stranger).pause()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    await (await rollup.connect(owner).pause()).wait();
    assert.equal(await rollup.paused(), true);
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(next, 100, h('b'), h('s'), h('x'))),
      { name: 'EnforcedPause', args: [] });
    // pausing the rollup does not pause the inbox
    await postBatch(1);
    assert.deepEqual(await revertOf(rollup.connect(stranger).unpause()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    await (await rollup.connect(owner).unpause()).wait();
    assert.deepEqual(await revertOf(rollup.connect(owner).unpause()), { name: 'ExpectedPause', args: [] });
    await postRootAndCheck(Number(next), 100);
  });

  it('adds and removes proposers (owner only)', async () => {
    assert.deepEqual(await revertOf(rollup.connect(stranger).setProposer(stranger.address, true)),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    assert.deepEqual(await revertOf(rollup.connect(owner).setProposer(ethers.ZeroAddress, true)),
      { name: 'ZeroAddress', args: [] });
    const rcpt = await (await rollup.connect(owner).setProposer(stranger.address, true)).wait();
    const ev = rollupIface.parseLog(rcpt.logs[0]);
    assert.equal(ev.name, 'ProposerSet');
    assert.deepEqual([ev.args.proposer, ev.args.allowed], [stranger.address, true]);
    const next = Number(await rollup.postedBatchCount());
    await postRootAndCheck(next, 101, stranger);
    await (await rollup.connect(owner).setProposer(proposer.address, false)).wait();
    await postBatch(1);
    assert.deepEqual(await revertOf(rollup.connect(proposer).postStateRoot(next + 1, 102, h('b'), h('s'), h('x'))),
      { name: 'NotProposer', args: [proposer.address] });
  });

  it('transfers ownership in two steps; renouncing is disabled', async () => {
    assert.deepEqual(await revertOf(rollup.connect(owner).renounceOwnership()),
      { name: 'RenounceOwnershipDisabled', args: [] });
    await (await rollup.connect(owner).transferOwnership(newOwner.address)).wait();
    assert.equal(await rollup.owner(), owner.address);
    assert.equal(await rollup.pendingOwner(), newOwner.address);
    assert.deepEqual(await revertOf(rollup.connect(stranger).acceptOwnership()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    // a second transfer replaces the pending owner
    await (await rollup.connect(owner).transferOwnership(stranger.address)).wait();
    assert.deepEqual(await revertOf(rollup.connect(newOwner).acceptOwnership()),
      { name: 'OwnableUnauthorizedAccount', args: [newOwner.address] });
    await (await rollup.connect(owner).transferOwnership(newOwner.address)).wait();
    await (await rollup.connect(newOwner).acceptOwnership()).wait();
    assert.equal(await rollup.owner(), newOwner.address);
    assert.deepEqual(await revertOf(rollup.connect(owner).setProposer(owner.address, true)),
      { name: 'OwnableUnauthorizedAccount', args: [owner.address] });
    await (await rollup.connect(newOwner).setProposer(proposer.address, true)).wait();
    assert.equal(await rollup.isProposer(proposer.address), true);
  });

  it('rejects bad constructor parameters', async () => {
    const art = artifact('RollupCore');
    const factory = new ethers.ContractFactory(art.abi, art.bytecode, owner);
    const inboxAddr = await inbox.getAddress();
    assert.deepEqual(await revertOf(factory.deploy(owner.address, ethers.ZeroHash, inboxAddr, [])),
      { name: 'ZeroGenesisHash', args: [] });
    assert.deepEqual(await revertOf(factory.deploy(owner.address, kGenesis, ethers.ZeroAddress, [])),
      { name: 'ZeroAddress', args: [] });
    assert.deepEqual(await revertOf(factory.deploy(owner.address, kGenesis, inboxAddr, [ethers.ZeroAddress])),
      { name: 'ZeroAddress', args: [] });
  });
});
