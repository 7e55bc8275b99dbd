// Contracts on the L2 through ethers v6 and the real binary: OpenZeppelin's ERC-20 deployed and
// transferred, its Transfer logs found by eth_getLogs and by a WebSocket `logs` subscription; a
// contract calling ArbSys (0x64) and ArbGasInfo (0x6c) getting the chain's values;
// eth_estimateGas then send; a revert's reason string and custom error reaching ethers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import WebSocket from 'ws';
import { kDevChainId, nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();
const kTransferTopic = ethers.id('Transfer(address,address,uint256)');

/// A raw WebSocket JSON-RPC client: call(method, params) and a queue of eth_subscription pushes.
async function wsClient(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map();
  const notifications = [];
  const waiters = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.method === 'eth_subscription') {
      notifications.push(msg.params);
      while (waiters.length > 0) waiters.shift()();
    } else if (pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  return {
    call(method, params = []) {
      const id = nextId++;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve));
    },
    /// Resolves with the next notification matching `pred` (waits up to timeoutMs).
    async next(pred, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = notifications.findIndex(pred);
        if (i >= 0) return notifications.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error('no matching notification');
        await new Promise((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    close: () => ws.close(),
  };
}

describe('contracts on the L2', { skip: skip ?? false }, () => {
  let node;
  let provider;
  before(async () => {
    await buildL2TestContracts();
    node = await startNode();
    provider = node.provider();
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('deploys OpenZeppelin ERC-20, transfers, finds Transfer logs by eth_getLogs and WS subscription', async () => {
    const owner = node.wallet(5, provider);
    const to = node.wallet(6, provider).address;
    const supply = ethers.parseUnits('1000000', 18);
    const token = await testFactory('TestToken', owner).deploy(supply, { nonce: 0 });
    const deployReceipt = await token.deploymentTransaction().wait();
    assert.equal(deployReceipt.status, 1);
    const address = await token.getAddress();
    assert.equal(address, ethers.getCreateAddress({ from: owner.address, nonce: 0 }));
    assert.equal(deployReceipt.contractAddress, address);
    assert.equal(await token.totalSupply(), supply);
    assert.equal(await token.symbol(), 'FTT');

    const ws = await wsClient(node.wsUrl);
    try {
      const sub = await ws.call('eth_subscribe', ['logs', { address, topics: [kTransferTopic] }]);
      assert.match(sub.result, /^0x[0-9a-f]+$/, JSON.stringify(sub));

      const amount = ethers.parseUnits('12.5', 18);
      const r = await (await token.transfer(to, amount, { nonce: 1 })).wait();
      assert.equal(r.status, 1);
      assert.equal(await token.balanceOf(to), amount);
      assert.equal(await token.balanceOf(owner.address), supply - amount);

      // eth_getLogs over the range with address + topic filter: the mint and the transfer
      const logs = await provider.getLogs({ address, topics: [kTransferTopic], fromBlock: 0, toBlock: 'latest' });
      assert.equal(logs.length, 2);
      const [mint, transfer] = logs.map((l) => ({ log: l, ev: token.interface.parseLog(l) }));
      assert.equal(mint.ev.args.from, ethers.ZeroAddress);
      assert.equal(mint.ev.args.value, supply);
      assert.equal(transfer.ev.args.from, owner.address);
      assert.equal(transfer.ev.args.to, to);
      assert.equal(transfer.ev.args.value, amount);
      assert.equal(transfer.log.transactionHash, r.hash);
      assert.equal(transfer.log.blockNumber, r.blockNumber);
      assert.equal(transfer.log.blockHash, r.blockHash);
      // a topic filter on the recipient only matches the transfer
      const toTopic = ethers.zeroPadValue(to, 32);
      const byTo = await provider.getLogs({ address, topics: [kTransferTopic, null, toTopic], fromBlock: 0 });
      assert.deepEqual(byTo.map((l) => l.transactionHash), [r.hash]);

      // the WebSocket subscription saw the same log
      const n = await ws.next((p) => p.subscription === sub.result && p.result.transactionHash === r.hash);
      assert.equal(n.result.address.toLowerCase(), address.toLowerCase());
      assert.equal(n.result.topics[0], kTransferTopic);
      assert.equal(BigInt(n.result.data), amount);
      assert.equal(Number(n.result.blockNumber), r.blockNumber);
      assert.equal(n.result.removed, false);
      assert.equal((await ws.call('eth_unsubscribe', [sub.result])).result, true);
    } finally {
      ws.close();
    }
  });

  it('a contract calling ArbSys and ArbGasInfo gets the chain values (eth_call and in a transaction)', async () => {
    const w = node.wallet(7, provider);
    const probe = await testFactory('ArbProbe', w).deploy({ nonce: 0 });
    await probe.waitForDeployment();

    const head = await provider.getBlock('latest');
    const seen = await probe.probe({ blockTag: head.number });
    assert.equal(seen.chainId, kDevChainId);
    assert.equal(seen.arbosVersion, 58n);  // Nitro's numbering: 55 + ArbOS version 3 (dev genesis)
    assert.equal(seen.topLevel, true);  // the probe was called by the caller directly (Nitro's rule)
    // eth_call at block N runs in block N itself (geth, Nitro): ArbSys sees N and N-1's hash
    assert.equal(seen.arbBlockNumber, BigInt(head.number));
    assert.equal(seen.parentHash, head.parentHash);
    assert.equal(seen.minGasPrice, 10_000_000n);  // dev genesis floor, 0.01 gwei
    assert.equal(seen.l1BaseFee, 1_000_000_000n);  // --l1-base-fee default, 1 gwei

    const r = await (await probe.record({ nonce: 1 })).wait();
    assert.equal(r.status, 1);
    const ev = probe.interface.parseLog(r.logs[0]).args;
    assert.equal(ev.arbBlockNumber, BigInt(r.blockNumber));
    assert.equal(ev.parentHash, (await provider.getBlock(r.blockNumber - 1)).hash);
    assert.equal(ev.chainId, kDevChainId);
    assert.equal(ev.arbosVersion, seen.arbosVersion);
    assert.equal(ev.topLevel, true);
    const block = await provider.getBlock(r.blockNumber);
    assert.equal(ev.perL2Gas, block.baseFeePerGas);  // getPricesInWei()[5]: L2 base fee
    // getCurrentTxL1GasFees() is this transaction's L1 data fee in wei, which the receipt shows
    // as gas (gasUsedForL1 = fee / base fee, rounded up at most one gas)
    const raw = (await node.rpc('eth_getTransactionReceipt', [r.hash])).result;
    const l1Gas = BigInt(raw.gasUsedForL1);
    assert.ok(l1Gas > 0n);
    assert.ok(ev.currentTxL1Fees > 0n);
    const asGas = l1Gas * block.baseFeePerGas;
    const diff = asGas > ev.currentTxL1Fees ? asGas - ev.currentTxL1Fees : ev.currentTxL1Fees - asGas;
    assert.ok(diff < block.baseFeePerGas, `L1 fee ${ev.currentTxL1Fees} vs ${l1Gas} gas * ${block.baseFeePerGas}`);
  });

  it('eth_estimateGas (L1 data fee included) then sending with exactly that limit succeeds', async () => {
    const w = node.wallet(8, provider);
    const c = await testFactory('Reverter', w).deploy({ nonce: 0 });
    await c.waitForDeployment();
    const estimate = await c.set.estimateGas(42n);
    const r = await (await c.set(42n, { gasLimit: estimate, nonce: 1 })).wait();
    assert.equal(r.status, 1);
    assert.ok(r.gasUsed <= estimate);
    assert.equal(await c.value(), 42n);
    const plain = await provider.estimateGas({ from: w.address, to: w.address, value: 1n });
    const raw = (await node.rpc('eth_estimateGas', [{ from: w.address, to: w.address, value: '0x1' }])).result;
    assert.equal(BigInt(raw), plain);
    assert.ok(plain >= 21000n);
  });

  it("a revert's reason string and custom error reach ethers", async () => {
    const w = node.wallet(9, provider);
    const c = await testFactory('Reverter', w).deploy({ nonce: 0 });
    await c.waitForDeployment();
    await assert.rejects(c.set(0n), (e) => {
      assert.equal(e.code, 'CALL_EXCEPTION');
      assert.equal(e.reason, 'value must not be zero');
      return true;
    });
    await assert.rejects(c.set.staticCall(3n), (e) => {
      assert.equal(e.revert?.name, 'TooSmall');
      assert.deepEqual([...e.revert.args], [3n, 10n]);
      return true;
    });
    // raw eth_call answers geth's shape: code 3, "execution reverted: <reason>", data = Error(string)
    const data = c.interface.encodeFunctionData('set', [0n]);
    const res = await node.rpc('eth_call', [{ to: await c.getAddress(), data }, 'latest']);
    assert.equal(res.error.code, 3);
    assert.equal(res.error.message, 'execution reverted: value must not be zero');
    assert.equal(res.error.data, new ethers.Interface(['function Error(string)']).encodeFunctionData('Error', ['value must not be zero']));
    // A reverted transaction forced in (explicit gas limit, no estimate) is included with status 0.
    const tx = await c.set(0n, { gasLimit: 2_000_000n, nonce: 1 });
    await assert.rejects(tx.wait(), (e) => {
      assert.equal(e.receipt.status, 0);
      return true;
    });
    assert.equal(await provider.getTransactionCount(w.address), 2);
  });
});
