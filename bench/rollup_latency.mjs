// Rollup latency (issue #6 benchmarks; not a test): on a whole real rollup from
// tests/lib/rollup.mjs (anvil as L1, sequencer + batch poster, proposer validator), send N ETH
// transfers at a steady rate and measure, per transaction, from the moment it is sent:
//   soft    — the sequencer answered its hash (the transaction is in a durable L2 block);
//   batch   — a SequencerBatchDelivered covering its block was seen on L1;
//   root    — a StateRootPosted covering its block was seen on RollupCore.
// L1 is polled every --poll-ms for both events (eth_getLogs over new blocks), so the L1 figures
// include up to that much polling delay. Prints p50/p90/max (ms) and one JSON line.
//
//   FUSEL2_BIN=build/release/bin/fusel2 node bench/rollup_latency.mjs \
//       --txs 300 --rate 20 --l1-block-time 1 --confirmations 1 --batch-delay-ms 200
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ethers } from 'ethers';
import { devKey } from '../tests/lib/fusel2.mjs';
import { rpcBatch, startRollup, waitFor } from '../tests/lib/rollup.mjs';

const { values: opt } = parseArgs({
  options: {
    txs: { type: 'string', default: '300' },
    rate: { type: 'string', default: '20' },  // transactions per second, all senders together
    'l1-block-time': { type: 'string', default: '1' },
    confirmations: { type: 'string', default: '1' },
    'batch-delay-ms': { type: 'string', default: '200' },
    senders: { type: 'string', default: '9' },  // dev accounts 1..senders
    'poll-ms': { type: 'string', default: '25' },
  },
});
const kTxs = Number(opt.txs);
const kRate = Number(opt.rate);
const kSenders = Number(opt.senders);
const kPollMs = Number(opt['poll-ms']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function post(url, method, params) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

/// Polls L1 for new SequencerBatchDelivered / StateRootPosted events and records when each was
/// first seen: batches [{newMessageCount, seenAt}], roots [{l2BlockNumber, seenAt}].
function watchL1(r) {
  const batches = [];
  const roots = [];
  let from = Number(r.deployment.deployBlock ?? 0);
  let stop = false;
  const batchTopic = r.inbox.interface.getEvent('SequencerBatchDelivered').topicHash;
  const rootTopic = r.rollupCore.interface.getEvent('StateRootPosted').topicHash;
  const loop = (async () => {
    while (!stop) {
      try {
        await poll();
      } catch (e) {
        if (!stop) console.error(`L1 poll failed (retrying): ${e.message}`);
      }
      await sleep(kPollMs);
    }
  })();
  async function poll() {
    const head = Number(await post(r.anvil.url, 'eth_blockNumber', []));
    if (head < from) return;
    const logs = await post(r.anvil.url, 'eth_getLogs', [{ fromBlock: ethers.toQuantity(from), toBlock: ethers.toQuantity(head),
      address: [r.deployment.inbox, r.deployment.rollup], topics: [[batchTopic, rootTopic]] }]);
    const seenAt = performance.now();
    for (const l of logs) {
      if (l.topics[0] === batchTopic) {
        batches.push({ newMessageCount: Number(r.inbox.interface.parseLog(l).args.newMessageCount), seenAt, l1Block: Number(l.blockNumber) });
      } else {
        roots.push({ l2BlockNumber: Number(r.rollupCore.interface.parseLog(l).args.l2BlockNumber), seenAt, l1Block: Number(l.blockNumber) });
      }
    }
    from = head + 1;
  }
  return { batches, roots, stop: async () => { stop = true; await loop; } };
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: at(0.5), p90: at(0.9), max: s.at(-1) };
}

