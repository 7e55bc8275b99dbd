// Measures the L1 gas of the bridge's user operations on a real anvil (london rules unless
// FUSE_L1_HARDFORK says otherwise), contracts compiled for london, and prints the table that
// bench/README.md ("Bridge L1 gas") and docs/bridge.md quote. Only loose upper bounds are asserted.
//
//   node --test --test-reporter=spec contracts/test/bridge_gas.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import { buildBridgeContracts, contractInterface, deployContracts, testL1Artifact } from '../../tests/lib/contracts.mjs';
import { SendAccumulator, sendItemHash } from '../test-lib/bridge.mjs';

const kL2Gateway = '0x0000000000000000000000000000000000004B01';
const kGasPrice = 10000000n;
const kLeaves = 1000;  // a send accumulator of 1000 leaves: proofs of 10 siblings

/// Intrinsic gas before EIP-7623: 21000 + 16 per non-zero + 4 per zero calldata byte.
function intrinsicGas(data) {
  let gas = 21000n;
  for (const b of ethers.getBytes(data)) gas += b === 0 ? 4n : 16n;
  return gas;
}

describe('Bridge L1 gas', () => {
  let anvil, provider, owner, poster, proposer, alice, bob, inbox, rollup, bridge, outbox, gateway, token;
  const rows = [];

  before(async () => {
    await buildBridgeContracts();
    anvil = await startAnvil();
    provider = anvil.provider();
    [owner, poster, proposer, alice, bob] = [0, 1, 2, 3, 4].map((i) => anvil.wallet(i, provider));
    ({ inbox, rollup, bridge, outbox, l1Gateway: gateway } = await deployContracts(owner, {
      genesisHash: ethers.id('bridge gas'), batchPosters: [poster.address], proposers: [proposer.address],
      withdrawalDelay: 10n, l2GasPrice: kGasPrice,
    }));
    const a = testL1Artifact('TestToken');
    token = await (await new ethers.ContractFactory(a.abi, a.bytecode, owner).deploy(ethers.parseEther('1000000'))).waitForDeployment();
    await (await token.transfer(alice.address, ethers.parseEther('1000'))).wait();
    await (await token.connect(alice).approve(await gateway.getAddress(), ethers.MaxUint256)).wait();
  });
  after(async () => {
    if (rows.length > 0) {
      console.log(`\nBridge L1 gas on anvil (--hardfork ${process.env.FUSE_L1_HARDFORK || 'london'}), contracts compiled for london:\n`);
      console.log('| operation | gas used | of which 21000 + calldata | execution |');
      console.log('|---|---:|---:|---:|');
      for (const r of rows) console.log(`| ${r.what} | ${r.gas} | ${r.intrinsic} | ${r.gas - r.intrinsic} |`);
      console.log('');
    }
    await anvil?.stop();
  });

  async function measure(what, txPromise, bound) {
    const tx = await txPromise;
    const rcpt = await tx.wait();
    assert.equal(rcpt.status, 1);
    const row = { what, gas: rcpt.gasUsed, intrinsic: intrinsicGas(tx.data) };
    rows.push(row);
    assert.ok(row.gas < bound, `${what}: ${row.gas} gas, expected below ${bound}`);
    return row;
  }

  it('deposits: depositNative, sendMessage, ERC-20 deposit', async () => {
    await measure('depositNative, first deposit ever', bridge.connect(alice).depositNative(bob.address, { value: 10n ** 18n }), 130000n);
    const steady = await measure('depositNative', bridge.connect(alice).depositNative(bob.address, { value: 10n ** 18n }), 80000n);
    const data = ethers.hexlify(ethers.randomBytes(100));
    const msg = await measure('sendMessage, 100 B data', bridge.connect(alice).sendMessage(bob.address, 100000n, data,
      { value: 100000n * kGasPrice + 1n }), 110000n);
    assert.ok(msg.gas > steady.gas, 'a message costs more than a plain deposit');
    const fee = 1000000n * kGasPrice;
    const t = await token.getAddress();
    await measure('L1ERC20Gateway.deposit, first of this token', gateway.connect(alice).deposit(t, bob.address, 1000n, 1000000n,
      { value: fee }), 250000n);
    await measure('L1ERC20Gateway.deposit', gateway.connect(alice).deposit(t, bob.address, 1000n, 1000000n, { value: fee }), 200000n);
  });

  it('claims: Outbox.executeTransaction for FUSE and for an ERC-20, proofs of 10 siblings', async () => {
    const acc = new SendAccumulator();
    const items = [];
    for (let i = 0; i < kLeaves; ++i) {
      const erc20 = i % 2 === 1;
      const item = erc20
        ? { l2Sender: kL2Gateway, to: await gateway.getAddress(), value: 0n, data: contractInterface('L1ERC20Gateway')
          .encodeFunctionData('finalizeInboundTransfer', [await token.getAddress(), bob.address, alice.address, 10n]) }
        : { l2Sender: bob.address, to: alice.address, value: 1000n, data: '0x' };
      Object.assign(item, { l2Block: BigInt(100 + i), l1Block: BigInt(5000 + i), l2Timestamp: BigInt(1700000000 + i) });
      items.push(item);
      acc.append(sendItemHash(item));
    }
    await (await inbox.connect(poster).addSequencerL2Batch(0, '0x00', 0, 1)).wait();
    await (await rollup.connect(proposer).postStateRoot(0, 1, ethers.id('b'), ethers.id('s'), acc.root())).wait();
    await anvil.rpc('evm_increaseTime', [ethers.toQuantity(10)]);
    await anvil.rpc('evm_mine', []);
    const claim = (i) => {
      const w = items[i];
      return outbox.connect(bob).executeTransaction(acc.proof(i), i, w.l2Sender, w.to, w.l2Block, w.l1Block, w.l2Timestamp,
        w.value, w.data);
    };
    assert.equal(acc.proof(0).length, 10);
    await measure('executeTransaction, FUSE to an EOA, first leaf of a 256-leaf bitmap word', claim(0), 150000n);
    await measure('executeTransaction, FUSE to an EOA', claim(2), 130000n);
    await measure('executeTransaction, ERC-20 withdrawal (L1ERC20Gateway.finalizeInboundTransfer)', claim(3), 170000n);
  });
});
