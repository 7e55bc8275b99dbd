// Watch mode through the real binary (issue #6, "a validator fed a corrupted sequencer block in
// watch mode reports the mismatch"): a watch validator compares what it derives from L1 with
// (a) the blocks of the sequencer it is pointed at and (b) the roots posted on RollupCore, and
// raises the alarm (error log "validator ALARM: …" naming the batch and block, metric
// fusel2_validator_mismatch 1, exit code 3 with --validator-exit-on-mismatch) on the first
// mismatch — and never in the honest case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startRollup } from '../lib/rollup.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { alive, metric, rawBlock, waitFor } from '../lib/faults.mjs';

const skip = nodeSkipReason();
const kMismatch = 'fusel2_validator_mismatch';
const kDerived = 'fusel2_validator_derived_block';
const kFinalized = 'fusel2_validator_finalized_block';

/// Sends `count` transfers from L2 dev account `account` (explicit nonces) and waits for each.
async function transfers(node, account, count, nonce = 0) {
  const provider = node.provider();
  const wallet = node.wallet(account, provider);
  const fees = await provider.getFeeData();
  const out = [];
  for (let i = 0; i < count; ++i) {
    const tx = await wallet.sendTransaction({
      to: ethers.Wallet.createRandom().address, value: 1000n + BigInt(i), nonce: nonce + i, gasLimit: 2_000_000n,
      maxFeePerGas: fees.maxFeePerGas * 4n, maxPriorityFeePerGas: 0n,
    });
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    out.push(rc);
  }
  return out;
}

/// Waits until a validator process exited by itself; resolves to its {code, signal}.
async function exitOf(node, what) {
  await waitFor(() => !alive(node.pid), { timeoutMs: 60000, what });
  return node.stop();
}

