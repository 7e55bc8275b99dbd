// Bridge against a real anvil L1 (london rules): deposits of both kinds with their hash and
// accumulator recomputed off-chain, aliasing of contract senders, fees, every revert, owner
// functions, and executeCall paying from the escrow only. The supply equation
// balance = totalDeposited - totalWithdrawn + feesCollected is checked after every step.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import {
  artifact, buildBridgeContracts, contractInterface, deployContracts, revertOf, testL1Artifact,
} from '../../tests/lib/contracts.mjs';
import {
  applyL1ToL2Alias, depositHash, kKindMessage, kKindNative, kZeroHash, nextDepositAcc, undoL1ToL2Alias,
} from '../test-lib/bridge.mjs';

const kGasPrice = 1000n;           // wei per L2 gas
const kMaxData = 256n;
const kMinGas = 21000n;
const kMaxGas = 1000000n;
const ether = (n) => ethers.parseEther(String(n));

describe('Bridge', () => {
  let anvil, provider, owner, alice, bob, stranger, bridge, bridgeIface, forwarder, reverter;
  const accs = [];  // off-chain accumulator, one entry per deposit

  before(async () => {
    await buildBridgeContracts();
    anvil = await startAnvil();
    provider = anvil.provider();
    [owner, alice, bob, stranger] = [0, 1, 2, 3].map((i) => anvil.wallet(i, provider));
    ({ bridge } = await deployContracts(owner, {
      genesisHash: ethers.id('bridge test'), batchPosters: [owner.address], proposers: [owner.address],
      l2GasPrice: kGasPrice, maxMessageDataSize: kMaxData, minL2GasLimit: kMinGas, maxL2GasLimit: kMaxGas,
    }));
    bridgeIface = contractInterface('Bridge');
    const fwd = testL1Artifact('CallForwarder');
    forwarder = await (await new ethers.ContractFactory(fwd.abi, fwd.bytecode, owner).deploy()).waitForDeployment();
    const rev = testL1Artifact('Reverter');
    reverter = await (await new ethers.ContractFactory(rev.abi, rev.bytecode, owner).deploy()).waitForDeployment();
  });
  after(async () => {
    await anvil?.stop();
  });

  async function checkSupply(b = bridge) {
    const [balance, deposited, withdrawn, fees, escrow] = await Promise.all([
      provider.getBalance(await b.getAddress()), b.totalDeposited(), b.totalWithdrawn(), b.feesCollected(), b.escrow()]);
    assert.equal(balance, deposited - withdrawn + fees, 'balance = deposited - withdrawn + fees');
    assert.equal(escrow, balance - fees);
  }

  /// Checks the DepositQueued event of `rcpt` against an off-chain recomputation and the
  /// contract's accumulator, and appends to `accs`.
  async function checkDeposit(rcpt, { kind, l2From, to, value, l2GasLimit = 0n, data = '0x' }) {
    const logs = rcpt.logs.map((l) => bridgeIface.parseLog(l)).filter((l) => l?.name === 'DepositQueued');
    assert.equal(logs.length, 1);
    const ev = logs[0].args;
    const block = await provider.getBlock(rcpt.blockNumber);
    const index = BigInt(accs.length);
    const hash = depositHash({ kind, index, l2From, to, value, l2GasLimit, l1BlockNumber: rcpt.blockNumber,
      l1Timestamp: block.timestamp, data });
    const acc = nextDepositAcc(accs.length === 0 ? kZeroHash : accs[accs.length - 1], hash);
    assert.deepEqual(
      [ev.index, ev.l2From, ev.to, ev.kind, ev.value, ev.l2GasLimit, ev.l1BlockNumber, ev.l1Timestamp, ev.data,
        ev.depositHash, ev.acc],
      [index, l2From, to, BigInt(kind), value, l2GasLimit, BigInt(rcpt.blockNumber), BigInt(block.timestamp), data,
        hash, acc]);
    accs.push(acc);
    assert.equal(await bridge.depositCount(), BigInt(accs.length));
    assert.equal(await bridge.depositAccs(index), acc);
    await checkSupply();
    return ev;
  }

  it('is set up with the deployment parameters', async () => {
    assert.equal(await bridge.owner(), owner.address);
    assert.equal(await bridge.l2GasPrice(), kGasPrice);
    assert.deepEqual([await bridge.maxDataSize(), await bridge.minL2GasLimit(), await bridge.maxL2GasLimit()],
      [kMaxData, kMinGas, kMaxGas]);
    assert.deepEqual([await bridge.KIND_NATIVE(), await bridge.KIND_MESSAGE()], [0n, 1n]);
    assert.equal(await bridge.depositCount(), 0n);
    assert.deepEqual(await revertOf(bridge.depositAccs(0)), { name: 'DepositNotFound', args: [0n, 0n] });
    assert.deepEqual([await bridge.totalDeposited(), await bridge.totalWithdrawn(), await bridge.feesCollected()],
      [0n, 0n, 0n]);
  });

  it('depositNative from an EOA: index, hash, accumulator, event, totals', async () => {
    for (const [from, to, value] of [[alice, bob.address, ether(1)], [bob, bob.address, 1n], [alice, alice.address, ether(2)]]) {
      const index = await bridge.depositCount();
      assert.equal(await bridge.connect(from).depositNative.staticCall(to, { value }), index);
      const rcpt = await (await bridge.connect(from).depositNative(to, { value })).wait();
      await checkDeposit(rcpt, { kind: kKindNative, l2From: from.address, to, value });
    }
    assert.equal(await bridge.totalDeposited(), ether(3) + 1n);
    assert.deepEqual(await revertOf(bridge.depositAccs(3)), { name: 'DepositNotFound', args: [3n, 3n] });
  });

  it('sendMessage: the fee stays, the rest is the L2 value, the data is hashed', async () => {
    const fee = 50000n * kGasPrice;
    const data = ethers.hexlify(ethers.randomBytes(100));
    const before = await bridge.feesCollected();
    const deposited = await bridge.totalDeposited();
    let rcpt = await (await bridge.connect(alice).sendMessage(bob.address, 50000n, data, { value: fee + 777n })).wait();
    await checkDeposit(rcpt, { kind: kKindMessage, l2From: alice.address, to: bob.address, value: 777n, l2GasLimit: 50000n, data });
    assert.equal(await bridge.feesCollected(), before + fee);
    assert.equal(await bridge.totalDeposited(), deposited + 777n);
    // exactly the fee: a call without value; the bounds are inclusive
    rcpt = await (await bridge.connect(bob).sendMessage(alice.address, kMinGas, '0x', { value: kMinGas * kGasPrice })).wait();
    await checkDeposit(rcpt, { kind: kKindMessage, l2From: bob.address, to: alice.address, value: 0n, l2GasLimit: kMinGas });
    const maxData = ethers.hexlify(ethers.randomBytes(Number(kMaxData)));
    rcpt = await (await bridge.connect(bob).sendMessage(alice.address, kMaxGas, maxData, { value: kMaxGas * kGasPrice })).wait();
    await checkDeposit(rcpt, { kind: kKindMessage, l2From: bob.address, to: alice.address, value: 0n, l2GasLimit: kMaxGas,
      data: maxData });
  });

  it('aliases a contract sender (msg.sender != tx.origin) and not an EOA', async () => {
    const fwd = await forwarder.getAddress();
    const alias = applyL1ToL2Alias(fwd);
    assert.equal(await bridge.applyL1ToL2Alias(fwd), alias);
    assert.notEqual(alias, fwd);
    let rcpt = await (await forwarder.connect(alice).forward(await bridge.getAddress(),
      bridgeIface.encodeFunctionData('depositNative', [bob.address]), { value: 5n })).wait();
    let ev = await checkDeposit(rcpt, { kind: kKindNative, l2From: alias, to: bob.address, value: 5n });
    assert.equal(ev.l2From, alias);
    const data = '0x1234';
    rcpt = await (await forwarder.connect(bob).forward(await bridge.getAddress(),
      bridgeIface.encodeFunctionData('sendMessage', [alice.address, kMinGas, data]), { value: kMinGas * kGasPrice + 9n })).wait();
    ev = await checkDeposit(rcpt, { kind: kKindMessage, l2From: alias, to: alice.address, value: 9n, l2GasLimit: kMinGas, data });
    assert.equal(undoL1ToL2Alias(ev.l2From), fwd);
  });

  it('applyL1ToL2Alias / undoL1ToL2Alias wrap around 2^160 as in JS', async () => {
    const cases = ['0x0000000000000000000000000000000000000000', '0xffffffffffffffffffffffffffffffffffffffff',
      '0xeeeeffffffffffffffffffffffffffffffffeeee', '0x1111000000000000000000000000000000001110',
      ...Array.from({ length: 5 }, () => ethers.Wallet.createRandom().address)];
    for (const a of cases) {
      const alias = await bridge.applyL1ToL2Alias(a);
      assert.equal(alias, applyL1ToL2Alias(a), a);
      assert.equal(await bridge.undoL1ToL2Alias(alias), ethers.getAddress(a));
      assert.equal(await bridge.undoL1ToL2Alias(a), undoL1ToL2Alias(a));
    }
    assert.equal(await bridge.applyL1ToL2Alias('0xffffffffffffffffffffffffffffffffffffffff'),
      '0x1111000000000000000000000000000000001110');
  });

  it('rejects bad deposits with their custom errors', async () => {
    const count = await bridge.depositCount();
    const cases = [
      [bridge.connect(alice).depositNative(bob.address), 'ZeroValue', []],
      [bridge.connect(alice).depositNative(ethers.ZeroAddress, { value: 1n }), 'ZeroAddress', []],
      [bridge.connect(alice).sendMessage(ethers.ZeroAddress, kMinGas, '0x', { value: ether(1) }), 'ZeroAddress', []],
      [bridge.connect(alice).sendMessage(bob.address, kMinGas - 1n, '0x', { value: ether(1) }), 'L2GasLimitTooLow',
        [kMinGas - 1n, kMinGas]],
      [bridge.connect(alice).sendMessage(bob.address, kMaxGas + 1n, '0x', { value: ether(1) }), 'L2GasLimitTooHigh',
        [kMaxGas + 1n, kMaxGas]],
      [bridge.connect(alice).sendMessage(bob.address, kMinGas, ethers.randomBytes(Number(kMaxData) + 1), { value: ether(1) }),
        'DataTooLarge', [kMaxData + 1n, kMaxData]],
      [bridge.connect(alice).sendMessage(bob.address, 30000n, '0x', { value: 30000n * kGasPrice - 1n }), 'InsufficientFee',
        [30000n * kGasPrice, 30000n * kGasPrice - 1n]],
      [bridge.connect(alice).sendMessage(bob.address, 30000n, '0x'), 'InsufficientFee', [30000n * kGasPrice, 0n]],
    ];
    for (const [p, name, args] of cases) assert.deepEqual(await revertOf(p), { name, args }, name);
    assert.equal(await bridge.depositCount(), count);
  });

  it('pause stops deposits (owner only)', async () => {
    assert.deepEqual(await revertOf(bridge.connect(stranger).pause()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    await (await bridge.connect(owner).pause()).wait();
    assert.deepEqual(await revertOf(bridge.connect(alice).depositNative(bob.address, { value: 1n })),
      { name: 'EnforcedPause', args: [] });
    assert.deepEqual(await revertOf(bridge.connect(alice).sendMessage(bob.address, kMinGas, '0x', { value: ether(1) })),
      { name: 'EnforcedPause', args: [] });
    assert.deepEqual(await revertOf(bridge.connect(stranger).unpause()),
      { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    await (await bridge.connect(owner).unpause()).wait();
    assert.deepEqual(await revertOf(bridge.connect(owner).unpause()), { name: 'ExpectedPause', args: [] });
    const rcpt = await (await bridge.connect(alice).depositNative(bob.address, { value: 3n })).wait();
    await checkDeposit(rcpt, { kind: kKindNative, l2From: alice.address, to: bob.address, value: 3n });
  });

  it('owner setters check their arguments and emit events', async () => {
    const events = async (tx) => (await (await tx).wait()).logs.map((l) => bridgeIface.parseLog(l));
    for (const p of [bridge.connect(stranger).setL2GasPrice(1), bridge.connect(stranger).setMessageLimits(1, 1, 1),
      bridge.connect(stranger).setOutbox(stranger.address), bridge.connect(stranger).withdrawFees(stranger.address, 0)]) {
      assert.deepEqual(await revertOf(p), { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    }
    let ev = await events(bridge.connect(owner).setL2GasPrice(2000n));
    assert.deepEqual([ev[0].name, ev[0].args.l2GasPrice], ['L2GasPriceSet', 2000n]);
    assert.equal(await bridge.l2GasPrice(), 2000n);
    // the new price applies at once
    assert.deepEqual(await revertOf(bridge.connect(alice).sendMessage(bob.address, kMinGas, '0x', { value: kMinGas * kGasPrice })),
      { name: 'InsufficientFee', args: [kMinGas * 2000n, kMinGas * kGasPrice] });
    await (await bridge.connect(owner).setL2GasPrice(kGasPrice)).wait();

    assert.deepEqual(await revertOf(bridge.connect(owner).setMessageLimits(10, 5, 4)), { name: 'InvalidLimits', args: [5n, 4n] });
    assert.deepEqual(await revertOf(bridge.connect(owner).setMessageLimits(10, 0, 0)), { name: 'InvalidLimits', args: [0n, 0n] });
    ev = await events(bridge.connect(owner).setMessageLimits(8, 100, 200));
    assert.deepEqual([ev[0].name, ...ev[0].args], ['MessageLimitsSet', 8n, 100n, 200n]);
    assert.deepEqual(await revertOf(bridge.connect(alice).sendMessage(bob.address, 150n, '0x112233445566778899', { value: ether(1) })),
      { name: 'DataTooLarge', args: [9n, 8n] });
    await (await bridge.connect(owner).setMessageLimits(kMaxData, kMinGas, kMaxGas)).wait();

    assert.deepEqual(await revertOf(bridge.connect(owner).setOutbox(ethers.ZeroAddress)), { name: 'ZeroAddress', args: [] });
    const outbox = await bridge.outbox();
    ev = await events(bridge.connect(owner).setOutbox(stranger.address));
    assert.deepEqual([ev[0].name, ev[0].args.outbox], ['OutboxSet', stranger.address]);
    assert.equal(await bridge.outbox(), stranger.address);
    await (await bridge.connect(owner).setOutbox(outbox)).wait();

    assert.deepEqual(await revertOf(bridge.connect(owner).renounceOwnership()), { name: 'RenounceOwnershipDisabled', args: [] });
  });

  it('withdrawFees pays collected fees only, to a given address', async () => {
    const fees = await bridge.feesCollected();
    assert.ok(fees > 0n);
    assert.deepEqual(await revertOf(bridge.connect(owner).withdrawFees(stranger.address, fees + 1n)),
      { name: 'InsufficientFees', args: [fees + 1n, fees] });
    assert.deepEqual(await revertOf(bridge.connect(owner).withdrawFees(ethers.ZeroAddress, 1n)), { name: 'ZeroAddress', args: [] });
    const rev = await reverter.getAddress();  // no receive(): refuses the transfer
    assert.deepEqual(await revertOf(bridge.connect(owner).withdrawFees(rev, 1n)), { name: 'FeeTransferFailed', args: [rev] });
    const before = await provider.getBalance(stranger.address);
    const rcpt = await (await bridge.connect(owner).withdrawFees(stranger.address, fees - 10n)).wait();
    const ev = bridgeIface.parseLog(rcpt.logs[0]);
    assert.deepEqual([ev.name, ev.args.to, ev.args.amount], ['FeesWithdrawn', stranger.address, fees - 10n]);
    assert.equal(await provider.getBalance(stranger.address), before + fees - 10n);
    assert.equal(await bridge.feesCollected(), 10n);
    await checkSupply();
  });

  describe('executeCall (the Outbox played by an EOA)', () => {
    let b, outboxEoa;
    before(async () => {
      outboxEoa = anvil.wallet(5, provider);
      const art = artifact('Bridge');
      b = await (await new ethers.ContractFactory(art.abi, art.bytecode, owner)
        .deploy(owner.address, outboxEoa.address, kGasPrice, kMaxData, kMinGas, kMaxGas)).waitForDeployment();
      await (await b.connect(alice).depositNative(alice.address, { value: 1000n })).wait();
      await (await b.connect(alice).sendMessage(alice.address, kMinGas, '0x', { value: kMinGas * kGasPrice })).wait();
    });

    it('only the Outbox may call it', async () => {
      for (const who of [stranger, owner, alice]) {
        assert.deepEqual(await revertOf(b.connect(who).executeCall(bob.address, 1n, '0x')),
          { name: 'NotOutbox', args: [who.address] });
      }
    });

    it('pays from the escrow, never from the fees', async () => {
      const fees = await b.feesCollected();
      assert.equal(fees, kMinGas * kGasPrice);
      assert.equal(await b.escrow(), 1000n);
      assert.deepEqual(await revertOf(b.connect(outboxEoa).executeCall(bob.address, 1001n, '0x')),
        { name: 'InsufficientEscrow', args: [1001n, 1000n] });
      const before = await provider.getBalance(bob.address);
      const rcpt = await (await b.connect(outboxEoa).executeCall(bob.address, 600n, '0x')).wait();
      const ev = bridgeIface.parseLog(rcpt.logs[0]);
      assert.deepEqual([ev.name, ev.args.outbox, ev.args.to, ev.args.value], ['BridgeCallExecuted', outboxEoa.address, bob.address, 600n]);
      assert.equal(await provider.getBalance(bob.address), before + 600n);
      assert.equal(await b.totalWithdrawn(), 600n);
      assert.equal(await b.escrow(), 400n);
      await checkSupply(b);
    });

    it('returns a failed call without paying or counting it', async () => {
      const rev = await reverter.getAddress();
      const data = reverter.interface.encodeFunctionData('set', [5]);  // reverts TooSmall(5, 10)
      const [ok, ret] = await b.connect(outboxEoa).executeCall.staticCall(rev, 0n, data);
      assert.equal(ok, false);
      assert.deepEqual([...reverter.interface.parseError(ret).args], [5n, 10n]);
      // with value: set() is not payable, so the call fails with empty revert data
      const [okValue, retValue] = await b.connect(outboxEoa).executeCall.staticCall(rev, 100n, data);
      assert.deepEqual([okValue, retValue], [false, '0x']);
      const rcpt = await (await b.connect(outboxEoa).executeCall(rev, 100n, data)).wait();
      assert.equal(rcpt.logs.length, 0, 'no BridgeCallExecuted');
      assert.equal(await b.totalWithdrawn(), 600n);
      assert.equal(await provider.getBalance(rev), 0n);
      // a successful call with data and value
      const [ok2] = await b.connect(outboxEoa).executeCall.staticCall(rev, 0n, reverter.interface.encodeFunctionData('set', [11]));
      assert.equal(ok2, true);
      await checkSupply(b);
    });
  });

  it('the constructor rejects bad parameters', async () => {
    const art = artifact('Bridge');
    const f = new ethers.ContractFactory(art.abi, art.bytecode, owner);
    assert.deepEqual(await revertOf(f.deploy(ethers.ZeroAddress, bob.address, 1, 1, 1, 1)),
      { name: 'OwnableInvalidOwner', args: [ethers.ZeroAddress] });
    assert.deepEqual(await revertOf(f.deploy(owner.address, ethers.ZeroAddress, 1, 1, 1, 1)), { name: 'ZeroAddress', args: [] });
    assert.deepEqual(await revertOf(f.deploy(owner.address, bob.address, 1, 1, 2, 1)), { name: 'InvalidLimits', args: [2n, 1n] });
    assert.deepEqual(await revertOf(f.deploy(owner.address, bob.address, 1, 1, 0, 0)), { name: 'InvalidLimits', args: [0n, 0n] });
  });
});
