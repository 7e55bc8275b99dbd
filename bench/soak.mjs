// Soak (issue #15 point 6; a benchmark, not a test): a whole rollup on one machine — anvil as
// L1, the sequencer with its batch poster, a proposer validator and a watcher validator — under a
// steady mixed load (loadgen --mode mixed: ETH and ERC-20 transfers) for a given time. It records,
// per interval, the latency of the requests due in it (every request, errors and timeouts
// included: loadgen's due-time latency), the resident memory (VmRSS) of each process and the
// size of each datadir; at the end it checks that
//   - every acknowledged transaction has its receipt on the sequencer and on the watcher (which
//     derived the chain from L1 alone),
//   - every state root posted on RollupCore equals the sequencer's block (hash and state root),
//     and the last one covers the last block,
//   - the watcher raised no mismatch alarm and agrees with the sequencer at the head,
// and exits 1 if any check fails. bench/soak.sh runs it; bench/README.md ("Soak") has figures.
//
//   node bench/soak.mjs --minutes 30 --rate 150 [--interval-s 60] [--out soak.json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { rpcBatch, startRollup, waitFor } from '../tests/lib/rollup.mjs';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '150' },          // transactions per second offered
    'interval-s': { type: 'string', default: '60' },   // one timeline row per interval
    'sample-s': { type: 'string', default: '5' },      // memory / disk sampling period
    connections: { type: 'string', default: '16' },
    senders: { type: 'string', default: '256' },
    'l1-block-time': { type: 'string', default: '1' },
    'batch-delay-ms': { type: 'string', default: '1000' },
    loadgen: { type: 'string', default: path.join(repoDir, 'build', 'release', 'bench', 'loadgen', 'loadgen') },
    out: { type: 'string' },
    // Extra flags for every node, e.g. --node-args='--db-cache-mb 16' (a small cache fills
    // within minutes, so the soak shows where resident memory levels off).
    'node-args': { type: 'string', default: '' },
  },
});
const kSeconds = Math.round(Number(opt.minutes) * 60);
const kRate = Number(opt.rate);
const kIntervalS = Number(opt['interval-s']);
const kSampleMs = Number(opt['sample-s']) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => (bytes / 1048576).toFixed(1);

/// Resident memory of `pid` in bytes (VmRSS), or null once it has exited.
function rss(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/// Bytes of the files under `dir` (what `du --apparent-size` counts).
function dirBytes(dir) {
  let total = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        try {
          total += fs.statSync(p).size;
        } catch { /* removed meanwhile (RocksDB compaction) */ }
      }
    }
  };
  walk(dir);
  return total;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

function runLoadgen(args, logFile) {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'w');
    const child = spawn(opt.loadgen, args, { stdio: ['ignore', log, log] });
    child.once('error', reject);
    child.once('exit', (code) => {
      fs.closeSync(log);
      resolve({ code, output: fs.readFileSync(logFile, 'utf8') });
    });
  });
}

