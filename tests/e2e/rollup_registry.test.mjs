// Batch format 0x02 end to end (issue 16 point 3, docs/batch-format.md "Format 0x02"): the poster
// writes batches whose address table names addresses of earlier batches by registry index; a
// proposer killed with kill -9 between batches resumes with its saved registry, a validator from
// an empty datadir rebuilds the registry from L1, and the poster's L1 guard reads the batches
// back without seeing a divergence. Every part real: anvil, the deployed contracts, ethers v6.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import { blocksOf, rpcBatch, startRollup, txStream, waitFor } from '../lib/rollup.mjs';

const skip = nodeSkipReason();
const randomAddress = () => ethers.getAddress(ethers.hexlify(ethers.randomBytes(20)));
const blockNumberOf = async (node) => Number((await node.rpc('eth_blockNumber')).result);

/// `count` ETH transfers from each of dev accounts 1..5 to addresses of `pool`; resolves to the
/// acknowledged hashes.
async function wave(r, pool, count) {
  const provider = r.sequencer.provider();
  const fd = await provider.getFeeData();
  const gasLimit = 3n * await provider.estimateGas({ from: r.sequencer.wallet(1).address, to: pool[0], value: 1n });
  const stream = txStream({
    url: () => r.sequencer.url,
    chainId: r.chainId,
    fees: { maxFeePerGas: fd.maxFeePerGas * 10n, maxPriorityFeePerGas: 0n },
    senders: [1, 2, 3, 4, 5].map((index) => ({
      index, count, make: (nonce) => ({ to: pool[(nonce * 7 + index) % pool.length], value: 1000n + BigInt(nonce), gasLimit }),
    })),
  });
  await stream.done;
  assert.deepEqual(stream.errors, []);
  return stream.acked.map((a) => a.hash);
}

/// Waits until `node` has `head`, then asserts blocks 0..head equal the sequencer's.
async function checkSameChain(node, seqBlocks, head, what) {
  await waitFor(async () => (await blockNumberOf(node)) >= head, { timeoutMs: 120000, what: `${what} at block ${head}` });
  const mine = await blocksOf(node.url, 0, head);
  for (let n = 0; n <= head; ++n) {
    assert.equal(mine[n].hash, seqBlocks[n].hash, `${what}: block ${n} hash`);
    assert.equal(mine[n].stateRoot, seqBlocks[n].stateRoot, `${what}: block ${n} state root`);
  }
}

describe('batch format 0x02 end to end', { skip: skip ?? false }, () => {
  it('validators derive registry batches across a kill -9 and from an empty datadir; every root matches', async (t) => {
    const r = await startRollup({ sequencerArgs: ['--poster-batch-format', '2'] });
    try {
      const proposer = await r.startValidator({ mode: 'propose' });
      const pool = Array.from({ length: 24 }, randomAddress);
      const hashes = await wave(r, pool, 40);
      const head1 = await blockNumberOf(r.sequencer);
      await r.waitPosted(head1, { timeoutMs: 120000 });
      await r.waitFinalized(head1, { timeoutMs: 120000 });
      const batches1 = (await r.batches()).length;

      // The proposer's registry and cursor are on disk; kill it between batches.
      await proposer.kill();
      hashes.push(...await wave(r, pool, 40));  // the same recipients: registered addresses
      const restarted = await r.startValidator({ mode: 'propose', datadir: proposer.datadir });
      hashes.push(...await wave(r, [...pool, ...Array.from({ length: 8 }, randomAddress)], 20));
      const head = await blockNumberOf(r.sequencer);
      await r.waitPosted(head, { timeoutMs: 120000 });
      await r.waitFinalized(head, { timeoutMs: 120000 });

      // Every batch is format 0x02, and there are batches after the first wave's.
      const batches = (await r.batches()).sort((a, b) => a.batch - b.batch);
      assert.ok(batches.length > batches1, `batches after the first wave (${batches1} then ${batches.length})`);
      for (const b of batches) {
        const tx = await r.l1.getTransaction(b.txHash);
        const call = r.inbox.interface.parseTransaction({ data: tx.data });
        assert.equal(call.name, 'addSequencerL2Batch');
        assert.equal(ethers.getBytes(call.args.data)[0], 0x02, `batch ${b.batch} format byte`);
      }
      t.diagnostic(`head ${head}, ${batches.length} batches of format 0x02`);

      // Every RollupCore record equals the sequencer's block; the proposer's chain is the sequencer's.
      const seqBlocks = await blocksOf(r.sequencer.url, 0, head);
      const roots = await r.roots();
      assert.equal(roots.length, batches.length, 'one root per batch');
      for (const root of roots) {
        assert.equal(root.l2BlockHash, seqBlocks[root.l2BlockNumber].hash, `root of batch ${root.batch}`);
        assert.equal(root.stateRoot, seqBlocks[root.l2BlockNumber].stateRoot, `state root of batch ${root.batch}`);
      }
      await checkSameChain(restarted, seqBlocks, head, 'restarted proposer');

      // A validator from an empty datadir builds the registry from L1 alone.
      const fresh = await r.startValidator({ mode: 'follow' });
      await checkSameChain(fresh, seqBlocks, head, 'new validator');
      const receipts = await rpcBatch(fresh.url, hashes.map((h) => ['eth_getTransactionReceipt', [h]]));
      receipts.forEach((rc, i) => assert.equal(rc?.status, '0x1', `receipt of ${hashes[i]} on the new validator`));
      const balances = await rpcBatch(fresh.url, pool.map((a) => ['eth_getBalance', [a, 'latest']]));
      const expected = await rpcBatch(r.sequencer.url, pool.map((a) => ['eth_getBalance', [a, 'latest']]));
      assert.deepEqual(balances, expected, 'recipient balances on the new validator');
      assert.ok(expected.every((b) => BigInt(b) > 0n), 'every pool address received transfers');

      // The poster's L1 guard read the 0x02 batches back without a divergence.
      assert.doesNotMatch(r.sequencer.output(), /L1 no longer supports this chain/);
    } finally {
      await r.stop();
    }
  });
});