const load = os.loadavg();
const r = await startRollup({
  blockTime: Number(opt['l1-block-time']),
  confirmations: Number(opt.confirmations),
  maxBatchDelayMs: Number(opt['batch-delay-ms']),
});
let watcher;
try {
  await r.startValidator({ mode: 'propose' });
  const url = r.sequencer.url;
  const provider = r.sequencer.provider();
  const fd = await provider.getFeeData();
  const fees = { maxFeePerGas: fd.maxFeePerGas * 10n, maxPriorityFeePerGas: 0n };
  const wallets = Array.from({ length: kSenders }, (_, i) => new ethers.Wallet(devKey(i + 1)));
  const gasLimit = 3n * await provider.estimateGas({ from: wallets[0].address, to: wallets[1].address, value: 1n });
  const nonces = await Promise.all(wallets.map(async (w) => Number(await post(url, 'eth_getTransactionCount', [w.address, 'latest']))));
  watcher = watchL1(r);

  // Transaction k leaves at t0 + k / rate from account k mod senders, after that account's
  // previous send was answered (one in flight per account keeps the nonces in order).
  const raws = [];
  for (let k = 0; k < kTxs; ++k) {
    const a = k % kSenders;
    raws.push(await wallets[a].signTransaction({ type: 2, chainId: r.chainId, nonce: nonces[a]++,
      to: ethers.Wallet.createRandom().address, value: 1000n, gasLimit, ...fees }));
  }
  const txs = raws.map((raw, k) => ({ k, raw }));
  const chains = wallets.map(() => Promise.resolve());
  const t0 = performance.now() + 200;
  for (const tx of txs) {
    const a = tx.k % kSenders;
    chains[a] = chains[a].then(async () => {
      const wait = t0 + (tx.k * 1000) / kRate - performance.now();
      if (wait > 0) await sleep(wait);
      tx.sentAt = performance.now();
      tx.hash = await post(url, 'eth_sendRawTransaction', [tx.raw]);
      tx.ackAt = performance.now();
    });
  }
  await Promise.all(chains);
  const sendSeconds = (txs.at(-1).sentAt - txs[0].sentAt) / 1000;
  const receipts = await rpcBatch(url, txs.map((t) => ['eth_getTransactionReceipt', [t.hash]]));
  receipts.forEach((rc, i) => {
    if (!rc || rc.status !== '0x1') throw new Error(`transaction ${txs[i].hash} has no successful receipt`);
    txs[i].block = Number(rc.blockNumber);
  });
  const last = Math.max(...txs.map((t) => t.block));
  await waitFor(() => watcher.roots.some((x) => x.l2BlockNumber >= last), { timeoutMs: 300000, intervalMs: 50, what: `a root for block ${last}` });
  await watcher.stop();

  const firstSeen = (events, field, block) => events.find((e) => e[field] >= block).seenAt;
  const soft = txs.map((t) => t.ackAt - t.sentAt);
  const batch = txs.map((t) => firstSeen(watcher.batches, 'newMessageCount', t.block) - t.sentAt);
  const root = txs.map((t) => firstSeen(watcher.roots, 'l2BlockNumber', t.block) - t.sentAt);
  /// Events per L1 block over the L1 blocks from the first to the last event.
  const perL1Block = (events) => Number((events.length / (events.at(-1).l1Block - events[0].l1Block + 1)).toFixed(2));
  const result = {
    txs: kTxs, rate: kRate, achievedRate: Number((kTxs / sendSeconds).toFixed(1)), senders: kSenders,
    l1BlockTime: Number(opt['l1-block-time']), confirmations: Number(opt.confirmations),
    batchDelayMs: Number(opt['batch-delay-ms']), pollMs: kPollMs, lastL2Block: last, batches: watcher.batches.length,
    roots: watcher.roots.length, batchesPerL1Block: perL1Block(watcher.batches), rootsPerL1Block: perL1Block(watcher.roots),
    loadavgBefore: load.map((x) => x.toFixed(1)).join(' '),
    loadavgAfter: os.loadavg().map((x) => x.toFixed(1)).join(' '), cpus: os.cpus().length,
    softMs: stats(soft), batchMs: stats(batch), rootMs: stats(root),
  };
  const fmt = (s) => `${s.p50.toFixed(1).padStart(8)} ${s.p90.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)}`;
  console.log(`${kTxs} txs at ${kRate}/s (achieved ${result.achievedRate}/s), L1 block ${result.l1BlockTime} s, ` +
    `confirmations ${result.confirmations}, batch delay ${result.batchDelayMs} ms: up to L2 block ${last}, ` +
    `${result.batches} batches (${result.batchesPerL1Block}/L1 block), ${result.roots} roots (${result.rootsPerL1Block}/L1 block); load ${result.loadavgBefore} -> ${result.loadavgAfter} on ${result.cpus} CPUs`);
  console.log('latency from send (ms)      p50      p90      max');
  console.log(`soft confirmation     ${fmt(result.softMs)}`);
  console.log(`in a batch on L1      ${fmt(result.batchMs)}`);
  console.log(`root on RollupCore    ${fmt(result.rootMs)}`);
  console.log(JSON.stringify(result));
} finally {
  if (watcher) await watcher.stop();
  await r.stop();
}
