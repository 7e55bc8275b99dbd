// `fusel2 devnet` and `fusel2 status` end to end (docs/devnet.md): the real binary starts a real
// anvil, deploys the real contracts and runs the sequencer + batch poster and a proposing
// validator; ethers v6 sends L2 transactions; `fusel2 status --json` and RollupCore on L1 show
// them finalized; the L2 ERC-20 gateway is in the devnet's genesis and initialized, so an L1 token
// goes in with `fusel2 bridge deposit --token` (its bridged copy minted with the L1 metadata) and
// back out (withdraw, root posted, claim; supply equation); SIGINT stops everything (exit 0, no
// process left); a second run continues the same chain (the gateway not initialized twice); a
// SIGKILL of every devnet process, then a restart, continues too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ethers } from 'ethers';
import { makeProvider } from '../lib/anvil.mjs';
import { artifact, buildBridgeContracts, l2Artifact, testL1Artifact } from '../lib/contracts.mjs';
import { devKey, kFusel2Bin, nodeSkipReason, runFusel2 } from '../lib/fusel2.mjs';
import { checkSupplyEquation } from '../lib/supply.mjs';

const skip = nodeSkipReason() ?? false;

/// A port that was free a moment ago (the devnet binds fixed ports, as a user would give them).
async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function freePorts() {
  const ports = new Set();
  while (ports.size < 5) ports.add(await freePort());
  const [l1, http, vhttp, metrics, vmetrics] = [...ports];
  return { l1, http, vhttp, metrics, vmetrics };
}

const running = new Set();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
});

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what, fn, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/// Starts `fusel2 devnet` in its own process group; resolves once the banner is printed.
async function startDevnet(datadir, ports, extra = [], env = {}) {
  const args = ['devnet', '--datadir', datadir, '--l1-port', String(ports.l1), '--http-port', String(ports.http),
    '--validator-http-port', String(ports.vhttp), '--metrics-port', String(ports.metrics),
    '--validator-metrics-port', String(ports.vmetrics), ...extra];
  const child = spawn(kFusel2Bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } });
  running.add(child.pid);
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { err = (err + c).slice(-200000); });
  let exit = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    running.delete(child.pid);
    exit = { code, signal };
    resolve(exit);
  }));
  await waitFor('the devnet banner', () => exit || out.includes('Ctrl-C to stop.'), 150000, 100);
  const result = exit && !out.includes('Ctrl-C to stop.') ? exit : 'up';
  const dev = {
    pid: child.pid,
    exited,
    output: () => out,
    log: () => err,
    /// pid of each child from the "[devnet] started NAME (pid N" lines.
    pids() {
      const pids = {};
      for (const m of err.matchAll(/\[devnet\] started (\w+) \(pid (\d+)/g)) pids[m[1]] = Number(m[2]);
      return pids;
    },
  };
  if (result !== 'up') {
    dev.exit = result;
    return dev;
  }
  return dev;
}

async function status(datadir, ports, json = true) {
  const args = ['status', '--config', path.join(datadir, 'sequencer.toml'),
    '--validator-rpc', `http://127.0.0.1:${ports.vhttp}`];
  if (json) args.push('--json');
  const r = await runFusel2(args, { timeoutMs: 30000 });
  if (!json) return r;
  assert.equal(r.code, 0, r.output);
  return JSON.parse(r.output);
}

async function sendTransfers(url, count, to) {
  const provider = makeProvider(url);
  try {
    const w = new ethers.Wallet(devKey(3), provider);
    let nonce = await provider.getTransactionCount(w.address, 'pending');
    const receipts = [];
    for (let i = 0; i < count; ++i) {
      const tx = await w.sendTransaction({ to, value: 1000n + BigInt(i), gasLimit: 2000000n, nonce: nonce++ });
      receipts.push(await tx.wait());
    }
    for (const r of receipts) assert.equal(r.status, 1);
    return receipts;
  } finally {
    provider.destroy();
  }
}

