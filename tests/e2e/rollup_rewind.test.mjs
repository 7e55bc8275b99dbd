// When L1 goes back in time (issue #11, docs/sequencer.md "When L1 goes back in time"), through
// the real binary on a real anvil: the sequencer finds what L1 no longer supports, rewinds to the
// last block L1 supports and re-sequences the later transactions — or halts when told to, and
// starts again cleanly. Each case ends with: every acknowledged transaction (all still valid here:
// plain transfers with consecutive nonces) is in a block, the batches on L1 are contiguous, every
// RollupCore root is the sequencer's block, and a proposing validator has the sequencer's chain
// block by block.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { startRollup } from '../lib/rollup.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import {
  checkContiguousBatches, checkRoots, checkSameChain, metric, rawBlock, startFaultRollup, startTraffic, waitFor,
} from '../lib/faults.mjs';

const skip = nodeSkipReason();
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const headOf = async (node) => Number(BigInt((await rawBlock(node, 'latest')).number));
/// The sequencer builds on L1 head - 2: every case below takes the L1 back further than that.
const kLag = '2';

async function withLogs(nodes, fn) {
  try {
    return await fn();
  } catch (e) {
    for (const [name, node] of Object.entries(nodes)) {
      if (node) e.message += `\n--- ${name} (tail):\n${node.output().slice(-6000)}`;
    }
    throw e;
  }
}

/// Waits until the L1 holds batches with more L2 blocks than `posted` and its head is `blocks`
/// past `l1Head`: the part of the chain the L1 will then lose.
async function letTheChainGrow(r, posted, l1Head, blocks = 12) {
  await waitFor(async () => (await r.postedBlocks()) > posted + 3 && (await r.l1.getBlockNumber()) > l1Head + blocks,
    { timeoutMs: 60000, what: 'more batches on L1' });
}

/// Drains and checks the whole rollup (see the file comment); returns the sequencer head.
async function checkConsistent(r, validator, sent) {
  const head = await headOf(r.sequencer);
  await r.waitPosted(head, { timeoutMs: 120000 });
  await r.waitFinalized(head, { timeoutMs: 120000 });
  await waitFor(async () => (await headOf(validator)) >= head, { timeoutMs: 90000, what: `validator at block ${head}` });
  const batches = await checkContiguousBatches(r);
  assert.equal(batches.at(-1).newMessageCount, head, 'the last batch ends at the sequencer head');
  await checkRoots(r, batches);
  assert.equal(await checkSameChain(r.sequencer, validator), head);
  const ps = r.sequencer.provider();
  const pv = validator.provider();
  for (const s of sent) {
    const rc = await ps.getTransactionReceipt(s.hash);
    assert.ok(rc, `acknowledged transaction ${s.hash} (nonce ${s.nonce}) is not in the sequencer's chain`);
    assert.equal(rc.status, 1);
    const rv = await pv.getTransactionReceipt(s.hash);
    assert.equal(rv?.blockHash, rc.blockHash, `transaction ${s.hash}: validator and sequencer disagree on its block`);
  }
  return head;
}

/// Takes the L1 back to `snapshot` (evm_revert) and makes its next blocks' base fees differ from
/// the lost ones (anvil_setNextBlockBaseFeePerGas): the messages naming the lost blocks are no
/// longer supported by L1.
async function revertL1(r, snapshot) {
  assert.equal(await r.anvil.rpc('evm_revert', [snapshot]), true);
  // Lower than anything anvil had (so the L1 data fee the traffic's gas limit covers stays low).
  await r.anvil.rpc('anvil_setNextBlockBaseFeePerGas', ['0x3e8']);
}

