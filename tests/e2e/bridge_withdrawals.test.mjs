// L2 → L1 withdrawals end to end (issue 13, DESIGN.md §3a), every part real: anvil as the L1 with
// the contracts `fusel2 deploy` deployed (Outbox withdrawalDelay 1 hour), the L2 gateway in the
// dev genesis (`fusel2 genesis --dev --l2-gateway-admin`), the sequencer + batch poster and a
// proposing validator, ethers v6 on both sides.
//  1. FUSE in (depositNative) and an ERC-20 in (L1ERC20Gateway.deposit) to a fresh L2 account.
//  2. That account withdraws FUSE with ArbSys.withdrawEth and the token with the L2 gateway's
//     outboundTransfer; the supply equation holds with both withdrawals pending.
//  3. The proposer posts a root over them; a claim before the delay is refused with
//     SendRootTooNew(root, postedAt + delay); the L1 time passes the delay (evm_increaseTime).
//  4. Proofs from fusel2_getOutboxProof (checked against NodeInterface.constructOutboxProof);
//     Outbox.executeTransaction pays each exactly (FUSE from the Bridge's escrow, the token from
//     the L1 gateway's); a second claim of each is refused AlreadySpent(index).
//  5. Exact balances on L1 and L2, and the supply equation (tests/lib/supply.mjs) at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { artifact, buildBridgeContracts, l2Artifact, revertOf, testL1Artifact } from '../lib/contracts.mjs';
import { devKey, nodeSkipReason } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';
import { checkSupplyEquation } from '../lib/supply.mjs';

const skip = nodeSkipReason();
const kArbSys = '0x0000000000000000000000000000000000000064';
const kNodeInterface = '0x00000000000000000000000000000000000000C8';
const kDelay = 3600;
const kL2ToL1TxTopic = ethers.id('L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)');

/// Deploys and wires the ERC-20 bridge's L2 side: the admin (dev account 0 = the deployer)
/// initializes the L2 gateway predeploy with the L1 gateway's address.
async function initL2Gateway(r) {
  const admin = r.sequencer.wallet(0, r.sequencer.provider());
  const gw = new ethers.Contract(r.deployment.l2Gateway, l2Artifact('L2ERC20Gateway').abi, admin);
  assert.equal((await (await gw.initialize(r.deployment.l1Gateway)).wait()).status, 1);
  return gw;
}

/// The `fusel2_getOutboxProof` answer for leaf `index`, once it is under RollupCore's newest root.
async function proofOf(r, index) {
  return waitFor(async () => (await r.sequencer.rpc('fusel2_getOutboxProof', [ethers.toQuantity(index)])).result ?? null,
    { timeoutMs: 90000, what: `an outbox proof of leaf ${index} under a posted root` });
}

const claimArgs = (p) => [p.proof, p.index, p.l2Sender, p.to, p.l2Block, p.l1Block, p.l2Timestamp, p.value, p.data];

