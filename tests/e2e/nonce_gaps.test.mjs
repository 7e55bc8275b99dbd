// Nonce gaps (issue 14 point 4) through the real binary and ethers v6: a transaction whose nonce
// leaves a gap that is never filled is refused after the sequencer's short wait (1 s by default,
// as Nitro), with geth's "nonce too high" naming the next nonce, instead of hanging until the
// client's timeout; a gap filled within the wait gets both included in nonce order, each
// acknowledged only once its block is durable; and whatever waits in the pool is visible in
// txpool_content / contentFrom / status / inspect in geth's shapes. The wait is the node's
// `sequencer.nonce-gap-wait-ms`: a value the RPC timeout would cut short is refused at start,
// and a node given 20 s still holds the gapped transaction after the default 1 s.
//
// No timings decide a result: what the pool holds is read in the same JSON-RPC batch right
// after the gapped transaction (the server runs a batch's items in order, and
// eth_sendRawTransaction admits the transaction to the pool before its answer is pending), so
// the reads cannot miss it. The 20 s node is looked at once 1.5 s have passed; it could only
// fail if the node refused the transaction 18.5 s early.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { kDevChainId, nodeSkipReason, runFusel2, startNode } from '../lib/fusel2.mjs';
import { waitFor } from '../lib/rollup.mjs';

const skip = nodeSkipReason();

