// Crash test (issue #5): under load from several senders, `kill -9` the node, restart it on the
// same datadir: every transaction hash returned before the kill is in a block with the same
// receipt, the blocks seen before the kill have the same hash and state root, and the node
// carries on from there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { devKey, kDevChainId, nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();
const kSenders = 8;
/// The node is killed once this many transactions were acknowledged (senders still sending).
const kKillAfterAcks = Number(process.env.FUSE_CRASH_ACKS || 200);
const kMaxLoadMs = 60000;

/// The parts of a receipt that must survive the crash unchanged.
function receiptKey(r) {
  return JSON.stringify({
    blockNumber: r.blockNumber, blockHash: r.blockHash, transactionIndex: r.transactionIndex, status: r.status,
    gasUsed: r.gasUsed, cumulativeGasUsed: r.cumulativeGasUsed, gasUsedForL1: r.gasUsedForL1,
    effectiveGasPrice: r.effectiveGasPrice, contractAddress: r.contractAddress, logsBloom: r.logsBloom,
    logs: r.logs.map((l) => [l.address, l.topics, l.data, l.logIndex]),
  });
}

describe('crash: kill -9 under load, restart', { skip: skip ?? false }, () => {
  const datadir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-crash-'));
  after(() => fs.rmSync(datadir, { recursive: true, force: true }));

  it('keeps every acknowledged transaction with the same receipt and the same state roots', async (t) => {
    await buildL2TestContracts();
    let node = await startNode({ datadir });
    const provider = node.provider();
    const owner = node.wallet(1, provider);
    const token = await testFactory('TestToken', owner).deploy(10n ** 24n, { nonce: 0 });
    await token.waitForDeployment();
    const tokenAddress = await token.getAddress();
    const fd = await provider.getFeeData();
    const fees = { maxFeePerGas: fd.maxFeePerGas * 4n, maxPriorityFeePerGas: 0n };
    // Gas limits with margin: the L1 data fee (charged as gas) dominates at the default L1 price.
    const ethGas = 2n * await provider.estimateGas({ from: owner.address, to: ethers.Wallet.createRandom().address, value: 1000n });
    const tokenGas = 2n * await token.transfer.estimateGas(ethers.Wallet.createRandom().address, 7n);

    const acked = [];    // { hash, sender }
    const receipts = new Map();  // hash -> raw receipt fetched before the kill
    const missingBeforeKill = [];  // acknowledged, but no receipt: must never happen
    const blocks = new Map();    // number -> { hash, stateRoot } seen before the kill
    let killed = false;
    const url = node.url;
    const post = async (method, params) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      return res.json();
    };

    async function sender(i) {
      const wallet = new ethers.Wallet(devKey(i + 1));
      let nonce = i === 0 ? 1 : 0;  // account 1 deployed the token with nonce 0
      while (!killed) {
        const tx = i === 0
          ? { to: tokenAddress, data: token.interface.encodeFunctionData('transfer', [ethers.Wallet.createRandom().address, 7n]),
            gasLimit: tokenGas }
          : { to: ethers.Wallet.createRandom().address, value: 1000n + BigInt(nonce), gasLimit: ethGas };
        const raw = await wallet.signTransaction({ type: 2, chainId: kDevChainId, nonce, ...fees, ...tx });
        let res;
        try {
          res = await post('eth_sendRawTransaction', [raw]);
        } catch {
          return;  // the node was killed
        }
        if (res.error) throw new Error(`sender ${i} nonce ${nonce}: ${JSON.stringify(res.error)}`);
        acked.push({ hash: res.result, sender: wallet.address });
        ++nonce;
        // fetch the receipt right away; it must exist once the hash came back
        post('eth_getTransactionReceipt', [res.result]).then((r) => {
          if (killed) return;
          if (r.result) receipts.set(res.result, r.result);
          else missingBeforeKill.push(res.result);
        }, () => {});
      }
    }
    async function blockWatcher() {
      while (!killed) {
        try {
          const b = (await post('eth_getBlockByNumber', ['latest', false])).result;
          if (!killed) blocks.set(Number(b.number), { hash: b.hash, stateRoot: b.stateRoot });
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    const loops = [...Array(kSenders).keys()].map(sender);
    const watcher = blockWatcher();
    const loadStart = Date.now();
    while (acked.length < kKillAfterAcks && Date.now() - loadStart < kMaxLoadMs) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const loadMs = Date.now() - loadStart;
    await node.kill();
    killed = true;
    await Promise.all([...loops, watcher]);
    assert.ok(acked.length >= kKillAfterAcks, `only ${acked.length} transactions acknowledged in ${loadMs} ms`);
    assert.ok(receipts.size >= acked.length / 2, `${receipts.size} receipts fetched`);
    assert.deepEqual(missingBeforeKill, [], 'acknowledged hashes without a receipt');
    t.diagnostic(`${acked.length} transactions acknowledged in ${loadMs} ms by ${kSenders} senders, ` +
      `${receipts.size} receipts and ${blocks.size} blocks recorded before kill -9`);

    node = await startNode({ datadir });
    try {
      const after = node.provider();
      const head = await after.getBlockNumber();
      for (const { hash } of acked) {
        const r = (await node.rpc('eth_getTransactionReceipt', [hash])).result;
        assert.ok(r, `acknowledged ${hash} lost in the crash`);
        assert.equal(r.status, '0x1');
        assert.ok(Number(r.blockNumber) <= head);
        if (receipts.has(hash)) assert.equal(receiptKey(r), receiptKey(receipts.get(hash)), hash);
      }
      assert.ok(blocks.size > 0);
      for (const [number, seen] of blocks) {
        const b = (await node.rpc('eth_getBlockByNumber', [ethers.toQuantity(number), false])).result;
        assert.ok(b, `block ${number} seen before the kill is gone`);
        assert.equal(b.hash, seen.hash, `block ${number}`);
        assert.equal(b.stateRoot, seen.stateRoot, `block ${number}`);
      }
      // The chain continues: every sender sends its next nonce, and the balances add up.
      for (let i = 0; i < kSenders; ++i) {
        const w = node.wallet(i + 1, after);
        const r = await (await w.sendTransaction({ to: w.address, value: 1n, nonce: await after.getTransactionCount(w.address, 'pending') })).wait();
        assert.equal(r.status, 1);
      }
      assert.ok(await after.getBlockNumber() > head);
    } finally {
      assert.equal((await node.stop()).code, 0, node.output());
    }
  });
});
