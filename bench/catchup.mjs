// Validator catch-up (issue 16 point 2; a benchmark, not a test): a whole rollup from
// tests/lib/rollup.mjs (anvil as L1, the sequencer with its batch poster), a history of
// --txs transactions sequenced by bench/loadgen (--mode mixed: ETH and ERC-20 transfers) and
// posted to the SequencerInbox; then the sequencer is stopped (a quiet machine) and a fresh
// `fusel2 node --role validator` (follow mode, empty datadir) derives the chain from L1 alone.
// Timed: from the validator's spawn to its head = the sequencer's head (its block hash checked
// against the sequencer's). Prints Mgas/s (sum of the blocks' gasUsed, L1 part included, over
// that time), tx/s, blocks and batches. Each --validator-bin (comma-separated; default the
// build's fusel2) runs --runs times on the same history, so two builds compare on one history.
//
//   cmake --build build/release --target fusel2 loadgen -j2 && node bench/loadgen/build_token.mjs
//   nice -n 10 node bench/catchup.mjs [--txs 100000] [--rate 2500] [--validator-bin a,b] [--runs 2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { rpcBatch, startRollup, waitFor } from '../tests/lib/rollup.mjs';
import { kFusel2Bin } from '../tests/lib/fusel2.mjs';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    txs: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '2500' },       // loadgen's offered tx/s
    connections: { type: 'string', default: '16' },
    senders: { type: 'string', default: '1000' },
    'batch-delay-ms': { type: 'string', default: '1000' },
    'l1-block-time': { type: 'string', default: '0.25' },
    'validator-bin': { type: 'string', default: kFusel2Bin },
    'validator-args': { type: 'string', default: '' },
    // A command the validator runs under, e.g. --wrap 'perf record -g -o /tmp/v.data'.
    wrap: { type: 'string', default: '' },
    runs: { type: 'string', default: '1' },
    loadgen: { type: 'string', default: path.join(repoDir, 'build', 'release', 'bench', 'loadgen', 'loadgen') },
    out: { type: 'string' },
  },
});
const kTxs = Number(opt.txs);
const kRate = Number(opt.rate);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rpc(url, method, params = []) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

function run(bin, args, logFile) {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'w');
    const child = spawn(bin, args, { stdio: ['ignore', log, log] });
    child.once('error', reject);
    child.once('exit', (code) => {
      fs.closeSync(log);
      resolve({ code, output: fs.readFileSync(logFile, 'utf8') });
    });
  });
}