/// `fusel2 bridge ARGS` (contracts/bridge.mjs): its JSON result; asserts exit 0.
async function bridgeCli(args) {
  const r = await runFusel2(['bridge', ...args], { timeoutMs: 180000 });
  assert.equal(r.code, 0, `fusel2 bridge ${args.join(' ')} exited ${r.code}:\n${r.output}`);
  return JSON.parse(r.stdout);
}

/// An ERC-20 through the devnet's bridge with the CLI, as docs/bridge.md walks through it: an L1
/// token deposited (the bridged copy minted on L2 with the L1 name, symbol and decimals), part of
/// it withdrawn and claimed on L1 once its root is posted and aged; then the supply equation.
async function bridgeTokenThroughDevnet(datadir, ports, deployment) {
  const l1url = `http://127.0.0.1:${ports.l1}`;
  const l2url = `http://127.0.0.1:${ports.http}`;
  const l1 = makeProvider(l1url);
  const l2 = makeProvider(l2url);
  try {
    // L1 account 4 (free for the user on the devnet) makes a token; its key is the CLI's.
    const user = new ethers.Wallet(devKey(4), l1);
    const keyFile = path.join(datadir, 'user4.key');
    fs.writeFileSync(keyFile, `${user.privateKey}\n`, { mode: 0o600 });
    const ta = testL1Artifact('TestToken');
    const token = await new ethers.ContractFactory(ta.abi, ta.bytecode, user).deploy(ethers.parseEther('1000'));
    await token.waitForDeployment();
    const l1Token = await token.getAddress();
    const common = ['--deployment', path.join(datadir, 'deployment.json'), '--key-file', keyFile];
    const L1 = ['--l1-rpc', l1url];
    const L2 = ['--l2-rpc', l2url];

    const dep = await bridgeCli(['deposit', ...L1, ...L2, ...common, '--token', l1Token, '--amount', '40', '--wait']);
    assert.equal(dep.l2Status, 1, JSON.stringify(dep));
    const gateway = new ethers.Contract(deployment.l2Gateway, l2Artifact('L2ERC20Gateway').abi, l2);
    assert.equal(await gateway.l1Gateway(), deployment.l1Gateway, 'the devnet initialized the L2 gateway');
    const l2TokenAddress = await gateway.calculateL2TokenAddress(l1Token);
    const copy = new ethers.Contract(l2TokenAddress, l2Artifact('BridgedERC20').abi, l2);
    assert.equal(await copy.balanceOf(user.address), ethers.parseEther('40'), 'the bridged token is minted on L2');
    assert.deepEqual([await copy.name(), await copy.symbol(), await copy.decimals(), await copy.l1Token()],
      [await token.name(), await token.symbol(), await token.decimals(), l1Token]);
    assert.equal(await token.balanceOf(deployment.l1Gateway), ethers.parseEther('40'), 'escrowed by the L1 gateway');

    const tokenTo = ethers.Wallet.createRandom().address;
    const wd = await bridgeCli(['withdraw', ...L2, ...common, '--token', l1Token, '--amount', '15', '--to', tokenTo]);
    assert.equal(await copy.balanceOf(user.address), ethers.parseEther('25'));
    await waitFor('the token withdrawal claimable', async () => {
      const st = await bridgeCli(['status', ...L1, ...L2, '--deployment', path.join(datadir, 'deployment.json'),
        '--withdrawal', String(wd.withdrawal)]);
      return st.state === 'claimable';
    }, 120000, 1000);
    await bridgeCli(['claim', ...L1, ...L2, ...common, '--withdrawal', String(wd.withdrawal)]);
    assert.equal(await token.balanceOf(tokenTo), ethers.parseEther('15'), 'the exact tokens on L1');
    assert.equal(await token.balanceOf(deployment.l1Gateway), ethers.parseEther('25'));

    await checkSupplyEquation({ l2Url: l2url, l1, deployment, genesisFile: path.join(datadir, 'genesis.json') });
  } finally {
    l1.destroy();
    l2.destroy();
  }
}

