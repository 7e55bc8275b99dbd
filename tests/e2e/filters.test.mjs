// Filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter,
// eth_getFilterChanges, eth_getFilterLogs, eth_uninstallFilter) against the real binary:
// ethers v6 `contract.on` over HTTP (which polls a filter) delivers each event exactly once;
// block and pending-transaction filters; uninstall; filters over WebSocket; ethers' "pending"
// event over WebSocket (newPendingTransactions); and a differential
// run of the same contract and transactions on anvil and on the L2. Also eth_call's block
// context at block N compared with anvil's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import WebSocket from 'ws';
import { startAnvil } from '../lib/anvil.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { waitFor } from '../lib/rollup.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();
const kTransferTopic = ethers.id('Transfer(address,address,uint256)');

/// A provider that records every method it sends and resolves `installed` at the first
/// successful eth_newFilter (so the test sends its transactions only once ethers listens).
function recordingProvider(node) {
  const provider = node.provider();
  const calls = [];
  let installed;
  const filterInstalled = new Promise((resolve) => { installed = resolve; });
  const send = provider.send.bind(provider);
  provider.send = async (method, params) => {
    const result = await send(method, params);
    calls.push(method);
    if (method === 'eth_newFilter') installed(result);
    return result;
  };
  return { provider, calls, filterInstalled };
}

/// One JSON-RPC call; throws with the error object on an error.
async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { rpc: body.error });
  return body.result;
}

