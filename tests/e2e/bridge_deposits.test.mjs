// L1 → L2 deposits end to end (issue 13 points 3 and 4, DESIGN.md §3a), every part real: anvil as
// the L1 with the contracts `fusel2 deploy` deployed (the Bridge included), the sequencer + batch
// poster reading the Bridge on their lagged L1 view, ethers v6 on both sides.
//  1. depositNative on L1 credits the exact amount on L2, through a 0x64 transaction ethers, viem
//     and cast read (transaction, receipt, full block, block receipts: tests/lib/deposit_clients.mjs);
//     sendMessage from an EOA runs on L2 from that same address (a token transfer only the EOA can
//     make, and a call carrying value); sendMessage from an L1 contract (CallForwarder) runs on L2
//     from the contract's alias (L1 address + 0x1111…1111 mod 2^160: msg.sender, tx.origin and the
//     0x66 transaction's from); the supply check: what L2 credited = the Bridge's escrow delta =
//     totalDeposited's delta.
//  2. A watch validator started from an empty datadir with only L1 derives the same chain, the
//     deposits included, compares the sequencer's blocks and raises no alarm.
//  3. The sequencer restarted: no deposit included twice, a later deposit still included.
//  4. The supply equation (tests/lib/supply.mjs): L2 supply = dev alloc + Bridge escrow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { applyL1ToL2Alias } from '../../contracts/test-lib/bridge.mjs';
import { artifact, buildBridgeContracts, testL1Artifact } from '../lib/contracts.mjs';
import { checkDepositWithViemAndCast } from '../lib/deposit_clients.mjs';
import { checkSameChain, metric, rawBlock } from '../lib/faults.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';
import { checkSupplyEquation } from '../lib/supply.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();
const randomAddress = () => ethers.getAddress(ethers.hexlify(ethers.randomBytes(20)));
const q = (v) => (v === 0n ? '0x' : ethers.toBeHex(v));  // RLP integer: minimal big-endian bytes

/// The L2 hash of a deposit (docs/arbos.md "Deposits"): keccak256(type ‖ rlp(fields)).
function depositTxHash(chainId, d) {
  const requestId = ethers.zeroPadValue(ethers.toBeArray(d.index), 32);
  const fields = d.kind === 0n
    ? [q(chainId), requestId, d.l2From, d.to, q(d.value)]
    : [q(chainId), requestId, d.l2From, '0x', q(d.l2GasLimit), d.to, q(d.value), d.data];
  return ethers.keccak256(ethers.concat([d.kind === 0n ? '0x64' : '0x66', ethers.encodeRlp(fields)]));
}

/// The DepositQueued event of an L1 receipt.
function depositOf(bridge, receipt) {
  for (const log of receipt.logs) {
    const parsed = bridge.interface.parseLog(log);
    if (parsed?.name === 'DepositQueued') return parsed.args;
  }
  throw new Error(`no DepositQueued in ${receipt.hash}`);
}

/// Waits for the L2 receipt of deposit `d` and checks it as ethers reads it; with `url` (the
/// node's JSON-RPC) also as viem and cast read it.
async function l2ReceiptOf(provider, chainId, d, type, { url } = {}) {
  const hash = depositTxHash(chainId, d);
  const rc = await waitFor(() => provider.getTransactionReceipt(hash), { timeoutMs: 90000, what: `L2 receipt of deposit ${d.index}` });
  const tx = await provider.getTransaction(hash);
  assert.equal(tx.type, type, `deposit ${d.index} type`);
  assert.equal(tx.hash, hash);
  assert.equal(tx.from, d.l2From);
  assert.equal(tx.to, d.to);
  assert.equal(tx.value, d.value);
  assert.equal(rc.status, 1, `deposit ${d.index} status`);
  assert.equal(rc.from, d.l2From);
  assert.equal(rc.blockNumber, tx.blockNumber);
  if (url) {
    await checkDepositWithViemAndCast(url, { hash, type, from: d.l2From, to: d.to, value: d.value, input: tx.data,
      gas: tx.gasLimit, status: rc.status, blockNumber: tx.blockNumber, index: tx.index,
      requestId: ethers.zeroPadValue(ethers.toBeArray(d.index), 32) });
  }
  return { rc, tx };
}

