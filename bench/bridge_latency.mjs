// Bridge latency on the devnet (issue 13 benchmarks; not a test): starts a real `fusel2 devnet`
// (anvil L1 with 1 s blocks, the sequencer + batch poster, the proposing validator; docs/devnet.md)
// on free ports in a temporary datadir, then measures, one operation at a time:
//   deposit → L2 credit: from Bridge.depositNative's L1 receipt (the deposit is in an L1 block) to
//     the L2 balance showing the credit (the sequencer builds on head − l1.lag, so about l1.lag
//     L1 blocks), and from the send;
//   withdrawal → root posted: from ArbSys.withdrawEth's L2 receipt to a RollupCore root that holds
//     it (batch on L1, l1.confirmations, the proposer's root);
//   withdrawal → claimable: to the moment Outbox.executeTransaction (staticCall, proof from
//     fusel2_getOutboxProof) first succeeds: root posted + withdrawalDelay of L1 time.
// Polls every --poll-ms. Prints p50/p90/max (ms) and one JSON line.
//
//   FUSEL2_BIN=build/release/bin/fusel2 node bench/bridge_latency.mjs --deposits 10 --withdrawals 5 --withdrawal-delay 10
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ethers } from 'ethers';
import { makeProvider } from '../tests/lib/anvil.mjs';
import { artifact } from '../tests/lib/contracts.mjs';
import { devKey, kFusel2Bin } from '../tests/lib/fusel2.mjs';
import { waitFor } from '../tests/lib/rollup.mjs';

const { values: opt } = parseArgs({
  options: {
    deposits: { type: 'string', default: '10' },
    withdrawals: { type: 'string', default: '5' },
    'withdrawal-delay': { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '50' },
  },
});
const kPollMs = Number(opt['poll-ms']);
const kArbSys = '0x0000000000000000000000000000000000000064';
const kL2ToL1Tx = ethers.id('L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)');

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: Math.round(at(0.5)), p90: Math.round(at(0.9)), max: Math.round(s.at(-1)) };
}

const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-bridge-bench-'));
const ports = [];
while (ports.length < 5) {
  const p = await freePort();
  if (!ports.includes(p)) ports.push(p);
}
const [l1Port, httpPort, vhttpPort, mPort, vmPort] = ports;
const devnet = spawn(kFusel2Bin, ['devnet', '--datadir', datadir, '--l1-port', String(l1Port), '--http-port', String(httpPort),
  '--validator-http-port', String(vhttpPort), '--metrics-port', String(mPort), '--validator-metrics-port', String(vmPort),
  '--withdrawal-delay', opt['withdrawal-delay']], { stdio: ['ignore', 'pipe', 'pipe'] });
let banner = '';
devnet.stdout.on('data', (c) => { banner += c; });
devnet.stderr.on('data', () => {});
const stop = async () => {
  if (devnet.exitCode === null) {
    devnet.kill('SIGTERM');
    await new Promise((r) => devnet.once('exit', r));
  }
  fs.rmSync(datadir, { recursive: true, force: true });
};
process.on('SIGINT', () => stop().then(() => process.exit(130)));

try {
  await waitFor(() => banner.includes('Ctrl-C to stop.'), { timeoutMs: 180000, what: 'the devnet banner' });
  const d = JSON.parse(fs.readFileSync(path.join(datadir, 'deployment.json'), 'utf8'));
  const l1 = makeProvider(`http://127.0.0.1:${l1Port}`);
  const l2 = makeProvider(`http://127.0.0.1:${httpPort}`);
  const bridge = new ethers.Contract(d.bridge, artifact('Bridge').abi, new ethers.Wallet(devKey(5), l1));
  const outbox = new ethers.Contract(d.outbox, artifact('Outbox').abi, l1);
  const rollup = new ethers.Contract(d.rollup, artifact('RollupCore').abi, l1);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const depIncluded = [];
  const depSent = [];
  for (let i = 0; i < Number(opt.deposits); ++i) {
    const to = ethers.Wallet.createRandom().address;
    const value = 1000n + BigInt(i);
    const t0 = performance.now();
    const tx = await bridge.depositNative(to, { value });
    await tx.wait();
    const t1 = performance.now();
    while ((await l2.getBalance(to)) !== value) await sleep(kPollMs);
    const t2 = performance.now();
    depIncluded.push(t2 - t1);
    depSent.push(t2 - t0);
  }

  const user = new ethers.Wallet(devKey(6), l2);
  const arbSys = new ethers.Contract(kArbSys, ['function withdrawEth(address) payable returns (uint256)'], user);
  const toRoot = [];
  const toClaimable = [];
  for (let i = 0; i < Number(opt.withdrawals); ++i) {
    const rc = await (await arbSys.withdrawEth(ethers.Wallet.createRandom().address, { value: 1000n + BigInt(i) })).wait();
    const t0 = performance.now();
    const leaf = BigInt(rc.logs.find((l) => l.topics[0] === kL2ToL1Tx).topics[3]);
    for (;;) {
      if ((await rollup.postedBatchCount()) > 0n && Number((await rollup.latestPosted())[1].l2BlockNumber) >= rc.blockNumber) break;
      await sleep(kPollMs);
    }
    const t1 = performance.now();
    for (;;) {
      const p = (await l2.send('fusel2_getOutboxProof', [ethers.toQuantity(leaf)]).catch(() => null));
      if (p) {
        const ok = await outbox.executeTransaction.staticCall(p.proof, p.index, p.l2Sender, p.to, p.l2Block, p.l1Block,
          p.l2Timestamp, p.value, p.data).then(() => true, () => false);
        if (ok) break;
      }
      await sleep(kPollMs);
    }
    const t2 = performance.now();
    toRoot.push(t1 - t0);
    toClaimable.push(t2 - t0);
  }
  const out = {
    bench: 'bridge_latency', at: new Date().toISOString(), cpus: os.cpus().length, loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    l1BlockTime: 1, withdrawalDelay: Number(opt['withdrawal-delay']),
    depositToL2Credit: stats(depIncluded), depositSendToL2Credit: stats(depSent),
    withdrawalToRootPosted: stats(toRoot), withdrawalToClaimable: stats(toClaimable),
  };
  console.log(`deposit: L1 receipt → L2 credit     p50 ${out.depositToL2Credit.p50} ms, p90 ${out.depositToL2Credit.p90}, max ${out.depositToL2Credit.max} (n=${out.depositToL2Credit.n})`);
  console.log(`deposit: sent → L2 credit           p50 ${out.depositSendToL2Credit.p50} ms, p90 ${out.depositSendToL2Credit.p90}, max ${out.depositSendToL2Credit.max}`);
  console.log(`withdrawal: L2 receipt → root on L1  p50 ${out.withdrawalToRootPosted.p50} ms, p90 ${out.withdrawalToRootPosted.p90}, max ${out.withdrawalToRootPosted.max} (n=${out.withdrawalToRootPosted.n})`);
  console.log(`withdrawal: L2 receipt → claimable   p50 ${out.withdrawalToClaimable.p50} ms, p90 ${out.withdrawalToClaimable.p90}, max ${out.withdrawalToClaimable.max} (withdrawalDelay ${out.withdrawalDelay} s)`);
  console.log(JSON.stringify(out));
  l1.destroy();
  l2.destroy();
} finally {
  await stop();
}
