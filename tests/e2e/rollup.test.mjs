// The rollup end to end (issue #6, "How it is checked"), every part real: anvil as L1 with the
// contracts deployed by `fusel2 deploy`, the sequencer + batch poster, proposer and follower
// validators (tests/lib/rollup.mjs), ethers v6.
//  1. 2,000 mixed transactions (ETH, an ERC-20 deploy + transfers, ArbSys calls) go through L1:
//     contiguous batches cover every L2 block, every RollupCore record equals the sequencer's block
//     at that number, and a validator from an empty datadir rebuilds the chain block by block.
//  2. kill -9 of the sequencer (with its poster) and of the proposer under a stream of
//     transactions: nothing acknowledged is lost, no message posted twice or skipped.
//  3. The same with L1 mining paused so the killed process's batch (then root) is still in
//     anvil's pool, and dropped from it: the restarted poster (proposer) posts it again.
//  4. An L1 younger than the sequencer's lag: blocks on L1 block 1 are posted and proven.
//  5. A sequencer given a non-poster key posts nothing and keeps soft-confirming; the inbox
//     refuses the stranger's batch with NotBatchPoster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { revertOf } from '../lib/contracts.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import { blocksOf, rpcBatch, startRollup, txStream, waitFor } from '../lib/rollup.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();
const kArbSys = '0x0000000000000000000000000000000000000064';
const kArbSysIface = new ethers.Interface([
  'function withdrawEth(address destination) payable returns (uint256)',
  'function arbBlockNumber() view returns (uint256)',
]);
const kTotalTxs = 2000;

const randomAddress = () => ethers.getAddress(ethers.hexlify(ethers.randomBytes(20)));
const blockNumberOf = async (node) => Number((await node.rpc('eth_blockNumber')).result);

/// Fees well above the L2 base fee (which may rise under load), no tip.
async function feesOf(provider) {
  const fd = await provider.getFeeData();
  return { maxFeePerGas: fd.maxFeePerGas * 10n, maxPriorityFeePerGas: 0n };
}

/// Asserts the L1 side covers exactly L2 blocks 1..head: the batches are contiguous from message 0
/// with no overlap, one RollupCore record per batch at the batch's last block, each equal to the
/// sequencer's block (hash, state root, send root = extraData, docs/arbos.md). Returns what it read.
async function checkL1Record(r, head) {
  const batches = (await r.batches()).sort((a, b) => a.batch - b.batch);
  assert.ok(batches.length > 0, 'no batch on L1');
  let covered = 0;
  batches.forEach((b, k) => {
    assert.equal(b.batch, k, `batch sequence numbers ${batches.map((x) => x.batch)}`);
    assert.equal(b.prevMessageCount, k === 0 ? 0 : batches[k - 1].newMessageCount, `batch ${k} not contiguous`);
    assert.ok(b.newMessageCount > b.prevMessageCount, `batch ${k} is empty`);
    covered += b.newMessageCount - b.prevMessageCount;
  });
  assert.equal(batches.at(-1).newMessageCount, head, 'the batches end at the sequencer head');
  assert.equal(covered, head, 'messages posted (sum of batch ranges) = L2 blocks 1..head');
  assert.equal(Number(await r.inbox.totalMessageCount()), head);

  const roots = await r.roots();
  assert.equal(roots.length, batches.length, 'one RollupCore record per batch');
  // one StateRootPosted per record, saying the same (no root posted twice)
  const events = await r.rootEvents();
  assert.deepEqual(events.map((e) => [e.batch, e.l2BlockNumber, e.l2BlockHash, e.stateRoot, e.sendRoot]),
    roots.map((x) => [x.batch, x.l2BlockNumber, x.l2BlockHash, x.stateRoot, x.sendRoot]));
  const blocks = await blocksOf(r.sequencer.url, 0, head);
  for (const root of roots) {
    const b = batches[root.batch];
    assert.equal(root.l2BlockNumber, b.newMessageCount, `record ${root.batch} is at the batch's last block`);
    const blk = blocks[root.l2BlockNumber];
    assert.equal(root.l2BlockHash, blk.hash, `record ${root.batch}: block hash at ${root.l2BlockNumber}`);
    assert.equal(root.stateRoot, blk.stateRoot, `record ${root.batch}: state root at ${root.l2BlockNumber}`);
    assert.equal(root.sendRoot, blk.extraData, `record ${root.batch}: send root at ${root.l2BlockNumber}`);
  }
  return { batches, roots, blocks };
}

