// Every refusal case of eth_sendRawTransaction answers its JSON-RPC error (geth's codes and
// messages), the node stays healthy (a good transaction still goes through), and /metrics
// counts the refusals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { kDevChainId, nodeSkipReason, startNode } from '../lib/fusel2.mjs';

const skip = nodeSkipReason();

describe('refusals', { skip: skip ?? false }, () => {
  let node;
  let provider;
  let alice;
  let bob;
  let fees;
  let gasLimit;  // enough for a transfer: 21000 + the L1 data fee as gas (large at 1 gwei L1)
  let nonce = 0;
  let refusedBefore;
  before(async () => {
    node = await startNode();
    provider = node.provider();
    alice = node.wallet(1, provider);
    bob = node.wallet(2, provider).address;
    const fd = await provider.getFeeData();
    fees = { maxFeePerGas: fd.maxFeePerGas * 2n, maxPriorityFeePerGas: 0n };
    gasLimit = 2n * await provider.estimateGas({ from: alice.address, to: bob, value: 1n });
    refusedBefore = await node.metrics();
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  /// A signed EIP-1559 transfer from `wallet` with `overrides`.
  async function signed(wallet, overrides = {}) {
    return wallet.signTransaction({
      type: 2, chainId: kDevChainId, nonce, to: bob, value: 1n, gasLimit, ...fees, ...overrides,
    });
  }

  async function sendRaw(raw) {
    return node.rpc('eth_sendRawTransaction', [raw]);
  }

  /// The node is healthy: it answers, and a good transaction from alice is included.
  async function assertHealthy() {
    const res = await sendRaw(await signed(alice));
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    const receipt = await provider.getTransactionReceipt(res.result);
    assert.equal(receipt.status, 1);
    ++nonce;
  }

  it('accepts a good transaction first', assertHealthy);

  it('bad signature -> -32000 invalid sender', async () => {
    const tx = ethers.Transaction.from(await signed(alice));
    // r = 0 is not a valid signature value (YP appendix F: 0 < r < n)
    const fields = [ethers.toBeArray(kDevChainId), ethers.toBeArray(tx.nonce), '0x', ethers.toBeArray(tx.maxFeePerGas),
      ethers.toBeArray(tx.gasLimit), tx.to, ethers.toBeArray(tx.value), '0x', [], '0x', '0x', ethers.toBeArray(tx.signature.s)];
    const raw = ethers.concat(['0x02', ethers.encodeRlp(fields)]);
    const res = await sendRaw(raw);
    assert.equal(res.error?.code, -32000, JSON.stringify(res));
    assert.match(res.error.message, /^invalid sender/);
    await assertHealthy();
  });

  it('wrong chain id -> -32000 invalid chain id', async () => {
    const res = await sendRaw(await signed(alice, { chainId: 1n }));
    assert.equal(res.error?.code, -32000, JSON.stringify(res));
    assert.match(res.error.message, /invalid chain id/);
    await assertHealthy();
  });

  it('nonce too low -> -32000 nonce too low', async () => {
    const res = await sendRaw(await signed(alice, { nonce: 0 }));
    assert.equal(res.error?.code, -32000, JSON.stringify(res));
    assert.match(res.error.message, /^nonce too low/);
    await assertHealthy();
  });

  it('insufficient funds -> -32000 insufficient funds for gas * price + value', async () => {
    const poor = ethers.Wallet.createRandom();
    const res = await sendRaw(await poor.signTransaction({
      type: 2, chainId: kDevChainId, nonce: 0, to: bob, value: 1n, gasLimit, ...fees,
    }));
    assert.equal(res.error?.code, -32000, JSON.stringify(res));
    assert.match(res.error.message, /^insufficient funds for gas \* price \+ value/);
    // more value than the balance
    const rich = await sendRaw(await signed(alice, { value: ethers.parseEther('20000') }));
    assert.equal(rich.error?.code, -32000, JSON.stringify(rich));
    assert.match(rich.error.message, /^insufficient funds/);
    await assertHealthy();
  });

  it('gas too low -> -32000 intrinsic gas too low', async () => {
    const res = await sendRaw(await signed(alice, { gasLimit: 20000n }));
    assert.equal(res.error?.code, -32000, JSON.stringify(res));
    assert.match(res.error.message, /^intrinsic gas too low/);
    await assertHealthy();
  });

  it('oversized (> 128 KiB) -> -32000 oversized data', async () => {
    const res = await sendRaw(await signed(alice, { data: ethers.hexlify(new Uint8Array(140 * 1024)), gasLimit: 30000000n }));
    assert.equal(res.error?.code, -32000, JSON.stringify(res).slice(0, 300));
    assert.match(res.error.message, /^oversized data/);
    await assertHealthy();
  });

  it('malformed hex -> -32602 invalid argument; undecodable bytes -> -32000', async () => {
    for (const bad of ['0xzz', '12', '0x123']) {
      const res = await sendRaw(bad);
      assert.equal(res.error?.code, -32602, `${bad}: ${JSON.stringify(res)}`);
    }
    const res = await sendRaw('0x02c0ffee');
    assert.ok(res.error, JSON.stringify(res));
    assert.equal(res.error.code, -32000, JSON.stringify(res));
    await assertHealthy();
  });

  it('malformed JSON -> -32700 parse error', async () => {
    for (const body of ['{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x02"', 'not json']) {
      const res = await node.post(body);
      assert.equal(res.error?.code, -32700, JSON.stringify(res));
      assert.equal(res.id, null);
    }
    await assertHealthy();
  });

  it('/metrics counts the accepted and refused transactions and the RPC errors', async () => {
    const m = await node.metrics();
    const key = 'fusel2_rpc_errors_total{method="eth_sendRawTransaction"}';
    // bad signature, chain id, nonce, 2x funds, gas, size, 3x hex, undecodable
    assert.ok(m[key] - (refusedBefore[key] ?? 0) >= 11, `${key} = ${m[key]}`);
    const calls = 'fusel2_rpc_calls_total{method="eth_sendRawTransaction"}';
    assert.ok(m[calls] - m[key] >= nonce, `${calls} = ${m[calls]}`);
    assert.ok(m.fusel2_txs_accepted_total >= nonce, JSON.stringify(m));
    assert.equal(m.fusel2_head_block, await provider.getBlockNumber());
    for (const reason of ['invalid_signature', 'wrong_chain_id', 'nonce_too_low', 'insufficient_funds',
      'intrinsic_gas', 'oversized', 'malformed']) {
      const k = `fusel2_txs_refused_total{reason="${reason}"}`;
      assert.ok(m[k] >= 1, `${k} = ${m[k]}`);
    }
    assert.equal(m['fusel2_txs_refused_total{reason="insufficient_funds"}'], 2);
    assert.ok(m['fusel2_block_interval_seconds_count'] >= 1);
    assert.equal(m.fusel2_pool_txs, 0);
  });
});
