// Starts a real anvil node (the L1 in tests and the devnet) on a free port of 127.0.0.1 and stops
// it again. anvil binds port 0 itself and prints the port it got, so there is no race between
// picking a port and binding it. The process is anvil's own binary (not the npm .bin wrapper),
// so the PID held here is anvil's and stopping it leaves nothing behind.
//
//   import { startAnvil } from '../../tests/lib/anvil.mjs';
//   const anvil = await startAnvil({ hardfork: 'london' });
//   ... anvil.url, anvil.provider(), anvil.wallet(i) ...
//   await anvil.stop();
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { ethers } from 'ethers';
import { foundryBin } from './foundry.mjs';

/// anvil's binary from the npm package (TOOLCHAIN.md); env ANVIL_BIN overrides.
export const kAnvilBin = foundryBin('anvil');

/// anvil's default dev mnemonic: its accounts are public test accounts funded with 10000 ETH.
export const kAnvilMnemonic = 'test test test test test test test test test test test junk';

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');  // last resort if a test forgot stop()
});

/// A JSON-RPC provider without ethers' 250 ms call cache (TOOLCHAIN.md) and with fast polling.
export function makeProvider(url) {
  const provider = new ethers.JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  provider.pollingInterval = 50;
  return provider;
}

/// Starts anvil. Options: chainId (default 31337), hardfork (default env FUSE_L1_HARDFORK or
/// 'london', the Fuse L1 floor), blockTime (seconds; default automine), accounts (default 10),
/// port (default 0 = any free port; a fixed one restarts "the same" L1 — with `--state FILE` in
/// extraArgs it also keeps its chain), extraArgs, startTimeoutMs. Resolves once anvil listens;
/// rejects with its output if it exits.
export async function startAnvil({
  chainId = 31337,
  hardfork = process.env.FUSE_L1_HARDFORK || 'london',
  blockTime,
  accounts = 10,
  port: wantPort = 0,
  extraArgs = [],
  startTimeoutMs = 20000,
} = {}) {
  if (!fs.existsSync(kAnvilBin)) throw new Error(`anvil not found at ${kAnvilBin}: run scripts/setup.sh`);
  const args = ['--host', '127.0.0.1', '--port', String(wantPort), '--chain-id', String(chainId), '--accounts', String(accounts)];
  if (hardfork) args.push('--hardfork', hardfork);
  if (blockTime !== undefined) args.push('--block-time', String(blockTime));
  args.push(...extraArgs);
  const child = spawn(kAnvilBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`anvil did not start within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(/Listening on 127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`anvil exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });
  // Keep draining the pipes so anvil never blocks on a full pipe; keep only the tail.
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  const keepTail = (chunk) => {
    output = (output + chunk.toString()).slice(-20000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);

  const url = `http://127.0.0.1:${port}`;
  const providers = [];
  let stopped = false;
  return {
    url,
    port,
    pid: child.pid,
    chainId,
    /// A provider for this node (destroyed by stop()).
    provider() {
      const p = makeProvider(url);
      providers.push(p);
      return p;
    },
    /// Dev account `index` (funded), as an ethers Wallet connected to `provider`.
    wallet(index, provider) {
      const w = ethers.HDNodeWallet.fromPhrase(kAnvilMnemonic, undefined, `m/44'/60'/0'/0/${index}`);
      return new ethers.Wallet(w.privateKey, provider || this.provider());
    },
    /// Last ~20 KB of anvil's output, for failure messages.
    output: () => output,
    /// Sends an RPC call directly (e.g. 'evm_mine', 'anvil_setCode').
    rpc(method, params = []) {
      return (providers[0] || this.provider()).send(method, params);
    },
    /// Stops anvil (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent.
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const p of providers) p.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}