describe('sequencer rewinds when L1 goes back in time', { skip: skip ?? false }, () => {
  it('an L1 reorg deeper than the lag after batches were posted: rewound, re-sequenced, roots agree', async () => {
    const r = await startRollup({ sequencerArgs: ['--l1-lag', kLag] });
    let validator;
    try {
      validator = await r.startValidator({ mode: 'propose' });
      await withLogs({ sequencer: r.sequencer, validator }, async () => {
        const traffic = startTraffic(r.sequencer, { account: 2, intervalMs: 40, rewinds: true });
        try {
          await r.waitFinalized(3);
          const snapshot = await r.anvil.rpc('evm_snapshot', []);
          await letTheChainGrow(r, await r.postedBlocks(), await r.l1.getBlockNumber());
          const headBefore = await headOf(r.sequencer);
          await revertL1(r, snapshot);
          await waitFor(async () => (await metric(r.sequencer, 'fusel2_sequencer_rewinds_total')) > 0,
            { timeoutMs: 30000, what: 'the sequencer rewinding' });
          assert.match(r.sequencer.output(), /L1 no longer supports this chain after L2 block \d+: .*L2 block \d+ names L1 block \d+/);
          const st = (await r.sequencer.rpc('fusel2_sequencerStatus')).result;
          assert.ok(st.lastRewind.keptThrough < headBefore, JSON.stringify(st));
          await sleep(2000);  // transactions keep flowing on the repaired chain
        } finally {
          await traffic.stop();
        }
        assert.ok(traffic.sent.length > 20);
        await checkConsistent(r, validator, traffic.sent);
        assert.equal(await metric(r.sequencer, 'fusel2_sequencer_dropped_txs_total'), 0, 'every transaction was still valid');
      });
    } finally {
      await r.stop();
    }
  });

  it('an L1 restored from an older state file (as the devnet after kill -9): rewound, roots agree', async () => {
    const r = await startFaultRollup({ sequencerArgs: ['--l1-lag', kLag], anvilArgs: ['--state-interval', '1'] });
    let validator;
    try {
      validator = await r.startValidator({ mode: 'propose' });
      await withLogs({ sequencer: r.sequencer, validator }, async () => {
        const traffic = startTraffic(r.sequencer, { account: 3, intervalMs: 40, rewinds: true });
        try {
          await r.waitFinalized(3);
          // A complete state dump (anvil rewrites it every second), kept aside.
          const old = `${r.stateFile}.old`;
          const dump = await waitFor(() => {
            const text = fs.existsSync(r.stateFile) ? fs.readFileSync(r.stateFile, 'utf8') : '';
            try {
              return JSON.parse(text) && text;
            } catch {
              return null;
            }
          }, { timeoutMs: 20000, what: 'a complete anvil state dump' });
          fs.writeFileSync(old, dump);
          await letTheChainGrow(r, await r.postedBlocks(), await r.l1.getBlockNumber(), 16);
          await r.stopL1();
          fs.copyFileSync(old, r.stateFile);  // the L1 comes back from the older state
          await r.startL1();
          await waitFor(async () => (await metric(r.sequencer, 'fusel2_sequencer_rewinds_total')) > 0,
            { timeoutMs: 60000, what: 'the sequencer rewinding' });
          assert.match(r.sequencer.output(), /L1 no longer supports this chain after L2 block \d+/);
          await sleep(2000);
        } finally {
          await traffic.stop();
        }
        await checkConsistent(r, validator, traffic.sent);
      });
    } finally {
      await r.stop();
    }
  });

  it('sequencer.l1-divergence = halt: stops with the reason (exit 3), then repairs when restarted with rewind', async () => {
    const r = await startRollup({ sequencer: false });
    let validator;
    try {
      const seqDir = `${r.dir}/sequencer`;
      await r.startSequencer({ datadir: seqDir, args: ['--l1-lag', kLag, '--sequencer-l1-divergence', 'halt'] });
      validator = await r.startValidator({ mode: 'propose' });
      let traffic;
      await withLogs({ sequencer: r.sequencer, validator }, async () => {
        traffic = startTraffic(r.sequencer, { account: 4, intervalMs: 40, rewinds: true });
        await r.waitFinalized(3);
        const snapshot = await r.anvil.rpc('evm_snapshot', []);
        await letTheChainGrow(r, await r.postedBlocks(), await r.l1.getBlockNumber());
        await revertL1(r, snapshot);
        const exit = await Promise.race([r.sequencer.exited, sleep(60000).then(() => null)]);
        assert.ok(exit, 'the sequencer did not halt');
        assert.equal(exit.code, 3);
        assert.match(r.sequencer.output(),
          /L1 no longer supports this chain after L2 block \d+: .+ Halted \(sequencer\.l1-divergence = halt\).*--sequencer-l1-divergence rewind/);
        await traffic.stop().catch(() => {});  // its sequencer is gone
        await r.sequencer.stop();
      });
      // Started again on the same datadir, told to rewind: it repairs before building on.
      await r.startSequencer({ datadir: seqDir, args: ['--l1-lag', kLag] });
      await withLogs({ sequencer: r.sequencer, validator }, async () => {
        const st = (await r.sequencer.rpc('fusel2_sequencerStatus')).result;
        assert.equal(st.halted, false);
        assert.ok(st.rewinds >= 1, JSON.stringify(st));
        const more = startTraffic(r.sequencer, { account: 5, intervalMs: 40, rewinds: true });
        await sleep(2000);
        await more.stop();
        // Every transaction acknowledged before the halt is still there (re-sequenced).
        await checkConsistent(r, validator, [...traffic.sent, ...more.sent]);
      });
    } finally {
      await r.stop();
    }
  });
});