/// Waits until `node` (a validator) has `head`, then asserts its blocks 0..head are the
/// sequencer's (hash, state root, transactions), block by block.
async function checkSameChain(node, seqBlocks, head, what) {
  await waitFor(async () => (await blockNumberOf(node)) >= head, { timeoutMs: 120000, what: `${what} at block ${head}` });
  assert.equal(await blockNumberOf(node), head, `${what} went past the sequencer head`);
  const mine = await blocksOf(node.url, 0, head);
  for (let n = 0; n <= head; ++n) {
    assert.equal(mine[n].hash, seqBlocks[n].hash, `${what}: block ${n} hash`);
    assert.equal(mine[n].stateRoot, seqBlocks[n].stateRoot, `${what}: block ${n} state root`);
    assert.deepEqual(mine[n].transactions, seqBlocks[n].transactions, `${what}: block ${n} transactions`);
  }
}

/// Every hash has a successful receipt on the node at `url`; resolves to the receipts.
async function checkReceipts(url, hashes) {
  const receipts = await rpcBatch(url, hashes.map((h) => ['eth_getTransactionReceipt', [h]]));
  receipts.forEach((rc, i) => {
    assert.ok(rc, `no receipt for acknowledged ${hashes[i]}`);
    assert.equal(rc.status, '0x1', `receipt of ${hashes[i]} failed`);
  });
  return receipts;
}

/// The number of the last batch the poster logged as sent, or -1.
function lastLogged(output, re) {
  let last = -1;
  for (const m of output.matchAll(re)) last = Math.max(last, Number(m[1]));
  return last;
}

