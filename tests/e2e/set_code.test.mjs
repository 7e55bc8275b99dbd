// EIP-7702 set-code transactions (type 4) with ethers v6 on a new chain (ArbOS version 3, Prague
// rules: docs/genesis.md "ArbOS versions"): sponsored and self-sponsored delegations, the
// delegation designator 0xef0100 ‖ address at the authority, calls running the delegate's code
// in the authority's context, the transaction's authorizationList and its receipt over JSON-RPC;
// and a chain whose genesis keeps Cancun rules (arbosVersion 1) refuses them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ethers } from 'ethers';
import { kDevChainId, nodeSkipReason, runFusel2, startNode } from '../lib/fusel2.mjs';

const skip = nodeSkipReason();

/// Runtime code returning ADDRESS as a word: run through a delegation, it answers the authority.
const kDelegateRuntime = '3060005260206000f3';
/// CODECOPY(0, 12, 9), RETURN(0, 9), then the runtime.
const kDelegateInit = `0x6009600c60003960096000f3${kDelegateRuntime}`;

function designator(address) {
  return `0xef0100${address.slice(2).toLowerCase()}`;
}

describe('EIP-7702 set-code transactions', { skip: skip ?? false }, () => {
  let node;
  let provider;
  let delegate;
  const extra = [];
  before(async () => {
    node = await startNode();
    provider = node.provider();
    const deployer = node.wallet(3, provider);
    const r = await (await deployer.sendTransaction({ data: kDelegateInit })).wait();
    assert.equal(r.status, 1);
    delegate = r.contractAddress;
    assert.equal(await provider.getCode(delegate), `0x${kDelegateRuntime}`);
  });
  after(async () => {
    for (const n of extra) assert.equal((await n.stop()).code, 0, n.output());
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('a sponsored delegation sets 0xef0100 ‖ delegate at the authority', async () => {
    const authority = node.wallet(4, provider);
    const sponsor = node.wallet(5, provider);
    const auth = await authority.authorize({ address: delegate, nonce: await authority.getNonce() });
    assert.equal(auth.chainId, kDevChainId);
    // No gas limit: ethers estimates it, sending the authorizationList to eth_estimateGas.
    const tx = await sponsor.sendTransaction({ type: 4, to: authority.address, authorizationList: [auth] });
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    assert.equal(receipt.type, 4);
    assert.equal(await provider.getCode(authority.address), designator(delegate));
    assert.equal(await provider.getTransactionCount(authority.address), 1);

    // The transaction as JSON-RPC returns it (ethers parses authorizationList).
    const got = await provider.getTransaction(tx.hash);
    assert.equal(got.type, 4);
    assert.equal(got.authorizationList.length, 1);
    const a = got.authorizationList[0];
    assert.equal(a.address, delegate);
    assert.equal(a.nonce, 0n);
    assert.equal(a.chainId, kDevChainId);
    assert.equal(a.signature.r, auth.signature.r);
    assert.equal(a.signature.s, auth.signature.s);
    assert.equal(a.signature.yParity, auth.signature.yParity);
    const raw = await node.rpc('eth_getTransactionByHash', [tx.hash]);
    assert.deepEqual(Object.keys(raw.result.authorizationList[0]).sort(), ['address', 'chainId', 'nonce', 'r', 's', 'yParity']);
    const rawReceipt = await node.rpc('eth_getTransactionReceipt', [tx.hash]);
    assert.equal(rawReceipt.result.type, '0x4');

    // A call to the authority runs the delegate's code in the authority's context.
    const out = await provider.call({ to: authority.address });
    assert.equal(ethers.getAddress(ethers.dataSlice(out, 12)), authority.address);

    // The delegated EOA still sends ordinary transactions (EIP-3607 exempts delegations).
    const r2 = await (await authority.sendTransaction({ to: sponsor.address, value: 1n })).wait();
    assert.equal(r2.status, 1);
  });

  it('a self-sponsored delegation (authorization nonce = tx nonce + 1), then a reset to zero', async () => {
    const self = node.wallet(6, provider);
    const n = await self.getNonce();
    const auth = await self.authorize({ address: delegate, nonce: n + 1 });
    const r = await (await self.sendTransaction({
      type: 4, to: self.address, nonce: n, authorizationList: [auth],
    })).wait();
    assert.equal(r.status, 1);
    assert.equal(await provider.getCode(self.address), designator(delegate));
    assert.equal(await provider.getTransactionCount(self.address), n + 2);

    const clear = await self.authorize({ address: ethers.ZeroAddress, nonce: n + 3 });
    const r2 = await (await self.sendTransaction({
      type: 4, to: self.address, nonce: n + 2, authorizationList: [clear],
    })).wait();
    assert.equal(r2.status, 1);
    assert.equal(await provider.getCode(self.address), '0x');
  });

  it('an authorization for another chain is skipped, the transaction still included', async () => {
    const authority = node.wallet(7, provider);
    const sponsor = node.wallet(8, provider);
    const auth = await authority.authorize({ address: delegate, nonce: 0, chainId: kDevChainId + 1n });
    const r = await (await sponsor.sendTransaction({
      type: 4, to: authority.address, authorizationList: [auth],
    })).wait();
    assert.equal(r.status, 1);
    assert.equal(await provider.getCode(authority.address), '0x');
  });

  it('a chain whose genesis keeps Cancun rules (arbosVersion 1) refuses type 4', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-cancun-'));
    const file = path.join(dir, 'genesis.json');
    const w = await runFusel2(['genesis', '--dev', '--write', file]);
    assert.equal(w.code, 0, w.output);
    const g = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete g.arbosVersion;  // an existing chain's file (without the version-3 L1 backlog fields)
    for (const k of ['l1TargetBytesPerSecond', 'l1BacklogToleranceSeconds', 'l1PricingInertia']) delete g.fees[k];
    fs.writeFileSync(file, JSON.stringify(g, null, 2));
    const cancun = await startNode({ args: ['--genesis', file] });
    extra.push(cancun);
    fs.rmSync(dir, { recursive: true, force: true });
    const p = cancun.provider();
    const block = await p.send('eth_getBlockByNumber', ['latest', false]);
    assert.equal(block.requestsHash, undefined);
    const authority = cancun.wallet(4, p);
    const sponsor = cancun.wallet(5, p);
    const auth = await authority.authorize({ address: delegate, nonce: 0 });
    const fd = await p.getFeeData();
    const raw = await sponsor.signTransaction({
      type: 4, chainId: kDevChainId, nonce: 0, to: authority.address, authorizationList: [auth],
      gasLimit: 500_000n, maxFeePerGas: fd.maxFeePerGas * 2n, maxPriorityFeePerGas: 0n,
    });
    const res = await cancun.rpc('eth_sendRawTransaction', [raw]);
    assert.equal(res.error?.message, 'transaction type not supported', JSON.stringify(res));
  });
});
