// Fault injection around tests/lib/rollup.mjs: an L1 that can be stopped and restarted on the
// same port with its chain, steady L2 traffic, and the checks every fault test ends with (batches
// contiguous on L1, every RollupCore root equal to the sequencer's block, a validator on the
// sequencer's chain). Everything is read from the real L1 and the nodes' JSON-RPC.
//
//   import { startFaultRollup, startTraffic, checkPostedChain } from '../lib/faults.mjs';
//   const r = await startFaultRollup();        // startRollup with anvil --state
//   await r.stopL1(); ...; await r.startL1();  // a real stop: the anvil process exits
//   await checkPostedChain(r, { validator });
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ethers } from 'ethers';
import { startAnvil } from './anvil.mjs';
import { devKey } from './fusel2.mjs';
import { startRollup, waitFor } from './rollup.mjs';

export { waitFor };

/// startRollup whose anvil keeps its chain in a state file (`--state`: loaded at start, written on
/// SIGTERM), plus:
///   r.stopL1()  — SIGTERM anvil and wait for its exit (it dumps blocks, receipts and logs);
///   r.startL1() — a new anvil process on the same port from that state; r.anvil, r.l1,
///                 r.inbox, r.rollupCore and r.wallets are rebound to it.
/// r.stop() also stops the current anvil and removes the state. Options: as startRollup.
export async function startFaultRollup(options = {}) {
  const blockTime = options.blockTime ?? 0.25;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-l1state-'));
  const stateFile = path.join(stateDir, 'anvil-state.json');
  let r;
  try {
    r = await startRollup({ ...options, blockTime, anvilArgs: ['--state', stateFile, ...(options.anvilArgs ?? [])] });
  } catch (e) {
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  const port = r.anvil.port;
  const stopRollup = r.stop.bind(r);
  r.stateFile = stateFile;
  r.stopL1 = async () => {
    await r.anvil.stop();
  };
  r.startL1 = async () => {
    const anvil = await startAnvil({ blockTime, port, extraArgs: ['--state', stateFile, ...(options.anvilArgs ?? [])] });
    const l1 = anvil.provider();
    r.anvil = anvil;
    r.l1 = l1;
    r.inbox = r.inbox.connect(l1);
    r.rollupCore = r.rollupCore.connect(l1);
    for (const k of Object.keys(r.wallets)) r.wallets[k] = r.wallets[k].connect(l1);
    return anvil;
  };
  r.stop = async () => {
    await stopRollup();       // nodes, the first anvil (idempotent), the rollup's folder
    await r.anvil.stop();     // the restarted anvil, if any
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  return r;
}

/// Sends ETH transfers from L2 dev account `account` to fresh addresses, one after another with
/// explicit nonces, every `intervalMs`, until stop(). Each acknowledged transaction's receipt is
/// fetched right away (the sequencer answers eth_sendRawTransaction once the block is durable);
/// with `rewinds` it may briefly be missing (a rewind is re-sequencing it: docs/sequencer.md) and
/// is waited for, up to 60 s, and the gas limit leaves room for a higher L1 data fee.
/// Returns { sent: [{hash, nonce, blockNumber, blockHash, at}], stop() }; `at` is Date.now() at the
/// acknowledgement. stop() resolves once the loop ended and rethrows its first error.
export function startTraffic(node, { account = 1, intervalMs = 100, nonce = 0, rewinds = false } = {}) {
  const provider = node.provider();
  const wallet = new ethers.Wallet(devKey(account), provider);
  const sent = [];
  let stopped = false;
  const loop = (async () => {
    const fees = await provider.getFeeData();
    const gasLimit = (rewinds ? 4n : 2n) * await provider.estimateGas({ from: wallet.address, to: ethers.Wallet.createRandom().address, value: 1n });
    while (!stopped) {
      const tx = await wallet.signTransaction({
        type: 2, chainId: node.chainId, nonce, to: ethers.Wallet.createRandom().address, value: 1000n + BigInt(nonce),
        gasLimit, maxFeePerGas: fees.maxFeePerGas * 4n, maxPriorityFeePerGas: 0n,
      });
      const hash = await provider.send('eth_sendRawTransaction', [tx]);
      const entry = { hash, nonce, at: Date.now() };
      sent.push(entry);  // acknowledged: it must be in the chain from now on
      const receipt = rewinds
        ? await waitFor(() => provider.getTransactionReceipt(hash), { timeoutMs: 60000, what: `the receipt of ${hash}` })
        : await provider.getTransactionReceipt(hash);
      if (!receipt) throw new Error(`acknowledged transaction ${hash} (nonce ${nonce}) has no receipt`);
      if (receipt.status !== 1) throw new Error(`transaction ${hash} failed`);
      entry.blockNumber = receipt.blockNumber;
      entry.blockHash = receipt.blockHash;
      ++nonce;
      await new Promise((res) => setTimeout(res, intervalMs));
    }
  })();
  loop.catch(() => {});  // reported by stop()
  return {
    sent,
    get nonce() {
      return nonce;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/// Raw block `n` ('latest', a number) from a node's JSON-RPC (hash, stateRoot, sendRoot, ...).
export async function rawBlock(node, n) {
  const tag = typeof n === 'number' ? ethers.toQuantity(n) : n;
  const res = await node.rpc('eth_getBlockByNumber', [tag, false]);
  if (res.error) throw new Error(`eth_getBlockByNumber ${tag}: ${JSON.stringify(res.error)}`);
  return res.result;
}

/// Asserts the batches on L1 are contiguous: sequence numbers 0..n-1 in order, each starting where
/// the previous one ended, the first at message 0, the last at the inbox's totalMessageCount —
/// so every L2 block 1..total is in exactly one batch. Returns the batches.
export async function checkContiguousBatches(r) {
  const batches = await r.batches();
  const total = await r.postedBlocks();
  assert.ok(batches.length > 0, 'no batch on L1');
  let prev = 0;
  batches.forEach((b, i) => {
    assert.equal(b.batch, i, `batch ${i} has sequence number ${b.batch}`);
    assert.equal(b.prevMessageCount, prev, `batch ${i} starts at message ${b.prevMessageCount}, previous ended at ${prev}`);
    assert.ok(b.newMessageCount > b.prevMessageCount, `batch ${i} carries no message`);
    prev = b.newMessageCount;
  });
  assert.equal(prev, total, 'the last batch ends at the inbox totalMessageCount');
  assert.equal(Number(await r.inbox.batchCount()), batches.length, 'inbox batchCount = number of batch events');
  return batches;
}

/// Asserts every RollupCore record i is for batch i's last L2 block (its newMessageCount) and
/// equals the sequencer's block there: block hash, state root, send root. Returns the records.
export async function checkRoots(r, batches) {
  const roots = await r.roots();
  assert.ok(roots.length > 0, 'no root on RollupCore');
  assert.ok(roots.length <= batches.length, 'more roots than batches');
  for (const root of roots) {
    const b = batches[root.batch];
    assert.equal(root.l2BlockNumber, b.newMessageCount, `root of batch ${root.batch} names L2 block ${root.l2BlockNumber}, the batch ends at ${b.newMessageCount}`);
    const blk = await rawBlock(r.sequencer, root.l2BlockNumber);
    assert.ok(blk, `sequencer has no block ${root.l2BlockNumber}`);
    assert.equal(root.l2BlockHash, blk.hash, `block hash of batch ${root.batch} (L2 block ${root.l2BlockNumber})`);
    assert.equal(root.stateRoot, blk.stateRoot, `state root of batch ${root.batch} (L2 block ${root.l2BlockNumber})`);
    assert.equal(root.sendRoot, blk.sendRoot, `send root of batch ${root.batch} (L2 block ${root.l2BlockNumber})`);
  }
  return roots;
}

/// Asserts `validator` has the sequencer's chain block by block up to the sequencer's head
/// (same hash and state root for every block 1..head).
export async function checkSameChain(sequencer, validator) {
  const head = Number(BigInt((await rawBlock(sequencer, 'latest')).number));
  const vhead = Number(BigInt((await rawBlock(validator, 'latest')).number));
  assert.equal(vhead, head, `validator head ${vhead}, sequencer head ${head}`);
  for (let n = 1; n <= head; ++n) {
    const [a, b] = await Promise.all([rawBlock(sequencer, n), rawBlock(validator, n)]);
    assert.equal(b.hash, a.hash, `block ${n}: validator ${b.hash}, sequencer ${a.hash}`);
    assert.equal(b.stateRoot, a.stateRoot, `state root of block ${n}`);
  }
  return head;
}

/// True while process `pid` exists (signal 0 probes without signalling).
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/// A metric of a node (0 if the family has no sample yet).
export async function metric(node, name) {
  return (await node.metrics())[name] ?? 0;
}