describe('deposits from the L1 Bridge to L2', { skip: skip ?? false }, () => {
  it('credits deposits exactly, runs messages from the EOA and a contract\'s alias, and a validator from L1 agrees', async () => {
    await buildL2TestContracts();
    await buildBridgeContracts();
    const r = await startRollup();
    try {
      assert.ok(r.deployment.bridge, 'fusel2 deploy wrote the Bridge');
      const bridge = new ethers.Contract(r.deployment.bridge, artifact('Bridge').abi, r.wallets.stranger);
      const l2 = r.sequencer.provider();
      const chainId = r.chainId;
      // The stranger (anvil account 3) is also dev account 3 on L2: same key, same address.
      const depositor = r.wallets.stranger;
      const l2Depositor = r.sequencer.wallet(3, l2);
      assert.equal(l2Depositor.address, depositor.address);
      const token = await testFactory('TestToken', l2Depositor).deploy(1000n);  // ethers estimates
      await token.waitForDeployment();

      const escrow0 = await bridge.escrow();
      const total0 = await bridge.totalDeposited();
      const price = await bridge.l2GasPrice();

      // 1. depositNative: the exact amount, through a 0x64 transaction.
      const alice = randomAddress();
      const amount = ethers.parseEther('1.234567891234567891');
      const rc0 = await (await bridge.depositNative(alice, { value: amount })).wait();
      const d0 = depositOf(bridge, rc0);
      assert.equal(d0.l2From, depositor.address, 'an EOA deposits as itself');
      // 2. sendMessage from the EOA: a token transfer only the depositor's own address can make.
      const carol = randomAddress();
      const transfer = token.interface.encodeFunctionData('transfer', [carol, 77n]);
      const gas1 = 100_000n;
      const rc1 = await (await bridge.sendMessage(await token.getAddress(), gas1, transfer, { value: gas1 * price })).wait();
      const d1 = depositOf(bridge, rc1);
      // 3. sendMessage carrying value to an EOA.
      const bob = randomAddress();
      const gas2 = 30_000n;
      const value2 = 4242n;
      const rc2 = await (await bridge.sendMessage(bob, gas2, '0x', { value: gas2 * price + value2 })).wait();
      const d2 = depositOf(bridge, rc2);
      // 4. sendMessage from an L1 contract: runs on L2 from the contract's alias.
      const recorder = await testFactory('SenderRecorder', l2Depositor).deploy();
      await recorder.waitForDeployment();
      const fwdArt = testL1Artifact('CallForwarder');
      const forwarder = await new ethers.ContractFactory(fwdArt.abi, fwdArt.bytecode, depositor).deploy();
      await forwarder.waitForDeployment();
      const alias = applyL1ToL2Alias(await forwarder.getAddress());
      const gas3 = 200_000n;  // intrinsic 21000 + four cold SSTOREs
      const value3 = 31337n;
      const message3 = bridge.interface.encodeFunctionData('sendMessage',
        [await recorder.getAddress(), gas3, recorder.interface.encodeFunctionData('record')]);
      const rc3 = await (await forwarder.forward(r.deployment.bridge, message3, { value: gas3 * price + value3 })).wait();
      const d3 = depositOf(bridge, rc3);
      assert.equal(d3.l2From, alias, 'a contract deposits as its alias');
      assert.equal(BigInt(alias), (BigInt(await forwarder.getAddress()) + 0x1111000000000000000000000000000000001111n) % (1n << 160n));
      assert.deepEqual([d0.index, d1.index, d2.index, d3.index], [0n, 1n, 2n, 3n]);

      const { rc: l2rc0 } = await l2ReceiptOf(l2, chainId, d0, 0x64, { url: r.sequencer.url });
      assert.equal(await l2.getBalance(alice), amount, 'the exact amount is credited');
      assert.equal(l2rc0.gasUsed, 0n);
      const { tx: l2tx1 } = await l2ReceiptOf(l2, chainId, d1, 0x66, { url: r.sequencer.url });
      assert.equal(l2tx1.data, transfer);
      assert.equal(await token.balanceOf(carol), 77n, 'the message ran on L2 from the depositor');
      assert.equal(await token.balanceOf(depositor.address), 1000n - 77n);
      await l2ReceiptOf(l2, chainId, d2, 0x66, { url: r.sequencer.url });
      assert.equal(await l2.getBalance(bob), value2);
      const { tx: l2tx3 } = await l2ReceiptOf(l2, chainId, d3, 0x66, { url: r.sequencer.url });
      assert.equal(l2tx3.from, alias, 'the 0x66 transaction is from the alias');
      assert.equal(await recorder.calls(), 1n);
      assert.equal(await recorder.lastSender(), alias, 'msg.sender on L2 is the alias');
      assert.equal(await recorder.lastOrigin(), alias, 'tx.origin on L2 is the alias');
      assert.equal(await recorder.lastValue(), value3);
      assert.equal(await l2.getBalance(await recorder.getAddress()), value3);
      assert.equal(await l2.getBalance(alias), 0n, 'the value went on to the call');

      // Deposits come first in their block (only deposits before them), in index order, in a
      // block whose L1 block number is at least the deposit's.
      let last = { block: 0, index: -1 };
      for (const d of [d0, d1, d2, d3]) {
        const tx = await l2.getTransaction(depositTxHash(chainId, d));
        const blk = await rawBlock(r.sequencer, tx.blockNumber);
        for (const h of blk.transactions.slice(0, tx.index)) {
          const before = await l2.getTransaction(h);
          assert.ok(before.type === 0x64 || before.type === 0x66, `a user transaction before deposit ${d.index}`);
        }
        assert.ok(tx.blockNumber > last.block || (tx.blockNumber === last.block && tx.index > last.index), 'index order');
        last = { block: tx.blockNumber, index: tx.index };
      }

      // The supply check: L2 credited = the escrow delta = totalDeposited's delta (the message
      // fees stay in the Bridge outside the escrow).
      const credited = (await l2.getBalance(alice)) + (await l2.getBalance(bob)) +
        (await l2.getBalance(await recorder.getAddress()));
      assert.equal(credited, amount + value2 + value3);
      assert.equal((await bridge.escrow()) - escrow0, credited, 'escrow delta = L2 credit');
      assert.equal((await bridge.totalDeposited()) - total0, credited, 'totalDeposited delta = L2 credit');
      assert.equal(await bridge.feesCollected(), (gas1 + gas2 + gas3) * price);

      // A watch validator from an empty datadir, with only L1, derives the same chain.
      const head = Number(BigInt((await rawBlock(r.sequencer, 'latest')).number));
      await r.waitPosted(head, { timeoutMs: 90000 });
      const watcher = await r.startValidator({ mode: 'watch', sequencerUrl: r.sequencer.url });
      await waitFor(async () => (await metric(watcher, 'fusel2_validator_derived_block')) >= head,
        { timeoutMs: 90000, what: `the watcher at block ${head}` });
      assert.equal(await metric(watcher, 'fusel2_validator_mismatch'), 0, watcher.output().slice(-3000));
      assert.equal(await metric(watcher, 'fusel2_validator_next_deposit'), 4);
      for (let n = 1; n <= head; ++n) {
        const [a, b] = await Promise.all([rawBlock(r.sequencer, n), rawBlock(watcher, n)]);
        assert.equal(b.hash, a.hash, `block ${n}`);
      }
      const vrc = await watcher.provider().getTransactionReceipt(depositTxHash(chainId, d0));
      assert.equal(vrc.status, 1, 'the validator serves the deposit receipt');
      await checkDepositWithViemAndCast(watcher.url, { hash: l2tx3.hash, type: 0x66, from: alias, to: await recorder.getAddress(),
        value: value3, input: l2tx3.data, gas: l2tx3.gasLimit, status: 1, blockNumber: l2tx3.blockNumber, index: l2tx3.index,
        requestId: ethers.zeroPadValue('0x03', 32) });
      assert.equal(await watcher.provider().getBalance(alice), amount);

      // The sequencer restarted on its datadir: nothing included twice; a new deposit goes in.
      await r.sequencer.stop();
      await r.startSequencer();
      const l2b = r.sequencer.provider();
      const dave = randomAddress();
      const rc4 = await (await bridge.depositNative(dave, { value: 5n })).wait();
      const d4 = depositOf(bridge, rc4);
      assert.equal(d4.index, 4n);
      await l2ReceiptOf(l2b, chainId, d4, 0x64);
      assert.equal(await l2b.getBalance(dave), 5n);
      assert.equal(await l2b.getBalance(alice), amount, 'deposit 0 not credited twice');
      const head2 = Number(BigInt((await rawBlock(r.sequencer, 'latest')).number));
      let depositTxs = 0;
      for (let n = 1; n <= head2; ++n) {
        const blk = await rawBlock(r.sequencer, n);
        for (const h of blk.transactions) {
          const t = await l2b.getTransaction(h);
          if (t.type === 0x64 || t.type === 0x66) ++depositTxs;
        }
      }
      assert.equal(depositTxs, 5, 'each deposit once in the chain');
      await r.waitPosted(head2, { timeoutMs: 90000 });
      await waitFor(async () => (await metric(watcher, 'fusel2_validator_derived_block')) >= head2,
        { timeoutMs: 90000, what: `the watcher at block ${head2}` });
      await checkSameChain(r.sequencer, watcher);
      assert.equal(await metric(watcher, 'fusel2_validator_mismatch'), 0, watcher.output().slice(-3000));
      assert.equal(await metric(watcher, 'fusel2_validator_next_deposit'), 5);
      // Supply, again: everything the Bridge escrows since the start is on L2.
      const credited2 = credited + (await l2b.getBalance(dave));
      assert.equal((await bridge.escrow()) - escrow0, credited2);
      // The supply equation over the whole L2 (tests/lib/supply.mjs): nothing withdrawn, so the L2
      // holds the dev alloc plus exactly the escrow.
      const terms = await checkSupplyEquation({ l2Url: r.sequencer.url, l1: r.l1, deployment: r.deployment,
        genesisFile: r.files.genesis });
      assert.equal(terms.pending, 0n);
      assert.equal(terms.escrow, credited2);
    } finally {
      await r.stop();
    }
  });
});
