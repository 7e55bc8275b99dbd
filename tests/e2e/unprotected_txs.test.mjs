// sequencer.allow-unprotected-txs (geth's --rpc.allow-unprotected-txs, docs/node.md): a legacy
// transaction without an EIP-155 chain id is refused by default with geth's text, and let in with
// the flag — which is how an operator replays a keyless deployment on a chain whose genesis has
// no predeploys. The replayed one here is Arachnid's CREATE2 deployer (Nick's method: the
// signature 0x2222…, so nobody holds the key of 0x3fAB…45362).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ethers } from 'ethers';
import { nodeSkipReason, runFusel2, startNode } from '../lib/fusel2.mjs';
import { kCreate2DeployerAddress, predeploys } from '../../scripts/predeploys.mjs';

const skip = nodeSkipReason();
const kRefusal = 'only replay-protected (EIP-155) transactions allowed over RPC';
const kProxyCodeHash = '0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989';

/// The CREATE2 deployer's keyless deployment transaction, rebuilt from its init code (the
/// npm package's) and the published parameters: nonce 0, 100 gwei, 100000 gas, r = s = 0x22…22.
function keylessCreate2DeployerTx() {
  const { initCode } = predeploys().find((p) => p.name === 'create2Deployer');
  const tx = ethers.Transaction.from({
    type: 0, chainId: 0n, nonce: 0, gasPrice: 100_000_000_000n, gasLimit: 100_000n, to: null, value: 0n, data: initCode,
  });
  tx.signature = ethers.Signature.from({ r: `0x${'22'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, v: 27 });
  return tx;
}

/// A pre-EIP-155 transfer (v = 27/28) from `wallet`.
async function unprotectedTransfer(wallet, nonce, gasPrice) {
  return wallet.signTransaction({
    type: 0, chainId: 0n, nonce, gasPrice, gasLimit: 21_000n, to: wallet.address, value: 0n,
  });
}

describe('unprotected (pre-EIP-155) transactions', { skip: skip ?? false }, () => {
  const nodes = [];
  const dirs = [];
  after(async () => {
    for (const n of nodes) assert.equal((await n.stop()).code, 0, n.output());
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('are refused by default with geth\'s text', async () => {
    // No L1 fee, so a 21000-gas transfer suffices.
    const node = await startNode({ args: ['--l1-base-fee', '0'] });
    nodes.push(node);
    const provider = node.provider();
    const w = node.wallet(1, provider);
    const gasPrice = (await provider.getFeeData()).gasPrice * 2n;
    const res = await node.rpc('eth_sendRawTransaction', [await unprotectedTransfer(w, 0, gasPrice)]);
    assert.ok(res.error, JSON.stringify(res));
    assert.equal(res.error.code, -32000);
    assert.equal(res.error.message, kRefusal);
    const replay = await node.rpc('eth_sendRawTransaction', [keylessCreate2DeployerTx().serialized]);
    assert.equal(replay.error?.message, kRefusal);
  });

  it('are accepted with --sequencer-allow-unprotected-txs: a keyless deployment replays', async () => {
    // A chain whose genesis has no predeploys (as an existing chain's file).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-unprotected-'));
    dirs.push(dir);
    const file = path.join(dir, 'genesis.json');
    const w = await runFusel2(['genesis', '--dev', '--write', file]);
    assert.equal(w.code, 0, w.output);
    const g = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete g.predeploys;
    fs.writeFileSync(file, JSON.stringify(g, null, 2));
    const node = await startNode({
      args: ['--genesis', file, '--sequencer-allow-unprotected-txs', '--l1-base-fee', '0'],
    });
    nodes.push(node);
    const provider = node.provider();
    assert.equal(await provider.getCode(kCreate2DeployerAddress), '0x');

    const tx = keylessCreate2DeployerTx();
    assert.equal(tx.from, '0x3fAB184622Dc19b6109349B94811493BF2a45362');
    const funder = node.wallet(1, provider);
    await (await funder.sendTransaction({ to: tx.from, value: ethers.parseEther('0.01') })).wait();
    const res = await node.rpc('eth_sendRawTransaction', [tx.serialized]);
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    assert.equal(res.result, tx.hash);
    const receipt = await provider.getTransactionReceipt(tx.hash);
    assert.equal(receipt.status, 1);
    assert.equal(receipt.contractAddress, kCreate2DeployerAddress);
    assert.equal(ethers.keccak256(await provider.getCode(kCreate2DeployerAddress)), kProxyCodeHash);
    // Its JSON has no chainId and v = 27, as geth shows a pre-EIP-155 transaction.
    const got = (await node.rpc('eth_getTransactionByHash', [tx.hash])).result;
    assert.equal(got.chainId, undefined);
    assert.equal(got.v, '0x1b');

    // An ordinary pre-155 transfer goes in too.
    const alice = node.wallet(2, provider);
    const gasPrice = (await provider.getFeeData()).gasPrice * 2n;
    const t = await node.rpc('eth_sendRawTransaction', [await unprotectedTransfer(alice, 0, gasPrice)]);
    assert.equal(t.error, undefined, JSON.stringify(t.error));
    assert.equal((await provider.getTransactionReceipt(t.result)).status, 1);
  });
});
