// An L1 reorg that removes a deposit after the sequencer included it (issue 13; the outcome is
// defined in docs/sequencer.md "Deposits" and docs/bridge.md "When the L1 drops a deposit"),
// every part real: anvil's evm_snapshot / evm_revert take the L1 back to before the deposit (and
// before the batches that referenced it), then the new L1 gets another deposit at the same index.
// Defined outcome: the sequencer rewinds to the block before the deposit's, the lost deposit is
// never on L2 again, the new one is included once, in order; a watch validator from an empty
// datadir derives the sequencer's chain with no alarm; the supply equation holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { artifact } from '../lib/contracts.mjs';
import { checkSameChain, metric } from '../lib/faults.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';
import { checkSupplyEquation } from '../lib/supply.mjs';

const skip = nodeSkipReason();
const kLag = '4';

/// The L2 transactions of type 0x64 (FUSE deposits) of the node's chain, in order.
async function depositTxs(provider) {
  const out = [];
  const head = await provider.getBlockNumber();
  for (let n = 1; n <= head; ++n) {
    for (const t of (await provider.getBlock(n, true)).prefetchedTransactions) {
      if (t.type === 0x64) out.push({ block: n, to: t.to, value: t.value, hash: t.hash });
    }
  }
  return out;
}

describe('an L1 reorg removing a deposit the sequencer included', { skip: skip ?? false }, () => {
  it('rewinds the sequencer; the lost deposit never reaches L2, the replacement does once', async () => {
    const r = await startRollup({ sequencerArgs: ['--l1-lag', kLag] });
    try {
      const proposer = await r.startValidator({ mode: 'propose' });
      const bridge = new ethers.Contract(r.deployment.bridge, artifact('Bridge').abi, r.wallets.stranger);
      const l2 = r.sequencer.provider();
      await r.waitFinalized(1);

      const snapshot = await r.anvil.rpc('evm_snapshot', []);
      const alice = ethers.Wallet.createRandom().address;
      const lost = ethers.parseEther('3');
      await (await bridge.depositNative(alice, { value: lost })).wait();
      await waitFor(async () => (await l2.getBalance(alice)) === lost, { timeoutMs: 60000, what: 'the sequencer to include deposit 0' });
      const seen = await depositTxs(l2);
      assert.equal(seen.length, 1);
      // The L1 goes back to before the deposit (and before any batch that referenced it).
      assert.equal(await r.anvil.rpc('evm_revert', [snapshot]), true);
      assert.equal(await bridge.depositCount(), 0n, 'the L1 no longer has the deposit');

      await waitFor(async () => (await metric(r.sequencer, 'fusel2_sequencer_rewinds_total')) > 0,
        { timeoutMs: 60000, what: 'the sequencer rewinding' });
      await waitFor(async () => (await l2.getBalance(alice)) === 0n, { timeoutMs: 30000, what: 'the lost deposit gone from L2' });
      // The L1 guard names whichever it finds first: the deposit gone, or the L1 block the
      // message names gone or changed (the deposit's block is at or before it).
      assert.match(r.sequencer.output(),
        /L1 no longer supports this chain after L2 block \d+: L2 block \d+ (includes L1 deposit 0, which the L1 no longer has|names L1 block \d+)/);
      const st = (await r.sequencer.rpc('fusel2_sequencerStatus')).result;
      assert.ok(st.lastRewind.keptThrough < seen[0].block, `kept through ${st.lastRewind.keptThrough}, the deposit was in ${seen[0].block}`);

      // The new L1 has another deposit at index 0: included once, the lost one never.
      const bob = ethers.Wallet.createRandom().address;
      const kept = ethers.parseEther('2');
      const rc = await (await bridge.depositNative(bob, { value: kept })).wait();
      assert.equal(rc.status, 1);
      assert.equal(await bridge.depositCount(), 1n);
      await waitFor(async () => (await l2.getBalance(bob)) === kept, { timeoutMs: 60000, what: 'the new deposit 0 on L2' });
      const now = await depositTxs(l2);
      assert.equal(now.length, 1, JSON.stringify(now, (k, v) => (typeof v === 'bigint' ? String(v) : v)));
      assert.equal(now[0].to, bob);
      assert.equal(now[0].value, kept);
      assert.equal(await l2.getTransaction(seen[0].hash), null, 'the lost deposit transaction is not on L2');
      assert.equal(await l2.getBalance(alice), 0n);

      // Posted and derived from L1 alike: a watcher from an empty datadir, no alarm.
      const head = await l2.getBlockNumber();
      await r.waitFinalized(head, { timeoutMs: 90000 });
      const watcher = await r.startValidator({ mode: 'watch', sequencerUrl: r.sequencer.url });
      await waitFor(async () => (await metric(watcher, 'fusel2_validator_derived_block')) >= head,
        { timeoutMs: 90000, what: `the watcher at block ${head}` });
      assert.equal(await metric(watcher, 'fusel2_validator_mismatch'), 0, watcher.output().slice(-3000));
      assert.equal(await metric(watcher, 'fusel2_validator_next_deposit'), 1);
      assert.equal(await watcher.provider().getBalance(bob), kept);
      assert.equal(await watcher.provider().getBalance(alice), 0n);
      const root = await r.latestRoot();
      const blk = await l2.getBlock(root.l2BlockNumber);
      assert.equal(root.l2BlockHash, blk.hash, 'RollupCore has the sequencer\'s repaired chain');
      void proposer;

      const terms = await checkSupplyEquation({ l2Url: r.sequencer.url, l1: r.l1, deployment: r.deployment, genesisFile: r.files.genesis });
      assert.equal(terms.escrow, kept);
      await checkSameChain(r.sequencer, watcher);
    } finally {
      await r.stop();
    }
  });
});