async function stopDevnet(dev, signal = 'SIGINT') {
  const pids = dev.pids();
  process.kill(dev.pid, signal);
  const timer = setTimeout(() => { try { process.kill(-dev.pid, 'SIGKILL'); } catch {} }, 90000);
  const e = await dev.exited;
  clearTimeout(timer);
  return { ...e, pids };
}

test('fusel2 devnet: up, transactions finalized on L1, clean stop, reuse, kill -9 and restart', { skip, timeout: 600000 }, async (t) => {
  const t0 = Date.now();
  const phase = (what) => t.diagnostic(`${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-devnet-e2e-'));
  const ports = await freePorts();
  const recipient = ethers.Wallet.createRandom().address;
  try {
    // --- first run: deploys, banner ---
    await buildBridgeContracts();
    // A short Outbox delay so that the token withdrawal below is claimable at once.
    let dev = await startDevnet(datadir, ports, ['--withdrawal-delay', '1']);
    assert.ok(!dev.exit, `devnet exited before its banner: ${JSON.stringify(dev.exit)}\n${dev.log()}`);
    phase('first run up');
    const banner = dev.output();
    const deployment = JSON.parse(fs.readFileSync(path.join(datadir, 'deployment.json'), 'utf8'));
    assert.match(banner, new RegExp(`http://127\\.0\\.0\\.1:${ports.l1} +chain id 31337`));
    assert.match(banner, new RegExp(`http://127\\.0\\.0\\.1:${ports.http} +chain id 1220122`));
    assert.ok(banner.includes(ethers.getAddress(deployment.inbox)), banner);
    assert.ok(banner.includes(ethers.getAddress(deployment.rollup)), banner);
    assert.ok(banner.includes(devKey(9)), 'the dev keys are listed');
    assert.match(banner, /new chain, contracts deployed/);
    assert.ok(banner.includes(`L1ERC20Gateway   ${ethers.getAddress(deployment.l1Gateway)}`), banner);
    assert.match(banner, /L2ERC20Gateway   0x0000000000000000000000000000000000004B01 /);
    assert.equal(deployment.l2Gateway, '0x0000000000000000000000000000000000004B01');
    assert.match(dev.log(), /L2ERC20Gateway 0x0000000000000000000000000000000000004B01 is initialized with the L1ERC20Gateway/);
    // The nodes' genesis is the devnet's file: the dev genesis plus the gateway's admin.
    const genesis = JSON.parse(fs.readFileSync(path.join(datadir, 'genesis.json'), 'utf8'));
    assert.equal(genesis.l2GatewayAdmin.toLowerCase(), new ethers.Wallet(devKey(0)).address.toLowerCase());
    assert.equal(deployment.genesisHash, JSON.parse(fs.readFileSync(path.join(datadir, 'devnet.json'), 'utf8')).genesisHash);
    for (const k of ['poster.key', 'proposer.key', 'deployer.key']) {
      assert.equal(fs.statSync(path.join(datadir, k)).mode & 0o777, 0o600, k);
    }
    assert.match(fs.readFileSync(path.join(datadir, 'validator.toml'), 'utf8'), /mode = "propose"/);
    const pids1 = dev.pids();
    assert.deepEqual(Object.keys(pids1).filter((n) => n !== 'deploy' && n !== 'gateway').sort(), ['l1', 'sequencer', 'validator']);

    // --- L2 transactions, finalized on L1 ---
    const l2url = `http://127.0.0.1:${ports.http}`;
    const receipts = await sendTransfers(l2url, 3, recipient);
    const lastBlock = Math.max(...receipts.map((r) => r.blockNumber));
    phase('3 transfers sent');
    const st = await waitFor('the transactions finalized', async () => {
      const s = await status(datadir, ports);
      return s.finalized >= lastBlock ? s : null;
    }, 90000, 500);
    phase('finalized');
    assert.equal(st.l2ChainId, 1220122);
    assert.equal(st.l1ChainId, 31337);
    assert.ok(st.latest >= lastBlock && st.safe >= lastBlock, JSON.stringify(st));
    assert.equal(st.safeSource, 'validator');
    // Readiness by endpoint (docs/node.md "Health and readiness"), as status reports it.
    assert.equal(st.ready.status, 200, JSON.stringify(st.ready));
    assert.equal(st.ready.body.role, 'sequencer');
    assert.equal(st.validatorReady.status, 200, JSON.stringify(st.validatorReady));
    assert.equal(st.validatorReady.body.role, 'validator');
    assert.ok(st.validatorReady.body.derived >= 0);
    for (const port of [ports.http, ports.metrics, ports.vhttp, ports.vmetrics]) {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
    }
    assert.equal(st.finalizedMatches, true);
    assert.ok(st.batchesPosted >= 1 && st.rootsPosted >= 1, JSON.stringify(st));
    assert.deepEqual(st.balances.map((b) => b.role), ['batch poster', 'proposer']);
    assert.ok(st.balances.every((b) => !b.low && BigInt(b.wei) > 0n));

    // RollupCore on L1 says the same, and its block hash is the sequencer's.
    const l1 = makeProvider(`http://127.0.0.1:${ports.l1}`);
    const l2 = makeProvider(l2url);
    const rollup = new ethers.Contract(deployment.rollup, artifact('RollupCore').abi, l1);
    const [, rec] = await rollup.latestPosted();
    assert.ok(Number(rec.l2BlockNumber) >= lastBlock);
    const l2Block = await l2.getBlock(Number(rec.l2BlockNumber));
    assert.equal(rec.l2BlockHash, l2Block.hash);
    const text = await status(datadir, ports, false);
    assert.equal(text.code, 0, text.output);
    assert.match(text.output, /finalized +\d+ +root on L1 \(RollupCore\.latestPosted\), equal to the sequencer's block/);
    assert.match(text.output, /^  sequencer  ready$/m);
    assert.match(text.output, /^  validator  ready$/m);

    // --- an ERC-20 in and out with `fusel2 bridge` ---
    await bridgeTokenThroughDevnet(datadir, ports, deployment);
    phase('ERC-20 deposited, withdrawn and claimed');

    // Remember the chain before stopping.
    const head1 = await l2.getBlockNumber();
    const hashes1 = [];
    for (let n = 0; n <= head1; ++n) hashes1.push((await l2.getBlock(n)).hash);
    const balance1 = await l2.getBalance(recipient);
    const l1Head1 = await l1.getBlockNumber();
    l1.destroy();
    l2.destroy();

    // --- Ctrl-C: exit 0, every child gone ---
    phase('stopping');
    let stop = await stopDevnet(dev);
    phase('stopped');
    assert.equal(stop.code, 0, dev.log().slice(-5000));
    for (const [name, pid] of Object.entries(stop.pids)) assert.ok(!alive(pid), `${name} (pid ${pid}) still running`);
    assert.match(dev.log(), /stopping sequencer[\s\S]*stopping validator[\s\S]*stopping l1/);
    assert.ok(!fs.existsSync(path.join(datadir, 'devnet.running')));

    // --- second run: same chain, no redeploy ---
    dev = await startDevnet(datadir, ports);
    assert.ok(!dev.exit, `second run exited: ${JSON.stringify(dev.exit)}\n${dev.log()}`);
    phase('second run up');
    assert.match(dev.output(), /reused datadir/);
    assert.ok(!Object.keys(dev.pids()).includes('deploy'), 'no second deployment');
    assert.match(fs.readFileSync(path.join(datadir, 'logs', 'gateway.log'), 'utf8'), /"initialized": "already"/,
      'the gateway is not initialized twice');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(datadir, 'deployment.json'), 'utf8')), deployment);
    {
      const p2 = makeProvider(l2url);
      const p1 = makeProvider(`http://127.0.0.1:${ports.l1}`);
      assert.ok((await p2.getBlockNumber()) >= head1);
      for (let n = 0; n <= head1; ++n) assert.equal((await p2.getBlock(n)).hash, hashes1[n], `block ${n}`);
      assert.equal(await p2.getBalance(recipient), balance1);
      assert.ok((await p1.getBlockNumber()) >= l1Head1, 'the L1 continues');
      p1.destroy();
      p2.destroy();
    }
    const receipts2 = await sendTransfers(l2url, 2, recipient);
    const last2 = Math.max(...receipts2.map((r) => r.blockNumber));
    await waitFor('the second run finalizing', async () => (await status(datadir, ports)).finalized >= last2, 90000, 500);

    // --- SIGKILL of every devnet process at once (the devnet's group and its children's), right
    // after two more transfers were acknowledged (sealed, not yet posted to L1) ---
    const unposted = await sendTransfers(l2url, 2, recipient);
    const pids2 = dev.pids();
    for (const pid of [dev.pid, ...Object.values(pids2)]) {
      try { process.kill(-pid, 'SIGKILL'); } catch {}
    }
    await dev.exited;
    await waitFor('every killed process gone', () => Object.values(pids2).every((pid) => !alive(pid)), 20000, 100);
    phase('killed');

    // Restart: anvil restarts from its last complete state dump, which may be older than what the
    // sequencer built on; the sequencer then rewinds to what the L1 supports and re-sequences
    // (docs/sequencer.md "When L1 goes back in time"). What must hold: every acknowledged
    // transaction is in the chain (possibly in another block), the validator derives the
    // sequencer's chain, and the roots on L1 are the sequencer's blocks.
    dev = await startDevnet(datadir, ports);
    assert.ok(!dev.exit, `restart after SIGKILL failed: ${JSON.stringify(dev.exit)}\n${dev.log()}`);
    phase('restarted after SIGKILL');
    assert.match(dev.log(), /the previous run did not stop cleanly/);
    if (/restored the last complete copy/.test(dev.log())) t.diagnostic('anvil state file was cut off by the kill: restored the copy');
    {
      const p2 = makeProvider(l2url);
      // Finalized before a clean stop: the L1 kept those roots, so these blocks never change.
      for (let n = 0; n <= head1; ++n) assert.equal((await p2.getBlock(n)).hash, hashes1[n], `block ${n}`);
      for (const r of [...receipts, ...receipts2, ...unposted]) {
        const again = await waitFor(`transaction ${r.hash} in a block again`, () => p2.getTransactionReceipt(r.hash), 60000, 250);
        assert.equal(again.status, 1, `transaction ${r.hash}`);
        if (again.blockHash !== r.blockHash) t.diagnostic(`transaction ${r.hash} moved from block ${r.blockNumber} to ${again.blockNumber} (a rewind)`);
      }
      p2.destroy();
    }
    const receipts3 = await sendTransfers(l2url, 2, recipient);
    const last3 = Math.max(...receipts3.map((r) => r.blockNumber));
    const after = await Promise.race([
      waitFor('finalized after the restart', async () => {
        const s = await status(datadir, ports);
        return s.finalized >= last3 ? s : null;
      }, 120000, 500),
      dev.exited.then((e) => ({ exited: e })),
    ]);
    assert.ok(!after.exited, `the devnet exited after the restart: ${JSON.stringify(after.exited)}\n${dev.log().slice(-5000)}`);
    assert.equal(after.finalizedMatches, true, JSON.stringify(after));
    phase('finalized after the restart');
    {
      // Nothing lost, nothing twice: the recipient got exactly every acknowledged transfer.
      const p2 = makeProvider(l2url);
      const pv = makeProvider(`http://127.0.0.1:${ports.vhttp}`);
      const all = [...receipts, ...receipts2, ...unposted, ...receipts3];
      let expected = 0n;
      for (const r of all) expected += (await p2.getTransaction(r.hash)).value;
      assert.equal(await p2.getBalance(recipient), expected, 'the recipient holds every acknowledged transfer once');
      // The validator, from L1 alone, has the sequencer's chain up to what it derived.
      const safe = await waitFor('the validator deriving the new transfers', async () => {
        const b = await pv.getBlock('latest');
        return b && b.number >= last3 ? b.number : null;
      }, 90000, 500);
      for (let n = 0; n <= safe; ++n) {
        const [a, b] = await Promise.all([p2.getBlock(n), pv.getBlock(n)]);
        assert.equal(b.hash, a.hash, `block ${n}: validator ${b.hash}, sequencer ${a.hash}`);
      }
      const st = await p2.send('fusel2_sequencerStatus', []);
      assert.equal(st.halted, false);
      if (st.lastRewind) t.diagnostic(`the sequencer rewound: ${JSON.stringify(st.lastRewind)}`);
      p2.destroy();
      pv.destroy();
    }
    stop = await stopDevnet(dev, 'SIGTERM');
    assert.equal(stop.code, 0, dev.log().slice(-5000));
    for (const [name, pid] of Object.entries(stop.pids)) assert.ok(!alive(pid), `${name} (pid ${pid}) still running`);

    // --- a child dying on its own: the devnet names it, stops the rest, exits non-zero ---
    dev = await startDevnet(datadir, ports);
    assert.ok(!dev.exit, `restart failed: ${dev.log()}`);
    const pids3 = dev.pids();
    process.kill(pids3.validator, 'SIGKILL');
    const died = await dev.exited;
    assert.equal(died.code, 1, dev.log().slice(-5000));
    assert.match(dev.log(), new RegExp(`validator \\(pid ${pids3.validator}\\) exited unexpectedly: killed by SIGKILL`));
    for (const [name, pid] of Object.entries(pids3)) assert.ok(!alive(pid), `${name} (pid ${pid}) still running`);
    phase('child death handled');
  } finally {
    fs.rmSync(datadir, { recursive: true, force: true });
  }
});

