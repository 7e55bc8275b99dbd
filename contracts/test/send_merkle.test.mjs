// The JS send accumulator (contracts/test-lib/bridge.mjs) against hand-computed roots, its own
// full-tree recomputation, the Outbox's MerkleLib on a london anvil, and MockArbSys (a Solidity
// copy of ArbOS's append_send / send_root) on a cancun anvil at 0x64. The same conventions as
// src/arbos/system_state.cpp: leaves hashed once more, partials by level, zero-hash padding.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import { buildBridgeContracts, deployContracts } from '../../tests/lib/contracts.mjs';
import { buildL2TestContracts, testArtifact } from '../../tests/lib/test_contracts.mjs';
import {
  applyL1ToL2Alias, calculateRoot, depositHash, kZeroHash, nextDepositAcc, SendAccumulator, sendItemHash,
} from '../test-lib/bridge.mjs';

const H = (a, b) => ethers.keccak256(ethers.concat([a, b]));
const K = (x) => ethers.keccak256(x);
const word = (n) => ethers.toBeHex(n, 32);

describe('send accumulator (JS) by hand', () => {
  it('matches hand-computed roots for 0, 1, 2, 3, 4 and 5 leaves', () => {
    const items = [1, 2, 3, 4, 5].map(word);
    const l = items.map(K);
    const acc = new SendAccumulator();
    assert.equal(acc.root(), kZeroHash);
    const expected = [
      l[0],                                          // one leaf: the leaf itself, no proof
      H(l[0], l[1]),
      H(H(l[0], l[1]), H(l[2], kZeroHash)),          // ArbOS's MerkleAccumulator test, items 1..3
      H(H(l[0], l[1]), H(l[2], l[3])),
      H(H(H(l[0], l[1]), H(l[2], l[3])), H(H(l[4], kZeroHash), kZeroHash)),
    ];
    items.forEach((item, i) => {
      assert.equal(acc.append(item), i);
      assert.equal(acc.root(), expected[i], `root after ${i + 1} leaves`);
      assert.equal(acc.treeRoot(), expected[i], `tree root after ${i + 1} leaves`);
    });
    // partials after 5 leaves: level 0 = l4, level 1 empty, level 2 = the first four
    assert.deepEqual(acc.partials, [l[4], kZeroHash, H(H(l[0], l[1]), H(l[2], l[3]))]);
    // proofs, by hand: leaf 4 of 5 goes up through two zero siblings, then the left subtree
    assert.deepEqual(acc.proof(4), [kZeroHash, kZeroHash, H(H(l[0], l[1]), H(l[2], l[3]))]);
    assert.deepEqual(acc.proof(2), [l[3], H(l[0], l[1]), H(H(l[4], kZeroHash), kZeroHash)]);
    assert.deepEqual(acc.proof(0, 1), []);
    assert.deepEqual(acc.proof(2, 3), [kZeroHash, H(l[0], l[1])]);
    assert.equal(calculateRoot(acc.proof(2, 3), 2, l[2]), expected[2]);
    assert.throws(() => acc.proof(5), /not in a tree/);
  });

  it('agrees with its full tree for 1..70 leaves, and every proof verifies only at its index', () => {
    const acc = new SendAccumulator();
    for (let n = 1; n <= 70; ++n) {
      acc.append(K(ethers.toUtf8Bytes(`item ${n}`)));
      const root = acc.root();
      assert.equal(root, acc.treeRoot(), `size ${n}`);
      const nonEmpty = acc.partials.filter((p) => p !== kZeroHash).length;
      assert.equal(nonEmpty, n.toString(2).split('').filter((b) => b === '1').length, 'one partial per set bit');
      for (let i = 0; i < n; ++i) {
        const proof = acc.proof(i);
        assert.equal(proof.length, acc.depth());
        assert.equal(calculateRoot(proof, i, acc.leaves[i]), root, `leaf ${i} of ${n}`);
        if (n > 1) assert.notEqual(calculateRoot(proof, i ^ 1, acc.leaves[i]), root, 'wrong index');
      }
      // earlier roots stay provable from the first `size` leaves
      if (n > 3) assert.equal(calculateRoot(acc.proof(1, 3), 1, acc.leaves[1]), acc.treeRoot(3));
    }
  });
});