/// User + system CPU seconds of process `pid` so far (/proc/<pid>/stat, 100 ticks a second);
/// with --wrap, the wrapper's (0).
function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/// One fresh validator with `bin` on `datadir`: resolves to {seconds, ...} once its head is
/// `head` with the sequencer's hash `hash`.
async function catchUp(rollup, bin, datadir, head, hash, logFile) {
  const extra = opt['validator-args'].split(/\s+/).filter(Boolean);
  const args = ['node', '--role', 'validator', '--datadir', datadir, '--http-port', '0', '--metrics-port', '0',
    '--log-format', 'text', '--genesis', rollup.files.genesis, '--l1-url', rollup.anvil.url,
    '--l1-deployment', rollup.files.deployment, '--l1-confirmations', '1', '--l1-poll-ms', '100',
    '--validator-mode', 'follow', ...extra];
  const log = fs.openSync(logFile, 'w');
  const t0 = process.hrtime.bigint();
  const wrap = opt.wrap.split(/\s+/).filter(Boolean);
  const child = wrap.length ? spawn(wrap[0], [...wrap.slice(1), bin, ...args], { stdio: ['ignore', log, log] })
    : spawn(bin, args, { stdio: ['ignore', log, log] });
  let exited = null;
  child.once('exit', (code, signal) => { exited = { code, signal }; });
  child.once('error', (e) => { exited = { error: e.message }; });
  try {
    const endpoints = path.join(datadir, 'endpoints.json');
    const ep = await waitFor(() => {
      if (exited) throw new Error(`validator exited ${JSON.stringify(exited)}: see ${logFile}`);
      return fs.existsSync(endpoints) && JSON.parse(fs.readFileSync(endpoints, 'utf8'));
    }, { timeoutMs: 60000, intervalMs: 10, what: 'the validator\'s endpoints.json' });
    const url = ep.http;
    let at = 0;
    const deadline = Date.now() + 1800000;
    while (at < head) {
      if (exited) throw new Error(`validator exited ${JSON.stringify(exited)} at block ${at}: see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`validator still at block ${at} of ${head}: see ${logFile}`);
      try {
        at = Number(await rpc(url, 'eth_blockNumber'));
      } catch { /* not serving yet */ }
      if (at < head) await sleep(20);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(child.pid);
    const blk = await rpc(url, 'eth_getBlockByNumber', [`0x${head.toString(16)}`, false]);
    if (blk.hash !== hash) throw new Error(`validator block ${head} is ${blk.hash}, the sequencer's ${hash}`);
    // Where the time went, if this build reports it (docs/validator.md "Catch-up").
    const stages = {};
    if (ep.metrics) {
      const text = await (await fetch(new URL('/metrics', ep.metrics))).text();
      for (const m of text.matchAll(/^fusel2_validator_derive_seconds_total\{stage="(\w+)"\} ([0-9.e+-]+)$/gm))
        stages[m[1]] = Number(m[2]);
    }
    return { seconds, stages, cpu };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (exited ? r() : child.once('exit', r)));
    fs.closeSync(log);
  }
}

async function main() {
  for (const f of [opt.loadgen, ...opt['validator-bin'].split(',')])
    if (!fs.existsSync(f)) throw new Error(`${f} not found (cmake --build build/release --target fusel2 loadgen)`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-catchup-'));
  // The history must not be priced out: ArbOS's L1-byte backlog (docs/arbos.md) and the compute
  // speed limit far above what the load produces, so every offered transaction is sequenced.
  const rollup = await startRollup({
    blockTime: Number(opt['l1-block-time']),
    maxBatchDelayMs: Number(opt['batch-delay-ms']),
    editGenesis: (g) => {
      g.fees.speedLimitPerSecond = 1_000_000_000;
      if (g.arbosVersion >= 3) g.fees.l1TargetBytesPerSecond = 100_000_000;
    },
    // The L1 base fee low (0.001 gwei, as the replay bench's history): the L1 data fee,
    // expressed in L2 gas, is then a small part of gasUsed (the validator computes it but it
    // is not work); both figures are printed.
    anvilArgs: ['--block-base-fee-per-gas', '1000000'],
    sequencerArgs: ['--log-level', 'warn'],
  });
  const results = [];
  try {
    const seq = rollup.sequencer;
    const tLoad = Date.now();
    // loadgen offers --rate for the time --txs needs; on a busy machine it sends fewer (its "due
    // but not sent"): it runs again for what is missing, up to 5 rounds.
    for (let round = 0, have = 0; round < 5 && have < kTxs * 0.98; ++round) {
      const seconds = Math.max(5, Math.ceil((kTxs - have) / kRate));
      console.log(`history: loadgen --mode mixed --rate ${kRate} --duration ${seconds} (work dir ${work})`);
      const lg = await run(opt.loadgen, ['--url', `127.0.0.1:${seq.port}`, '--mode', 'mixed', '--rate', String(kRate),
        '--duration', String(seconds), '--connections', opt.connections, '--senders', opt.senders],
      path.join(work, 'loadgen.log'));
      console.log(lg.output.split('\n').filter((l) => /^(sent|error)/.test(l)).join('\n'));
      const m = lg.output.match(/^sent \d+, ok (\d+)/m);
      if (!m) throw new Error(`loadgen exited ${lg.code} without a summary: ${lg.output.slice(-2000)}`);
      have += Number(m[1]);
    }
    const head = Number(await rpc(seq.url, 'eth_blockNumber'));
    await rollup.waitPosted(head, { timeoutMs: 1800000 });
    console.log(`history sequenced and posted in ${((Date.now() - tLoad) / 1000).toFixed(0)} s`);
    // The history's size, from the sequencer.
    let gas = 0n;
    let l1Gas = 0n;
    let txs = 0;
    const calls = [];
    for (let n = 1; n <= head; ++n) calls.push(['eth_getBlockByNumber', [`0x${n.toString(16)}`, false]]);
    const blocks = await rpcBatch(seq.url, calls);
    for (const b of blocks) {
      gas += BigInt(b.gasUsed);
      txs += b.transactions.length;
    }
    const receipts = await rpcBatch(seq.url, calls.map(([, [n]]) => ['eth_getBlockReceipts', [n]]), { chunk: 100 });
    for (const rs of receipts) for (const x of rs) l1Gas += BigInt(x.gasUsedForL1 ?? 0);
    const hash = blocks.at(-1).hash;
    const batches = (await rollup.batches()).length;
    await seq.stop();  // a quiet machine for the validator: only anvil (mining) stays
    console.log(`history: ${txs} txs in ${head} L2 blocks, ${batches} batches on L1, ${(Number(gas) / 1e9).toFixed(3)} Ggas ` +
      `(${(Number(gas - l1Gas) / 1e9).toFixed(3)} without the L1 part)`);

    const bins = opt['validator-bin'].split(',');
    for (let r = 0; r < Number(opt.runs); ++r) {
      for (const [i, bin] of bins.entries()) {
        const datadir = path.join(work, `validator-${i}-${r}`);
        const res = await catchUp(rollup, bin, datadir, head, hash, path.join(work, `validator-${i}-${r}.log`));
        const row = { bin, run: r, seconds: res.seconds, cpuSeconds: res.cpu, mgasPerS: Number(gas) / 1e6 / res.seconds,
          mgasPerSWithoutL1: Number(gas - l1Gas) / 1e6 / res.seconds,
          txPerS: txs / res.seconds, txs, blocks: head, batches, gas: gas.toString() };
        results.push(row);
        console.log(`catch-up ${bin} (run ${r + 1}): ${res.seconds.toFixed(2)} s, ${row.mgasPerS.toFixed(1)} Mgas/s ` +
          `(${row.mgasPerSWithoutL1.toFixed(1)} without L1 gas), ` +
          `${row.txPerS.toFixed(0)} tx/s (${txs} txs, ${head} blocks, ${batches} batches); CPU ${res.cpu} s; ` +
          `load average ${os.loadavg()[0].toFixed(1)}`);
        if (Object.keys(res.stages).length) {
          row.stages = res.stages;
          console.log(`  stages (s): ${Object.entries(res.stages).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
        }
        fs.rmSync(datadir, { recursive: true, force: true });
      }
    }
    if (opt.out) fs.writeFileSync(opt.out, JSON.stringify({ options: opt, results }, null, 1));
  } finally {
    await rollup.stop();
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