describe('withdrawals from L2 to L1 through the Outbox', { skip: skip ?? false }, () => {
  it('FUSE and an ERC-20 go out, are claimed once after the delay, balances exact, supply backed', async () => {
    await buildBridgeContracts();
    const r = await startRollup({
      genesisArgs: ['--l2-gateway-admin', new ethers.Wallet(devKey(0)).address],
      deployArgs: ['--withdrawal-delay', String(kDelay)],
    });
    try {
      const l1 = r.l1;
      const l2 = r.sequencer.provider();
      const supplyArgs = { l2Url: r.sequencer.url, l1, deployment: r.deployment, genesisFile: r.files.genesis };
      await r.startValidator({ mode: 'propose' });
      const l2Gateway = await initL2Gateway(r);
      const depositor = r.wallets.stranger;
      const bridge = new ethers.Contract(r.deployment.bridge, artifact('Bridge').abi, depositor);
      const outbox = new ethers.Contract(r.deployment.outbox, artifact('Outbox').abi, depositor);
      const l1Gateway = new ethers.Contract(r.deployment.l1Gateway, artifact('L1ERC20Gateway').abi, depositor);
      assert.equal(await outbox.withdrawalDelay(), BigInt(kDelay), 'fusel2 deploy passed --withdrawal-delay');
      const tokenArtifact = testL1Artifact('TestToken');
      const token = await new ethers.ContractFactory(tokenArtifact.abi, tokenArtifact.bytecode, depositor).deploy(10_000n);
      await token.waitForDeployment();
      const l1Token = await token.getAddress();

      // 1. In: 1.5 FUSE and 500 tokens for a fresh L2 account.
      const user = ethers.Wallet.createRandom().connect(l2);
      const amountIn = ethers.parseEther('1.5');
      assert.equal((await (await bridge.depositNative(user.address, { value: amountIn })).wait()).status, 1);
      await (await token.approve(r.deployment.l1Gateway, 500n)).wait();
      const gas = 1_000_000n;
      const fee = gas * (await bridge.l2GasPrice());
      assert.equal((await (await l1Gateway.deposit(l1Token, user.address, 500n, gas, { value: fee })).wait()).status, 1);
      const l2TokenAddr = await l2Gateway.calculateL2TokenAddress(l1Token);
      const l2Token = new ethers.Contract(l2TokenAddr, l2Artifact('BridgedERC20').abi, user);
      await waitFor(async () => (await l2.getBalance(user.address)) === amountIn, { timeoutMs: 90000, what: 'the FUSE deposit on L2' });
      await waitFor(async () => (await l2.getCode(l2TokenAddr)) !== '0x' && (await l2Token.balanceOf(user.address)) === 500n,
        { timeoutMs: 90000, what: 'the token deposit on L2' });
      assert.deepEqual([await l2Token.name(), await l2Token.symbol(), await l2Token.decimals()], ['Fuse Test Token', 'FTT', 18n]);
      assert.equal(await token.balanceOf(r.deployment.l1Gateway), 500n);

      // 2. Out: 0.4 FUSE with withdrawEth, 200 tokens through the L2 gateway, to fresh L1 addresses.
      const fuseTo = ethers.Wallet.createRandom().address;
      const tokenTo = ethers.Wallet.createRandom().address;
      const amountOut = ethers.parseEther('0.4');
      const arbSys = new ethers.Contract(kArbSys, ['function withdrawEth(address) payable returns (uint256)'], user);
      const rcFuse = await (await arbSys.withdrawEth(fuseTo, { value: amountOut })).wait();
      assert.equal(rcFuse.status, 1);
      const rcToken = await (await l2Gateway.connect(user).outboundTransfer(l1Token, tokenTo, 200n)).wait();
      assert.equal(rcToken.status, 1);
      const l2Fees = rcFuse.fee + rcToken.fee;
      assert.equal(await l2.getBalance(user.address), amountIn - amountOut - l2Fees, 'L2: deposit - withdrawal - fees');
      assert.equal(await l2Token.balanceOf(user.address), 300n);
      assert.equal(await l2Token.totalSupply(), 300n, 'the withdrawn tokens are burnt on L2');
      const sends = rcFuse.logs.concat(rcToken.logs).filter((l) => l.address === kArbSys && l.topics[0] === kL2ToL1TxTopic);
      const [iFuse, iToken] = sends.map((l) => BigInt(l.topics[3]));
      assert.equal(iToken, iFuse + 1n);
      const mid = await checkSupplyEquation(supplyArgs);
      assert.equal(mid.pending, amountOut, 'the FUSE withdrawal is pending');
      assert.equal(mid.escrow, amountIn);

      // 3. The root over both is posted; before the delay the claim is refused, naming when.
      const lastBlock = rcToken.blockNumber;
      const root = await r.waitFinalized(lastBlock);
      const pFuse = await proofOf(r, iFuse);
      const pToken = await proofOf(r, iToken);
      assert.equal(ethers.getAddress(pFuse.to), fuseTo);
      assert.equal(BigInt(pFuse.value), amountOut);
      assert.equal(ethers.getAddress(pToken.l2Sender), ethers.getAddress(r.deployment.l2Gateway));
      assert.equal(ethers.getAddress(pToken.to), ethers.getAddress(r.deployment.l1Gateway));
      const [posted, batch] = await r.rollupCore.sendRootPostedIn(pToken.root);
      assert.ok(posted, 'the proof\'s root is on RollupCore');
      const record = await r.rollupCore.getRecord(batch);
      assert.ok(Number(record.l2BlockNumber) >= lastBlock && root.l2BlockNumber >= lastBlock);
      // NodeInterface agrees with fusel2_getOutboxProof.
      const ni = new ethers.Contract(kNodeInterface, ['function constructOutboxProof(uint64 size, uint64 leaf) view returns (bytes32 send, bytes32 root, bytes32[] proof)'], l2);
      const viaNi = await ni.constructOutboxProof(BigInt(pToken.size), iToken);
      assert.equal(viaNi.root, pToken.root);
      assert.deepEqual([...viaNi.proof], pToken.proof);
      const early = await revertOf(outbox.executeTransaction.staticCall(...claimArgs(pFuse)));
      assert.equal(early.name, 'SendRootTooNew');
      assert.equal(early.args[0], pFuse.root);
      const [, fuseBatch] = await r.rollupCore.sendRootPostedIn(pFuse.root);
      const postedAt = (await r.rollupCore.getRecord(fuseBatch)).postedAtTimestamp;
      assert.equal(early.args[1], postedAt + BigInt(kDelay), 'claimable at postedAt + withdrawalDelay');
      await r.anvil.rpc('evm_increaseTime', [kDelay]);
      await r.anvil.rpc('evm_mine', []);

      // 4. Claims, by a third party (the stranger pays the L1 gas; the value goes to `to`).
      const escrow0 = await bridge.escrow();
      const rc1 = await (await outbox.executeTransaction(...claimArgs(pFuse))).wait();
      assert.equal(rc1.status, 1);
      assert.equal(await l1.getBalance(fuseTo), amountOut, 'L1: the exact FUSE');
      assert.equal(await bridge.escrow(), escrow0 - amountOut, 'paid from the escrow');
      assert.equal(await bridge.totalWithdrawn(), amountOut);
      const rc2 = await (await outbox.executeTransaction(...claimArgs(pToken))).wait();
      assert.equal(rc2.status, 1);
      assert.equal(await token.balanceOf(tokenTo), 200n, 'L1: the exact tokens');
      assert.equal(await token.balanceOf(r.deployment.l1Gateway), 300n, 'the gateway escrow backs the L2 copy');
      assert.ok(await outbox.isSpent(iFuse));
      assert.ok(await outbox.isSpent(iToken));
      // A second claim of either is refused, and pays nothing.
      for (const [p, i] of [[pFuse, iFuse], [pToken, iToken]]) {
        const again = await revertOf(outbox.executeTransaction.staticCall(...claimArgs(p)));
        assert.deepEqual(again, { name: 'AlreadySpent', args: [i] });
      }
      await assert.rejects(outbox.executeTransaction(...claimArgs(pFuse), { gasLimit: 500_000n }).then((t) => t.wait()));
      assert.equal(await l1.getBalance(fuseTo), amountOut, 'not paid twice');
      assert.equal(await token.balanceOf(tokenTo), 200n, 'not paid twice');

      // 5. Supply: the escrow is 1.1 FUSE, no withdrawal pending, the L2 holds exactly that (+ the dev alloc).
      const end = await checkSupplyEquation(supplyArgs);
      assert.equal(end.pending, 0n);
      assert.equal(end.escrow, amountIn - amountOut);
      assert.equal(await l2.getBalance(user.address), amountIn - amountOut - l2Fees);
    } finally {
      await r.stop();
    }
  });
});
