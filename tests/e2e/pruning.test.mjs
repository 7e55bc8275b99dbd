// A pruned full node in the real rollup (issue 16 point 1, docs/storage.md "Pruning"): anvil as
// L1 with the contracts, the sequencer + batch poster and a proposer, both pruning with a tiny
// window (db.prune-keep 2, a cycle every 16 blocks). Once L1 finalizes the chain and more blocks
// follow, both prune: every block, transaction and receipt is still served, the state inside the
// window is right, a state read below it answers geth's "missing trie node" with the block and
// the oldest kept, a restart keeps the mark, and an archive node refuses the pruned datadir.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { nodeSkipReason, runFusel2 } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';

const skip = nodeSkipReason();
const kPruneArgs = ['--db-prune-keep', '2', '--db-prune-interval', '16', '--db-prune-checkpoint', '8'];

const blockNumberOf = async (node) => Number((await node.rpc('eth_blockNumber')).result);
const oldestOf = async (node) => (await node.metrics()).fusel2_db_oldest_state_block ?? 0;

/// Sends `count` 1-wei transfers to `to`, one at a time (each in its own block); returns the
/// block number of each.
async function sendOneByOne(node, to, count, nonce) {
  const wallet = node.wallet(5);
  const blocks = [];
  for (let i = 0; i < count; ++i) {
    const tx = await wallet.sendTransaction({ to, value: 1n, nonce: nonce + i, gasLimit: 1_000_000n });
    blocks.push((await tx.wait()).blockNumber);
  }
  return blocks;
}