describe('rollup watch mode: alarms on a divergent sequencer and on a wrong root', { skip: skip ?? false }, () => {
  it('a watcher pointed at a sequencer serving another chain raises the alarm; the honest one does not', async () => {
    const r = await startRollup();
    let divergent;
    try {
      await transfers(r.sequencer, 1, 3);
      const head = Number(BigInt((await rawBlock(r.sequencer, 'latest')).number));
      await r.waitPosted(head);

      // A second sequencer on the same genesis, no L1: its block 1 is another transaction.
      divergent = await startNode({ noDev: true, chainId: r.chainId, warmup: false, args: ['--genesis', r.files.genesis] });
      assert.equal((await rawBlock(divergent, 0)).hash, (await rawBlock(r.sequencer, 0)).hash, 'same genesis');
      await transfers(divergent, 5, 1);
      const [ours, theirs] = [await rawBlock(r.sequencer, 1), await rawBlock(divergent, 1)];
      assert.notEqual(theirs.hash, ours.hash, 'the divergent sequencer has another block 1');

      const honest = await r.startValidator({ mode: 'watch', sequencerUrl: r.sequencer.url });
      const fooled = await r.startValidator({ mode: 'watch', sequencerUrl: divergent.url });
      const exiting = await r.startValidator({ mode: 'watch', sequencerUrl: divergent.url, args: ['--validator-exit-on-mismatch'], mayExit: true });

      await waitFor(async () => (await metric(fooled, kMismatch)) === 1, { what: 'the alarm metric of the fooled watcher' });
      const alarm = fooled.output().match(/error.*validator ALARM: (.*)/);
      assert.ok(alarm, `no "validator ALARM" error line:\n${fooled.output().slice(-3000)}`);
      assert.match(alarm[1], /^sequencer block 1 \(batch 0\) differs: sequencer 0x[0-9a-f]{64}, derived from L1 0x[0-9a-f]{64}$/);
      assert.ok(alarm[1].includes(theirs.hash) && alarm[1].includes(ours.hash), alarm[1]);
      assert.ok(alive(fooled.pid), 'without --validator-exit-on-mismatch the watcher keeps running');

      const { code } = await exitOf(exiting, 'the watcher with --validator-exit-on-mismatch to exit');
      assert.equal(code, 3, exiting.output().slice(-3000));
      assert.match(exiting.output(), /validator ALARM: sequencer block 1 \(batch 0\) differs/);

      // The honest watcher derived everything the sequencer posted and compared it: no alarm.
      await waitFor(async () => (await metric(honest, kDerived)) >= head, { what: `honest watcher at block ${head}` });
      await transfers(r.sequencer, 1, 2, 3);  // one more comparison round with new blocks
      const head2 = Number(BigInt((await rawBlock(r.sequencer, 'latest')).number));
      await r.waitPosted(head2);
      await waitFor(async () => (await metric(honest, kDerived)) >= head2, { what: `honest watcher at block ${head2}` });
      assert.equal(await metric(honest, kMismatch), 0);
      assert.doesNotMatch(honest.output(), /ALARM/);
      assert.equal((await rawBlock(honest, head2)).hash, (await rawBlock(r.sequencer, head2)).hash);
      for (const [name, node] of [['honest', honest], ['fooled', fooled]]) {
        assert.equal((await node.stop()).code, 0, `${name} watcher exit code`);
      }
    } finally {
      if (divergent) await divergent.stop();
      await r.stop();
    }
  });

  it('a watcher without sequencer URL agrees with honest roots and alarms on a wrong state root', async () => {
    const r = await startRollup();  // no proposer validator: the test posts the roots itself
    try {
      await transfers(r.sequencer, 1, 2);
      await r.waitPosted(Number(BigInt((await rawBlock(r.sequencer, 'latest')).number)));
      await transfers(r.sequencer, 1, 2, 2);
      const head = Number(BigInt((await rawBlock(r.sequencer, 'latest')).number));
      await r.waitPosted(head);
      const batches = await r.batches();
      assert.ok(batches.length >= 2, `${batches.length} batches`);

      const watcher = await r.startValidator({ mode: 'watch' });
      const exiting = await r.startValidator({ mode: 'watch', args: ['--validator-exit-on-mismatch'], mayExit: true });
      await waitFor(async () => (await metric(watcher, kDerived)) >= head, { what: `watcher at block ${head}` });

      const core = r.rollupCore.connect(r.wallets.proposer);
      const post = async (b, corrupt) => {
        const blk = await rawBlock(r.sequencer, b.newMessageCount);
        let stateRoot = blk.stateRoot;
        if (corrupt) stateRoot = ethers.toBeHex(BigInt(stateRoot) ^ 1n, 32);
        const rc = await (await core.postStateRoot(b.batch, b.newMessageCount, blk.hash, stateRoot, blk.sendRoot)).wait();
        assert.equal(rc.status, 1);
        return { blk, stateRoot };
      };

      // Honest root of batch 0: the watchers check it equal and finalize its block, no alarm.
      await post(batches[0], false);
      await waitFor(async () => (await metric(watcher, kFinalized)) >= batches[0].newMessageCount,
        { what: 'the watcher to finalize batch 0' });
      assert.equal(await metric(watcher, kMismatch), 0);
      assert.equal(Number(BigInt((await rawBlock(watcher, 'finalized')).number)), batches[0].newMessageCount);
      assert.ok(alive(exiting.pid));
      assert.equal(await metric(exiting, kMismatch), 0);

      // Batch 1's root with one bit of the state root flipped: the alarm names batch 1 and its block.
      const { blk, stateRoot } = await post(batches[1], true);
      await waitFor(async () => (await metric(watcher, kMismatch)) === 1, { what: 'the alarm metric' });
      const alarm = watcher.output().match(/error.*validator ALARM: (.*)/);
      assert.ok(alarm, watcher.output().slice(-3000));
      assert.equal(alarm[1], `RollupCore root of batch 1 (L2 block ${batches[1].newMessageCount}) differs: L1 has state root ${stateRoot}, derived block ${blk.hash} state root ${blk.stateRoot}`);
      // finalized stays at the last root checked equal
      assert.equal(await metric(watcher, kFinalized), batches[0].newMessageCount);

      const { code } = await exitOf(exiting, 'the watcher with --validator-exit-on-mismatch to exit');
      assert.equal(code, 3, exiting.output().slice(-3000));
      assert.match(exiting.output(), /validator ALARM: RollupCore root of batch 1 /);
      assert.equal((await watcher.stop()).code, 0);
    } finally {
      await r.stop();
    }
  });
});
