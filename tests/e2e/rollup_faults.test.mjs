// L1 faults through the real binary (issue #6, "Faults"): the L1 node stopped for 30 s mid-run and
// restarted, and an anvil reorg of the last blocks during posting. A sequencer + batch poster and
// a proposer validator run the whole time with transactions flowing; at the end every L2 block is
// in exactly one batch on the canonical L1, every RollupCore root equals the sequencer's block,
// the validator has the sequencer's chain, and no node exited.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRollup } from '../lib/rollup.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import {
  alive, checkContiguousBatches, checkRoots, checkSameChain, metric, rawBlock, startFaultRollup, startTraffic, waitFor,
} from '../lib/faults.mjs';

const skip = nodeSkipReason();
const kOutageMs = 30000;
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const headOf = async (node) => Number(BigInt((await rawBlock(node, 'latest')).number));

/// Runs `fn`; if it throws, appends the tail of each node's log to the error.
async function withLogs(nodes, fn) {
  try {
    return await fn();
  } catch (e) {
    for (const [name, node] of Object.entries(nodes)) {
      if (node) e.message += `\n--- ${name} (tail):\n${node.output().slice(-5000)}`;
    }
    throw e;
  }
}

/// Waits until everything the sequencer sealed is posted, rooted and derived, then checks the
/// chain on L1 and the validator; returns { batches, roots, head }.
async function drainAndCheck(r, validator) {
  const head = await headOf(r.sequencer);
  await r.waitPosted(head, { timeoutMs: 90000 });
  await r.waitFinalized(head, { timeoutMs: 90000 });
  await waitFor(async () => (await headOf(validator)) >= head, { timeoutMs: 60000, what: `validator at block ${head}` });
  const batches = await checkContiguousBatches(r);
  assert.equal(batches.at(-1).newMessageCount, head, 'the last batch ends at the sequencer head');
  const roots = await checkRoots(r, batches);
  assert.equal(roots.length, batches.length, 'a root for every batch');
  assert.equal(await checkSameChain(r.sequencer, validator), head);
  return { batches, roots, head };
}

/// Every transaction the sequencer acknowledged is in the validator's chain in the same block.
async function checkIncluded(sent, validator) {
  const p = validator.provider();
  for (const s of sent) {
    const rc = await p.getTransactionReceipt(s.hash);
    assert.ok(rc, `transaction ${s.hash} (nonce ${s.nonce}) missing on the validator`);
    assert.equal(rc.blockHash, s.blockHash, `transaction ${s.hash} in another block on the validator`);
  }
}

/// Stops the nodes one by one: each must still be running and exit 0 on SIGTERM.
async function stopNodesCleanly(nodes) {
  for (const [name, node] of Object.entries(nodes)) {
    assert.ok(alive(node.pid), `${name} exited during the run:\n${node.output().slice(-3000)}`);
    const { code, signal } = await node.stop();
    assert.equal(code, 0, `${name} exit code (signal ${signal}):\n${node.output().slice(-3000)}`);
  }
}

