// `fusel2 node --role sequencer` end to end: startup and clean stop, restart on the same datadir,
// refusal of a datadir of another chain and of a validator without L1, config file vs flags, and ETH
// transfers between the dev accounts with exact balances (ethers v6 against the real binary).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { kDevBalance, kDevChainId, nodeSkipReason, runFusel2, startNode } from '../lib/fusel2.mjs';

const skip = nodeSkipReason();

describe('fusel2 node: lifecycle and config', { skip: skip ?? false }, () => {
  let tmp;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-node-test-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('starts with --dev, answers JSON-RPC, stops cleanly on SIGTERM and SIGINT with exit 0', async () => {
    const datadir = path.join(tmp, 'lifecycle');
    for (const signal of ['SIGTERM', 'SIGINT']) {
      const node = await startNode({ datadir });
      const p = node.provider();
      assert.equal((await p.getNetwork()).chainId, kDevChainId);
      assert.equal(await p.getBalance(node.wallet(9, p).address), kDevBalance);
      const { code, signal: sig } = await node.stop({ signal });
      assert.equal(sig, null, node.output());
      assert.equal(code, 0, node.output());
      assert.match(node.output(), /stopped cleanly at block \d+/);
    }
    // the second start reopened the datadir instead of initializing it
  });

  it('answers /health and /ready on both ports, and says where it serves in endpoints.json', async () => {
    const datadir = path.join(tmp, 'probes');
    const node = await startNode({ datadir });
    try {
      const ep = JSON.parse(fs.readFileSync(path.join(datadir, 'endpoints.json'), 'utf8'));
      assert.equal(ep.pid, node.pid);
      assert.equal(ep.http, node.url);
      const head = await node.provider().getBlockNumber();
      for (const base of [ep.http, ep.metrics]) {
        const health = await fetch(`${base}/health`);
        assert.equal(health.status, 200);
        assert.deepEqual(await health.json(), { status: 'ok' });
        const ready = await fetch(`${base}/ready`);
        assert.equal(ready.status, 200);
        const body = await ready.json();
        assert.equal(body.ready, true);
        assert.equal(body.role, 'sequencer');
        assert.equal(BigInt(body.chainId), kDevChainId);
        assert.ok(body.latest >= head, JSON.stringify(body));
        assert.equal(body.safe, 0);  // no L1: nothing is posted
        assert.equal(body.finalized, 0);
        assert.equal((await fetch(`${base}/nope`)).status, 404);
      }
    } finally {
      assert.equal((await node.stop()).code, 0, node.output());
    }
    assert.ok(!fs.existsSync(path.join(datadir, 'endpoints.json')), 'removed on a clean stop');
  });

  it('refuses a datadir created from another genesis, naming both hashes', async () => {
    const datadir = path.join(tmp, 'other-chain');
    const node = await startNode({ datadir });
    const genesisHash = (await node.provider().getBlock(0)).hash;
    assert.equal((await node.stop()).code, 0);
    const r = await runFusel2(['node', '--dev', '--dev-chain-id', '999', '--datadir', datadir,
      '--http-port', '0', '--metrics-enabled=false']);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /belongs to another chain/);
    assert.ok(r.output.includes(genesisHash), `stored hash ${genesisHash} named:\n${r.output}`);
    assert.match(r.output, /gives genesis hash 0x[0-9a-f]{64}/);
  });

  it('refuses --role validator without an L1, naming what is missing', async () => {
    const r = await runFusel2(['node', '--role', 'validator', '--dev', '--datadir', path.join(tmp, 'v')]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /role validator needs an L1: l1.url or l1.preset/);
  });

  it('names what is wrong in a config file, and a flag wins over the file', async () => {
    const bad = path.join(tmp, 'bad.toml');
    fs.writeFileSync(bad, '[http]\nprot = 1\n');
    const r = await runFusel2(['node', '--config', bad]);
    assert.notEqual(r.code, 0);
    assert.ok(r.output.includes(`${bad}: unknown option "http.prot"`), r.output);

    const good = path.join(tmp, 'good.toml');
    fs.writeFileSync(good, `datadir = "${path.join(tmp, 'cfg')}"\ndev = true\n[log]\nformat = "json"\nlevel = "warn"\n`);
    // The file says json/warn; the flag --log-level info wins, the format stays json.
    const node = await startNodeJson(['--config', good, '--log-level', 'info'], path.join(tmp, 'cfg'));
    try {
      const lines = node.output.split('\n').filter((l) => l.startsWith('{'));
      assert.ok(lines.length >= 2, node.output);
      assert.ok(lines.some((l) => JSON.parse(l).msg.startsWith('sequencer running')), node.output);
      for (const l of lines) {
        const j = JSON.parse(l);
        assert.equal(typeof j.ts, 'string');
        assert.ok(['info', 'warning'].includes(j.level), l);  // never below the flag's level
      }
    } finally {
      await node.stop();
    }
  });

  it('refuses a missing genesis file and a missing datadir with exit != 0', async () => {
    let r = await runFusel2(['node', '--genesis', path.join(tmp, 'nope.json'), '--datadir', path.join(tmp, 'g')]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /cannot read genesis file/);
    r = await runFusel2(['node', '--dev']);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /datadir is required/);
  });
});

