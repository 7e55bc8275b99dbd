// NodeInterface at 0xC8 (issue 14 point 5) through the real binary with ethers v6 and
// Arbitrum's NodeInterface ABI: gas estimate components against eth_estimateGas, L1 block
// numbers against the blocks' own l1BlockNumber, outbox proofs (NodeInterface and
// fusel2_getOutboxProof) verified by an independent MerkleLib.calculateRoot against the send
// roots in the headers and on RollupCore, batches and L1 confirmations against the inbox's
// SequencerBatchDelivered events on a real anvil, and system addresses that explain a call
// they cannot answer instead of returning "0x".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';

const skip = nodeSkipReason();

const kNodeInterface = '0x00000000000000000000000000000000000000C8';
const kArbSys = '0x0000000000000000000000000000000000000064';
const kArbGasInfo = '0x000000000000000000000000000000000000006C';
/// nitro-contracts src/node-interface/NodeInterface.sol, the methods Fuse L2 answers.
const kNodeInterfaceAbi = [
  'function gasEstimateComponents(address to, bool contractCreation, bytes data) payable returns (uint64 gasEstimate, uint64 gasEstimateForL1, uint256 baseFee, uint256 l1BaseFeeEstimate)',
  'function gasEstimateL1Component(address to, bool contractCreation, bytes data) payable returns (uint64 gasEstimateForL1, uint256 baseFee, uint256 l1BaseFeeEstimate)',
  'function nitroGenesisBlock() pure returns (uint256 number)',
  'function blockL1Num(uint64 l2BlockNum) view returns (uint64 l1BlockNum)',
  'function l2BlockRangeForL1(uint64 blockNum) view returns (uint64 firstBlock, uint64 lastBlock)',
  'function findBatchContainingBlock(uint64 blockNum) view returns (uint64 batch)',
  'function getL1Confirmations(bytes32 blockHash) view returns (uint64 confirmations)',
  'function constructOutboxProof(uint64 size, uint64 leaf) view returns (bytes32 send, bytes32 root, bytes32[] proof)',
  'function estimateRetryableTicket(address sender, uint256 deposit, address to, uint256 l2CallValue, address excessFeeRefundAddress, address callValueRefundAddress, bytes data)',
];
const kArbSysAbi = [
  'function withdrawEth(address destination) payable returns (uint256)',
  'function sendTxToL1(address destination, bytes data) payable returns (uint256)',
  'function arbChainID() view returns (uint256)',
];

/// MerkleLib.calculateRoot as the L1 Outbox runs it (bit i of the index: left or right).
function calculateRoot(proof, index, item) {
  let node = ethers.keccak256(item);
  proof.forEach((sibling, i) => {
    node = (BigInt(index) >> BigInt(i)) & 1n
      ? ethers.keccak256(ethers.concat([sibling, node]))
      : ethers.keccak256(ethers.concat([node, sibling]));
  });
  return node;
}

/// The item the Outbox hashes from executeTransaction's arguments.
function itemHash(p) {
  return ethers.solidityPackedKeccak256(
    ['address', 'address', 'uint256', 'uint256', 'uint256', 'uint256', 'bytes'],
    [p.l2Sender, p.to, p.l2Block, p.l1Block, p.l2Timestamp, p.value, p.data]);
}

/// The revert reason ethers decoded from a failed call.
async function reason(promise) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, 'CALL_EXCEPTION', `${e}`);
    return e.reason;
  }
  assert.fail('the call did not revert');
}

/// Sends withdrawals from `wallet`, one per transaction; their receipts.
async function withdraw(wallet, amounts, destination, data) {
  const arbSys = new ethers.Contract(kArbSys, kArbSysAbi, wallet);
  const fees = await wallet.provider.getFeeData();
  const out = [];
  for (const value of amounts) {
    const tx = data === undefined
      ? await arbSys.withdrawEth(destination, { value, gasLimit: 3_000_000n, maxFeePerGas: fees.maxFeePerGas * 4n, maxPriorityFeePerGas: 0n })
      : await arbSys.sendTxToL1(destination, data, { value, gasLimit: 3_000_000n, maxFeePerGas: fees.maxFeePerGas * 4n, maxPriorityFeePerGas: 0n });
    const rc = await tx.wait();
    assert.equal(rc.status, 1);
    out.push(rc);
  }
  return out;
}

