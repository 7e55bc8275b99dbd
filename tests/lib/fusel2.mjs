// Starts the real `fusel2 node` binary (env FUSEL2_BIN, else build/release/bin/fusel2) on free
// ports of 127.0.0.1 and stops it again. The node binds port 0 itself and writes the ports it got
// to <datadir>/endpoints.json (so there is no race between picking a port and binding it); the
// node is ready when GET /ready answers 200 (docs/node.md "Health and readiness"), never judged
// from its log. Same process style as anvil.mjs.
//
//   import { startNode, nodeSkipReason } from '../lib/fusel2.mjs';
//   const node = await startNode();              // --dev, fresh temporary datadir
//   ... node.url, node.provider(), node.wallet(i), await node.metrics() ...
//   await node.stop();                           // SIGTERM, expects exit 0
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { kAnvilMnemonic, makeProvider } from './anvil.mjs';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const kFusel2Bin = process.env.FUSEL2_BIN || path.join(repoDir, 'build', 'release', 'bin', 'fusel2');
/// Chain id of `fusel2 node --dev` (src/node/config.hpp kDevChainId).
export const kDevChainId = 1220122n;
/// The dev genesis funds the accounts of anvil's mnemonic with 10,000 ETH each.
export const kDevMnemonic = kAnvilMnemonic;
export const kDevBalance = ethers.parseEther('10000');

/// Why the e2e tests cannot run with this binary (missing, or built without the node role), or
/// null. Tests pass it as `skip` so a tree without the chain libraries reports them as skipped.
export function nodeSkipReason() {
  if (!fs.existsSync(kFusel2Bin)) return `fusel2 not found at ${kFusel2Bin} (set FUSEL2_BIN)`;
  const r = spawnSync(kFusel2Bin, ['version'], { encoding: 'utf8' });
  if (r.status !== 0) return `fusel2 version failed: ${r.stderr}`;
  if (!/^node roles: .*sequencer/m.test(r.stdout)) return `this fusel2 has no node role: ${r.stdout.trim()}`;
  return null;
}

/// A dev account's private key (m/44'/60'/0'/0/index of the test mnemonic).
export function devKey(index) {
  return ethers.HDNodeWallet.fromPhrase(kDevMnemonic, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');  // last resort if a test forgot stop()
});

/// Runs fusel2 to completion (for commands that must fail fast). Resolves {code, signal, output
/// (stdout and stderr interleaved), stdout} once the process exited and its pipes closed.
/// Options: timeoutMs, env (added to this process's environment).
export function runFusel2(args, { timeoutMs = 20000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(kFusel2Bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    let stdout = '';
    child.stdout.on('data', (c) => { stdout += c; });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fusel2 ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, stdout });
    });
  });
}

