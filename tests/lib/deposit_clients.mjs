// viem and cast read the deposit transactions (types 0x64 value deposit, 0x66 message; docs/arbos.md
// "Deposits", docs/eth-rpc.md) from a node, as issue 13 point 2 asks ("readable by ethers v6, viem
// and cast"); the ethers checks are in the bridge tests themselves. Both clients are the npm
// packages the project installs: viem (package.json) and cast from @foundry-rs/cast (tests/lib/foundry.mjs).
//
// What each client makes of a type it does not know (neither has Arbitrum's types built in):
// - viem 2.x: `type` undefined (it names only Ethereum's types), `typeHex` '0x64' / '0x66';
//   a receipt's `type` is the hex string; the other fields are parsed as for any transaction and
//   Fuse's extra fields (`requestId`, `gasUsedForL1`, `l1BlockNumber`) pass through unparsed.
// - cast 1.x (alloy's AnyRpcTransaction): the JSON is given back with its `type`, `requestId`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { ethers } from 'ethers';
import { createPublicClient, http } from 'viem';
import { foundryBin } from './foundry.mjs';

export const kCastBin = foundryBin('cast');

/// Runs `cast ARGS --rpc-url URL`; resolves to stdout, rejects with cast's output on failure.
export function cast(url, args) {
  return new Promise((resolve, reject) => {
    execFile(kCastBin, [...args, '--rpc-url', url], { maxBuffer: 64 << 20, timeout: 60000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => (err ? reject(new Error(`cast ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout)));
  });
}

const castJson = async (url, args) => JSON.parse(await cast(url, [...args, '--json']));
const same = (a, b) => ethers.getAddress(a) === ethers.getAddress(b);

/// Checks one deposit transaction as viem and cast read it from the node at `url`. `d`: what it
/// must be — {hash, type (0x64 | 0x66), from, to, value (bigint), input, gas (bigint), status
/// (1 | 0), blockNumber, index, requestId (0x-32-byte)}.
export async function checkDepositWithViemAndCast(url, d) {
  const typeHex = ethers.toQuantity(d.type);
  const what = `deposit ${d.hash} (type ${typeHex})`;
  const checkTx = (t, who) => {
    assert.equal(t.hash, d.hash, `${who}: hash of ${what}`);
    assert.ok(same(t.from, d.from), `${who}: from ${t.from} of ${what}, want ${d.from}`);
    assert.ok(same(t.to, d.to), `${who}: to ${t.to} of ${what}, want ${d.to}`);
    assert.equal(t.input, d.input, `${who}: input of ${what}`);
    assert.equal(t.requestId, d.requestId, `${who}: requestId of ${what}`);
  };

  // viem: getTransaction, getTransactionReceipt, getBlock with transactions, getBlockReceipts.
  const client = createPublicClient({ transport: http(url) });
  const vt = await client.getTransaction({ hash: d.hash });
  checkTx(vt, 'viem getTransaction');
  assert.equal(vt.type, undefined, 'viem names only Ethereum\'s types');
  assert.equal(vt.typeHex, typeHex, 'viem getTransaction typeHex');
  assert.equal(vt.value, d.value, 'viem getTransaction value');
  assert.equal(vt.gas, d.gas, 'viem getTransaction gas');
  assert.equal(vt.blockNumber, BigInt(d.blockNumber), 'viem getTransaction blockNumber');
  assert.equal(vt.transactionIndex, d.index, 'viem getTransaction transactionIndex');
  const vr = await client.getTransactionReceipt({ hash: d.hash });
  assert.equal(vr.transactionHash, d.hash, 'viem receipt hash');
  assert.equal(vr.status, d.status === 1 ? 'success' : 'reverted', 'viem receipt status');
  assert.equal(vr.type, typeHex, 'viem receipt type');
  assert.ok(same(vr.from, d.from) && same(vr.to, d.to), 'viem receipt from/to');
  assert.equal(vr.blockNumber, BigInt(d.blockNumber), 'viem receipt blockNumber');
  const vb = await client.getBlock({ blockNumber: BigInt(d.blockNumber), includeTransactions: true });
  const vbt = vb.transactions[d.index];
  checkTx(vbt, 'viem getBlock');
  assert.equal(vbt.typeHex, typeHex, 'viem getBlock typeHex');
  assert.equal(vbt.value, d.value, 'viem getBlock value');
  const vbr = await client.getBlockReceipts({ blockNumber: BigInt(d.blockNumber) });
  assert.equal(vbr.length, vb.transactions.length, 'viem getBlockReceipts: one receipt per transaction');
  assert.equal(vbr[d.index].transactionHash, d.hash, 'viem getBlockReceipts');
  assert.equal(vbr[d.index].status, vr.status, 'viem getBlockReceipts status');

  // cast: tx, receipt and block --full as JSON, and a field of the human-readable tx.
  const ct = await castJson(url, ['tx', d.hash]);
  checkTx(ct, 'cast tx');
  assert.equal(ct.type, typeHex, 'cast tx type');
  assert.equal(BigInt(ct.value), d.value, 'cast tx value');
  assert.equal(BigInt(ct.gas), d.gas, 'cast tx gas');
  const cr = await castJson(url, ['receipt', d.hash]);
  assert.equal(cr.transactionHash, d.hash, 'cast receipt hash');
  assert.equal(cr.status, d.status === 1 ? '0x1' : '0x0', 'cast receipt status');
  assert.equal(cr.type, typeHex, 'cast receipt type');
  assert.ok(same(cr.from, d.from) && same(cr.to, d.to), 'cast receipt from/to');
  assert.equal(BigInt(cr.blockNumber), BigInt(d.blockNumber), 'cast receipt blockNumber');
  const cb = await castJson(url, ['block', String(d.blockNumber), '--full']);
  assert.equal(cb.transactions.length, vb.transactions.length, 'cast block --full: every transaction');
  checkTx(cb.transactions[d.index], 'cast block --full');
  assert.equal(cb.transactions[d.index].type, typeHex, 'cast block --full type');
  assert.equal((await cast(url, ['tx', d.hash, 'value'])).trim(), d.value.toString(), 'cast tx HASH value');
}