/// Reports the time of each phase as a test diagnostic (information only, never asserted).
function stopwatch(t) {
  let last = performance.now();
  return (what) => {
    const now = performance.now();
    t.diagnostic(`${what}: ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };
}

/// A steady stream of ETH transfers from dev accounts 1..6 (each one transaction every ~20 ms
/// after its previous one was answered) to whichever sequencer of `r` is running.
async function ethStream(r) {
  const provider = r.sequencer.provider();
  const gasLimit = 3n * await provider.estimateGas({ from: r.sequencer.wallet(1).address, to: randomAddress(), value: 1000n });
  const stream = txStream({
    url: () => r.sequencer.url,
    chainId: r.chainId,
    fees: await feesOf(provider),
    intervalMs: 20,
    senders: [1, 2, 3, 4, 5, 6].map((index) => ({
      index, make: (nonce) => ({ to: randomAddress(), value: 1000n + BigInt(nonce), gasLimit }),
    })),
  });
  stream.acks = (n) => waitFor(() => stream.acked.length >= n, { timeoutMs: 60000, what: `${n} acknowledged transactions` });
  return stream;
}

/// After kills and restarts: every acknowledged hash has its receipt on the (restarted)
/// sequencer; L1 covers exactly blocks 1..head (contiguous, no overlap, every record = the
/// sequencer's block); the proposer's chain is the sequencer's.
async function checkAfterRestarts(t, r, stream, proposer) {
  assert.deepEqual(stream.errors, []);
  assert.ok(stream.sendFailures > 0, 'the sequencer was killed while transactions were being sent');
  t.diagnostic(`${stream.acked.length} acknowledged, ${stream.sendFailures} sends failed during the kill`);
  await checkReceipts(r.sequencer.url, stream.acked.map((a) => a.hash));
  const head = await blockNumberOf(r.sequencer);
  await r.waitPosted(head, { timeoutMs: 120000 });
  await r.waitFinalized(head, { timeoutMs: 120000 });
  const { blocks, batches } = await checkL1Record(r, head);
  t.diagnostic(`head ${head}, ${batches.length} batches`);
  await checkSameChain(proposer, blocks, head, 'restarted proposer');
}

const kSentRe = /batch poster: batch (\d+) sent/g;
const kRootRe = /posting state root of batch (\d+)/g;

describe('rollup end to end', { skip: skip ?? false }, () => {
  it('2,000 mixed transactions go through L1; every root matches; a new validator rebuilds the chain', async (t) => {
    const phase = stopwatch(t);
    await buildL2TestContracts();
    const r = await startRollup();
    phase('rollup started');
    try {
      const seq = r.sequencer;
      const provider = seq.provider();
      const proposer = await r.startValidator({ mode: 'propose' });

      const w1 = seq.wallet(1, provider);
      const w2 = seq.wallet(2, provider);
      const token = await testFactory('TestToken', w1).deploy(10n ** 24n, { nonce: 0 });
      const probe = await testFactory('ArbProbe', w2).deploy({ nonce: 0 });
      await Promise.all([token.waitForDeployment(), probe.waitForDeployment()]);
      const deployHashes = [token.deploymentTransaction().hash, probe.deploymentTransaction().hash];
      const tokenAddress = await token.getAddress();
      const probeAddress = await probe.getAddress();

      // Gas limits with margin: the L1 data fee is charged as gas and moves with the prices.
      const w3 = seq.wallet(3).address;
      const withdraw = (to) => kArbSysIface.encodeFunctionData('withdrawEth', [to]);
      const gas = {
        eth: 3n * await provider.estimateGas({ from: w1.address, to: randomAddress(), value: 1000n }),
        token: 3n * await token.transfer.estimateGas(randomAddress(), 7n),
        probe: 3n * await probe.record.estimateGas(),
        withdraw: 3n * await provider.estimateGas({ from: w3, to: kArbSys, data: withdraw(w3), value: 10n ** 9n }),
        arbBlock: 3n * await provider.estimateGas({ from: w3, to: kArbSys, data: kArbSysIface.encodeFunctionData('arbBlockNumber') }),
      };
      const transferData = () => token.interface.encodeFunctionData('transfer', [randomAddress(), 7n]);
      const recordData = probe.interface.encodeFunctionData('record');
      const make = {
        1: () => ({ to: tokenAddress, data: transferData(), gasLimit: gas.token }),
        2: () => ({ to: probeAddress, data: recordData, gasLimit: gas.probe }),
        3: (nonce) => (nonce % 2 === 0
          ? { to: kArbSys, data: withdraw(randomAddress()), value: 10n ** 9n, gasLimit: gas.withdraw }
          : { to: kArbSys, data: kArbSysIface.encodeFunctionData('arbBlockNumber'), gasLimit: gas.arbBlock }),
      };
      const eth = (nonce) => ({ to: randomAddress(), value: 1000n + BigInt(nonce), gasLimit: gas.eth });
      const accounts = [1, 2, 3, 4, 5, 6, 7, 8, 9];
      const perAccount = (kTotalTxs - deployHashes.length) / accounts.length;  // 222
      const stream = txStream({
        url: () => seq.url,
        chainId: r.chainId,
        fees: await feesOf(provider),
        senders: accounts.map((index) => ({ index, count: perAccount, make: make[index] || eth })),
      });
      await stream.done;
      phase(`${kTotalTxs} transactions acknowledged`);
      assert.deepEqual(stream.errors, []);
      assert.equal(stream.sendFailures, 0);
      const hashes = [...deployHashes, ...stream.acked.map((a) => a.hash)];
      assert.equal(new Set(hashes).size, kTotalTxs);
      const receipts = await checkReceipts(seq.url, hashes);
      // the ArbSys withdrawals and the probe records ran (their logs are in the receipts)
      assert.ok(receipts.some((rc) => rc.to === kArbSys && rc.logs.length > 0), 'no ArbSys withdrawal log');
      assert.ok(receipts.some((rc) => rc.to === probeAddress.toLowerCase() && rc.logs.length === 1), 'no Probed log');

      const head = await blockNumberOf(seq);
      phase(`receipts checked (head ${head})`);
      await r.waitPosted(head, { timeoutMs: 120000 });
      phase('posted');
      await r.waitFinalized(head, { timeoutMs: 120000 });
      phase('roots posted');
      assert.equal(await blockNumberOf(seq), head, 'the sequencer made blocks without transactions');
      const { roots, blocks } = await checkL1Record(r, head);
      assert.notEqual(roots.at(-1).sendRoot, ethers.ZeroHash, 'the withdrawals changed the send root');
      // the proposer's `finalized` head follows its confirmed roots up to the sequencer head
      await waitFor(async () => Number((await proposer.rpc('eth_getBlockByNumber', ['finalized', false])).result?.number) === head,
        { what: 'proposer finalized = head' });
      phase(`L1 record checked (${roots.length} batches)`);

      // A second validator from an empty datadir with only the L1 URL, the deployment and the
      // genesis file (follow mode) rebuilds the same chain.
      const follower = await r.startValidator({ mode: 'follow' });
      await checkSameChain(follower, blocks, head, 'follower');
      phase('follower rebuilt the chain');
      // it posts and checks no root, yet its `finalized` tag follows RollupCore's latest root
      await waitFor(async () => Number((await follower.rpc('eth_getBlockByNumber', ['finalized', false])).result?.number) === head,
        { what: 'follower finalized = head' });
      await checkSameChain(proposer, blocks, head, 'proposer');
      const sample = hashes.filter((_, i) => i % 10 === 0);
      const mine = await rpcBatch(follower.url, sample.map((h) => ['eth_getTransactionReceipt', [h]]));
      const key = (rc) => JSON.stringify([rc.status, rc.gasUsed, rc.cumulativeGasUsed, rc.gasUsedForL1, rc.blockHash,
        rc.contractAddress, rc.logs.map((l) => [l.address, l.topics, l.data, l.logIndex])]);
      const byHash = new Map(receipts.map((rc) => [rc.transactionHash, rc]));
      sample.forEach((h, i) => {
        assert.ok(mine[i], `follower has no receipt for ${h}`);
        assert.equal(key(mine[i]), key(byHash.get(h)), `receipt of ${h}`);
      });
    } finally {
      await r.stop();
    }
  });

  it('kill -9 of the sequencer (with its poster) and of the proposer under load: nothing lost, nothing posted twice', async (t) => {
    const r = await startRollup();
    try {
      let proposer = await r.startValidator({ mode: 'propose' });
      const stream = await ethStream(r);
      try {
        // Kill the sequencer right after its poster sent a batch (the batch is in flight on L1).
        await waitFor(() => stream.acked.length >= 100 && lastLogged(r.sequencer.output(), kSentRe) >= 1,
          { timeoutMs: 60000, what: '100 acks and batch 1 sent' });
        const seen = lastLogged(r.sequencer.output(), kSentRe);
        await waitFor(() => lastLogged(r.sequencer.output(), kSentRe) > seen, { intervalMs: 5, what: 'the next batch sent' });
        await r.sequencer.kill();
        const killedAt = stream.acked.length;
        t.diagnostic(`sequencer killed after ${killedAt} acks, batch ${seen + 1} just sent`);
        const restarted = await r.startSequencer();  // same datadir
        await stream.acks(killedAt + 50);
        // information only: whether the in-flight batch landed from the killed process or was
        // built again by the restarted poster (both must leave L1 contiguous, checked below)
        const resent = new RegExp(`batch poster: batch ${seen + 1} sent`).test(restarted.output());
        t.diagnostic(`batch ${seen + 1} ${resent ? 'was posted again by the restarted poster' : 'landed from the killed process'}`);
        await stream.acks(killedAt + 150);

        // Kill the proposer right after it sent a root.
        const rootSeen = lastLogged(proposer.output(), kRootRe);
        await waitFor(() => lastLogged(proposer.output(), kRootRe) > rootSeen, { intervalMs: 5, what: 'the next root sent' });
        const datadir = proposer.datadir;
        await proposer.kill();
        t.diagnostic(`proposer killed right after sending the root of batch ${rootSeen + 1}`);
        await stream.acks(stream.acked.length + 50);
        proposer = await r.startValidator({ mode: 'propose', datadir });
        await stream.acks(stream.acked.length + 100);
      } finally {
        await stream.stop();
      }
      await checkAfterRestarts(t, r, stream, proposer);
    } finally {
      await r.stop();
    }
  });

  it('kill -9 with the in-flight L1 transaction lost: the restarted poster and proposer post it again', async (t) => {
    const r = await startRollup();
    try {
      let proposer = await r.startValidator({ mode: 'propose' });
      const stream = await ethStream(r);
      const l1 = (method, params = []) => r.l1.send(method, params);
      const pendingOf = async (addr) => (await r.l1.getTransactionCount(addr, 'pending')) - (await r.l1.getTransactionCount(addr, 'latest'));
      /// Stops L1 mining, then mines one block at a time until `from` has transactions waiting
      /// in anvil's pool.
      const pauseWithPending = async (from) => {
        await l1('evm_setIntervalMining', [0]);
        await waitFor(async () => {
          if ((await pendingOf(from)) > 0) return true;
          await l1('evm_mine');
          return false;
        }, { intervalMs: 300, what: `a transaction of ${from} pending on L1` });
      };
      /// `from`'s transactions in anvil's pool (nonce order) decoded with `contract`'s interface:
      /// read after the sender is killed, so none is added meanwhile (a pipelined poster may
      /// send another batch between the pause and the kill).
      const poolOf = async (from, contract) => {
        const pool = await l1('txpool_content');
        const txs = Object.entries(pool.pending).find(([a]) => a.toLowerCase() === from.toLowerCase())[1];
        return Object.values(txs).sort((x, y) => Number(x.nonce) - Number(y.nonce))
          .map((tx) => contract.interface.parseTransaction({ data: tx.input }));
      };
      try {
        await waitFor(() => stream.acked.length >= 100 && lastLogged(r.sequencer.output(), kSentRe) >= 1,
          { timeoutMs: 60000, what: '100 acks and batch 1 sent' });
        // L1 stops mining with the poster's batches (pipelined: one or more) in anvil's pool;
        // kill -9 the sequencer and drop them, as if they never reached L1.
        await pauseWithPending(r.wallets.poster.address);
        await r.sequencer.kill();
        const killedAt = stream.acked.length;
        const batchTxs = await poolOf(r.wallets.poster.address, r.inbox);
        assert.ok(batchTxs.length >= 1 && batchTxs.every((tx) => tx.name === 'addSequencerL2Batch'));
        const lost = Number(batchTxs[0].args.sequenceNumber);
        assert.equal(await pendingOf(r.wallets.poster.address), batchTxs.length, 'the batch transactions are pending on L1');
        await l1('anvil_removePoolTransactions', [r.wallets.poster.address]);
        assert.equal(await pendingOf(r.wallets.poster.address), 0);
        await l1('evm_setIntervalMining', [1]);  // L1 on again, 1 s blocks
        const restarted = await r.startSequencer();
        t.diagnostic(`sequencer killed after ${killedAt} acks with batches ${batchTxs.map((tx) => tx.args.sequenceNumber)} dropped from L1's pool`);
        await stream.acks(killedAt + 100);
        await waitFor(() => new RegExp(`batch poster: batch ${lost} sent`).test(restarted.output()),
          { what: `the restarted poster posting batch ${lost} again` });

        // The same for the proposer: L1 paused with its roots (pipelined: one or more) in the
        // pool; kill -9 the proposer and drop them.
        await waitFor(async () => lastLogged(proposer.output(), kRootRe) >= lost, { what: `the root of batch ${lost} posted` });
        await pauseWithPending(r.wallets.proposer.address);
        const datadir = proposer.datadir;
        await proposer.kill();
        const rootTxs = await poolOf(r.wallets.proposer.address, r.rollupCore);
        assert.ok(rootTxs.length >= 1 && rootTxs.every((tx) => tx.name === 'postStateRoot'));
        const rootLost = Number(rootTxs[0].args.batchSequenceNumber);
        assert.equal(await pendingOf(r.wallets.proposer.address), rootTxs.length, 'the root transactions are pending on L1');
        await l1('anvil_removePoolTransactions', [r.wallets.proposer.address]);
        assert.equal(await pendingOf(r.wallets.proposer.address), 0);
        await l1('evm_setIntervalMining', [1]);
        t.diagnostic(`proposer killed with the roots of batches ${rootTxs.map((tx) => tx.args.batchSequenceNumber)} dropped from L1's pool`);
        proposer = await r.startValidator({ mode: 'propose', datadir });
        await waitFor(() => new RegExp(`posting state root of batch ${rootLost}:`).test(proposer.output()),
          { what: `the restarted proposer posting the root of batch ${rootLost} again` });
        await stream.acks(stream.acked.length + 100);
      } finally {
        await stream.stop();
      }
      await checkAfterRestarts(t, r, stream, proposer);
    } finally {
      await r.stop();
    }
  });

  it('an L1 younger than the lag: the sequencer builds on L1 block 1 (never 0), its blocks are posted and proven', async () => {
    // With --l1-lag above the L1 head, head − lag would be block 0, which a batch cannot
    // reference (docs/batch-format.md: the running header starts at L1 block 0, advances ≥ 1);
    // the poster used to refuse message 1 forever ("L1 base fee changes without the L1 block
    // number advancing").
    const r = await startRollup({ sequencer: false });
    try {
      const seq = await r.startSequencer({ args: ['--l1-lag', '1000000'] });
      const proposer = await r.startValidator({ mode: 'propose' });
      const w = seq.wallet(1, seq.provider());
      for (let nonce = 0; nonce < 3; ++nonce) {
        assert.equal((await (await w.sendTransaction({ to: randomAddress(), value: 1000n, nonce })).wait()).status, 1);
      }
      const head = await blockNumberOf(seq);
      const blocks = await blocksOf(seq.url, 1, head);
      const l1Block1 = await r.l1.getBlock(1);
      for (const b of blocks) {
        // mixHash = sendCount (8 bytes) ‖ L1 block number (8) ‖ ArbOS version (8) ‖ 0 (docs/arbos.md)
        assert.equal(BigInt(`0x${b.mixHash.slice(18, 34)}`), 1n, `block ${Number(b.number)} L1 block number`);
      }
      assert.ok(l1Block1.baseFeePerGas > 0n);
      await r.waitPosted(head);
      await r.waitFinalized(head);
      const { blocks: all } = await checkL1Record(r, head);
      await checkSameChain(proposer, all, head, 'proposer');
    } finally {
      await r.stop();
    }
  });

  it('a sequencer with a non-poster key posts nothing and keeps soft-confirming; the inbox refuses NotBatchPoster', async () => {
    const r = await startRollup({ sequencer: false });
    try {
      const seq = await r.startSequencer({ posterKeyFile: r.files.strangerKey });
      const provider = seq.provider();
      const w = seq.wallet(1, provider);
      let nonce = 0;
      const sendSome = async (n) => {
        for (let i = 0; i < n; ++i) {
          const rc = await (await w.sendTransaction({ to: randomAddress(), value: 1000n, nonce: nonce++ })).wait();
          assert.equal(rc.status, 1);
        }
      };
      await sendSome(5);
      // The poster's gas estimate reverts; its log names the inbox's custom error by selector with
      // the stranger's address: NotBatchPoster(address) (src/poster does not decode the name).
      const refusal = /batch poster: L1 error.*/;
      const line = (await waitFor(() => seq.output().match(refusal), { what: 'the poster logging the refusal' }))[0];
      const selector = ethers.id('NotBatchPoster(address)').slice(2, 10);
      const who = r.wallets.stranger.address.slice(2).toLowerCase();
      assert.match(line, new RegExp(`reverted: custom error 0x${selector}: 0{24}${who}`), line);
      // soft confirmations go on after the refusal, and still nothing reaches the inbox
      await sendSome(5);
      await waitFor(() => (seq.output().match(/batch poster: L1 error/g) || []).length >= 2, { what: 'a second refusal' });
      assert.equal(await blockNumberOf(seq), 11);  // warm-up + 10
      assert.equal(await r.inbox.batchCount(), 0n);
      assert.deepEqual(await r.batches(), []);

      // The stranger's own batch, through ethers: refused with NotBatchPoster(stranger) ...
      const inbox = r.inbox.connect(r.wallets.stranger);
      const err = await revertOf(inbox.addSequencerL2Batch(0, '0x00', 0, 1));
      assert.deepEqual(err, { name: 'NotBatchPoster', args: [r.wallets.stranger.address] });
      // ... and, forced on chain without an estimate, mined as a reverted transaction.
      const tx = await inbox.addSequencerL2Batch(0, '0x00', 0, 1, { gasLimit: 300000n });
      await assert.rejects(tx.wait(), (e) => {
        assert.equal(e.receipt.status, 0);
        return true;
      });
      assert.equal(await r.inbox.batchCount(), 0n);
    } finally {
      await r.stop();
    }
  });
});
