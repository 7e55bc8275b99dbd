// Differential test (issue #5): the same transactions on the L2 and on anvil started with the
// same rules (--hardfork prague, the dev genesis's ArbOS version 3, Prague rules; the same dev accounts) give the same status, gas used (L2 gas
// minus its L1 data fee part, gasUsedForL1), logs, contract addresses and fee-adjusted balances.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../lib/anvil.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testArtifact } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();

/// One chain under test: its provider, wallets and a way to read gasUsedForL1.
function chain(name, provider, wallet, l1Gas) {
  return { name, provider, wallet, l1Gas, fees: new Map() };
}

describe('differential: L2 vs anvil (prague)', { skip: skip ?? false }, () => {
  let node;
  let anvil;
  let chains;
  before(async () => {
    await buildL2TestContracts();
    // A low L1 price (0.001 gwei) keeps the L1 data fee nonzero but well inside the gas limits.
    node = await startNode({ args: ['--l1-base-fee', '1000000'] });
    anvil = await startAnvil({ hardfork: 'prague' });
    const l2p = node.provider();
    const l1p = anvil.provider();
    chains = [
      chain('l2', l2p, (i) => node.wallet(i, l2p),
        async (hash) => BigInt((await node.rpc('eth_getTransactionReceipt', [hash])).result.gasUsedForL1)),
      chain('anvil', l1p, (i) => anvil.wallet(i, l1p), async () => 0n),
    ];
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
    if (anvil) await anvil.stop();
  });

  /// Sends `make(chain)` (a tx request) from account `from` on both chains; returns the two
  /// receipts after comparing them.
  async function both(from, make, what) {
    const out = [];
    for (const c of chains) {
      const w = c.wallet(from);
      const nonce = await c.provider.getTransactionCount(w.address);
      const req = { gasLimit: 5_000_000n, nonce, ...(await make(c)) };
      const sent = await w.sendTransaction(req);
      let r;
      try {
        r = await sent.wait();
      } catch (e) {
        if (!e.receipt) throw e;
        r = e.receipt;  // reverted: still included
      }
      const fee = r.gasUsed * r.gasPrice;
      c.fees.set(w.address, (c.fees.get(w.address) ?? 0n) + fee);
      out.push({ r, l1: await c.l1Gas(r.hash) });
      if (c.name === 'l2') assert.ok(out[0].l1 > 0n, `${what}: the L2 charged an L1 data fee`);
    }
    const [l2, l1] = out;
    assert.equal(l2.r.status, l1.r.status, `${what}: status`);
    assert.equal(l2.r.gasUsed - l2.l1, l1.r.gasUsed, `${what}: gas used (L2 ${l2.r.gasUsed} - L1 part ${l2.l1})`);
    assert.equal(l2.r.contractAddress, l1.r.contractAddress, `${what}: contract address`);
    assert.deepEqual(l2.r.logs.map((l) => [l.address, l.topics, l.data]),
      l1.r.logs.map((l) => [l.address, l.topics, l.data]), `${what}: logs`);
    return [l2.r, l1.r];
  }

  it('gives the same results for transfers, ERC-20, a revert and contract deploys', async () => {
    const token = testArtifact('TestToken');
    const reverter = testArtifact('Reverter');
    const tokenIface = new ethers.Interface(token.abi);
    const revIface = new ethers.Interface(reverter.abi);
    const addr = (i) => chains[0].wallet(i).address;
    const startBalances = await Promise.all(chains.map((c) =>
      Promise.all([1, 2, 3, 4].map((i) => c.provider.getBalance(addr(i))))));
    assert.deepEqual(startBalances[0], startBalances[1], 'same dev balances at genesis');

    await both(1, () => ({ to: addr(2), value: ethers.parseEther('1.5') }), 'ETH transfer');
    await both(2, () => ({ to: addr(3), value: 1n }), 'tiny ETH transfer');
    await both(3, () => ({ to: addr(3), value: 0n }), 'self transfer');
    const [deployed] = await both(1, () => ({
      data: ethers.concat([token.bytecode, tokenIface.encodeDeploy([10n ** 24n])]),
    }), 'ERC-20 deploy');
    const tokenAddress = deployed.contractAddress;
    await both(1, () => ({ to: tokenAddress, data: tokenIface.encodeFunctionData('transfer', [addr(2), 1000n]) }), 'ERC-20 transfer');
    await both(2, () => ({ to: tokenAddress, data: tokenIface.encodeFunctionData('transfer', [addr(4), 10n]) }), 'ERC-20 transfer 2');
    await both(2, () => ({ to: tokenAddress, data: tokenIface.encodeFunctionData('approve', [addr(3), 500n]) }), 'ERC-20 approve');
    await both(3, () => ({ to: tokenAddress, data: tokenIface.encodeFunctionData('transferFrom', [addr(2), addr(3), 400n]) }), 'ERC-20 transferFrom');
    const [rev] = await both(4, () => ({ data: reverter.bytecode }), 'contract deploy');
    const [reverted] = await both(4, () => ({ to: rev.contractAddress, data: revIface.encodeFunctionData('set', [0n]) }), 'revert (reason)');
    assert.equal(reverted.status, 0);
    await both(4, () => ({ to: rev.contractAddress, data: revIface.encodeFunctionData('set', [3n]) }), 'revert (custom error)');
    await both(4, () => ({ to: rev.contractAddress, data: revIface.encodeFunctionData('set', [42n]) }), 'storage write + event');
    await both(4, () => ({ to: rev.contractAddress, data: revIface.encodeFunctionData('set', [43n]) }), 'storage overwrite');
    await both(1, () => ({ to: tokenAddress, data: tokenIface.encodeFunctionData('transfer', [addr(2), 10n ** 30n]) }), 'ERC-20 transfer over balance (custom error)');

    // Balances: what each account gained or lost apart from the fees it paid is the same.
    for (const i of [1, 2, 3, 4]) {
      const deltas = [];
      for (const [k, c] of chains.entries()) {
        const now = await c.provider.getBalance(addr(i));
        deltas.push(now - startBalances[k][i - 1] + (c.fees.get(addr(i)) ?? 0n));
      }
      assert.equal(deltas[0], deltas[1], `account ${i}: balance change without fees`);
    }
    for (const i of [1, 2, 3, 4]) {
      const data = tokenIface.encodeFunctionData('balanceOf', [addr(i)]);
      const [a, b] = await Promise.all(chains.map((c) => c.provider.call({ to: tokenAddress, data })));
      assert.equal(a, b, `account ${i}: token balance`);
    }
    const value = revIface.encodeFunctionData('value', []);
    const [va, vb] = await Promise.all(chains.map((c) => c.provider.call({ to: rev.contractAddress, data: value })));
    assert.equal(BigInt(va), 43n);
    assert.equal(va, vb);
  });
});