describe('docs/bridge.md worked examples', () => {
  it('deposit hashes and accumulator, alias, item hash, a 3-leaf root and proof', () => {
    const a = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
    const b = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    const h0 = depositHash({ kind: 0, index: 0n, l2From: a, to: b, value: 10n ** 18n, l2GasLimit: 0n, l1BlockNumber: 1000n,
      l1Timestamp: 1700000000n, data: '0x' });
    assert.equal(h0, '0x8452912680fd63cd5f3222386d5718ce4cef3303ea6f9c463d18770d4f58462e');
    const acc0 = nextDepositAcc(kZeroHash, h0);
    assert.equal(acc0, '0x2d5a4a8e292f3302b4270ad626f4908bdbf6b5aa9b0d2bfa1b78d4468ed6d278');
    const alias = applyL1ToL2Alias('0x5FbDB2315678afecb367f032d93F642f64180aa3');
    assert.equal(alias, '0x70CEB2315678Afecb367F032D93f642f64181bB4');
    const h1 = depositHash({ kind: 1, index: 1n, l2From: alias, to: '0x0000000000000000000000000000000000004B01', value: 0n,
      l2GasLimit: 100000n, l1BlockNumber: 1001n, l1Timestamp: 1700000005n, data: '0xdeadbeef' });
    assert.equal(h1, '0x95df7ac3b389c3dcce399718712c1b1677eef84a6544c3a0facfafb41ee58dba');
    assert.equal(nextDepositAcc(acc0, h1), '0x710509ece0078086864d63eb744234cd36a94318ab0aefe568132b94c8e8cd3c');
    assert.equal(sendItemHash({ l2Sender: a, to: b, l2Block: 77n, l1Block: 1000n, l2Timestamp: 1700000000n, value: 10n ** 18n }),
      '0x7beb58c48b6e6fcc56b4e11b022f76b483ae86c9d7eeaa4c37cf64dd2aef371f');
    const acc = new SendAccumulator();
    [1, 2, 3].forEach((i) => acc.append(word(i)));
    assert.equal(acc.root(), '0x68d4880e8b3b97fc57678c4dce33b2e0d84a06024476eceba62bdc2e07a1e279');
    assert.deepEqual(acc.proof(2), [kZeroHash, '0x50387073e2d4f7060a3c02c3c5268d8a72700a28b5cbd7e23314ae0e1ebda895']);
  });
});

describe('send accumulator: JS against the chain', () => {
  let l1, l2, outbox, mock, sender;

  before(async () => {
    await buildBridgeContracts();
    await buildL2TestContracts();
    l1 = await startAnvil();
    l2 = await startAnvil({ hardfork: 'cancun' });
    const owner = l1.wallet(0);
    ({ outbox } = await deployContracts(owner, {
      genesisHash: K('0x01'), batchPosters: [owner.address], proposers: [owner.address],
    }));
    await l2.rpc('anvil_setCode', ['0x0000000000000000000000000000000000000064',
      testArtifact('MockArbSys').deployedBytecode]);
    sender = l2.wallet(1);
    mock = new ethers.Contract('0x0000000000000000000000000000000000000064', testArtifact('MockArbSys').abi, sender);
  });
  after(async () => {
    await l1?.stop();
    await l2?.stop();
  });

  it("Outbox.calculateMerkleRoot (MerkleLib) gives the JS root for every leaf of 1..17-leaf trees", async () => {
    const acc = new SendAccumulator();
    const items = [];
    for (let n = 1; n <= 17; ++n) {
      items.push(K(ethers.toUtf8Bytes(`withdrawal ${n}`)));
      acc.append(items[n - 1]);
      for (let i = 0; i < n; ++i) {
        assert.equal(await outbox.calculateMerkleRoot(acc.proof(i), i, items[i]), acc.root(), `leaf ${i} of ${n}`);
      }
    }
  });

  it('Outbox.calculateItemHash is the JS item hash', async () => {
    const w = { l2Sender: sender.address, to: ethers.Wallet.createRandom().address, l2Block: 77n, l1Block: 12345n,
      l2Timestamp: 1700000000n, value: 10n ** 18n, data: '0xdeadbeef' };
    assert.equal(await outbox.calculateItemHash(w.l2Sender, w.to, w.l2Block, w.l1Block, w.l2Timestamp, w.value, w.data),
      sendItemHash(w));
  });

  it("MockArbSys (ArbOS's accumulator in Solidity) has the JS root after each of 20 sends", async () => {
    const acc = new SendAccumulator();
    const iface = new ethers.Interface(testArtifact('MockArbSys').abi);
    const dest = ethers.Wallet.createRandom().address;
    await (await mock.setL1BlockNumber(4242)).wait();
    for (let n = 0; n < 20; ++n) {
      const data = ethers.hexlify(ethers.randomBytes(n));
      const value = BigInt(n);
      const rcpt = await (await mock.sendTxToL1(dest, data, { value })).wait();
      const ev = rcpt.logs.map((log) => iface.parseLog(log)).find((e) => e?.name === 'L2ToL1Tx');
      const block = await l2.provider().getBlock(rcpt.blockNumber);
      const item = sendItemHash({ l2Sender: sender.address, to: dest, l2Block: BigInt(rcpt.blockNumber), l1Block: 4242n,
        l2Timestamp: BigInt(block.timestamp), value, data });
      assert.equal(ethers.toBeHex(ev.args.hash, 32), item);
      assert.equal(ev.args.position, BigInt(n));
      assert.deepEqual([ev.args.caller, ev.args.destination, ev.args.arbBlockNum, ev.args.ethBlockNum, ev.args.callvalue,
        ev.args.data], [sender.address, dest, BigInt(rcpt.blockNumber), 4242n, value, data]);
      assert.equal(acc.append(item), n);
      assert.equal(await mock.sendRoot(), acc.root(), `root after ${n + 1} sends`);
      assert.equal(await mock.sendCount(), BigInt(n + 1));
      for (let level = 0; level < acc.partials.length; ++level) {
        assert.equal(await mock.partials(level), acc.partials[level], `partial ${level} after ${n + 1}`);
      }
    }
  });
});