async function main() {
  if (!fs.existsSync(opt.loadgen)) throw new Error(`${opt.loadgen} not found: cmake --build build/release --target loadgen`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-soak-'));
  const failures = [];
  const check = (ok, what) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  const nodeArgs = opt['node-args'].split(/\s+/).filter(Boolean);
  const rollup = await startRollup({ blockTime: Number(opt['l1-block-time']), maxBatchDelayMs: Number(opt['batch-delay-ms']),
    sequencerArgs: nodeArgs });
  let stopSampling = false;
  try {
    const seq = rollup.sequencer;
    const proposer = await rollup.startValidator({ mode: 'propose', args: nodeArgs });
    const watcher = await rollup.startValidator({ mode: 'watch', sequencerUrl: seq.url, args: nodeArgs });
    const procs = { sequencer: seq, proposer, watcher };
    const pids = { sequencer: seq.pid, proposer: proposer.pid, watcher: watcher.pid, anvil: rollup.anvil.pid };
    console.log(`soak: ${opt.minutes} min at ${kRate} tx/s (mixed ETH/ERC-20), L1 block ${opt['l1-block-time']} s, ` +
      `node args [${nodeArgs.join(' ')}]; ` +
      `pids ${JSON.stringify(pids)}; work dir ${work}`);

    // Memory and disk, every sample period, from the start of the load.
    const samples = [];
    const t0 = Date.now();
    const sampler = (async () => {
      while (!stopSampling) {
        const s = { t: (Date.now() - t0) / 1000 };
        for (const [name, pid] of Object.entries(pids)) s[`rss_${name}`] = rss(pid);
        for (const [name, n] of Object.entries(procs)) {
          s[`disk_${name}`] = dirBytes(n.datadir);
          try {
            const m = await n.metrics();
            s[`memtables_${name}`] = m.fusel2_db_memtable_bytes;
            s[`cache_${name}`] = m.fusel2_db_block_cache_bytes;
          } catch { /* a sample without them */ }
        }
        try {
          s.head = Number(await rpc(seq.url, 'eth_blockNumber'));
          const root = await rollup.latestRoot();
          s.finalized = root ? root.l2BlockNumber : 0;
          s.posted = await rollup.postedBlocks();
        } catch (e) {
          s.error = e.message;
        }
        samples.push(s);
        await sleep(kSampleMs);
      }
    })();

    const timeline = path.join(work, 'timeline.csv');
    const acked = path.join(work, 'acked.txt');
    const lg = await runLoadgen(['--url', `127.0.0.1:${seq.port}`, '--mode', 'mixed', '--rate', String(kRate),
      '--duration', String(kSeconds), '--connections', opt.connections, '--senders', opt.senders,
      '--timeline', timeline, '--acked-file', acked], path.join(work, 'loadgen.log'));
    const loadEnd = (Date.now() - t0) / 1000;
    console.log(lg.output.split('\n').filter((l) => /^(sent|latency|error)/.test(l)).join('\n'));

    // Everything acknowledged must reach L1 and get a root; then the checks.
    const head = Number(await rpc(seq.url, 'eth_blockNumber'));
    await waitFor(async () => (await rollup.latestRoot())?.l2BlockNumber >= head,
      { timeoutMs: 600000, intervalMs: 1000, what: `a root for L2 block ${head}` });
    const settledAt = (Date.now() - t0) / 1000;
    await sleep(kSampleMs);
    stopSampling = true;
    await sampler;

    const hashes = fs.readFileSync(acked, 'utf8').split('\n').filter(Boolean);
    check(lg.code === 0, `loadgen: every request acknowledged (exit ${lg.code})`);
    for (const [name, url] of [['sequencer', seq.url], ['watcher', watcher.url]]) {
      await waitFor(async () => Number(await rpc(url, 'eth_blockNumber')) >= head,
        { timeoutMs: 300000, intervalMs: 500, what: `${name} at block ${head}` });
      const receipts = await rpcBatch(url, hashes.map((h) => ['eth_getTransactionReceipt', [h]]), { chunk: 500 });
      const missing = receipts.filter((r) => !r).length;
      const failed = receipts.filter((r) => r && r.status !== '0x1').length;
      check(missing === 0 && failed === 0,
        `${name}: ${hashes.length} acknowledged transactions, ${missing} without a receipt, ${failed} failed`);
    }
    const roots = await rollup.rootEvents();
    const blocks = await rpcBatch(seq.url, roots.map((r) => ['eth_getBlockByNumber', [`0x${r.l2BlockNumber.toString(16)}`, false]]));
    const bad = roots.filter((r, i) => blocks[i]?.hash !== r.l2BlockHash || blocks[i]?.stateRoot !== r.stateRoot);
    check(bad.length === 0 && roots.length > 0 && roots.at(-1).l2BlockNumber >= head,
      `${roots.length} posted roots equal the sequencer's blocks (${bad.length} differ), the last at block ${roots.at(-1)?.l2BlockNumber} >= head ${head}`);
    const [sh, wh] = await Promise.all([seq, watcher].map((n) => rpc(n.url, 'eth_getBlockByNumber', [`0x${head.toString(16)}`, false])));
    check(sh.hash === wh.hash, `watcher's block ${head} equals the sequencer's`);
    const wm = await watcher.metrics();
    const mismatch = Object.entries(wm).filter(([k, v]) => k.startsWith('fusel2_validator_mismatch') && v !== 0);
    check(mismatch.length === 0, `watcher mismatch alarm not raised (${JSON.stringify(Object.fromEntries(mismatch))})`);

    // The timeline: latency of the requests due in each interval; memory and disk at its end.
    const rows = [];
    const lines = fs.readFileSync(timeline, 'utf8').trim().split('\n').slice(1);
    const byInterval = new Map();
    const outcomes = {};
    for (const l of lines) {
      const [, due, lat, outcome] = l.split(',');
      const k = Math.floor(Number(due) / 1000 / kIntervalS);
      if (!byInterval.has(k)) byInterval.set(k, []);
      byInterval.get(k).push(Number(lat));
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    for (const [k, lats] of [...byInterval.entries()].sort((a, b) => a[0] - b[0])) {
      lats.sort((a, b) => a - b);
      const end = (k + 1) * kIntervalS;
      const s = samples.filter((x) => x.t <= end).at(-1) ?? samples[0];
      rows.push({
        minute: (end / 60).toFixed(1), requests: lats.length,
        p50_ms: +(percentile(lats, 50) / 1000).toFixed(2), p99_ms: +(percentile(lats, 99) / 1000).toFixed(2),
        max_ms: +(percentile(lats, 100) / 1000).toFixed(2),
        ...Object.fromEntries(Object.keys(pids).map((n) => [`rss_${n}_mb`, +mb(s[`rss_${n}`] ?? 0)])),
        ...Object.fromEntries(Object.keys(procs).map((n) => [`disk_${n}_mb`, +mb(s[`disk_${n}`] ?? 0)])),
        memtables_sequencer_mb: +mb(s.memtables_sequencer ?? 0), cache_sequencer_mb: +mb(s.cache_sequencer ?? 0),
        head: s.head, finalized: s.finalized,
      });
    }
    console.log(`\nrequests by outcome: ${JSON.stringify(outcomes)}; load ${loadEnd.toFixed(0)} s, settled at ${settledAt.toFixed(0)} s`);
    console.log('\n| minute | requests | p50 ms | p99 ms | max ms | RSS seq MB | RSS proposer MB | RSS watcher MB | RSS anvil MB | disk seq MB | disk proposer MB | disk watcher MB | seq memtables MB | seq block cache MB | L2 head | root at |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(`| ${r.minute} | ${r.requests} | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${r.rss_sequencer_mb} | ${r.rss_proposer_mb} | ` +
        `${r.rss_watcher_mb} | ${r.rss_anvil_mb} | ${r.disk_sequencer_mb} | ${r.disk_proposer_mb} | ${r.disk_watcher_mb} | ` +
        `${r.memtables_sequencer_mb} | ${r.cache_sequencer_mb} | ${r.head} | ${r.finalized} |`);
    }
    const summary = { minutes: Number(opt.minutes), rate: kRate, acknowledged: hashes.length, head, outcomes, rows, samples, failures };
    if (opt.out) fs.writeFileSync(opt.out, `${JSON.stringify(summary, null, 1)}\n`);
    console.log(failures.length === 0 ? '\nsoak: every check passed' : `\nsoak: ${failures.length} check(s) FAILED`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    stopSampling = true;
    await rollup.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`soak: ${e.stack || e.message}`);
  process.exit(2);
});
