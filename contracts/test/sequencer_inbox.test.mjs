// SequencerInbox against a real anvil L1 (london rules): happy paths, every revert, the
// accumulator and dataHash recomputed off-chain, owner functions and ownership transfer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import {
  batchDataHash, batchHeader, kBrotliFormat, kColumnarFormat, kHeaderLength, kZeroHash, nextAccumulator, timeBoundsFor,
} from '../../tests/lib/batch.mjs';
import { artifact, buildContracts, compileSolidity, contractInterface, deployContracts, revertOf } from '../../tests/lib/contracts.mjs';

const kRegistryFormat = 0x02;  // docs/batch-format.md, "Format 0x02"
const kMtv = { delayBlocks: 1000n, futureBlocks: 3n, delaySeconds: 60n, futureSeconds: 7n };
const kMaxDataSize = 4096n;
const kGenesis = ethers.keccak256(ethers.toUtf8Bytes('sequencer inbox test genesis'));

/// Batch data of `size` bytes: format byte 0x00, then pseudo-random bytes.
function batchData(size, seed = 1) {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 1; i < size; ++i) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return ethers.hexlify(out);
}

describe('SequencerInbox', () => {
  let anvil, provider, owner, poster, proposer, stranger, newOwner, inbox, inboxIface;

  before(async () => {
    await buildContracts();
    anvil = await startAnvil();
    provider = anvil.provider();
    [owner, poster, proposer, stranger, newOwner] = [0, 1, 2, 3, 4].map((i) => anvil.wallet(i, provider));
    ({ inbox } = await deployContracts(owner, {
      genesisHash: kGenesis, batchPosters: [poster.address], proposers: [proposer.address],
      maxDataSize: kMaxDataSize, maxTimeVariation: kMtv,
    }));
    inboxIface = contractInterface('SequencerInbox');
  });
  after(async () => {
    await anvil?.stop();
  });

  /// Posts the next batch as `from` and checks every value the inbox derives against an
  /// off-chain recomputation. Returns the decoded event.
  async function postAndCheck(data, newMessages = 2, from = poster) {
    const count = await inbox.batchCount();
    const prev = await inbox.totalMessageCount();
    const beforeAcc = count === 0n ? kZeroHash : await inbox.inboxAccs(count - 1n);
    const tx = await inbox.connect(from).addSequencerL2Batch(count, data, prev, prev + BigInt(newMessages));
    const rcpt = await tx.wait();
    assert.equal(rcpt.status, 1);
    const logs = rcpt.logs.map((l) => inboxIface.parseLog(l)).filter((l) => l?.name === 'SequencerBatchDelivered');
    assert.equal(logs.length, 1);
    const ev = logs[0].args;
    const block = await provider.getBlock(rcpt.blockNumber);
    const bounds = timeBoundsFor(block, kMtv);
    assert.equal(ev.batchSequenceNumber, count);
    assert.deepEqual(
      [ev.timeBounds.minTimestamp, ev.timeBounds.maxTimestamp, ev.timeBounds.minBlockNumber, ev.timeBounds.maxBlockNumber],
      [bounds.minTimestamp, bounds.maxTimestamp, bounds.minBlockNumber, bounds.maxBlockNumber]);
    assert.equal(ev.prevMessageCount, prev);
    assert.equal(ev.newMessageCount, prev + BigInt(newMessages));
    // The validator's path: the data is read back from the L1 transaction's calldata.
    const l1tx = await provider.getTransaction(rcpt.hash);
    const call = inboxIface.parseTransaction({ data: l1tx.data });
    assert.equal(call.name, 'addSequencerL2Batch');
    assert.equal(call.args.data, ethers.hexlify(data));
    const dataHash = batchDataHash(bounds, prev, prev + BigInt(newMessages), call.args.data);
    assert.equal(ev.dataHash, dataHash);
    assert.equal(ev.beforeAcc, beforeAcc);
    assert.equal(ev.afterAcc, nextAccumulator(beforeAcc, dataHash));
    assert.equal(await inbox.inboxAccs(count), ev.afterAcc);
    assert.equal(await inbox.messageCountAfter(count), prev + BigInt(newMessages));
    assert.equal(await inbox.batchCount(), count + 1n);
    assert.equal(await inbox.totalMessageCount(), prev + BigInt(newMessages));
    return ev;
  }

  it('starts empty with the deployment parameters', async () => {
    assert.equal(await inbox.owner(), owner.address);
    assert.equal(await inbox.isBatchPoster(poster.address), true);
    assert.equal(await inbox.isBatchPoster(stranger.address), false);
    assert.equal(await inbox.maxDataSize(), kMaxDataSize);
    assert.equal(await inbox.BROTLI_FORMAT(), BigInt(kBrotliFormat));
    assert.equal(await inbox.BROTLI_COLUMNAR_FORMAT(), BigInt(kColumnarFormat));
    assert.equal(await inbox.BROTLI_REGISTRY_FORMAT(), BigInt(kRegistryFormat));
    assert.equal(await inbox.HEADER_LENGTH(), BigInt(kHeaderLength));
    const mtv = await inbox.maxTimeVariation();
    assert.deepEqual([mtv.delayBlocks, mtv.futureBlocks, mtv.delaySeconds, mtv.futureSeconds], Object.values(kMtv));
    assert.equal(await inbox.batchCount(), 0n);
    assert.equal(await inbox.totalMessageCount(), 0n);
    assert.equal(await inbox.paused(), false);
    assert.deepEqual(await revertOf(inbox.inboxAccs(0)), { name: 'BatchNotFound', args: [0n, 0n] });
    assert.deepEqual(await revertOf(inbox.messageCountAfter(0)), { name: 'BatchNotFound', args: [0n, 0n] });
  });

  it('appends batches and chains the accumulator (recomputed off-chain)', async () => {
    const first = await postAndCheck(batchData(100, 1), 3);
    assert.equal(first.beforeAcc, kZeroHash);
    const second = await postAndCheck(batchData(1000, 2), 1);
    assert.equal(second.beforeAcc, first.afterAcc);
    const third = await postAndCheck(batchData(Number(kMaxDataSize), 3), 5);  // exactly the limit
    assert.equal(third.beforeAcc, second.afterAcc);
    assert.equal(await inbox.totalMessageCount(), 9n);
    assert.equal(await inbox.messageCountAfter(0), 3n);
    assert.equal(await inbox.messageCountAfter(1), 4n);
    // a one-byte batch (just the format byte) is accepted
    await postAndCheck('0x00', 1);
  });

  it('accepts format 0x01 (columnar transactions) like format 0x00', async () => {
    const data = ethers.concat([new Uint8Array([kColumnarFormat]), ethers.getBytes(batchData(200, 4)).slice(1)]);
    await postAndCheck(data, 2);
    await postAndCheck('0x01', 1);  // the format byte alone
  });

  it('accepts format 0x02 (columns with the address registry) like format 0x00', async () => {
    const data = ethers.concat([new Uint8Array([kRegistryFormat]), ethers.getBytes(batchData(200, 4)).slice(1)]);
    await postAndCheck(data, 2);
    await postAndCheck('0x02', 1);  // the format byte alone
  });

  it('clamps lower time bounds at zero and subtracts otherwise', async () => {
    const block = await provider.getBlock('latest');
    const bounds = await inbox.currentTimeBounds({ blockTag: 'latest' });
    assert.equal(bounds.minBlockNumber, 0n);  // block number < delayBlocks
    assert.equal(bounds.minTimestamp, BigInt(block.timestamp) - kMtv.delaySeconds);
    assert.equal(bounds.maxBlockNumber, BigInt(block.number) + kMtv.futureBlocks);
    assert.equal(bounds.maxTimestamp, BigInt(block.timestamp) + kMtv.futureSeconds);
  });

  it('defines the 48-byte header exactly', () => {
    const h = batchHeader({ minTimestamp: 1n, maxTimestamp: 2n, minBlockNumber: 3n, maxBlockNumber: 4n }, 5n, 0x0102030405060708n);
    assert.equal(ethers.dataLength(h), 48);
    assert.equal(h, `0x${['01', '02', '03', '04', '05'].map((b) => b.padStart(16, '0')).join('')}0102030405060708`);
  });

  it('rejects a caller that is not a batch poster', async () => {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    for (const who of [stranger, owner, proposer]) {
      assert.deepEqual(await revertOf(inbox.connect(who).addSequencerL2Batch(n, '0x00', m, m + 1n)),
        { name: 'NotBatchPoster', args: [who.address] });
    }
    // Also mined (not only estimated): the transaction fails and nothing changes.
    const tx = await inbox.connect(stranger).addSequencerL2Batch(n, '0x00', m, m + 1n, { gasLimit: 300000 });
    await assert.rejects(tx.wait(), (e) => e.receipt?.status === 0);
    assert.equal(await inbox.batchCount(), n);
  });

  it('rejects a wrong sequence number', async () => {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    for (const bad of [n + 1n, n - 1n, 0n, n + 1000n]) {
      assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(bad, '0x00', m, m + 1n)),
        { name: 'BadSequenceNumber', args: [n, bad] });
    }
  });

  it('rejects message counts that do not continue the previous batch', async () => {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    for (const prev of [m - 1n, m + 1n, 0n]) {
      assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, '0x00', prev, m + 5n)),
        { name: 'BadPrevMessageCount', args: [m, prev] });
    }
    for (const next of [m, m - 1n, 0n, 2n ** 64n]) {
      assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, '0x00', m, next)),
        { name: 'BadNewMessageCount', args: [m, next] });
    }
  });

  it('rejects empty and oversized data', async () => {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, '0x', m, m + 1n)),
      { name: 'EmptyBatchData', args: [] });
    for (const size of [kMaxDataSize + 1n, kMaxDataSize * 4n]) {
      assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, batchData(Number(size)), m, m + 1n)),
        { name: 'DataTooLarge', args: [size, kMaxDataSize] });
    }
  });

  it('rejects an unknown format byte', async () => {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    for (const fmt of [0x03, 0x04, 0x80, 0xff]) {
      const data = ethers.concat([new Uint8Array([fmt]), batchData(64)]);
      assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, data, m, m + 1n)),
        { name: 'UnknownBatchFormat', args: [BigInt(fmt)] });
    }
    assert.equal(await inbox.isKnownFormat(0), true);
    assert.equal(await inbox.isKnownFormat(1), true);
    assert.equal(await inbox.isKnownFormat(2), true);
    for (const fmt of [3, 4, 0x80, 0xff]) assert.equal(await inbox.isKnownFormat(fmt), false);
  });

  it('rejects a call from a contract (data would not be the L1 calldata)', async () => {
    const fwdArt = await compileSolidity(`// SPDX-License-Identifier: MIT
      pragma solidity ^0.8.0;
      contract Forwarder {
        function forward(address target, bytes calldata data) external {
          (bool ok, bytes memory ret) = target.call(data);
          if (!ok) assembly { revert(add(ret, 32), mload(ret)) }
        }
      }`, 'Forwarder');
    const fwd = await new ethers.ContractFactory(fwdArt.abi, fwdArt.bytecode, owner).deploy();
    await fwd.waitForDeployment();
    const fwdAddr = await fwd.getAddress();
    await (await inbox.connect(owner).setBatchPoster(fwdAddr, true)).wait();
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    const call = inbox.interface.encodeFunctionData('addSequencerL2Batch', [n, '0x00', m, m + 1n]);
    assert.deepEqual(await revertOf(fwd.connect(poster).forward(await inbox.getAddress(), call), inboxIface),
      { name: 'NotCodelessOrigin', args: [] });
    await (await inbox.connect(owner).setBatchPoster(fwdAddr, false)).wait();
  });

  it('pauses and unpauses posting (owner only)', async () => {
    assert.deepEqual(await revertOf(inbox.connect(stranger).pause()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    assert.deepEqual(await revertOf(inbox.connect(owner).unpause()), { name: 'ExpectedPause', args: [] });
    const rcpt = await (await inbox.connect(owner).pause()).wait();
    assert.equal(inboxIface.parseLog(rcpt.logs[0]).name, 'Paused');
    assert.equal(await inbox.paused(), true);
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, '0x00', m, m + 1n)),
      { name: 'EnforcedPause', args: [] });
    assert.deepEqual(await revertOf(inbox.connect(owner).pause()), { name: 'EnforcedPause', args: [] });
    assert.deepEqual(await revertOf(inbox.connect(stranger).unpause()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    const rcpt2 = await (await inbox.connect(owner).unpause()).wait();
    assert.equal(inboxIface.parseLog(rcpt2.logs[0]).name, 'Unpaused');
    await postAndCheck('0x00', 1);
  });

  it('adds and removes batch posters (owner only)', async () => {
    assert.deepEqual(await revertOf(inbox.connect(stranger).setBatchPoster(stranger.address, true)),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    assert.deepEqual(await revertOf(inbox.connect(owner).setBatchPoster(ethers.ZeroAddress, true)),
      { name: 'ZeroAddress', args: [] });
    const rcpt = await (await inbox.connect(owner).setBatchPoster(stranger.address, true)).wait();
    const ev = inboxIface.parseLog(rcpt.logs[0]);
    assert.equal(ev.name, 'BatchPosterSet');
    assert.deepEqual([ev.args.batchPoster, ev.args.allowed], [stranger.address, true]);
    await postAndCheck(batchData(50, 9), 2, stranger);
    await (await inbox.connect(owner).setBatchPoster(poster.address, false)).wait();
    assert.equal(await inbox.isBatchPoster(poster.address), false);
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(n, '0x00', m, m + 1n)),
      { name: 'NotBatchPoster', args: [poster.address] });
    await (await inbox.connect(owner).setBatchPoster(poster.address, true)).wait();
    await (await inbox.connect(owner).setBatchPoster(stranger.address, false)).wait();
    await postAndCheck('0x00', 1);
  });

  it('transfers ownership in two steps; renouncing is disabled', async () => {
    assert.deepEqual(await revertOf(inbox.connect(owner).renounceOwnership()),
      { name: 'RenounceOwnershipDisabled', args: [] });
    assert.deepEqual(await revertOf(inbox.connect(stranger).transferOwnership(stranger.address)),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    const rcpt = await (await inbox.connect(owner).transferOwnership(newOwner.address)).wait();
    const ev = inboxIface.parseLog(rcpt.logs[0]);
    assert.equal(ev.name, 'OwnershipTransferStarted');
    assert.deepEqual([ev.args.previousOwner, ev.args.newOwner], [owner.address, newOwner.address]);
    assert.equal(await inbox.owner(), owner.address);  // not yet
    assert.equal(await inbox.pendingOwner(), newOwner.address);
    assert.deepEqual(await revertOf(inbox.connect(stranger).acceptOwnership()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    const rcpt2 = await (await inbox.connect(newOwner).acceptOwnership()).wait();
    assert.equal(inboxIface.parseLog(rcpt2.logs[0]).name, 'OwnershipTransferred');
    assert.equal(await inbox.owner(), newOwner.address);
    assert.equal(await inbox.pendingOwner(), ethers.ZeroAddress);
    assert.deepEqual(await revertOf(inbox.connect(owner).pause()),
      { name: 'OwnableUnauthorizedAccount', args: [owner.address] });
    await (await inbox.connect(newOwner).setBatchPoster(stranger.address, true)).wait();
    assert.equal(await inbox.isBatchPoster(stranger.address), true);
  });

  it('rejects bad constructor parameters', async () => {
    const art = artifact('SequencerInbox');
    const factory = new ethers.ContractFactory(art.abi, art.bytecode, owner);
    const mtv = Object.values(kMtv);
    assert.deepEqual(await revertOf(factory.deploy(owner.address, [poster.address], mtv, 0)),
      { name: 'InvalidConfig', args: [] });
    for (let i = 0; i < 4; ++i) {
      const big = [...mtv];
      big[i] = 2n ** 32n;
      assert.deepEqual(await revertOf(factory.deploy(owner.address, [poster.address], big, 100)),
        { name: 'InvalidConfig', args: [] });
    }
    const atLimit = await factory.deploy(owner.address, [poster.address], Array(4).fill(2n ** 32n - 1n), 100);
    await atLimit.waitForDeployment();
    assert.equal((await atLimit.maxTimeVariation()).futureSeconds, 2n ** 32n - 1n);
    assert.deepEqual(await revertOf(factory.deploy(owner.address, [ethers.ZeroAddress], mtv, 100)),
      { name: 'ZeroAddress', args: [] });
    assert.deepEqual(await revertOf(factory.deploy(ethers.ZeroAddress, [], mtv, 100)),
      { name: 'OwnableInvalidOwner', args: [ethers.ZeroAddress] });
  });
});

describe('SequencerInbox under Prague rules', () => {
  let anvil;
  after(async () => {
    await anvil?.stop();
  });

  it('rejects a batch poster that is an EIP-7702 delegated EOA', async () => {
    await buildContracts();
    anvil = await startAnvil({ hardfork: 'prague' });
    const provider = anvil.provider();
    const [owner, poster] = [0, 1].map((i) => anvil.wallet(i, provider));
    const { inbox } = await deployContracts(owner, {
      genesisHash: kGenesis, batchPosters: [poster.address], proposers: [owner.address],
      maxDataSize: kMaxDataSize, maxTimeVariation: kMtv,
    });
    // a plain EOA poster works
    await (await inbox.connect(poster).addSequencerL2Batch(0, '0x00', 0, 1)).wait();
    // delegate the poster's account to some code (the inbox itself will do) with a type-4 tx
    const nonce = await provider.getTransactionCount(poster.address);
    const auth = await poster.authorize({ address: await inbox.getAddress(), nonce: nonce + 1, chainId: anvil.chainId });
    await (await poster.sendTransaction({ type: 4, to: owner.address, authorizationList: [auth], nonce })).wait();
    assert.match(await provider.getCode(poster.address), /^0xef0100/);
    // msg.sender == tx.origin still holds, but the sender now has code
    assert.deepEqual(await revertOf(inbox.connect(poster).addSequencerL2Batch(1, '0x00', 1, 2)),
      { name: 'NotCodelessOrigin', args: [] });
  });
});
