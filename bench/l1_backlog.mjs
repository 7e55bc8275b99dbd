// The backlog at the L1 ceiling (issue 16 point 4; not a test): a whole real rollup from
// tests/lib/rollup.mjs against an anvil shaped like Fuse (5 s blocks, 20 M gas limit, London),
// offered ETH transfers above what the batch poster can put on L1, each signed with a fixed gas
// limit and max fee (a fixed budget). The load is generated here, not by bench/loadgen: loadgen
// pre-signs every sender's nonces, so one refusal leaves the rest of that sender's transactions
// with a nonce gap; here a sender whose transaction is refused signs its next one with the same
// nonce, as a wallet would. Every --sample-s it records, from the sequencer's metrics and JSON-RPC:
//   backlog   — L2 blocks and transactions sealed but not yet in a batch on L1 (head − safe);
//   to safe   — how long the head block of an earlier sample waited until `safe` covered it;
//   L1 price  — ArbOS's L1 price per byte (slot 4), its L1 backlog (slot 21) and the L1 base fee
//               the messages carry (slot 3), read with eth_getStorageAt at `latest`;
//   accepted / refused transactions per second (the pool's counters) and bytes posted to L1.
// Prints one line per sample, a table every --table-s, and a JSON document at the end.
//
//   cmake --build build/release --target fusel2 -j2
//   FUSEL2_BIN=build/release/bin/fusel2 nice -n 10 node bench/l1_backlog.mjs --minutes 10
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ethers } from 'ethers';
import { rpcBatch, startRollup } from '../tests/lib/rollup.mjs';

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },           // offered ETH transfers per second
    'gas-limit': { type: 'string', default: '41000' },   // fixed: 21000 + 20000 for the L1 part
    'max-fee-gwei': { type: 'string', default: '1' },    // fixed (the L2 floor is 0.01 gwei)
    senders: { type: 'string', default: '200' },
    'arbos-version': { type: 'string', default: '3' },   // 2: the same run without the L1 backlog
    'l1-target': { type: 'string', default: '4000' },    // fees.l1TargetBytesPerSecond
    'max-in-flight': { type: 'string', default: '1' },   // poster.max-in-flight
    'max-batch-size': { type: 'string', default: '50000' },
    'batch-delay-ms': { type: 'string', default: '2000' },
    'sample-s': { type: 'string', default: '5' },
    'table-s': { type: 'string', default: '30' },
    'l1-base-fee-wei': { type: 'string', default: '1000000' },  // anvil's first base fee (0.001 gwei)
    out: { type: 'string', default: '' },
  },
});
const kMinutes = Number(opt.minutes);
const kSampleMs = Number(opt['sample-s']) * 1000;
const kSenders = Number(opt.senders);
const wallets = Array.from({ length: kSenders }, (_, i) => new ethers.Wallet(ethers.id(`l1_backlog sender ${i}`)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kArbosState = '0xa4b05fffffffffffffffffffffffffffffffffff';

process.env.FUSE_L1_HARDFORK = 'london';  // tests/lib/anvil.mjs passes --hardfork london
const r = await startRollup({
  blockTime: 5,
  confirmations: 1,
  maxBatchDelayMs: Number(opt['batch-delay-ms']),
  // London's base fee falls 12.5% per block that is less than half full, as this L1's are (the
  // poster's batches use a few M gas of 20 M): start it low instead of waiting for the decay.
  anvilArgs: ['--gas-limit', '20000000', '--block-base-fee-per-gas', opt['l1-base-fee-wei']],
  editGenesis: (g) => {
    g.arbosVersion = Number(opt['arbos-version']);
    // Only L1 bytes should push back: a speed limit far above the offered compute gas.
    g.fees.speedLimitPerSecond = 1_000_000_000;
    for (const w of wallets) g.alloc[w.address.toLowerCase()] = { balance: '0x56bc75e2d63100000' };  // 100 ETH
    if (g.arbosVersion >= 3) g.fees.l1TargetBytesPerSecond = Number(opt['l1-target']);
    else for (const k of ['l1TargetBytesPerSecond', 'l1BacklogToleranceSeconds', 'l1PricingInertia']) delete g.fees[k];
  },
  sequencerArgs: ['--poster-max-in-flight', opt['max-in-flight'], '--poster-max-batch-size', opt['max-batch-size'],
    '--log-level', 'warn'],
});

const samples = [];
try {
  const seq = r.sequencer;
  const url = seq.url;
  const rpc = async (method, params) => (await rpcBatch(url, [[method, params]]))[0];
  const slot = async (n) => BigInt(await rpc('eth_getStorageAt', [kArbosState, `0x${n.toString(16)}`, 'latest']));

  // The load: --rate transfers a second for --minutes, each from the next idle sender.
  const chainId = BigInt(r.genesis.chainId);
  const gasLimit = BigInt(opt['gas-limit']);
  const maxFee = ethers.parseUnits(opt['max-fee-gwei'], 'gwei');
  const nonces = new Array(kSenders).fill(0);
  const busy = new Array(kSenders).fill(false);
  const load = { sent: 0, ok: 0, refused: 0, skipped: 0, firstErrors: new Map() };
  const sign = (i) => {
    const tx = ethers.Transaction.from({ type: 2, chainId, nonce: nonces[i], to: wallets[(i + 1) % kSenders].address,
      value: 1n, gasLimit, maxFeePerGas: maxFee, maxPriorityFeePerGas: 0n });
    tx.signature = wallets[i].signingKey.sign(tx.unsignedHash);
    return tx.serialized;
  };
  const sendOne = async (i) => {
    busy[i] = true;
    ++load.sent;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [sign(i)] }) });
      const j = await res.json();
      if (j.error) {
        ++load.refused;  // the nonce is not spent: the sender's next transaction reuses it
        const kind = j.error.message.replace(/[0-9]+/g, 'N');
        if (!load.firstErrors.has(kind)) load.firstErrors.set(kind, j.error.message);
      } else {
        ++load.ok;
        ++nonces[i];
      }
    } catch (e) {
      ++load.refused;
      if (!load.firstErrors.has(e.message)) load.firstErrors.set(e.message, e.message);
    } finally {
      busy[i] = false;
    }
  };
  const loadStart = Date.now();
  const loadEnd = loadStart + kMinutes * 60 * 1000;
  let due = 0;
  let next = 0;
  const loadDone = (async () => {
    while (Date.now() < loadEnd) {
      const want = Math.floor(((Date.now() - loadStart) / 1000) * Number(opt.rate));
      for (; due < want; ++due) {
        let k = 0;
        while (k < kSenders && busy[next]) { next = (next + 1) % kSenders; ++k; }
        if (k === kSenders) { ++load.skipped; continue; }  // every sender waits for an answer
        sendOne(next);
        next = (next + 1) % kSenders;
      }
      await sleep(20);
    }
  })();
  console.log(`load: ${opt.rate} ETH transfers/s for ${kMinutes} min from ${kSenders} senders, gas limit ${gasLimit}, max fee ${opt['max-fee-gwei']} gwei`);
  let exited = null;
  loadDone.then(() => { exited = 0; });

  const txCount = new Map();  // L2 block -> transactions
  let known = 0;
  const pending = [];         // {t, head} waiting for safe >= head
  let t0 = null;
  let prev = null;
  const endAt = Date.now() + (kMinutes * 60 + 120) * 1000;  // setup + run + drain margin
  while (Date.now() < endAt) {
    await sleep(kSampleMs);
    const m = await seq.metrics();
    const head = m.fusel2_head_block;
    const safe = m.fusel2_safe_block;
    if (head > known) {
      const calls = [];
      for (let n = known + 1; n <= head; ++n) calls.push(['eth_getBlockByNumber', [`0x${n.toString(16)}`, false]]);
      const blocks = await rpcBatch(url, calls);
      blocks.forEach((b, i) => txCount.set(known + 1 + i, b.transactions.length));
      known = head;
    }
    let unpostedTxs = 0;
    for (let n = safe + 1; n <= head; ++n) unpostedTxs += txCount.get(n) ?? 0;
    const now = Date.now();
    if (t0 === null && unpostedTxs > 0) t0 = now;
    const t = t0 === null ? 0 : (now - t0) / 1000;
    pending.push({ t, at: now, head });
    let toSafe = null;
    while (pending.length && pending[0].head <= safe) toSafe = (now - pending.shift().at) / 1000;
    const accepted = load.ok;
    const refused = load.refused;
    const s = {
      t: Math.round(t),
      head,
      safe,
      backlogBlocks: head - safe,
      backlogTxs: unpostedTxs,
      toSafeS: toSafe,
      l1BaseFee: Number(await slot(3)),
      l1PricePerByte: Number(await slot(4)),
      arbosL1Backlog: Number(await slot(21)),
      postedBytes: m.fusel2_poster_bytes_total ?? 0,
      batches: m.fusel2_poster_batches_total ?? 0,
      accepted,
      refused,
    };
    if (prev) {
      const dt = (now - prev.at) / 1000;
      s.acceptedPerS = (accepted - prev.accepted) / dt;
      s.refusedPerS = (refused - prev.refused) / dt;
      s.postedBytesPerS = (s.postedBytes - prev.postedBytes) / dt;
    }
    prev = { ...s, at: now };
    samples.push(s);
    console.log(JSON.stringify(s));
    if (exited !== null && s.backlogBlocks === 0) break;
  }
  await loadDone;
  console.log(`load: sent ${load.sent}, accepted ${load.ok}, refused ${load.refused}, not sent (every sender busy) ${load.skipped}`);
  for (const m of load.firstErrors.values()) console.log(`  refusal: ${m}`);

  // The table: one row per --table-s of the run.
  const every = Math.max(1, Math.round(Number(opt['table-s']) * 1000 / kSampleMs));
  console.log('\n| t (s) | accepted tx/s | refused tx/s | backlog blocks | backlog txs | to safe (s) | ArbOS L1 backlog (B) | L1 price (gwei/B) | L1 base fee (gwei) | posted B/s |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (let i = 1; i < samples.length; i += every) {
    const w = samples.slice(i, i + every);
    const avg = (k) => w.reduce((a, x) => a + (x[k] ?? 0), 0) / w.length;
    const last = w[w.length - 1];
    const toSafe = w.map((x) => x.toSafeS).filter((x) => x !== null);
    console.log(`| ${last.t} | ${avg('acceptedPerS').toFixed(0)} | ${avg('refusedPerS').toFixed(0)} | ${last.backlogBlocks} | ${last.backlogTxs} | ${toSafe.length ? Math.max(...toSafe).toFixed(0) : '-'} | ${last.arbosL1Backlog} | ${(last.l1PricePerByte / 1e9).toFixed(3)} | ${(last.l1BaseFee / 1e9).toFixed(4)} | ${avg('postedBytesPerS').toFixed(0)} |`);
  }
  if (opt.out) fs.writeFileSync(opt.out, JSON.stringify({ options: opt, load: { ...load, firstErrors: [...load.firstErrors.values()] }, samples }, null, 1));
} finally {
  await r.stop();
}
