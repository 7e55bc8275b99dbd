// A sequencer that includes a deposit which does not exist on L1 (issue 13, "How it is checked";
// docs/validator.md "Deposits"), every part real. The fault is made honestly, without a test knob
// in the binary: the sequencer's deployment file names a second Bridge the test deployed on the
// same L1 (everything else — inbox, rollup, outbox — is the real deployment), so it reads, mints
// and references deposits the real Bridge never had, and its batches reach the real inbox. The
// validators read the real deployment.
//  - A watch validator raises its alarm naming the batch and the deposit (GET /health).
//  - The proposer posts the root L1 derives (the batch is filler: nothing minted), never the
//    sequencer's block; a follower from an empty datadir has the proposer's blocks.
//  - The supply equation holds on the L1-derived chain and fails on the sequencer's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { artifact } from '../lib/contracts.mjs';
import { metric, rawBlock } from '../lib/faults.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';
import { checkSupplyEquation } from '../lib/supply.mjs';

const skip = nodeSkipReason();

async function health(node) {
  const res = await fetch(`${node.url}/health`);
  return { status: res.status, body: await res.json() };
}

describe('a sequencer including a deposit L1 does not have', { skip: skip ?? false }, () => {
  it('is caught by a watcher naming the deposit; the posted root is the L1-derived block', async () => {
    const r = await startRollup({ sequencer: false });
    try {
      // A second Bridge on the same L1, with the real one's parameters.
      const a = artifact('Bridge');
      const d = r.deployment;
      const fake = await new ethers.ContractFactory(a.abi, a.bytecode, r.wallets.stranger).deploy(
        r.wallets.stranger.address, d.outbox, BigInt(d.l2GasPrice), d.maxMessageDataSize, d.minL2GasLimit, d.maxL2GasLimit);
      const fakeRc = await fake.deploymentTransaction().wait();
      const fakeFile = path.join(r.dir, 'deployment-other-bridge.json');
      fs.writeFileSync(fakeFile, JSON.stringify({ ...d, bridge: await fake.getAddress(), bridgeDeployBlock: fakeRc.blockNumber,
        bridgeDeployTx: fakeRc.hash }, null, 2));
      const realBridge = new ethers.Contract(d.bridge, a.abi, r.l1);

      const sequencer = await r.startSequencer({ deploymentFile: fakeFile });
      const proposer = await r.startValidator({ mode: 'propose' });
      const watcher = await r.startValidator({ mode: 'watch' });
      assert.equal((await health(watcher)).status, 200);

      // The deposit exists only on the other Bridge: the sequencer mints it on L2.
      const mallory = ethers.Wallet.createRandom().address;
      const amount = ethers.parseEther('5');
      await (await fake.depositNative(mallory, { value: amount })).wait();
      const l2 = sequencer.provider();
      await waitFor(async () => (await l2.getBalance(mallory)) === amount, { timeoutMs: 90000, what: 'the sequencer to mint the deposit' });
      assert.equal(await realBridge.depositCount(), 0n, 'the real Bridge has no deposit');
      let depBlock = null;
      for (let n = 1; n <= await l2.getBlockNumber() && depBlock === null; ++n) {
        const b = await l2.getBlock(n, true);
        if (b.prefetchedTransactions.some((t) => t.type === 0x64 && t.to === mallory)) depBlock = n;
      }
      assert.ok(depBlock, 'a block with the deposit transaction');

      // The watcher's alarm names the batch and the deposit.
      await waitFor(async () => (await health(watcher)).status === 503, { timeoutMs: 90000, what: 'the watcher\'s alarm' });
      const { body } = await health(watcher);
      assert.equal(body.status, 'unhealthy');
      assert.match(body.reason, new RegExp(`^validator alarm: batch \\d+ \\(L1 block \\d+, tx 0x[0-9a-f]{64}\\) is invalid: L2 block ${depBlock} \\(L1 block \\d+\\) references deposit 0, which does not exist on L1`));
      assert.match(body.reason, /are filler$/);
      assert.equal(await metric(watcher, 'fusel2_validator_mismatch'), 1);

      // The proposer posts the root of the block L1 derives: filler, nothing minted.
      const record = await r.waitFinalized(depBlock, { timeoutMs: 90000 });
      const roots = await r.roots();
      const covering = roots.find((x) => x.l2BlockNumber >= depBlock);
      assert.ok(covering && record);
      const n = covering.l2BlockNumber;
      const [seqBlock, propBlock] = await Promise.all([rawBlock(sequencer, n), rawBlock(proposer, n)]);
      assert.equal(covering.l2BlockHash, propBlock.hash, 'RollupCore has the L1-derived block');
      assert.equal(covering.stateRoot, propBlock.stateRoot);
      assert.notEqual(covering.l2BlockHash, seqBlock.hash, 'never the sequencer\'s block');
      assert.notEqual(covering.stateRoot, seqBlock.stateRoot);
      const derived = await rawBlock(proposer, depBlock);
      assert.equal(derived.transactions.length, 0, 'the invalid batch\'s block is filler');
      assert.equal(await proposer.provider().getBalance(mallory), 0n, 'nothing minted on the L1-derived chain');
      assert.equal(await metric(proposer, 'fusel2_validator_next_deposit'), 0);

      // A follower from an empty datadir derives the same (the proposer's) blocks.
      const follower = await r.startValidator({ mode: 'follow' });
      await waitFor(async () => (await metric(follower, 'fusel2_validator_derived_block')) >= n,
        { timeoutMs: 90000, what: `the follower at block ${n}` });
      for (let k = 1; k <= n; ++k) {
        const [x, y] = await Promise.all([rawBlock(proposer, k), rawBlock(follower, k)]);
        assert.equal(y.hash, x.hash, `block ${k}`);
      }

      // Supply: backed on the L1-derived chain; 5 FUSE the Bridge does not hold on the sequencer's.
      const terms = await checkSupplyEquation({ l2Url: proposer.url, l1: r.l1, deployment: d, genesisFile: r.files.genesis });
      assert.equal(terms.escrow, 0n);
      await assert.rejects(checkSupplyEquation({ l2Url: sequencer.url, l1: r.l1, deployment: d, genesisFile: r.files.genesis,
        timeoutMs: 2000 }), /the L2 executed 1 deposits, the Bridge has 0/);
    } finally {
      await r.stop();
    }
  });
});