describe('filters against the real binary', { skip: skip ?? false }, () => {
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

  it('ethers v6 contract.on over HTTP delivers each of N events exactly once', async () => {
    const owner = node.wallet(1, provider);
    const token = await testFactory('TestToken', owner).deploy(10n ** 24n, { nonce: 0 });
    await token.waitForDeployment();
    const { provider: listenProvider, calls, filterInstalled } = recordingProvider(node);
    const listener = new ethers.Contract(await token.getAddress(), token.interface, listenProvider);
    const seen = [];
    await listener.on('Transfer', (from, to, value, ev) => {
      seen.push({ value, tx: ev.log.transactionHash, index: ev.log.index });
    });
    await filterInstalled;

    const to = node.wallet(2, provider).address;
    const kN = 6;
    const sent = [];
    for (let i = 1; i <= kN; ++i) {
      const r = await (await token.transfer(to, BigInt(i), { nonce: i })).wait();
      sent.push(r.hash);
    }
    // A last event. ethers polls the filter once per new block it notices and skips a block
    // noticed while a poll is in flight (on any chain), so blocks keep coming (self-transfers
    // without events) until the last event arrived, and then until two more polls were
    // answered (ethers has one poll in flight at a time, so the second was sent after the last
    // event was delivered): a duplicate would have been delivered by then.
    const last = await (await token.transfer(to, 1000n, { nonce: kN + 1 })).wait();
    const idle = node.wallet(9, provider);
    let idleNonce = 0;
    const tick = async () => (await idle.sendTransaction({ to: idle.address, value: 0n, nonce: idleNonce++ })).wait();
    const arrived = () => seen.some((s) => s.value === 1000n);
    await waitFor(async () => arrived() || (await tick(), arrived()), { what: 'the last Transfer event' });
    const polls = () => calls.filter((m) => m === 'eth_getFilterChanges').length;
    const before = polls();
    await waitFor(async () => polls() >= before + 2 || (await tick(), false), { what: 'two more polls' });
    // Removing the listener uninstalls the filter (ethers sends eth_uninstallFilter).
    await listener.removeAllListeners();
    await waitFor(() => calls.includes('eth_uninstallFilter'), { what: 'eth_uninstallFilter' });
    const filterId = await filterInstalled;
    await assert.rejects(rpc(node.url, 'eth_getFilterChanges', [filterId]), (e) => e.rpc.message === 'filter not found');

    assert.deepEqual(seen.map((s) => s.value), [...Array.from({ length: kN }, (_, i) => BigInt(i + 1)), 1000n]);
    assert.deepEqual(seen.map((s) => s.tx), [...sent, last.hash]);
    // ethers used the filter API (not its eth_getLogs polling fallback).
    assert.ok(calls.includes('eth_newFilter'));
    assert.ok(!calls.includes('eth_getLogs'), `ethers fell back to eth_getLogs: ${[...new Set(calls)]}`);
  });

  it('block and pending-transaction filters report each new block and transaction once', async () => {
    const w = node.wallet(3, provider);
    const blocks = await rpc(node.url, 'eth_newBlockFilter');
    const txs = await rpc(node.url, 'eth_newPendingTransactionFilter');
    const full = await rpc(node.url, 'eth_newPendingTransactionFilter', [true]);
    const start = await provider.getBlockNumber();
    const receipts = [];
    for (let i = 0; i < 3; ++i) receipts.push(await (await w.sendTransaction({ to: w.address, value: 1n, nonce: i })).wait());
    const end = await provider.getBlockNumber();
    const hashes = await rpc(node.url, 'eth_getFilterChanges', [blocks]);
    const expected = [];
    for (let n = start + 1; n <= end; ++n) expected.push((await provider.getBlock(n)).hash);
    assert.deepEqual(hashes, expected);
    for (const r of receipts) assert.ok(hashes.includes(r.blockHash));
    assert.deepEqual(await rpc(node.url, 'eth_getFilterChanges', [txs]), receipts.map((r) => r.hash));
    const objects = await rpc(node.url, 'eth_getFilterChanges', [full]);
    assert.deepEqual(objects.map((t) => t.hash), receipts.map((r) => r.hash));
    assert.equal(objects[0].from.toLowerCase(), w.address.toLowerCase());
    // Each item once: the next poll has nothing new.
    assert.deepEqual(await rpc(node.url, 'eth_getFilterChanges', [txs]), []);
    for (const id of [blocks, txs, full]) assert.equal(await rpc(node.url, 'eth_uninstallFilter', [id]), true);
  });

  it('an uninstalled filter is gone ("filter not found", as geth)', async () => {
    const id = await rpc(node.url, 'eth_newFilter', [{ topics: [kTransferTopic] }]);
    assert.match(id, /^0x[0-9a-f]{32}$/);
    assert.deepEqual(await rpc(node.url, 'eth_getFilterChanges', [id]), []);
    assert.equal(await rpc(node.url, 'eth_uninstallFilter', [id]), true);
    assert.equal(await rpc(node.url, 'eth_uninstallFilter', [id]), false);
    for (const method of ['eth_getFilterChanges', 'eth_getFilterLogs']) {
      await assert.rejects(rpc(node.url, method, [id]), (e) => e.rpc.code === -32000 && e.rpc.message === 'filter not found');
    }
  });

  it('filters work over WebSocket and a filter made there can be polled over HTTP', async () => {
    const ws = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    try {
      let nextId = 1;
      const pending = new Map();
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        if (pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
      });
      const call = (method, params = []) => new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
      const id = (await call('eth_newBlockFilter')).result;
      const w = node.wallet(4, provider);
      const r = await (await w.sendTransaction({ to: w.address, value: 1n, nonce: 0 })).wait();
      const changes = (await call('eth_getFilterChanges', [id])).result;
      assert.ok(changes.includes(r.blockHash), JSON.stringify(changes));
      const r2 = await (await w.sendTransaction({ to: w.address, value: 1n, nonce: 1 })).wait();
      assert.ok((await rpc(node.url, 'eth_getFilterChanges', [id])).includes(r2.blockHash));
      assert.equal((await call('eth_uninstallFilter', [id])).result, true);
    } finally {
      ws.close();
    }
  });

  it('ethers WebSocketProvider "pending" (newPendingTransactions) hears each transaction once', async () => {
    const ws = node.wsProvider();
    const heard = [];
    await ws.on('pending', (hash) => heard.push(hash));
    const w = node.wallet(5, provider);
    let nonce = 0;
    const send = async () => (await w.sendTransaction({ to: w.address, value: 0n, nonce: nonce++ })).wait();
    // ethers subscribes in the background: send until the subscription hears something.
    await waitFor(async () => heard.length > 0 || (await send(), false), { what: 'the first pending notification' });
    const sent = [];
    for (let i = 0; i < 3; ++i) sent.push((await send()).hash);
    await waitFor(() => heard.includes(sent[2]), { what: 'the last notification' });
    const tail = heard.slice(heard.indexOf(sent[0]));
    assert.deepEqual(tail, sent);
    assert.equal(new Set(heard).size, heard.length, 'a transaction was announced twice');
    await ws.removeAllListeners();
  });

  it('same contract and transactions on anvil and on the L2: the same filter results', async () => {
    const anvil = await startAnvil({ hardfork: 'prague' });  // the dev genesis's rules
    try {
      const kSender = 8; // the same key on both chains, fresh on both: same contract address
      const run = async (url, wallet) => {
        const p = wallet.provider;
        const token = await testFactory('TestToken', wallet).deploy(10n ** 24n, { nonce: 0 });
        const deployed = await token.deploymentTransaction().wait();
        const address = await token.getAddress();
        const to = ethers.getAddress(`0x${'77'.repeat(20)}`);
        const all = await rpc(url, 'eth_newFilter', [{ address }]);
        const toOnly = await rpc(url, 'eth_newFilter', [{ topics: [kTransferTopic, null, ethers.zeroPadValue(to, 32)] }]);
        const ranged = await rpc(url, 'eth_newFilter', [{ fromBlock: ethers.toQuantity(deployed.blockNumber), toBlock: 'latest', address }]);
        const blocks = await rpc(url, 'eth_newBlockFilter');
        const txs = await rpc(url, 'eth_newPendingTransactionFilter');
        const receipts = [];
        const other = ethers.getAddress(`0x${'55'.repeat(20)}`);
        for (let i = 0; i < 4; ++i) {
          const tx = await token.transfer(i % 2 ? to : other, BigInt(100 + i), { nonce: i + 1 });
          receipts.push(await tx.wait());
        }
        const out = {
          all: await rpc(url, 'eth_getFilterChanges', [all]),
          toOnly: await rpc(url, 'eth_getFilterChanges', [toOnly]),
          ranged: await rpc(url, 'eth_getFilterLogs', [ranged]),
          blocks: await rpc(url, 'eth_getFilterChanges', [blocks]),
          txs: await rpc(url, 'eth_getFilterChanges', [txs]),
          again: await rpc(url, 'eth_getFilterChanges', [all]),
          address,
          receipts,
          deployed,
          latest: await p.getBlockNumber(),
        };
        for (const id of [all, toOnly, ranged, blocks, txs]) assert.equal(await rpc(url, 'eth_uninstallFilter', [id]), true);
        return out;
      };
      const l2 = await run(node.url, node.wallet(kSender, provider));
      const l1 = await run(anvil.url, anvil.wallet(kSender));
      assert.equal(l2.address, l1.address);

      // Logs compared modulo where they landed (block number/hash/time, tx hash: chain ids differ).
      const shape = (log) => ({
        address: log.address.toLowerCase(), topics: log.topics, data: log.data,
        logIndex: log.logIndex, transactionIndex: log.transactionIndex, removed: log.removed,
      });
      for (const key of ['all', 'toOnly', 'ranged']) {
        assert.deepEqual(l2[key].map(shape), l1[key].map(shape), key);
      }
      assert.equal(l2.all.length, 4);
      assert.equal(l2.toOnly.length, 2);
      assert.equal(l2.ranged.length, 5); // the mint and the four transfers
      assert.deepEqual(l2.again, []);
      assert.deepEqual(l1.again, []);
      // And each chain's own positions are those of its receipts.
      for (const r of [l2, l1]) {
        assert.deepEqual(r.all.map((l) => l.transactionHash), r.receipts.map((x) => x.hash));
        assert.deepEqual(r.all.map((l) => l.blockHash), r.receipts.map((x) => x.blockHash));
        assert.deepEqual(r.all.map((l) => Number(l.blockNumber)), r.receipts.map((x) => x.blockNumber));
        assert.equal(Number(r.ranged[0].blockNumber), r.deployed.blockNumber);
        assert.deepEqual(r.txs, r.receipts.map((x) => x.hash));
        assert.deepEqual(r.blocks, r.receipts.map((x) => x.blockHash));
      }
      assert.equal(l2.blocks.length, l1.blocks.length);

      // eth_call at block N runs with NUMBER = N on both chains (geth's rule).
      const probe = `0x${'42'.repeat(20)}`;
      const code = { [probe]: { code: '0x435f5260205ff3' } }; // mstore(0, number) return(0, 32)
      for (const [url, r] of [[node.url, l2], [anvil.url, l1]]) {
        for (const n of [r.deployed.blockNumber, r.latest]) {
          const out = await rpc(url, 'eth_call', [{ to: probe }, ethers.toQuantity(n), code]);
          assert.equal(BigInt(out), BigInt(n), url);
        }
      }
    } finally {
      await anvil.stop();
    }
  });
});