describe('rollup faults: L1 outage and L1 reorg', { skip: skip ?? false }, () => {
  it('L1 stopped for 30 s mid-run: soft confirmations go on, the backlog drains once, roots agree', async () => {
    const r = await startFaultRollup();
    let validator;
    try {
      validator = await r.startValidator({ mode: 'propose' });
      await withLogs({ sequencer: r.sequencer, validator }, async () => {
        const traffic = startTraffic(r.sequencer, { account: 1, intervalMs: 100 });
        let headAtStop;
        let l1HeadBeforeStop;
        try {
          await r.waitFinalized(5);
          const postedBefore = await r.postedBlocks();
          l1HeadBeforeStop = await r.l1.getBlockNumber();

          // A real stop: anvil exits (dumping its chain to the state file); its port is closed.
          await r.stopL1();
          const outageStart = Date.now();
          headAtStop = await headOf(r.sequencer);
          await sleep(kOutageMs);
          const headAtRestart = await headOf(r.sequencer);
          const duringOutage = traffic.sent.filter((s) => s.at > outageStart);
          assert.ok(duringOutage.length >= 20, `only ${duringOutage.length} transactions acknowledged while L1 was down`);
          assert.ok(headAtRestart > headAtStop, 'the sequencer sealed blocks while L1 was down');
          assert.ok(alive(r.sequencer.pid) && alive(validator.pid), 'a node exited while L1 was down');
          assert.ok((await metric(validator, 'fusel2_validator_l1_errors_total')) > 0, 'the validator saw the L1 down');

          await r.startL1();
          // The same chain came back: nothing posted before the stop was lost.
          assert.ok((await r.postedBlocks()) >= postedBefore, 'the restarted L1 lost posted batches');
          await r.waitPosted(headAtRestart, { timeoutMs: 90000 });
          await sleep(1000);  // a few more transactions after the backlog
        } finally {
          await traffic.stop();
        }
        const { batches } = await drainAndCheck(r, validator);
        // The blocks sealed while L1 was down went to L1 after the restart.
        const backlog = batches.filter((b) => b.newMessageCount > headAtStop);
        assert.ok(backlog.length > 0 && backlog.every((b) => b.l1Block > l1HeadBeforeStop));
        await checkIncluded(traffic.sent, validator);
      });
      await stopNodesCleanly({ validator, sequencer: r.sequencer });
    } finally {
      await r.stop();
    }
  });

  // The sequencer builds on L1 block head − lag (--l1-lag) and each message names that block and
  // its base fee, which validators check against the canonical L1. A reorg deeper than the lag
  // replaces those blocks (anvil's new blocks have other base fees), which makes the messages
  // invalid by design; here the reorg (kReorgDepth) stays within the lag, as an operator sets it.
  const kReorgDepth = 8;
  const kLag = 16;

  it('anvil reorg of the last L1 blocks during posting: batches re-posted, validator re-derives', async () => {
    const r = await startRollup({ sequencerArgs: ['--l1-lag', String(kLag)] });
    let validator;
    try {
      validator = await r.startValidator({ mode: 'propose' });
      await withLogs({ sequencer: r.sequencer, validator }, async () => {
        const traffic = startTraffic(r.sequencer, { account: 2, intervalMs: 50 });
        let dropped;
        try {
          await r.waitFinalized(5);
          await sleep(3000);
          const before = await r.batches();
          const result = await r.anvil.rpc('anvil_reorg', [kReorgDepth, []]);
          assert.equal(result, null);
          dropped = [];
          for (const b of before) {
            if (!(await r.l1.getTransactionReceipt(b.txHash))) dropped.push(b);
          }
          assert.ok(dropped.length >= 1, `the reorg of ${kReorgDepth} blocks dropped no batch (batches in L1 blocks ${before.map((b) => b.l1Block)})`);
          await waitFor(() => /L1 reorg: batches from \d+ replaced/.test(validator.output()),
            { timeoutMs: 30000, what: 'the validator rolling back' });
          await sleep(2000);
        } finally {
          await traffic.stop();
        }
        const { batches } = await drainAndCheck(r, validator);
        // The dropped batches' L2 blocks are in new batch transactions on the canonical chain (the
        // poster regroups them: sequence numbers from the dropped one on, other boundaries).
        const droppedTx = new Set(dropped.map((d) => d.txHash));
        for (const d of dropped) {
          const covering = batches.filter((b) => b.newMessageCount > d.prevMessageCount && b.prevMessageCount < d.newMessageCount);
          assert.ok(covering.length > 0, `L2 blocks ${d.prevMessageCount + 1}..${d.newMessageCount} of dropped batch ${d.batch} not re-posted`);
          for (const b of covering) {
            assert.ok(!droppedTx.has(b.txHash), `batch ${b.batch} is a dropped transaction`);
            assert.ok(await r.l1.getTransactionReceipt(b.txHash), `batch ${b.batch} not on the canonical chain`);
          }
        }
        assert.equal(batches[dropped[0].batch].prevMessageCount, dropped[0].prevMessageCount,
          'the re-posting starts with the first dropped sequence number at the same message');
        await checkIncluded(traffic.sent, validator);
      });
      await stopNodesCleanly({ validator, sequencer: r.sequencer });
    } finally {
      await r.stop();
    }
  });
});