describe('pruning in the rollup', { skip: skip ?? false, timeout: 300000 }, () => {
  it('prunes below the finalized window, serves every block and refuses old state precisely', async () => {
    const r = await startRollup({ sequencerArgs: kPruneArgs });
    try {
      const seq = r.sequencer;
      const proposer = await r.startValidator({ mode: 'propose', args: kPruneArgs });
      const to = ethers.getAddress(ethers.hexlify(ethers.randomBytes(20)));
      const first = await sendOneByOne(seq, to, 40, 0);
      const head = await blockNumberOf(seq);
      await r.waitFinalized(head, { timeoutMs: 120000 });
      await waitFor(async () => Number((await seq.rpc('eth_getBlockByNumber', ['finalized', false])).result?.number) >= head,
        { what: 'sequencer finalized = head' });
      await waitFor(async () => Number((await proposer.rpc('eth_getBlockByNumber', ['finalized', false])).result?.number) >= head,
        { what: 'proposer finalized = head' });
      // Cycles start on commits: the next blocks trigger one on both nodes.
      const second = await sendOneByOne(seq, to, 20, 40);
      const all = [...first, ...second];
      await waitFor(async () => (await oldestOf(seq)) > 0 && (await oldestOf(proposer)) > 0,
        { timeoutMs: 120000, what: 'both nodes pruned' });

      for (const node of [seq, proposer]) {
        const oldest = await oldestOf(node);
        assert.ok(oldest > first[0], `oldest ${oldest} is above the first transfer's block ${first[0]}`);
        const m = await node.metrics();
        assert.ok(m.fusel2_db_pruned_nodes_total > 0, 'trie nodes deleted');
        assert.equal(m.fusel2_db_archive, 0);
        // below the window: the block is served, its state is not, and the error says why
        const old = first[0];
        const block = (await node.rpc('eth_getBlockByNumber', [ethers.toQuantity(old), false])).result;
        assert.equal(Number(block.number), old);
        const receipt = (await node.rpc('eth_getTransactionReceipt', [block.transactions[0]])).result;
        assert.equal(receipt.status, '0x1');
        for (const [method, params] of [['eth_getBalance', [to, ethers.toQuantity(old)]],
          ['eth_getProof', [to, [], ethers.toQuantity(old)]],
          ['eth_call', [{ to, data: '0x' }, ethers.toQuantity(old)]]]) {
          const res = await node.rpc(method, params);
          assert.equal(res.error?.code, -32000, `${method}: ${JSON.stringify(res)}`);
          // (a cycle may have moved the window up since `oldest` was read)
          const m = /^missing trie node: state of block (\d+) is pruned \(this node keeps state from block (\d+); run an archive node for history\)$/.exec(res.error.message);
          assert.ok(m, res.error.message);
          assert.equal(Number(m[1]), old);
          assert.ok(Number(m[2]) >= oldest, res.error.message);
        }
        // inside the window: the state is right (the balance counts the transfers up to there);
        // a block the window left meanwhile (a cycle running under the request) may be refused
        // with a missing trie node, nothing else
        const latest = await blockNumberOf(node);
        let served = 0;
        for (let b = oldest; b <= latest; ++b) {
          const res = await node.rpc('eth_getBalance', [to, ethers.toQuantity(b)]);
          if (res.error) {
            assert.match(res.error.message, /^missing trie node/);
            assert.ok(b < (await oldestOf(node)), `block ${b} refused but still in the window: ${res.error.message}`);
            continue;
          }
          assert.equal(BigInt(res.result), BigInt(all.filter((n) => n <= b).length), `balance at block ${b}`);
          ++served;
        }
        assert.ok(served > 0, 'no block of the window was served');
        // Below the recent tries only every 8th block keeps its whole trie: a proof there works,
        // elsewhere it is refused (the state still reads, above).
        const oldestTrie = (await node.metrics()).fusel2_db_oldest_trie_block;
        assert.ok(oldestTrie >= latest - 2 - 16, `oldest whole trie ${oldestTrie}, latest ${latest}`);
        let refusedProofs = 0;
        for (let b = Math.max(oldest, await oldestOf(node)); b < oldestTrie; ++b) {
          const res = await node.rpc('eth_getProof', [to, [], ethers.toQuantity(b)]);
          if (b % 8 === 0) {
            assert.ok(res.result?.accountProof.length > 0, `checkpoint ${b}: ${JSON.stringify(res)}`);
            assert.equal(BigInt(res.result.balance), BigInt(all.filter((n) => n <= b).length));
          } else {
            assert.equal(res.error?.code, -32000, `block ${b}: ${JSON.stringify(res)}`);
            assert.match(res.error.message, new RegExp(`^missing trie node: the trie of block ${b} is pruned \\(this node keeps whole tries from block \\d+ and of every 8th block below it; its state still reads`));
            ++refusedProofs;
          }
        }
        assert.ok(refusedProofs > 0, `no block between checkpoints below the recent tries (oldest ${oldest}, trie ${oldestTrie})`);
        const proof = await node.rpc('eth_getProof', [to, [], ethers.toQuantity(latest)]);
        assert.ok(proof.result?.accountProof.length > 0, JSON.stringify(proof));
      }

      // A restart keeps the mark; an archive node refuses the pruned datadir.
      const oldest = await oldestOf(proposer);
      const datadir = path.join(r.dir, 'validator-0');
      assert.equal((await proposer.stop()).code, 0);
      const refused = await runFusel2(['node', '--role', 'validator', '--datadir', datadir, '--genesis', r.files.genesis,
        '--l1-url', r.anvil.url, '--l1-deployment', r.files.deployment, '--http-port', '0', '--metrics-enabled=false',
        '--db-archive']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.output, /this datadir was pruned \(it keeps the state of blocks \d+ and later only\), so it cannot serve as an archive node/);
      const again = await r.startValidator({ mode: 'follow', datadir, args: kPruneArgs });
      assert.ok((await oldestOf(again)) >= oldest);
      const res = await again.rpc('eth_getBalance', [to, ethers.toQuantity(first[0])]);
      assert.match(res.error?.message ?? '', /^missing trie node: state of block \d+ is pruned/);
    } finally {
      await r.stop();
    }
  });
});