/// Starts the node with JSON logs and `args` (whose config file puts the datadir at `datadir`),
/// waits for GET /ready (ports from <datadir>/endpoints.json); returns { output, stop() }.
async function startNodeJson(args, datadir) {
  const { spawn } = await import('node:child_process');
  const { kFusel2Bin } = await import('../lib/fusel2.mjs');
  const endpoints = path.join(datadir, 'endpoints.json');
  fs.rmSync(endpoints, { force: true });
  const child = spawn(kFusel2Bin, ['node', '--http-port', '0', '--metrics-port', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { output: '', exit: null };
  child.stdout.on('data', (c) => { state.output += c; });
  child.stderr.on('data', (c) => { state.output += c; });
  const exited = new Promise((resolve) => child.once('exit', (code) => { state.exit = code; resolve(code); }));
  const deadline = Date.now() + 30000;
  for (;;) {
    assert.equal(state.exit, null, `exited ${state.exit}:\n${state.output}`);
    assert.ok(Date.now() < deadline, `not ready within 30 s:\n${state.output}`);
    if (fs.existsSync(endpoints)) {
      const { http } = JSON.parse(fs.readFileSync(endpoints, 'utf8'));
      const res = await fetch(`${http}/ready`).catch(() => null);
      if (res?.status === 200) break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    get output() {
      return state.output;
    },
    async stop() {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    },
  };
}

describe('fusel2 node: ETH transfers between dev accounts', { skip: skip ?? false }, () => {
  let node;
  let provider;
  before(async () => {
    node = await startNode();
    provider = node.provider();
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('moves exact amounts: the recipient gains the value, the sender pays value + gasUsed * price', async () => {
    const alice = node.wallet(1, provider);
    const bob = node.wallet(2, provider);
    const carol = node.wallet(3, provider);
    const before = {
      alice: await provider.getBalance(alice.address),
      bob: await provider.getBalance(bob.address),
      carol: await provider.getBalance(carol.address),
    };
    assert.equal(before.alice, kDevBalance);

    const v1 = ethers.parseEther('1.25');
    const tx1 = await alice.sendTransaction({ to: bob.address, value: v1, nonce: 0 });
    const r1 = await tx1.wait();
    assert.equal(r1.status, 1);
    assert.ok(r1.blockNumber >= 1);
    // The receipt exists as soon as the hash came back (soft confirmation after durable sealing).
    const raw = await node.rpc('eth_getTransactionReceipt', [tx1.hash]);
    assert.equal(raw.result.transactionHash, tx1.hash);

    const v2 = 123456789n;
    const tx2 = await bob.sendTransaction({ to: carol.address, value: v2, nonce: 0, type: 0 });  // legacy
    const r2 = await tx2.wait();
    const tx3 = await alice.sendTransaction({ to: carol.address, value: v2, nonce: 1, type: 1, accessList: [] });  // EIP-2930
    const r3 = await tx3.wait();

    const fee = (r) => r.gasUsed * r.gasPrice;
    assert.equal(await provider.getBalance(alice.address), before.alice - v1 - fee(r1) - v2 - fee(r3));
    assert.equal(await provider.getBalance(bob.address), before.bob + v1 - v2 - fee(r2));
    assert.equal(await provider.getBalance(carol.address), before.carol + 2n * v2);
    assert.equal(await provider.getTransactionCount(alice.address), 2);
    // A plain transfer costs 21000 L2 gas plus the L1 data fee part (receipt gasUsedForL1).
    for (const r of [r1, r2, r3]) {
      const rr = (await node.rpc('eth_getTransactionReceipt', [r.hash])).result;
      const l1 = BigInt(rr.gasUsedForL1 ?? '0x0');
      assert.equal(r.gasUsed - l1, 21000n, `tx ${r.hash}`);
    }
  });

  it('puts each acknowledged transaction in a block whose hash and number match', async () => {
    const w = node.wallet(4, provider);
    const tx = await w.sendTransaction({ to: w.address, value: 1n, nonce: 0 });
    const r = await tx.wait();
    const block = await provider.getBlock(r.blockNumber);
    assert.equal(block.hash, r.blockHash);
    assert.ok(block.transactions.includes(tx.hash));
    const parent = await provider.getBlock(r.blockNumber - 1);
    assert.equal(block.parentHash, parent.hash);
  });
});
