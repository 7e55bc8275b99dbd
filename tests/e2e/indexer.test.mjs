// A Blockscout-style indexing pass (issue 14, "How it is checked"): what an explorer's indexer asks
// a geth-type node for, over a range of blocks, and that it finds everything the chain holds:
// every block with full transactions (eth_getBlockByNumber(n, true)), its receipts in one call
// (eth_getBlockReceipts), its internal transactions (debug_traceBlockByNumber with the callTracer),
// balances at a block (eth_getBalance at n - 1 and n), and the ERC-20 metadata calls
// (name/symbol/decimals/totalSupply/balanceOf at a block). The contracts make every kind of
// internal call (CALL with value, a reverted CALL, STATICCALL, DELEGATECALL, CREATE with value,
// CREATE2, a call into the contract just created); the pass must find each one where the chain put
// it, with the addresses the contract's own events name.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { compileSolidity } from '../lib/contracts.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();

const kSource = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Child {
    uint256 public x;
    constructor() payable {}
    function set(uint256 v) external payable { x = v; }
    function fail() external pure { revert("child says no"); }
    function get() external view returns (uint256) { return x; }
}
contract Lib {
    uint256 public x;
    function store(uint256 v) external payable { x = v + 1; }
}
contract Explorer {
    uint256 public x;
    Child public child;
    uint256 public runs;
    event Made(address created, bool viaCreate2);
    constructor() payable { child = new Child(); }
    function run(address lib) external payable {
        child.set{value: 1}(7);
        try child.fail() {} catch {}
        uint256 v = child.get();
        (bool ok, ) = lib.delegatecall(abi.encodeWithSignature("store(uint256)", v));
        require(ok, "delegatecall");
        Child c2 = new Child{salt: bytes32(++runs)}();
        Child c3 = new Child{value: 2}();
        emit Made(address(c2), true);
        emit Made(address(c3), false);
        c2.set(3);
    }
}`;

const kAccount = 6;

/// Every frame of a callTracer tree below the top one, depth first, with its depth.
function internalCalls(frame, depth = 0, out = []) {
  for (const c of frame.calls ?? []) {
    out.push({ ...c, depth: depth + 1 });
    internalCalls(c, depth + 1, out);
  }
  return out;
}

const lower = (a) => a.toLowerCase();

describe('indexer: a Blockscout-style pass over a range of blocks', { skip: skip ?? false }, () => {
  let node;
  let provider;
  let first;
  let last;
  let explorer;
  let lib;
  let token;
  let runReceipt;
  let transferReceipt;
  const recipient = ethers.Wallet.createRandom().address;
  const tokenTo = ethers.Wallet.createRandom().address;

  before(async () => {
    await buildL2TestContracts();
    const art = {};
    for (const name of ['Explorer', 'Lib']) art[name] = await compileSolidity(kSource, name, 'cancun');
    node = await startNode();
    provider = node.provider();
    const wallet = node.wallet(kAccount, provider);
    let nonce = await provider.getTransactionCount(wallet.address);
    first = (await provider.getBlockNumber()) + 1;
    lib = await new ethers.ContractFactory(art.Lib.abi, art.Lib.bytecode, wallet).deploy({ nonce: nonce++ });
    await lib.waitForDeployment();
    explorer = await new ethers.ContractFactory(art.Explorer.abi, art.Explorer.bytecode, wallet).deploy({
      nonce: nonce++,
      value: 10n,
    });
    await explorer.waitForDeployment();
    token = await testFactory('TestToken', wallet).deploy(ethers.parseEther('1000'), { nonce: nonce++ });
    await token.waitForDeployment();
    runReceipt = await (await explorer.run(await lib.getAddress(), { nonce: nonce++, value: 5n })).wait();
    transferReceipt = await (await token.transfer(tokenTo, ethers.parseEther('2.5'), { nonce: nonce++ })).wait();
    await (await wallet.sendTransaction({ to: recipient, value: 12345n, nonce: nonce++ })).wait();
    last = await provider.getBlockNumber();
  });
  after(async () => {
    provider?.destroy();
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('indexes every block: full transactions, one receipt per transaction, one trace per transaction', async () => {
    let txs = 0;
    for (let n = first; n <= last; n++) {
      const tag = ethers.toQuantity(n);
      const block = await node.rpc('eth_getBlockByNumber', [tag, true]);
      assert.ok(block.result, `block ${n}`);
      const full = block.result.transactions;
      assert.ok(full.every((t) => typeof t === 'object' && t.blockNumber === tag), `block ${n}: full transactions`);
      const receipts = (await node.rpc('eth_getBlockReceipts', [tag])).result;
      assert.equal(receipts.length, full.length, `block ${n}: a receipt per transaction`);
      receipts.forEach((r, i) => {
        assert.equal(r.transactionHash, full[i].hash, `block ${n} receipt ${i}`);
        assert.equal(r.blockHash, block.result.hash);
        assert.equal(Number(r.transactionIndex), i);
      });
      const traces = (await node.rpc('debug_traceBlockByNumber', [tag, { tracer: 'callTracer' }])).result;
      assert.equal(traces.length, full.length, `block ${n}: a trace per transaction`);
      traces.forEach((t, i) => {
        assert.equal(t.txHash, full[i].hash);
        assert.ok(t.result, `block ${n} trace ${i}: ${JSON.stringify(t.error)}`);
        assert.equal(lower(t.result.from), lower(full[i].from));
        if (full[i].to) assert.equal(lower(t.result.to), lower(full[i].to));
        assert.equal(BigInt(t.result.value ?? '0x0'), BigInt(full[i].value));
        assert.equal(t.result.error === undefined, receipts[i].status === '0x1', `block ${n} trace ${i}: error iff failed`);
      });
      txs += full.length;
    }
    assert.ok(txs >= 6, `${txs} transactions indexed`);
  });

  it('finds every internal call of the contract, with the addresses its events name', async () => {
    const n = ethers.toQuantity(runReceipt.blockNumber);
    const traces = (await node.rpc('debug_traceBlockByNumber', [n, { tracer: 'callTracer' }])).result;
    const t = traces.find((x) => x.txHash === runReceipt.hash);
    assert.ok(t, 'the run transaction is traced in its block');
    const calls = internalCalls(t.result);
    const child = lower(await explorer.child());
    const made = runReceipt.logs.map((l) => explorer.interface.parseLog(l)).filter((e) => e?.name === 'Made');
    const c2 = lower(made.find((e) => e.args.viaCreate2).args.created);
    const c3 = lower(made.find((e) => !e.args.viaCreate2).args.created);
    const iface = new ethers.Interface(['function set(uint256)', 'function fail()', 'function get()', 'function store(uint256)']);
    const sel = (f) => iface.getFunction(f).selector;
    const shape = calls.map((c) => [c.type, lower(c.to), c.input.slice(0, 10), BigInt(c.value ?? '0x0'), c.error ?? null]);
    assert.deepEqual(shape, [
      ['CALL', child, sel('set'), 1n, null],
      ['STATICCALL', child, sel('fail'), 0n, 'execution reverted'], // fail() is pure
      ['STATICCALL', child, sel('get'), 0n, null],
      // A DELEGATECALL frame carries the value of the call it runs in (geth's callTracer).
      ['DELEGATECALL', lower(await lib.getAddress()), sel('store'), 5n, null],
      ['CREATE2', c2, shape[4][2], 0n, null],
      ['CREATE', c3, shape[5][2], 2n, null],
      ['CALL', c2, sel('set'), 0n, null],
    ]);
    assert.ok(calls.every((c) => c.depth === 1), 'all made by the contract itself');
    const failed = calls[1];
    assert.equal(failed.revertReason, 'child says no');
    // The created contracts' code is what the CREATE frames returned.
    for (const frame of [calls[4], calls[5]]) {
      assert.equal(frame.output, await provider.getCode(frame.to, runReceipt.blockNumber));
    }
  });

  it('balances at a block: before and after the transfers that changed them', async () => {
    const c3 = (await node.rpc('debug_traceTransaction', [runReceipt.hash, { tracer: 'callTracer' }])).result.calls
      .find((c) => c.type === 'CREATE').to;
    const b = runReceipt.blockNumber;
    assert.equal(await provider.getBalance(c3, b - 1), 0n);
    assert.equal(await provider.getBalance(c3, b), 2n);
    assert.equal(await provider.getBalance(await explorer.child(), b - 1), 0n);
    assert.equal(await provider.getBalance(await explorer.child(), b), 1n);
    assert.equal(await provider.getBalance(await explorer.getAddress(), b), 10n + 5n - 1n - 2n);
    assert.equal(await provider.getBalance(recipient, last - 1), 0n);
    assert.equal(await provider.getBalance(recipient, last), 12345n);
  });

  it('ERC-20 metadata and balances at a block, as an indexer reads a token', async () => {
    const b = transferReceipt.blockNumber;
    assert.equal(await token.name({ blockTag: b }), 'Fuse Test Token');
    assert.equal(await token.symbol({ blockTag: b }), 'FTT');
    assert.equal(await token.decimals({ blockTag: b }), 18n);
    assert.equal(await token.totalSupply({ blockTag: b }), ethers.parseEther('1000'));
    assert.equal(await token.balanceOf(tokenTo, { blockTag: b - 1 }), 0n);
    assert.equal(await token.balanceOf(tokenTo, { blockTag: b }), ethers.parseEther('2.5'));
    const transfer = transferReceipt.logs.map((l) => token.interface.parseLog(l)).find((e) => e?.name === 'Transfer');
    assert.equal(lower(transfer.args.to), lower(tokenTo));
    // The token transfer's trace is a single top-level call: no internal calls to index.
    const t = (await node.rpc('debug_traceTransaction', [transferReceipt.hash, { tracer: 'callTracer' }])).result;
    assert.equal(t.calls, undefined);
    assert.equal(lower(t.to), lower(await token.getAddress()));
  });
});
