// eth_getProof (EIP-1186) against the real binary: every proof is checked by a Merkle-Patricia
// walk written here (independent of the node's C++) against the block's stateRoot, and the same
// contract and transactions on anvil give the same storage trie (storageHash, storage proofs)
// and code hash. eth_createAccessList compared with anvil's for a call through a proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../lib/anvil.mjs';
import { nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testFactory } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();

const big = (h) => (h === '0x' ? 0n : BigInt(h));

/// Follows `key` (32-byte hex) through `proof` (RLP nodes, root first) from `root`; returns the
/// leaf value (hex) or null for a proven absence; throws when the proof does not hold.
function verifyMptProof(root, key, proof) {
  const nibbles = [...ethers.getBytes(key)].flatMap((b) => [b >> 4, b & 15]);
  let used = 0;
  let at = 0;
  let ref = root;
  const done = (value) => {
    assert.equal(used, proof.length, 'proof has nodes past the end of the path');
    return value;
  };
  for (let depth = 0; depth <= nibbles.length + 1; ++depth) {
    let node = ref;
    if (!Array.isArray(ref)) { // a 32-byte reference: the next proof node must hash to it
      assert.ok(used < proof.length, 'proof too short');
      const rlp = proof[used++];
      assert.equal(ethers.keccak256(rlp), ref.toLowerCase(), 'node hash does not match its reference');
      node = ethers.decodeRlp(rlp);
    }
    if (node.length === 17) {
      if (at === nibbles.length) return done(node[16] === '0x' ? null : node[16]);
      ref = node[nibbles[at++]];
    } else if (node.length === 2) {
      const hp = ethers.getBytes(node[0]);
      const flag = hp[0] >> 4;
      const path = flag & 1 ? [hp[0] & 15] : [];
      for (const b of hp.slice(1)) path.push(b >> 4, b & 15);
      const rest = nibbles.slice(at);
      const prefix = path.every((x, i) => x === rest[i]);
      if (flag >= 2) return done(prefix && path.length === rest.length ? node[1] : null);
      if (!prefix) return done(null);
      at += path.length;
      ref = node[1];
    } else {
      throw new Error(`not a trie node: ${node.length} items`);
    }
    if (ref === '0x') return done(null);
    if (!Array.isArray(ref)) assert.equal(ethers.dataLength(ref), 32, 'child reference is not a hash');
  }
  throw new Error('path longer than the key');
}

/// Checks a whole eth_getProof answer against `stateRoot`; returns the proven slot values.
function checkProof(r, address, stateRoot) {
  const leaf = verifyMptProof(stateRoot, ethers.keccak256(address), r.accountProof);
  const [nonce, balance, storageRoot, codeHash] = leaf
    ? ethers.decodeRlp(leaf)
    : ['0x', '0x', ethers.keccak256('0x80'), ethers.keccak256('0x')];
  assert.equal(big(r.nonce), big(nonce));
  assert.equal(big(r.balance), big(balance));
  assert.equal(r.storageHash, storageRoot);
  assert.equal(r.codeHash, codeHash);
  return r.storageProof.map((sp) => {
    const v = verifyMptProof(storageRoot, ethers.keccak256(ethers.zeroPadValue(sp.key, 32)), sp.proof);
    const value = v === null ? 0n : big(ethers.decodeRlp(v));
    assert.equal(big(sp.value), value);
    return value;
  });
}