describe('nonce gaps', { skip: skip ?? false }, () => {
  let node;
  let provider;
  let fees;
  let gasLimit;
  const to = ethers.Wallet.createRandom().address;
  before(async () => {
    node = await startNode();
    provider = node.provider();
    const fd = await provider.getFeeData();
    fees = { maxFeePerGas: fd.maxFeePerGas * 2n, maxPriorityFeePerGas: 0n };
    gasLimit = 2n * await provider.estimateGas({ from: node.wallet(1).address, to, value: 1n });
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  /// A signed transfer of dev account `wallet` with nonce `nonce`.
  function signed(wallet, nonce, value = 1n) {
    return wallet.signTransaction({ type: 2, chainId: kDevChainId, nonce, to, value, gasLimit, ...fees });
  }

  /// Posts `calls` ([method, params]) as one JSON-RPC batch; the answers in order.
  async function batch(calls) {
    const body = calls.map(([method, params], i) => ({ jsonrpc: '2.0', id: i, method, params }));
    const out = await node.post(JSON.stringify(body));
    assert.ok(Array.isArray(out), JSON.stringify(out));
    return out.sort((a, b) => a.id - b.id);
  }

  it('a gap that is never filled is refused, naming the next nonce (ethers v6 sendTransaction)', async () => {
    const wallet = node.wallet(3, provider);
    const next = await provider.getTransactionCount(wallet.address, 'pending');
    const tx = { to, value: 1n, nonce: next + 1, gasLimit, ...fees };
    const hash = ethers.keccak256(await wallet.signTransaction({ ...tx, type: 2, chainId: kDevChainId }));
    await assert.rejects(wallet.sendTransaction(tx), (e) => {
      const inner = e.error ?? e.info?.error;
      assert.equal(inner?.code, -32000, `${e}`);
      assert.equal(inner.message, `nonce too high: next nonce ${next}, tx nonce ${next + 1}`);
      return true;
    });
    // Nothing of it stayed: not in a block, not pooled, the pending nonce unchanged.
    assert.equal(await provider.getTransaction(hash), null);
    assert.equal(await provider.getTransactionCount(wallet.address, 'pending'), next);
    assert.deepEqual(await provider.send('txpool_status', []), { pending: '0x0', queued: '0x0' });
    // The sender can go on with the right nonce.
    const ok = await wallet.sendTransaction({ to, value: 1n, nonce: next, gasLimit, ...fees });
    assert.equal((await ok.wait()).status, 1);
  });

  it('while it waits, the gapped transaction is queued in txpool_* (geth shapes), then refused', async () => {
    const wallet = node.wallet(4, provider);
    const next = await provider.getTransactionCount(wallet.address, 'pending');
    const raw = await signed(wallet, next + 2, 7n);
    const hash = ethers.keccak256(raw);
    const from = ethers.getAddress(wallet.address);  // txpool keys addresses as EIP-55
    const [sent, content, mine, status, inspect] = await batch([
      ['eth_sendRawTransaction', [raw]],
      ['txpool_content', []],
      ['txpool_contentFrom', [wallet.address]],
      ['txpool_status', []],
      ['txpool_inspect', []],
    ]);
    assert.equal(sent.error?.code, -32000, JSON.stringify(sent));
    assert.equal(sent.error.message, `nonce too high: next nonce ${next}, tx nonce ${next + 2}`);

    const key = String(next + 2);  // nonces as decimal strings
    const queued = content.result.queued[from]?.[key];
    assert.ok(queued, JSON.stringify(content.result));
    assert.deepEqual(content.result.pending, {});
    assert.equal(queued.hash, hash);
    assert.equal(queued.from, wallet.address.toLowerCase());
    assert.equal(queued.nonce, ethers.toQuantity(next + 2));
    assert.equal(queued.value, '0x7');
    assert.equal(queued.blockHash, null);
    assert.equal(queued.blockNumber, null);
    assert.equal(queued.transactionIndex, null);
    assert.equal(queued.gasPrice, ethers.toQuantity(fees.maxFeePerGas));  // the fee cap (geth)
    // ethers parses the pooled transaction as a transaction (same fields as a mined one).
    const parsed = ethers.Transaction.from(raw);
    assert.equal(BigInt(queued.gas), parsed.gasLimit);
    assert.deepEqual(mine.result, { pending: {}, queued: { [key]: queued } });
    assert.deepEqual(status.result, { pending: '0x0', queued: '0x1' });
    assert.equal(inspect.result.queued[from][key],
      `${ethers.getAddress(to)}: 7 wei + ${gasLimit} gas × ${fees.maxFeePerGas} wei`);
    // Refused: gone from the pool.
    assert.deepEqual(await provider.send('txpool_status', []), { pending: '0x0', queued: '0x0' });
  });

  it('a gap filled within the wait: both included in nonce order, each answered once durable', async () => {
    const wallet = node.wallet(5, provider);
    const next = await provider.getTransactionCount(wallet.address, 'pending');
    const later = await signed(wallet, next + 1, 2n);
    const first = await signed(wallet, next, 1n);
    const [a, pooled, b] = await batch([
      ['eth_sendRawTransaction', [later]],   // waits behind the gap
      ['txpool_contentFrom', [wallet.address]],
      ['eth_sendRawTransaction', [first]],   // fills it
    ]);
    assert.deepEqual(Object.keys(pooled.result.queued), [String(next + 1)], JSON.stringify(pooled));
    assert.equal(a.result, ethers.keccak256(later), JSON.stringify(a));
    assert.equal(b.result, ethers.keccak256(first), JSON.stringify(b));
    // Both answers came after their blocks were durable: the receipts exist at once.
    const ra = await provider.getTransactionReceipt(a.result);
    const rb = await provider.getTransactionReceipt(b.result);
    assert.equal(ra.status, 1);
    assert.equal(rb.status, 1);
    assert.ok(rb.blockNumber < ra.blockNumber || (rb.blockNumber === ra.blockNumber && rb.index < ra.index),
      `nonce ${next} at ${rb.blockNumber}/${rb.index}, nonce ${next + 1} at ${ra.blockNumber}/${ra.index}`);
    assert.equal(await provider.getTransactionCount(wallet.address, 'latest'), next + 2);
    assert.deepEqual(await provider.send('txpool_content', []), { pending: {}, queued: {} });
  });

  it('eth_sendRawTransactionSync still refuses a gap at once (EIP-7966 code 6)', async () => {
    const wallet = node.wallet(6, provider);
    const next = await provider.getTransactionCount(wallet.address, 'pending');
    const res = await node.rpc('eth_sendRawTransactionSync', [await signed(wallet, next + 3)]);
    assert.equal(res.error?.code, 6, JSON.stringify(res));
    assert.equal(res.error.message, `nonce too high: next nonce ${next}, tx nonce ${next + 3}`);
  });
});

describe('nonce gaps: the wait is the node setting sequencer.nonce-gap-wait-ms', { skip: skip ?? false }, () => {
  let tmp;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-gapwait-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a node refuses a wait of 0 or one the RPC timeout would cut short', async () => {
    const args = (wait, more = []) => ['node', '--dev', '--datadir', path.join(tmp, 'd'), '--http-port', '0',
      '--metrics-enabled=false', '--sequencer-nonce-gap-wait-ms', String(wait), ...more];
    let r = await runFusel2(args(0));
    assert.notEqual(r.code, 0);
    assert.match(r.output, /sequencer: nonce-gap-wait-ms must be between 1 and 600000, not 0/);
    r = await runFusel2(args(30000));
    assert.notEqual(r.code, 0);
    assert.match(r.output, /sequencer\.nonce-gap-wait-ms \(30000\) must be below rpc\.timeout-ms \(30000\)/);
    const toml = path.join(tmp, 'gap.toml');
    fs.writeFileSync(toml, '[sequencer]\nnonce-gap-wait-ms = 5000\n[rpc]\ntimeout-ms = 4000\n');
    r = await runFusel2(['node', '--dev', '--datadir', path.join(tmp, 'd'), '--config', toml]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /sequencer\.nonce-gap-wait-ms \(5000\) must be below rpc\.timeout-ms \(4000\)/);
  });

  it('with a 20 s wait, a gap filled by a later, separate request gets both included', async () => {
    const node = await startNode({ args: ['--sequencer-nonce-gap-wait-ms', '20000'] });
    try {
      const provider = node.provider();
      const wallet = node.wallet(7, provider);
      const to = ethers.Wallet.createRandom().address;
      const fd = await provider.getFeeData();
      const gasLimit = 2n * await provider.estimateGas({ from: wallet.address, to, value: 1n });
      const tx = (nonce) => wallet.signTransaction({ type: 2, chainId: kDevChainId, nonce, to, value: 1n,
        gasLimit, maxFeePerGas: fd.maxFeePerGas * 2n, maxPriorityFeePerGas: 0n });
      const next = await provider.getTransactionCount(wallet.address, 'pending');
      const sentAt = Date.now();
      let answered = null;  // the gapped transaction's answer, once it comes
      const later = node.rpc('eth_sendRawTransaction', [await tx(next + 1)]).then((r) => (answered = r));
      const early = await Promise.race([later,
        waitFor(async () => (await provider.send('txpool_status', [])).queued === '0x1',
          { what: 'the gapped transaction queued', intervalMs: 20 }).then(() => null)]);
      assert.equal(early, null, `answered before its gap was filled: ${JSON.stringify(early)}`);
      // Past the default wait (1 s) it is still queued: the node's setting is the one in force.
      await waitFor(() => Date.now() - sentAt > 1500, { what: 'the default wait to pass', intervalMs: 50 });
      assert.equal(answered, null, `answered before its gap was filled: ${JSON.stringify(answered)}`);
      assert.deepEqual(Object.keys((await provider.send('txpool_contentFrom', [wallet.address])).queued),
        [String(next + 1)]);
      const first = await node.rpc('eth_sendRawTransaction', [await tx(next)]);
      const second = await later;
      assert.equal(first.error, undefined, JSON.stringify(first));
      assert.equal(second.error, undefined, JSON.stringify(second));
      assert.equal((await provider.getTransactionReceipt(second.result)).status, 1);
      assert.equal(await provider.getTransactionCount(wallet.address, 'latest'), next + 2);
    } finally {
      assert.equal((await node.stop()).code, 0, node.output());
    }
  });
});