test('fusel2 devnet: a port in use and a missing anvil are named', { skip, timeout: 60000 }, async () => {
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-devnet-e2e-'));
  const ports = await freePorts();
  const blocker = net.createServer();
  await new Promise((resolve) => blocker.listen(ports.http, '127.0.0.1', resolve));
  try {
    const dev = await startDevnet(datadir, ports);
    assert.equal(dev.exit?.code, 1, dev.log());
    assert.match(dev.log(), new RegExp(`port ${ports.http} \\(--http-port, the sequencer's JSON-RPC\\) is already in use`));
    const noAnvil = await startDevnet(datadir, await freePorts(), [], { ANVIL_BIN: path.join(datadir, 'no-anvil') });
    assert.equal(noAnvil.exit?.code, 1, noAnvil.log());
    assert.match(noAnvil.log(), /anvil not found at .*no-anvil: run scripts\/setup\.sh/);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
    fs.rmSync(datadir, { recursive: true, force: true });
  }
});

test('fusel2 status: the L2 down is named, exit 1', { skip, timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-status-e2e-'));
  try {
    const dep = path.join(dir, 'deployment.json');
    fs.writeFileSync(dep, JSON.stringify({ inbox: ethers.ZeroAddress.replace(/0$/, '1'), rollup: ethers.ZeroAddress.replace(/0$/, '2') }));
    const port = await freePort();
    const r = await runFusel2(['status', '--rpc', `http://127.0.0.1:${port}`, '--deployment', dep, '--json']);
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, new RegExp(`L2 sequencer at http://127\\.0\\.0\\.1:${port} is not answering`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