describe('eth_getProof and eth_createAccessList against the real binary', { skip: skip ?? false }, () => {
  let node;
  let anvil;
  before(async () => {
    await buildL2TestContracts();
    node = await startNode();
    anvil = await startAnvil({ hardfork: 'prague' });  // the dev genesis's rules
  });
  after(async () => {
    if (anvil) await anvil.stop();
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('proofs verify against the block state root and match anvil for the same contract', async () => {
    const kSender = 6; // same key, fresh on both chains: same contract address and storage
    const to = ethers.getAddress(`0x${'66'.repeat(20)}`);
    const run = async (url, provider, wallet) => {
      const token = await testFactory('TestToken', wallet).deploy(10n ** 24n, { nonce: 0 });
      const deployed = await token.deploymentTransaction().wait();
      for (let i = 0; i < 2; ++i) await (await token.transfer(to, 1000n + BigInt(i), { nonce: i + 1 })).wait();
      const address = await token.getAddress();
      const n = await provider.getBlockNumber();
      const block = await provider.send('eth_getBlockByNumber', [ethers.toQuantity(n), false]);
      // OpenZeppelin's _balances is at slot 0: keccak(pad(holder) ‖ pad(0)); one absent slot.
      const slotOf = (a) => ethers.keccak256(ethers.concat([ethers.zeroPadValue(a, 32), ethers.zeroPadValue('0x', 32)]));
      const keys = [slotOf(wallet.address), slotOf(to), ethers.id('absent')];
      const proof = await provider.send('eth_getProof', [address, keys, ethers.toQuantity(n)]);
      const values = checkProof(proof, address, block.stateRoot);
      for (let i = 0; i < keys.length; ++i) {
        assert.equal(values[i], BigInt(await provider.getStorage(address, keys[i], n)), `slot ${i}`);
      }
      assert.equal(values[1], 2001n); // the two transfers to `to`
      assert.equal(values[2], 0n);
      // The sender (an EOA) and an account that does not exist, at an older block too.
      const old = await provider.send('eth_getBlockByNumber', [ethers.toQuantity(deployed.blockNumber), false]);
      for (const [who, b] of [[wallet.address, block], [wallet.address, old], [to, block]]) {
        const r = await provider.send('eth_getProof', [who, [], b.number]);
        checkProof(r, who, b.stateRoot);
        assert.equal(big(r.balance), await provider.getBalance(who, big(b.number)));
        assert.equal(big(r.nonce), BigInt(await provider.getTransactionCount(who, big(b.number))));
      }
      return proof;
    };
    const l2Provider = node.provider();
    const l2 = await run(node.url, l2Provider, node.wallet(kSender, l2Provider));
    const anvilProvider = anvil.provider();
    const l1 = await run(anvil.url, anvilProvider, anvil.wallet(kSender, anvilProvider));
    assert.equal(l2.address.toLowerCase(), l1.address.toLowerCase());
    // Same code, same storage: same code hash, storage root and storage proofs.
    assert.equal(l2.codeHash, l1.codeHash);
    assert.equal(l2.storageHash, l1.storageHash);
    assert.equal(l2.nonce, l1.nonce);
    assert.deepEqual(l2.storageProof, l1.storageProof);
  });

  it('eth_createAccessList lists what a call through a proxy touches, as anvil does', async () => {
    const kSender = 7;
    const holder = ethers.getAddress(`0x${'44'.repeat(20)}`);
    const run = async (provider, wallet) => {
      const token = await testFactory('TestToken', wallet).deploy(10n ** 24n, { nonce: 0 });
      await token.waitForDeployment();
      const target = await token.getAddress();
      // Runtime: calldatacopy(0, 0, calldatasize); call(gas, target, 0, 0, calldatasize, 0, 0).
      const runtime = ethers.concat(['0x365f5f375f5f365f5f73', target, '0x5af15000']);
      const len = ethers.dataLength(runtime);
      const init = ethers.concat([`0x60${len.toString(16).padStart(2, '0')}600a5f3960${len.toString(16).padStart(2, '0')}5ff3`, runtime]);
      const r = await (await wallet.sendTransaction({ data: init, nonce: 1 })).wait();
      const proxy = r.contractAddress;
      const data = token.interface.encodeFunctionData('balanceOf', [holder]);
      const list = await provider.send('eth_createAccessList', [{ from: wallet.address, to: proxy, data }, 'latest']);
      const direct = await provider.send('eth_createAccessList', [{ from: wallet.address, to: target, data }, 'latest']);
      return { target, list, direct };
    };
    const l2Provider = node.provider();
    const l2 = await run(l2Provider, node.wallet(kSender, l2Provider));
    const anvilProvider = anvil.provider();
    const l1 = await run(anvilProvider, anvil.wallet(kSender, anvilProvider));
    const slot = ethers.keccak256(ethers.concat([ethers.zeroPadValue(holder, 32), ethers.zeroPadValue('0x', 32)]));
    const norm = (al) => al.map((e) => ({ address: e.address.toLowerCase(), storageKeys: e.storageKeys }));
    assert.deepEqual(norm(l2.list.accessList), [{ address: l2.target.toLowerCase(), storageKeys: [slot] }]);
    assert.deepEqual(norm(l2.list.accessList), norm(l1.list.accessList));
    // Called directly, the token is listed with its slot (geth lists slots of the recipient).
    assert.deepEqual(norm(l2.direct.accessList), [{ address: l2.target.toLowerCase(), storageKeys: [slot] }]);
    assert.deepEqual(norm(l2.direct.accessList), norm(l1.direct.accessList));
    assert.ok(big(l2.list.gasUsed) > 21000n);
    assert.equal(l2.list.error, undefined);
  });
});
