// debug_trace* against anvil (issue 14 §2): the same contracts and transactions on the L2 and on
// anvil (--hardfork prague --steps-tracing: the dev genesis runs Prague rules; same dev account, so the same addresses), then the
// callTracer, prestateTracer (plain and diffMode) and struct-logger outputs compared, modulo the
// documented differences (docs/eth-rpc.md "Tracing"): gas figures that depend on the gas left
// (the L1 data fee is charged as gas up front), the sender's balance (fees), the fee recipients,
// geth's `codeHash` (anvil 1.7.1 does not report it) and anvil's always-present empty
// `returnData`/`memory`/`refund`. Also: a historical block traces the same as at the head,
// debug_traceCall, ArbOS's precompile as a call frame, and the timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../lib/anvil.mjs';
import { compileSolidity } from '../lib/contracts.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';

const skip = nodeSkipReason();

const kSource = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Child {
    uint256 public x;
    event Set(uint256 v);
    constructor() payable {}
    function set(uint256 v) external payable { x = v; emit Set(v); }
    function fail(string calldata why) external pure { revert(why); }
    function get() external view returns (uint256) { return x; }
}
contract Lib {
    uint256 public x;
    function store(uint256 v) external payable { x = v + 1; }
}
contract Parent {
    uint256 public x;
    Child public child;
    uint256 public runs;
    event Made(address a);
    constructor() payable { child = new Child(); }
    function run(address lib) external payable returns (uint256) {
        child.set{value: 1}(7);
        try child.fail("nope") {} catch {}
        uint256 v = child.get();
        (bool ok, ) = lib.delegatecall(abi.encodeWithSignature("store(uint256)", v));
        require(ok, "delegatecall");
        Child c2 = new Child{salt: bytes32(++runs)}();
        Child c3 = new Child{value: 2}();
        emit Made(address(c2));
        emit Made(address(c3));
        c2.set(3);
        return x;
    }
    function boom() external { child.set(1); revert("boom"); }
    function poor() external returns (bool ok) {
        (ok, ) = address(child).call{value: 1 ether}(abi.encodeWithSignature("get()"));
    }
    function poorCreate() external returns (bool ok) {
        try new Child{value: 1 ether}() { ok = true; } catch { ok = false; }
    }
}
contract Bomb {
    constructor() payable {}
    function kill(address payable to) external { selfdestruct(to); }
}
contract Small {
    uint256 s;
    function f(uint256 a) external returns (uint256) { s = a * 2 + s; return s; }
    function clear() external { s = 0; }
    function probe() external returns (bool ok, bytes memory out) {
        (ok, out) = address(0x64).staticcall(abi.encodeWithSignature("arbBlockNumber()"));
    }
}`;

const kAccount = 7;  // same dev key on both chains: same sender, nonces and contract addresses

/// callTracer frame without the figures that depend on the gas left: `gas` everywhere and the top
/// frame's `gasUsed` (checked apart, against the receipt).
function normCall(frame, top = true) {
  const f = { ...frame };
  delete f.gas;
  if (top) delete f.gasUsed;
  if (f.calls) f.calls = f.calls.map((c) => normCall(c, false));
  return f;
}

/// prestate account without geth's codeHash; the sender's balance dropped (fees differ).
function normAccount(acc, dropBalance) {
  if (!acc) return acc;
  const a = { ...acc };
  delete a.codeHash;
  if (dropBalance) delete a.balance;
  return a;
}

/// Struct log entry as geth would write it: anvil's empty returnData/memory and zero refund
/// removed, `gas` replaced by the gas spent since the first step.
function normStep(s, gas0) {
  const o = { ...s, gas: gas0 - s.gas };
  if (o.returnData === '0x') delete o.returnData;
  if (Array.isArray(o.memory) && o.memory.length === 0) delete o.memory;
  if (o.refund === 0) delete o.refund;
  return o;
}

describe('tracing: L2 vs anvil (prague)', { skip: skip ?? false }, () => {
  let node;
  let anvil;
  let chains;
  let art;
  before(async () => {
    art = {};
    for (const name of ['Parent', 'Lib', 'Small', 'Bomb']) art[name] = await compileSolidity(kSource, name, 'cancun');
    node = await startNode({ args: ['--l1-base-fee', '1000000'] });
    anvil = await startAnvil({ hardfork: 'prague', extraArgs: ['--steps-tracing'] });
    const mk = (name, provider, wallet, rpc) => ({ name, provider, wallet, rpc, c: {} });
    const l2p = node.provider();
    const l1p = anvil.provider();
    chains = [
      mk('l2', l2p, node.wallet(kAccount, l2p), async (m, p) => node.rpc(m, p)),
      mk('anvil', l1p, anvil.wallet(kAccount, l1p), async (m, p) => {
        try {
          return { result: await l1p.send(m, p) };
        } catch (e) {
          return { error: e.error ?? { message: e.message } };
        }
      }),
    ];
    for (const ch of chains) {
      let nonce = await ch.provider.getTransactionCount(ch.wallet.address);
      for (const name of ['Lib', 'Parent', 'Small', 'Bomb']) {
        const f = new ethers.ContractFactory(art[name].abi, art[name].bytecode, ch.wallet);
        const payable = name === 'Parent' || name === 'Bomb';
        const c = await f.deploy({ nonce: nonce++, gasLimit: 3_000_000n, ...(payable ? { value: 5n } : {}) });
        ch.c[name] = c;
        ch.c[`${name}Receipt`] = await c.deploymentTransaction().wait();
      }
    }
    assert.equal(await chains[0].c.Parent.getAddress(), await chains[1].c.Parent.getAddress(), 'same addresses');
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
    if (anvil) await anvil.stop();
  });

  /// Sends `make(chain)` on both chains; returns [l2 receipt, anvil receipt].
  async function both(make) {
    const out = [];
    for (const ch of chains) {
      const nonce = await ch.provider.getTransactionCount(ch.wallet.address);
      const sent = await ch.wallet.sendTransaction({ gasLimit: 2_000_000n, nonce, ...(await make(ch)) });
      let r;
      try {
        r = await sent.wait();
      } catch (e) {
        if (!e.receipt) throw e;
        r = e.receipt;
      }
      out.push(r);
    }
    return out;
  }

  /// The trace of `hashes[i]` on chain i with `config`; fails on an error.
  async function traces(hashes, config) {
    return Promise.all(chains.map(async (ch, i) => {
      const r = await ch.rpc('debug_traceTransaction', [hashes[i], config]);
      assert.ok(r.result !== undefined, `${ch.name}: ${JSON.stringify(r.error)}`);
      return r.result;
    }));
  }

  async function l1Gas(hash) {
    return BigInt((await node.rpc('eth_getTransactionReceipt', [hash])).result.gasUsedForL1);
  }

  it('callTracer: calls, value, revert, STATICCALL, DELEGATECALL, CREATE, CREATE2, logs', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Parent.getAddress(),
      value: 10n,
      data: ch.c.Parent.interface.encodeFunctionData('run', [await ch.c.Lib.getAddress()]),
    }));
    assert.equal(receipts[0].status, 1);
    assert.equal(receipts[1].status, 1);
    const hashes = receipts.map((r) => r.hash);
    for (const config of [{}, { withLog: true }, { onlyTopCall: true }, { onlyTopCall: true, withLog: true }]) {
      const [l2, ref] = await traces(hashes, { tracer: 'callTracer', tracerConfig: config });
      if (config.onlyTopCall && config.withLog) {
        // geth counts a log's position among the recorded subcalls, none with onlyTopCall
        // (native/call.go OnLog); anvil counts the subcalls anyway.
        assert.ok(l2.logs.every((l) => l.position === '0x0'), 'geth\'s position with onlyTopCall');
        for (const f of [l2, ref]) for (const l of f.logs) delete l.position;
      }
      assert.deepEqual(normCall(l2), normCall(ref), `callTracer ${JSON.stringify(config)}`);
      assert.equal(BigInt(l2.gasUsed), receipts[0].gasUsed, 'top gasUsed is the receipt gasUsed (L1 part included)');
      assert.equal(BigInt(l2.gasUsed) - await l1Gas(hashes[0]), BigInt(ref.gasUsed), 'L2 gas without the L1 part = anvil');
      assert.equal(BigInt(l2.gas), 2_000_000n, 'top gas is the tx gas limit');
      if (!config.onlyTopCall) {
        const types = l2.calls.map((c) => c.type);
        assert.deepEqual(types, ['CALL', 'STATICCALL', 'STATICCALL', 'DELEGATECALL', 'CREATE2', 'CREATE', 'CALL']);  // fail() is pure
        assert.equal(l2.calls[1].error, 'execution reverted');
        assert.equal(l2.calls[1].revertReason, 'nope');
      }
      if (config.withLog && !config.onlyTopCall) assert.equal(l2.calls[0].logs.length, 1);
    }
  });

  it('callTracer: a reverted transaction drops its logs and names the reason', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Parent.getAddress(),
      data: ch.c.Parent.interface.encodeFunctionData('boom', []),
    }));
    assert.equal(receipts[0].status, 0);
    const [l2, ref] = await traces(receipts.map((r) => r.hash), { tracer: 'callTracer', tracerConfig: { withLog: true } });
    assert.deepEqual(normCall(l2), normCall(ref));
    assert.equal(l2.error, 'execution reverted');
    assert.equal(l2.revertReason, 'boom');
    assert.equal(l2.calls[0].logs, undefined, 'logs of a reverted frame are dropped');
  });

  it('a call refused for lack of balance is a failed frame, as geth', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Parent.getAddress(),
      data: ch.c.Parent.interface.encodeFunctionData('poor', []),
    }));
    const hashes = receipts.map((r) => r.hash);
    const [l2, ref] = await traces(hashes, { tracer: 'callTracer' });
    assert.equal(l2.calls?.[0]?.error, 'insufficient balance for transfer');
    assert.deepEqual(normCall(l2), normCall(ref));
    const [s2, sref] = await traces(hashes, {});
    // geth's gasCost of the CALL includes the gas it would have handed over (all but a 64th of
    // what is left); that gas, with the stipend, comes back at once.
    const opCost = (logs) => {
      const i = logs.findIndex((x) => x.op === 'CALL');
      const [c, next] = [logs[i], logs[i + 1]];
      const back = next.gas - (c.gas - c.gasCost);
      const callGas = back - 2300;
      const cost = c.gasCost - callGas;
      const avail = c.gas - cost;
      assert.equal(callGas, avail - Math.floor(avail / 64));
      return cost;
    };
    assert.equal(opCost(s2.structLogs), opCost(sref.structLogs), 'same cost of the CALL itself');
  });

  it('a create refused for lack of balance is a failed frame, as geth', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Parent.getAddress(),
      data: ch.c.Parent.interface.encodeFunctionData('poorCreate', []),
    }));
    const [l2, ref] = await traces(receipts.map((r) => r.hash), { tracer: 'callTracer' });
    assert.equal(l2.calls?.[0]?.type, 'CREATE');
    assert.equal(l2.calls[0].error, 'insufficient balance for transfer');
    assert.deepEqual(normCall(l2), normCall(ref));
  });

  it('callTracer: a contract creation transaction', async () => {
    const hashes = chains.map((ch) => ch.c.SmallReceipt.hash);
    const [l2, ref] = await traces(hashes, { tracer: 'callTracer' });
    assert.equal(l2.type, 'CREATE');
    assert.deepEqual(normCall(l2), normCall(ref));
  });

  it('callTracer and prestateTracer: SELFDESTRUCT', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Bomb.getAddress(),
      data: ch.c.Bomb.interface.encodeFunctionData('kill', [ch.wallet.address]),
    }));
    const hashes = receipts.map((r) => r.hash);
    const [l2, ref] = await traces(hashes, { tracer: 'callTracer' });
    assert.equal(l2.calls?.[0]?.type, 'SELFDESTRUCT');
    assert.equal(l2.calls[0].value, '0x5');
    assert.deepEqual(normCall(l2), normCall(ref));
    const bomb = (await chains[0].c.Bomb.getAddress()).toLowerCase();
    const [d2, dref] = await traces(hashes, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } });
    for (const side of ['pre', 'post'])
      assert.deepEqual(normAccount(d2[side][bomb]), normAccount(dref[side][bomb]), `${side} of the contract`);
  });

  it('prestateTracer, with and without diffMode', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Parent.getAddress(),
      value: 10n,
      data: ch.c.Parent.interface.encodeFunctionData('run', [await ch.c.Lib.getAddress()]),
    }));
    const hashes = receipts.map((r) => r.hash);
    const sender = chains[0].wallet.address.toLowerCase();
    const parent = (await chains[0].c.Parent.getAddress()).toLowerCase();
    const child = (await chains[0].c.Parent.child()).toLowerCase();
    const lib = (await chains[0].c.Lib.getAddress()).toLowerCase();
    const [tree] = await traces(hashes, { tracer: 'callTracer' });
    const made = tree.calls.filter((c) => c.type.startsWith('CREATE')).map((c) => c.to);
    assert.equal(made.length, 2);
    const interesting = [sender, parent, child, lib];

    const [l2, ref] = await traces(hashes, { tracer: 'prestateTracer' });
    for (const a of interesting) {
      assert.ok(l2[a], `L2 prestate has ${a}`);
      assert.deepEqual(normAccount(l2[a], a === sender), normAccount(ref[a], a === sender), `prestate of ${a}`);
    }
    assert.ok(l2[parent].code && l2[parent].codeHash, 'code and geth\'s codeHash');
    assert.equal(l2[made[0]], undefined, 'accounts created by the tx did not exist before');

    const [d2, dref] = await traces(hashes, { tracer: 'prestateTracer', tracerConfig: { diffMode: true } });
    for (const a of [...interesting, ...made]) {
      for (const side of ['pre', 'post']) {
        assert.deepEqual(normAccount(d2[side][a], a === sender), normAccount(dref[side][a], a === sender),
          `diffMode ${side} of ${a}`);
      }
    }
    assert.ok(d2.post[made[0]]?.code, 'created contract in post');
    assert.equal(d2.post[sender].nonce, dref.post[sender].nonce);
  });

  it('struct logs of a small contract match step by step', async () => {
    const receipts = await both(async (ch) => ({
      to: await ch.c.Small.getAddress(),
      data: ch.c.Small.interface.encodeFunctionData('f', [3n]),
    }));
    const hashes = receipts.map((r) => r.hash);
    for (const config of [{}, { enableMemory: true }, { disableStack: true, disableStorage: true }]) {
      const [l2, ref] = await traces(hashes, config);
      assert.equal(l2.failed, false);
      assert.equal(l2.returnValue, ref.returnValue);
      assert.equal(BigInt(l2.gas), receipts[0].gasUsed);
      assert.equal(l2.structLogs.length, ref.structLogs.length, 'same number of steps');
      const g2 = l2.structLogs[0].gas;
      const g1 = ref.structLogs[0].gas;
      const a = l2.structLogs.map((s) => normStep(s, g2));
      const b = ref.structLogs.map((s) => normStep(s, g1));
      assert.deepEqual(a, b, `struct logs ${JSON.stringify(config)}`);
      if (config.disableStack) assert.equal(l2.structLogs[0].stack, undefined);
    }
    // An SSTORE that clears a slot: the refund counter (EIP-3529) in the later steps.
    const cleared = await both(async (ch) => ({
      to: await ch.c.Small.getAddress(),
      data: ch.c.Small.interface.encodeFunctionData('clear', []),
    }));
    const [c2, cref] = await traces(cleared.map((r) => r.hash), { enableReturnData: true });
    assert.deepEqual(c2.structLogs.map((s) => normStep(s, c2.structLogs[0].gas)),
      cref.structLogs.map((s) => normStep(s, cref.structLogs[0].gas)), 'struct logs with a refund');
    assert.equal(c2.structLogs.at(-1).refund, 4800);
    // limit: recording stops once the JSON of the steps exceeds it.
    const [limited] = await traces(hashes, { limit: 1 });
    assert.equal(limited.structLogs.length, 1);
  });

  it('debug_traceCall matches anvil', async () => {
    const calls = await Promise.all(chains.map(async (ch) => {
      const call = {
        from: ch.wallet.address,
        to: await ch.c.Parent.getAddress(),
        value: '0xa',
        data: ch.c.Parent.interface.encodeFunctionData('run', [await ch.c.Lib.getAddress()]),
        gas: '0x1e8480',
      };
      const r = await ch.rpc('debug_traceCall', [call, 'latest', { tracer: 'callTracer', tracerConfig: { withLog: true } }]);
      assert.ok(r.result, `${ch.name}: ${JSON.stringify(r.error)}`);
      return r.result;
    }));
    assert.deepEqual(normCall(calls[0]), normCall(calls[1]));
  });

  it('ArbOS precompiles appear as ordinary call frames', async () => {
    const small = chains[0].c.Small;
    const r = await node.rpc('debug_traceCall', [{
      from: chains[0].wallet.address, to: await small.getAddress(),
      data: small.interface.encodeFunctionData('probe', []),
    }, 'latest', { tracer: 'callTracer' }]);
    assert.ok(r.result, JSON.stringify(r.error));
    const frame = r.result.calls[0];
    assert.equal(frame.type, 'STATICCALL');
    assert.equal(frame.to, '0x0000000000000000000000000000000000000064');
    assert.equal(frame.input, ethers.id('arbBlockNumber()').slice(0, 10));
    assert.equal(frame.output.length, 66, 'a uint256 answer');
  });

  it('a historical block traces as it did at the head; by hash as by number', async () => {
    const [r] = await both(async (ch) => ({
      to: await ch.c.Parent.getAddress(),
      value: 10n,
      data: ch.c.Parent.interface.encodeFunctionData('run', [await ch.c.Lib.getAddress()]),
    }));
    const number = ethers.toQuantity(r.blockNumber);
    const configs = [{ tracer: 'callTracer', tracerConfig: { withLog: true } },
      { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }, { enableMemory: true }];
    const atHead = [];
    for (const c of configs) atHead.push((await node.rpc('debug_traceBlockByNumber', [number, c])).result);
    assert.equal(atHead[0].length, 1);
    assert.equal(atHead[0][0].txHash, r.hash);
    assert.deepEqual(atHead[0][0].result, (await node.rpc('debug_traceTransaction', [r.hash, configs[0]])).result);
    // Move the chain on: the same contracts' storage changes in later blocks.
    for (let i = 0; i < 3; i++) {
      await both(async (ch) => ({
        to: await ch.c.Small.getAddress(),
        data: ch.c.Small.interface.encodeFunctionData('f', [BigInt(i + 10)]),
      }));
      await both(async (ch) => ({
        to: await ch.c.Parent.getAddress(),
        value: 10n,
        data: ch.c.Parent.interface.encodeFunctionData('run', [await ch.c.Lib.getAddress()]),
      }));
    }
    assert.ok((await node.provider().getBlockNumber()) > r.blockNumber + 3);
    for (let i = 0; i < configs.length; i++) {
      const later = await node.rpc('debug_traceBlockByNumber', [number, configs[i]]);
      assert.deepEqual(later.result, atHead[i], `historical ${JSON.stringify(configs[i])}`);
      const byHash = await node.rpc('debug_traceBlockByHash', [r.blockHash, configs[i]]);
      assert.deepEqual(byHash.result, atHead[i]);
    }
  });

  it('errors: timeout, unknown tracer, unknown transaction and block', async () => {
    const hash = chains[0].c.SmallReceipt.hash;
    const t = await node.rpc('debug_traceTransaction', [hash, { timeout: '0s' }]);
    assert.equal(t.error?.message, 'execution timeout');
    const b = await node.rpc('debug_traceBlockByNumber',
      [ethers.toQuantity(chains[0].c.SmallReceipt.blockNumber), { timeout: '0s', tracer: 'callTracer' }]);
    assert.equal(b.result[0].error, 'execution timeout');
    const u = await node.rpc('debug_traceTransaction', [hash, { tracer: 'nope' }]);
    assert.equal(u.error?.message, 'tracer not found');
    const bad = await node.rpc('debug_traceTransaction', [hash, { timeout: 'soon' }]);
    assert.match(bad.error?.message, /invalid duration/);
    const missing = await node.rpc('debug_traceTransaction', [ethers.ZeroHash, {}]);
    assert.equal(missing.error?.message, 'transaction not found');
    const noBlock = await node.rpc('debug_traceBlockByNumber', ['0xffffff', {}]);
    assert.match(noBlock.error?.message, /not found/);
    const genesis = await node.rpc('debug_traceBlockByNumber', ['0x0', {}]);
    assert.equal(genesis.error?.message, 'genesis is not traceable');
  });
});