/// Starts `fusel2 node`. Options: datadir (default: a fresh temporary folder, removed by stop()
/// unless keepDatadir or the caller gave it), args (extra flags; `--dev` is added unless args has
/// --genesis or noDev), metrics (default true), startTimeoutMs, mayExit (a node the test expects to
/// exit by itself, e.g. with --validator-exit-on-mismatch: its exit during start-up is not an
/// error; the test reads the exit code from stop()).
export async function startNode({ datadir, args = [], noDev = false, metrics = true, keepDatadir = false,
  warmup = true, startTimeoutMs = 30000, role = 'sequencer', chainId = kDevChainId, mayExit = false } = {}) {
  const ownDatadir = !datadir;
  datadir = datadir || fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-e2e-'));
  const argv = ['node', '--role', role, '--datadir', datadir, '--http-port', '0', '--log-format', 'text'];
  if (!noDev && !args.includes('--genesis')) argv.push('--dev');
  if (metrics) argv.push('--metrics-port', '0');
  else argv.push('--metrics-enabled=false');
  argv.push(...args);
  const endpointsFile = path.join(datadir, 'endpoints.json');
  fs.rmSync(endpointsFile, { force: true });  // a kill -9'd predecessor's
  const child = spawn(kFusel2Bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let output = '';
  const keepTail = (chunk) => {
    output = (output + chunk.toString()).slice(-50000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  let exitInfo = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    exitInfo = { code, signal };
    resolve(exitInfo);
  }));
  const ports = await waitUntilReady(endpointsFile, startTimeoutMs, () => exitInfo, () => output, mayExit).catch((e) => {
    child.kill('SIGKILL');
    running.delete(child);
    throw e;
  });

  const url = `http://127.0.0.1:${ports.http}`;
  if (warmup && role === 'sequencer') await warmUp(url);
  const providers = [];
  let stopped = false;
  const node = {
    url,
    wsUrl: `ws://127.0.0.1:${ports.http}`,
    metricsUrl: ports.metrics ? `http://127.0.0.1:${ports.metrics}/metrics` : null,
    port: ports.http,
    pid: child.pid,
    datadir,
    chainId,
    /// A provider without ethers' call cache (destroyed by stop()).
    provider() {
      const p = makeProvider(url);
      providers.push(p);
      return p;
    },
    /// A WebSocket provider (destroyed by stop()).
    wsProvider() {
      const p = new ethers.WebSocketProvider(this.wsUrl, undefined, { staticNetwork: true });
      providers.push(p);
      return p;
    },
    /// Dev account `index` as a Wallet on `provider` (default: a new provider).
    wallet(index, provider) {
      return new ethers.Wallet(devKey(index), provider || this.provider());
    },
    output: () => output,
    /// Resolves to {code, signal} when the process exits (on its own or stopped).
    exited,
    /// One JSON-RPC call; resolves to the whole response object ({result} or {error}).
    async rpc(method, params = []) {
      return this.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
    },
    /// POSTs `body` as is; resolves to the parsed JSON response.
    async post(body) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`not JSON (HTTP ${res.status}): ${text}`);
      }
    },
    /// GET /ready or /health: resolves to {status, body} (body parsed).
    async probe(which = '/ready') {
      const res = await fetch(`${url}${which}`);
      return { status: res.status, body: JSON.parse(await res.text()) };
    },
    /// The /metrics document parsed into { 'name{labels}': number }.
    async metrics() {
      const res = await fetch(this.metricsUrl);
      if (res.status !== 200) throw new Error(`/metrics answered HTTP ${res.status}`);
      return parseMetrics(await res.text());
    },
    /// SIGTERM, wait for the exit; resolves to {code, signal}. Removes an own datadir.
    async stop({ signal = 'SIGTERM', timeoutMs = 20000 } = {}) {
      if (stopped) return exited;
      stopped = true;
      for (const p of providers) p.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      if (ownDatadir && !keepDatadir) fs.rmSync(datadir, { recursive: true, force: true });
      return exited;
    },
    /// kill -9: no clean shutdown; the datadir is kept for a restart.
    async kill() {
      if (stopped) return exited;
      stopped = true;
      for (const p of providers) p.destroy();
      child.kill('SIGKILL');
      await exited;
      running.delete(child);
      return exited;
    },
  };
  return node;
}

/// Waits for <datadir>/endpoints.json, then for GET /ready to answer 200 — or 503 with a reason
/// other than "starting": a node that reports a problem (a watcher's alarm, a halted sequencer)
/// is up and serving, and the test is there to observe the problem. Resolves to the ports
/// {http, metrics} (with mayExit, also when the node exits: its ports if it had bound them). Rejects when the node exits first or the time runs out.
async function waitUntilReady(endpointsFile, timeoutMs, exitInfo, output, mayExit = false) {
  const deadline = Date.now() + timeoutMs;
  let ports = null;
  let last = 'no endpoints.json yet';
  while (Date.now() < deadline) {
    const exit = exitInfo();
    if (exit && mayExit) return ports ?? { http: 0, metrics: null };
    if (exit) {
      throw new Error(`fusel2 node exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${output()}`);
    }
    if (!ports && fs.existsSync(endpointsFile)) {
      const ep = JSON.parse(fs.readFileSync(endpointsFile, 'utf8'));
      ports = { http: Number(new URL(ep.http).port), metrics: ep.metrics ? Number(new URL(ep.metrics).port) : null };
    }
    if (ports) {
      try {
        const res = await fetch(`http://127.0.0.1:${ports.http}/ready`);
        const body = await res.text();
        last = `/ready: HTTP ${res.status} ${body}`;
        if (res.status === 200) return ports;
        if (res.status === 503 && !['starting', 'stopping'].includes(JSON.parse(body).reason)) return ports;
      } catch (e) {
        last = `/ready: ${e.message}`;
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fusel2 node was not ready within ${timeoutMs} ms (${last}):\n${output()}`);
}

/// On a fresh chain (head = genesis), includes one self-transfer of dev account 0, so every test
/// starts on a chain with a block that recorded the L1 price (tests use accounts 1..9). Not a
/// work-around any more: eth_estimateGas on the genesis head prices the L1 data fee at the
/// sequencer's L1 base fee (docs/eth-rpc.md).
async function warmUp(url) {
  const provider = makeProvider(url);
  try {
    if ((await provider.getBlockNumber()) !== 0) return;
    const w = new ethers.Wallet(devKey(0), provider);
    const r = await (await w.sendTransaction({ to: w.address, value: 0n, gasLimit: 2_000_000n, nonce: 0 })).wait();
    if (r.status !== 1) throw new Error('warm-up transaction failed');
  } finally {
    provider.destroy();
  }
}

/// Parses Prometheus text format into { 'name{labels}': value } (labels as written).
export function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}