describe('NodeInterface on a dev node', { skip: skip ?? false }, () => {
  let node;
  let provider;
  let ni;
  before(async () => {
    node = await startNode();
    provider = node.provider();
    ni = new ethers.Contract(kNodeInterface, kNodeInterfaceAbi, provider);
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('nitroGenesisBlock, blockL1Num and l2BlockRangeForL1 agree with the blocks', async () => {
    assert.equal(await ni.nitroGenesisBlock(), 0n);
    const head = await provider.getBlockNumber();
    for (let n = 0; n <= head; ++n) {
      const block = await provider.send('eth_getBlockByNumber', [ethers.toQuantity(n), false]);
      assert.equal(await ni.blockL1Num(n), BigInt(block.l1BlockNumber), `block ${n}`);
    }
    const l1 = await ni.blockL1Num(head);
    const [first, last] = await ni.l2BlockRangeForL1(l1);
    assert.ok(first <= BigInt(head) && last >= BigInt(head), `${first}..${last} holds ${head}`);
    for (let n = Number(first); n <= Number(last); ++n) assert.equal(await ni.blockL1Num(n), l1);
    if (first > 0n) assert.notEqual(await ni.blockL1Num(first - 1n), l1);
    assert.match(await reason(ni.l2BlockRangeForL1(l1 + 1000n)), /^no L2 block has L1 block number /);
    assert.equal(await reason(ni.blockL1Num(head + 5)), `block ${head + 5} does not exist (the head is block ${head})`);
  });

  it('gasEstimateComponents equals eth_estimateGas and carries the L1 part', async () => {
    const from = node.wallet(1).address;
    const to = ethers.Wallet.createRandom().address;
    const data = ethers.hexlify(ethers.randomBytes(200));
    const expected = await provider.estimateGas({ from, to, data, value: 5n });
    const [gas, l1Gas, baseFee, l1BaseFee] = await ni.gasEstimateComponents.staticCall(to, false, data, { from, value: 5n });
    assert.equal(gas, expected);
    assert.ok(l1Gas > 0n && l1Gas < gas, `L1 part ${l1Gas} of ${gas}`);
    const block = await provider.getBlock('latest');
    assert.equal(baseFee, block.baseFeePerGas);
    assert.ok(l1BaseFee > 0n);
    // The L1 part alone, without running the call (it would revert: no code at 0xdead…).
    const [l1Only, baseFee2, l1BaseFee2] = await ni.gasEstimateL1Component.staticCall(to, false, data, { from });
    assert.equal(baseFee2, baseFee);
    assert.equal(l1BaseFee2, l1BaseFee);
    const diff = l1Only > l1Gas ? l1Only - l1Gas : l1Gas - l1Only;
    assert.ok(diff * 50n <= l1Gas, `L1 component ${l1Only} vs ${l1Gas}`);  // same tx, other gas limit field
    // A creation: no `to`.
    const [createGas] = await ni.gasEstimateComponents.staticCall(ethers.ZeroAddress, true, '0x6000', { from });
    assert.equal(createGas, await provider.estimateGas({ from, data: '0x6000' }));
    assert.equal(await reason(ni.gasEstimateComponents.staticCall(kNodeInterface, false, '0x', { from })),
      'cannot estimate virtual contract');
    // eth_estimateGas of a NodeInterface call answers too (intrinsic gas: nothing runs).
    assert.ok(await provider.estimateGas({ to: kNodeInterface, data: ni.interface.encodeFunctionData('nitroGenesisBlock') }) >= 21000n);
  });

  it('constructOutboxProof and fusel2_getOutboxProof prove every send against the send roots', async () => {
    const wallet = node.wallet(2, provider);
    const dest = ethers.Wallet.createRandom().address;
    const receipts = [
      ...await withdraw(wallet, [1000n, 2000n, 3000n], dest),
      ...await withdraw(wallet, [4000n, 5000n], dest, '0xc0ffee'),
    ];
    const head = await provider.send('eth_getBlockByNumber', ['latest', false]);
    const count = Number(head.sendCount);
    assert.ok(count >= 5, `send count ${count}`);
    // Every size a block ended with, every leaf below it.
    const sizes = new Map();  // size -> block
    for (const rc of receipts) {
      const b = await provider.send('eth_getBlockByNumber', [ethers.toQuantity(rc.blockNumber), false]);
      sizes.set(Number(b.sendCount), b);
    }
    for (const [size, block] of sizes) {
      for (let leaf = 0; leaf < size; ++leaf) {
        const [send, root, proof] = await ni.constructOutboxProof(size, leaf);
        assert.equal(root, block.sendRoot, `size ${size} leaf ${leaf}`);
        assert.equal(calculateRoot(proof, leaf, send), block.sendRoot);
        const p = await provider.send('fusel2_getOutboxProof', [ethers.toQuantity(leaf), ethers.toQuantity(size)]);
        assert.equal(p.send, send);
        assert.equal(p.root, root);
        assert.deepEqual(p.proof, [...proof]);
        assert.equal(p.rootBlock, block.number);
        assert.equal(itemHash(p), send, 'the fields hash to the send, as the Outbox computes it');
      }
    }
    // The fields of the last send: what Outbox.executeTransaction takes.
    const last = await provider.send('fusel2_getOutboxProof', [ethers.toQuantity(count - 1), ethers.toQuantity(count)]);
    assert.equal(ethers.getAddress(last.l2Sender), wallet.address);
    assert.equal(ethers.getAddress(last.to), dest);
    assert.equal(BigInt(last.value), 5000n);
    assert.equal(last.data, '0xc0ffee');
    assert.equal(last.transactionHash, receipts.at(-1).hash);
    // Without a size: the root on L1, which a node without L1 does not have.
    const res = await node.rpc('fusel2_getOutboxProof', ['0x0']);
    assert.equal(res.error?.code, -32000);
    assert.match(res.error.message, /^leaf 0 is not under a send root on L1 yet: the finalized block 0 has send count 0/);
    assert.equal(await reason(ni.constructOutboxProof(count + 1, 0)),
      `size ${count + 1} is above the send count ${count} of block ${Number(head.number)}`);
  });

  it('system addresses explain what they cannot answer instead of returning 0x', async () => {
    const call = (to, data, value) => provider.call({ to, data, value });
    assert.equal(await reason(call(kArbSys, '0x12345678')),
      'ArbSys (0x0000000000000000000000000000000000000064) has no method with selector 0x12345678');
    assert.equal(await reason(call(kArbGasInfo, '0x')),
      "ArbGasInfo (0x000000000000000000000000000000000000006c) needs a 4-byte method selector; the call's input has 0 bytes");
    assert.equal(await reason(call(kNodeInterface, '0xdeadbeef')),
      'NodeInterface (0x00000000000000000000000000000000000000c8) has no method with selector 0xdeadbeef');
    const arbSys = new ethers.Contract(kArbSys, kArbSysAbi, provider);
    assert.equal(await reason(call(kArbSys, arbSys.interface.encodeFunctionData('arbChainID'), 1n)),
      'ArbSys.arbChainID() is not payable: call it without value');
    assert.equal(await arbSys.arbChainID(), node.chainId);
    assert.match(await reason(call('0x000000000000000000000000000000000000006E', '0x81e6e083')),
      /^ArbRetryableTx \(0x000000000000000000000000000000000000006e\) is an Arbitrum precompile that Fuse L2 does not have/);
    // estimateRetryableTicket is not view in Arbitrum's ABI: ethers would send it; call it.
    assert.match(await reason(new ethers.Contract(kNodeInterface, kNodeInterfaceAbi, provider)
      .estimateRetryableTicket.staticCall(ethers.ZeroAddress, 0n, ethers.ZeroAddress, 0n, ethers.ZeroAddress,
        ethers.ZeroAddress, '0x')),
    /Fuse L2 has no retryable tickets/);
  });
});

describe('NodeInterface in a rollup: batches, L1 confirmations and outbox roots from L1', { skip: skip ?? false }, () => {
  it('findBatchContainingBlock and getL1Confirmations follow the inbox; the default proof is under RollupCore\'s root', async () => {
    const r = await startRollup();
    try {
      const proposer = await r.startValidator({ mode: 'propose' });
      const provider = r.sequencer.provider();
      const ni = new ethers.Contract(kNodeInterface, kNodeInterfaceAbi, provider);
      const wallet = r.sequencer.wallet(3, provider);
      const receipts = await withdraw(wallet, [10n, 20n, 30n], ethers.Wallet.createRandom().address);
      const head = await provider.getBlockNumber();
      await r.waitPosted(head);

      // Every block's batch, as the inbox's events on L1 say (message i is block i + 1).
      const batches = await r.batches();
      const batchOf = (n) => batches.find((b) => b.prevMessageCount < n && n <= b.newMessageCount);
      // The poster records a batch once its L1 receipt is in: wait for that of the head.
      await waitFor(async () => (await ni.findBatchContainingBlock(head)) === BigInt(batchOf(head).batch),
        { what: `findBatchContainingBlock(${head})` });
      for (let n = 1; n <= head; ++n)
        assert.equal(await ni.findBatchContainingBlock(n), BigInt(batchOf(n).batch), `block ${n}`);
      assert.equal(await reason(ni.findBatchContainingBlock(0)),
        'block 0 is the genesis block: it is in no batch (its hash is recorded in RollupCore at deployment)');
      assert.equal(await reason(ni.findBatchContainingBlock(head + 100)),
        `block ${head + 100} does not exist (the head is block ${head})`);

      // L1 confirmations: never more than the L1 says, and growing as L1 blocks come.
      const block = await provider.getBlock(head);
      const delivered = batchOf(head).l1Block;
      const check = async () => {
        const c = await ni.getL1Confirmations(block.hash);
        const l1Head = await r.l1.getBlockNumber();
        assert.ok(c <= BigInt(l1Head - delivered), `${c} confirmations, L1 head ${l1Head}, batch in ${delivered}`);
        return c;
      };
      await waitFor(async () => (await check()) >= 3n, { what: 'three L1 confirmations of the head\'s batch' });
      assert.equal(await reason(ni.getL1Confirmations(ethers.ZeroHash)), 'unknown block hash');

      // A follower validator answers the same from its own records (its safe head moves once
      // a batch's blocks and its record are stored).
      const follower = await r.startValidator({ mode: 'follow' });
      const vp = follower.provider();
      const vni = new ethers.Contract(kNodeInterface, kNodeInterfaceAbi, vp);
      await waitFor(async () => (await vp.getBlock('safe'))?.number >= head, { what: 'the follower\'s safe head at the head' });
      for (let n = 1; n <= head; ++n)
        assert.equal(await vni.findBatchContainingBlock(n), BigInt(batchOf(n).batch), `validator, block ${n}`);
      assert.equal((await vp.getBlock(head)).hash, block.hash);
      const vcheck = async () => {
        const c = await vni.getL1Confirmations(block.hash);
        assert.ok(c <= BigInt(await r.l1.getBlockNumber() - delivered), `validator: ${c} confirmations`);
        return c;
      };
      const seen = await vcheck();
      await waitFor(async () => (await vcheck()) > seen + 2n, { what: 'the validator\'s confirmations to grow with L1' });

      // Once RollupCore has a root at or after the last withdrawal's block, the default size is
      // the finalized block's send count and the root is the one on L1.
      const lastBlock = receipts.at(-1).blockNumber;
      await r.waitFinalized(lastBlock);
      const leaf = 2;
      const p = await waitFor(async () => {
        const res = await r.sequencer.rpc('fusel2_getOutboxProof', [ethers.toQuantity(leaf)]);
        return res.result ?? null;
      }, { what: 'the sequencer\'s finalized head to reach the root' });
      const record = (await r.roots()).find((x) => x.l2BlockNumber === Number(p.rootBlock));
      assert.ok(record, `a RollupCore record for block ${Number(p.rootBlock)}`);
      assert.equal(p.root, record.sendRoot);
      assert.equal(calculateRoot(p.proof, leaf, itemHash(p)), record.sendRoot);
      assert.equal(p.send, itemHash(p));
      void proposer;
    } finally {
      await r.stop();
    }
  });
});
