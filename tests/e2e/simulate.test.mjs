// eth_simulateV1 through the real binary: the shapes and values the execution-apis spec gives
// (blocks numbered and timed after the base, 12 s apart, gaps filled, parent hashes chained,
// each call's {returnData, logs, gasUsed, maxUsedGas, status, error}), calls chained across
// simulated blocks, state overrides per block (balance, code, state, stateDiff, nonce), geth's
// validation and request error codes, and a differential run of the same requests on anvil
// --hardfork prague (the dev genesis's rules; anvil implements eth_simulateV1 too): the calls'
// results must be the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../lib/anvil.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testArtifact } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();

const kReverter = '0x00000000000000000000000000000000000C0DE1';
const kEee = '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
const kTransferTopic = ethers.id('Transfer(address,address,uint256)');

/// One JSON-RPC call to `url`; the whole response.
async function rpc(url, method, params) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return res.json();
}

/// What two nodes must agree on for a call: the EVM's outcome. A reverted call's output is
/// in `error.data` with `returnData` "0x" as geth answers (simulate.go: result.Return() is empty
/// on failure), while anvil puts it in `returnData` and gives no `error.data`: compared as the
/// call's output either way. Error messages and codes are each node's own wording.
function callOutcome(c) {
  const failed = c.status === '0x0';
  return {
    status: c.status,
    output: failed ? (c.error?.data ?? c.returnData) : c.returnData,
    gasUsed: c.gasUsed,
    logs: c.logs.map((l) => ({ address: l.address.toLowerCase(), topics: l.topics, data: l.data })),
    failed: failed && c.error !== undefined,
  };
}

describe('eth_simulateV1', { skip: skip ?? false }, () => {
  let node;
  let anvil;
  let reverter;  // ethers Interface
  let code;
  let from;
  let to;
  before(async () => {
    await buildL2TestContracts();
    const a = testArtifact('Reverter');
    reverter = new ethers.Interface(a.abi);
    code = a.deployedBytecode;
    [node, anvil] = await Promise.all([startNode(), startAnvil({ hardfork: 'prague' })]);
    from = node.wallet(5).address;  // the same funded account on both (same mnemonic)
    to = ethers.Wallet.createRandom().address;
  });
  after(async () => {
    if (anvil) await anvil.stop();
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  /// The request the differential and the spec checks use: a contract given by a state
  /// override, a store, reads in the same and the next block, a transfer, two reverts.
  function request({ traceTransfers = true } = {}) {
    const call = (data, value) => ({ from, to: kReverter, input: data, ...(value ? { value } : {}) });
    return {
      traceTransfers,
      blockStateCalls: [
        {
          stateOverrides: { [kReverter]: { code } },
          calls: [
            call(reverter.encodeFunctionData('set', [42n])),
            call(reverter.encodeFunctionData('value')),
            { from, to, value: '0x10' },
            call(reverter.encodeFunctionData('set', [0n])),   // Error(string)
            call(reverter.encodeFunctionData('set', [5n])),   // TooSmall(5, 10)
          ],
        },
        { calls: [call(reverter.encodeFunctionData('value'))] },
      ],
    };
  }

  it('answers as the spec says: numbering, chaining, calls and logs', async () => {
    const base = (await rpc(node.url, 'eth_getBlockByNumber', ['latest', false])).result;
    const res = await rpc(node.url, 'eth_simulateV1', [request(), 'latest']);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    const blocks = res.result;
    assert.equal(blocks.length, 2);
    blocks.forEach((b, i) => {
      assert.equal(BigInt(b.number), BigInt(base.number) + BigInt(i + 1));
      assert.equal(BigInt(b.timestamp), BigInt(base.timestamp) + 12n * BigInt(i + 1));
      assert.equal(b.parentHash, i === 0 ? base.hash : blocks[i - 1].hash);
      for (const k of ['hash', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'logsBloom', 'miner', 'gasLimit',
        'gasUsed', 'baseFeePerGas', 'transactions', 'calls'])
        assert.ok(k in b, `block field ${k}`);
      assert.equal(b.transactions.length, b.calls.length);
      // The header fields of the chain's rules: Prague's empty requests hash (EIP-7685) as in
      // the real blocks.
      assert.equal(b.requestsHash, base.requestsHash);
      assert.equal(b.withdrawalsRoot, base.withdrawalsRoot);
      // A block's gasUsed is its calls'.
      assert.equal(BigInt(b.gasUsed), b.calls.reduce((s, c) => s + BigInt(c.gasUsed), 0n));
    });
    const calls = blocks[0].calls;
    for (const c of calls) {
      const keys = Object.keys(c).sort();
      assert.deepEqual(keys, c.status === '0x1'
        ? ['gasUsed', 'logs', 'maxUsedGas', 'returnData', 'status']
        : ['error', 'gasUsed', 'logs', 'maxUsedGas', 'returnData', 'status']);
      assert.ok(BigInt(c.maxUsedGas) >= BigInt(c.gasUsed));
    }
    // The store is seen by the next call and by the next block.
    assert.equal(calls[0].status, '0x1');
    assert.equal(reverter.decodeFunctionResult('value', calls[1].returnData)[0], 42n);
    assert.equal(reverter.decodeFunctionResult('value', blocks[1].calls[0].returnData)[0], 42n);
    // The event, then the transfer as an ERC-20 Transfer from 0xeee…; log indices run through
    // the block; logs point at their block and transaction.
    const logs = blocks[0].calls.flatMap((c) => c.logs);
    assert.deepEqual(logs.map((l) => Number(l.logIndex)), logs.map((_, i) => i));
    assert.equal(calls[0].logs[0].topics[0], reverter.getEvent('ValueSet').topicHash);
    assert.equal(calls[2].logs.length, 1);
    assert.equal(calls[2].logs[0].address, kEee);
    assert.deepEqual(calls[2].logs[0].topics, [kTransferTopic, ethers.zeroPadValue(from, 32).toLowerCase(),
      ethers.zeroPadValue(to, 32).toLowerCase()]);
    assert.equal(BigInt(calls[2].logs[0].data), 16n);
    for (const [i, c] of blocks[0].calls.entries()) {
      for (const l of c.logs) {
        assert.equal(l.blockHash, blocks[0].hash);
        assert.equal(l.transactionHash, blocks[0].transactions[i]);
        assert.equal(Number(l.transactionIndex), i);
      }
    }
    // Reverts: geth's error objects; the reasons decode with ethers.
    assert.equal(calls[3].status, '0x0');
    assert.equal(calls[3].error.code, 3);
    assert.equal(calls[3].error.message, 'execution reverted: value must not be zero');
    assert.equal(reverter.parseError(calls[3].error.data).args[0], 'value must not be zero');
    assert.equal(calls[3].returnData, '0x');  // geth: the output of a failed call is error.data
    assert.equal(calls[4].error.code, 3);
    const err = reverter.parseError(calls[4].error.data);
    assert.equal(err.name, 'TooSmall');
    assert.deepEqual([...err.args], [5n, 10n]);
    // Nothing of it is on the chain.
    assert.equal(await rpc(node.url, 'eth_getCode', [kReverter, 'latest']).then((r) => r.result), '0x');
  });

  it('gives the same call results as anvil for the same request', async () => {
    const [ours, theirs] = await Promise.all([
      rpc(node.url, 'eth_simulateV1', [request(), 'latest']),
      rpc(anvil.url, 'eth_simulateV1', [request(), 'latest']),
    ]);
    assert.equal(theirs.error, undefined, `anvil: ${JSON.stringify(theirs.error)}`);
    assert.equal(ours.result.length, theirs.result.length);
    for (let b = 0; b < ours.result.length; ++b) {
      const mine = ours.result[b].calls.map(callOutcome);
      const anv = theirs.result[b].calls.map(callOutcome);
      assert.equal(mine.length, anv.length, `block ${b}: calls`);
      for (let i = 0; i < mine.length; ++i) assert.deepEqual(mine[i], anv[i], `block ${b} call ${i}`);
    }
  });

  /// Code that returns the balance of `who` (PUSH20 who, BALANCE, PUSH0, MSTORE, return 32 bytes).
  const balanceProbe = (who) => ethers.concat(['0x73', who, '0x315f5260205ff3']);

  /// A request whose results hang on state overrides and on state carried from block to block.
  function overrideRequest(rich, payee, probe, slotValue) {
    const read = { from: rich, to: probe, input: '0x' };
    const value = { from: rich, to: kReverter, input: reverter.encodeFunctionData('value') };
    return {
      blockStateCalls: [
        {
          stateOverrides: {
            [rich]: { balance: ethers.toQuantity(ethers.parseEther('5')) },
            [probe]: { code: balanceProbe(payee) },
            [kReverter]: { code, stateDiff: { [ethers.toBeHex(0, 32)]: ethers.toBeHex(slotValue, 32) } },
          },
          calls: [{ from: rich, to: payee, value: ethers.toQuantity(ethers.parseEther('1')) }, read, value],
        },
        // Carried over: the payee's balance and slot 0; then a second payment.
        { calls: [read, value, { from: rich, to: payee, value: ethers.toQuantity(ethers.parseEther('1')) }, read] },
        // An override in a later block replaces what the earlier blocks left: `state` clears
        // every other slot, `balance` sets the payee's.
        {
          stateOverrides: {
            [payee]: { balance: '0x7' },
            [kReverter]: { state: { [ethers.toBeHex(1, 32)]: ethers.toBeHex(5, 32) } },
          },
          calls: [read, value],
        },
      ],
    };
  }

  it('applies state overrides per block and carries state across blocks (same as anvil)', async () => {
    const rich = ethers.Wallet.createRandom().address;  // no funds but the override's
    const payee = ethers.Wallet.createRandom().address;
    const probe = ethers.Wallet.createRandom().address;
    const req = overrideRequest(rich, payee, probe, 99n);
    const [ours, theirs] = await Promise.all([
      rpc(node.url, 'eth_simulateV1', [req, 'latest']),
      rpc(anvil.url, 'eth_simulateV1', [req, 'latest']),
    ]);
    assert.equal(ours.error, undefined, JSON.stringify(ours.error));
    const word = (c) => {
      assert.equal(c.status, '0x1', JSON.stringify(c));
      return BigInt(c.returnData);
    };
    const [b1, b2, b3] = ours.result.map((b) => b.calls);
    const eth = ethers.parseEther('1');
    assert.deepEqual([word(b1[1]), word(b1[2])], [eth, 99n]);
    assert.deepEqual([word(b2[0]), word(b2[1]), word(b2[3])], [eth, 99n, 2n * eth]);
    assert.equal(b2[2].status, '0x1');
    assert.deepEqual([word(b3[0]), word(b3[1])], [7n, 0n]);
    // Nothing of it is on the chain.
    assert.equal((await rpc(node.url, 'eth_getBalance', [payee, 'latest'])).result, '0x0');

    assert.equal(theirs.error, undefined, `anvil: ${JSON.stringify(theirs.error)}`);
    assert.equal(ours.result.length, theirs.result.length);
    ours.result.forEach((b, i) => assert.deepEqual(b.calls.map(callOutcome), theirs.result[i].calls.map(callOutcome),
      `block ${i}`));

    // Without the balance override the same payment fails, as geth: not enough for the value.
    const poor = await rpc(node.url, 'eth_simulateV1', [{ blockStateCalls: [{
      calls: [{ from: rich, to: payee, value: ethers.toQuantity(eth) }],
    }] }, 'latest']);
    assert.equal(poor.error?.code, -38014, JSON.stringify(poor));
    assert.match(poor.error.message, /^insufficient funds for gas \* price \+ value: address /);
  });

  it('fills gaps, returns full transactions, and validates like a transaction', async () => {
    const base = (await rpc(node.url, 'eth_getBlockByNumber', ['latest', false])).result;
    const n = BigInt(base.number);
    let res = await rpc(node.url, 'eth_simulateV1', [{
      returnFullTransactions: true,
      blockStateCalls: [{ blockOverrides: { number: ethers.toQuantity(n + 3n) }, calls: [{ from, to, value: '0x1' }] }],
    }, 'latest']);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.deepEqual(res.result.map((b) => BigInt(b.number)), [n + 1n, n + 2n, n + 3n]);
    assert.deepEqual(res.result[0].calls, []);
    const tx = res.result[2].transactions[0];
    assert.equal(ethers.getAddress(tx.from), from);
    assert.equal(ethers.getAddress(tx.to), to);
    assert.equal(tx.blockHash, res.result[2].hash);

    // Validation: a real transaction's rules and geth's codes.
    const nonce = await node.provider().getTransactionCount(from, 'latest');
    const fee = (await node.provider().getFeeData()).maxFeePerGas * 2n;
    const tx1 = { from, to, value: '0x1', maxFeePerGas: ethers.toQuantity(fee) };
    res = await rpc(node.url, 'eth_simulateV1', [{ validation: true, blockStateCalls: [{ calls: [tx1, tx1] }] }, 'latest']);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.deepEqual(res.result[0].transactions.length, 2);
    assert.ok(BigInt(res.result[0].calls[0].gasUsed) > 21000n, 'the L1 data fee is part of a valid transaction\'s gas');
    res = await rpc(node.url, 'eth_simulateV1', [{
      validation: true, blockStateCalls: [{ calls: [{ ...tx1, nonce: ethers.toQuantity(nonce + 7) }] }],
    }, 'latest']);
    assert.equal(res.error?.code, -38011);
    assert.equal(res.error.message, `nonce too high: address ${from.toLowerCase()}, tx: ${nonce + 7} state: ${nonce}`);
    // A nonce override is the state validation checks against.
    const at50 = (n) => ({ validation: true, blockStateCalls: [{
      stateOverrides: { [from]: { nonce: ethers.toQuantity(50) } },
      calls: [{ ...tx1, nonce: ethers.toQuantity(n) }],
    }] });
    res = await rpc(node.url, 'eth_simulateV1', [at50(50), 'latest']);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.equal(res.result[0].calls[0].status, '0x1');
    res = await rpc(node.url, 'eth_simulateV1', [at50(49), 'latest']);
    assert.equal(res.error?.code, -38010);
    assert.equal(res.error.message, `nonce too low: address ${from.toLowerCase()}, tx: 49 state: 50`);
    res = await rpc(node.url, 'eth_simulateV1', [{ validation: true, blockStateCalls: [{ calls: [{ from, to }] }] }, 'latest']);
    assert.equal(res.error?.code, -38012);
    assert.match(res.error.message, /^max fee per gas less than block base fee: /);

    // The request's own errors.
    res = await rpc(node.url, 'eth_simulateV1', [{ blockStateCalls: [] }]);
    assert.deepEqual(res.error, { code: -32602, message: 'empty input' });
    res = await rpc(node.url, 'eth_simulateV1', [{
      blockStateCalls: [{ blockOverrides: { number: ethers.toQuantity(n + 2n) } }, { blockOverrides: { number: ethers.toQuantity(n + 1n) } }],
    }]);
    assert.equal(res.error?.code, -38020);
    assert.equal(res.error.message, `block numbers must be in order: ${n + 1n} <= ${n + 2n}`);
    res = await rpc(node.url, 'eth_simulateV1', [{ blockStateCalls: [{ blockOverrides: { time: base.timestamp } }] }]);
    assert.equal(res.error?.code, -38021);
    res = await rpc(node.url, 'eth_simulateV1', [{ blockStateCalls: [{ blockOverrides: { number: ethers.toQuantity(n + 300n) } }] }]);
    assert.deepEqual(res.error, { code: -38026, message: 'too many blocks' });
  });
});
