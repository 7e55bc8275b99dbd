// The ERC-20 gateway pair end to end on two anvils: L1ERC20Gateway with the real Bridge,
// RollupCore and Outbox on a london L1; L2ERC20Gateway as a genesis predeploy (its runtime code
// and slot 0 set with anvil_setCode / anvil_setStorageAt at 0x…4B01) on a cancun L2 with
// MockArbSys at 0x64. The L2 side of a deposit is played by a transaction from the L1 gateway's
// alias (impersonated), as the sequencer's deposit transaction will be; withdrawals come back
// through MockArbSys's send accumulator, a posted send root and Outbox.executeTransaction.
// Tokens: OpenZeppelin's, fee-on-transfer (1%), bytes32 metadata (as MKR), no metadata at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import {
  artifact, buildBridgeContracts, contractInterface, deployContracts, errorsInterface, kL1ContractNames, l2Artifact, revertOf,
  testL1Artifact,
} from '../../tests/lib/contracts.mjs';
import { buildL2TestContracts, testArtifact } from '../../tests/lib/test_contracts.mjs';
import { applyL1ToL2Alias, kKindMessage, SendAccumulator, sendItemHash } from '../test-lib/bridge.mjs';

const kL2Gateway = '0x0000000000000000000000000000000000004B01';
const kArbSys = '0x0000000000000000000000000000000000000064';
const kDelay = 100n;
const kGasPrice = 1000n;
const kL2Gas = 2000000n;
const coder = ethers.AbiCoder.defaultAbiCoder();
const ether = (n) => ethers.parseEther(String(n));

describe('ERC-20 gateway pair', () => {
  let l1, l2, p1, p2, owner, poster, proposer, alice, bob, carol, stranger;
  let inbox, rollup, bridge, outbox, gateway, bridgeIface, gatewayIface, l1Errors, l2Errors;
  let l2gw, arbSys, l2Admin, aliasSigner, l2Bob, l2Stranger;
  const tokens = {};
  const acc = new SendAccumulator();
  const l2GasUsed = {};

  const deployL1 = async (name, ...args) => {
    const a = testL1Artifact(name);
    return (await new ethers.ContractFactory(a.abi, a.bytecode, owner).deploy(...args)).waitForDeployment();
  };

  before(async () => {
    await buildBridgeContracts();
    await buildL2TestContracts();
    l1 = await startAnvil();
    l2 = await startAnvil({ hardfork: 'cancun' });
    p1 = l1.provider();
    p2 = l2.provider();
    [owner, poster, proposer, alice, bob, carol, stranger] = [0, 1, 2, 3, 4, 5, 6].map((i) => l1.wallet(i, p1));
    ({ inbox, rollup, bridge, outbox, l1Gateway: gateway } = await deployContracts(owner, {
      genesisHash: ethers.id('gateway test'), batchPosters: [poster.address], proposers: [proposer.address],
      withdrawalDelay: kDelay, l2GasPrice: kGasPrice,
    }));
    bridgeIface = contractInterface('Bridge');
    gatewayIface = contractInterface('L1ERC20Gateway');
    l1Errors = errorsInterface([...kL1ContractNames, testL1Artifact('TestToken').abi]);
    l2Errors = errorsInterface([l2Artifact('L2ERC20Gateway').abi, l2Artifact('BridgedERC20').abi]);
    tokens.plain = await deployL1('TestToken', ether(1000000));
    tokens.fot = await deployL1('FeeOnTransferToken', ether(1000000));
    tokens.mkr = await deployL1('Bytes32MetadataToken', ether(1000000), 9);
    tokens.bare = await deployL1('NoMetadataToken', ether(1000000));
    for (const t of Object.values(tokens)) {
      await (await t.transfer(alice.address, ether(1000))).wait();
      await (await t.connect(alice).approve(await gateway.getAddress(), ethers.MaxUint256)).wait();
    }

    // L2: ArbSys mock at 0x64, the gateway predeploy at 0x…4B01 with only slot 0 (admin) set
    await l2.rpc('anvil_setCode', [kArbSys, testArtifact('MockArbSys').deployedBytecode]);
    await l2.rpc('anvil_setCode', [kL2Gateway, l2Artifact('L2ERC20Gateway').deployedBytecode]);
    l2Admin = l2.wallet(7, p2);
    await l2.rpc('anvil_setStorageAt', [kL2Gateway, ethers.toBeHex(0, 32), ethers.zeroPadValue(l2Admin.address, 32)]);
    l2gw = new ethers.Contract(kL2Gateway, l2Artifact('L2ERC20Gateway').abi, p2);
    arbSys = new ethers.Contract(kArbSys, testArtifact('MockArbSys').abi, p2);
    const alias = applyL1ToL2Alias(await gateway.getAddress());
    await l2.rpc('anvil_impersonateAccount', [alias]);
    await l2.rpc('anvil_setBalance', [alias, ethers.toQuantity(ether(10))]);
    aliasSigner = await p2.getSigner(alias);
    l2Bob = l2.wallet(4, p2);
    l2Stranger = l2.wallet(6, p2);
  });
  after(async () => {
    await l1?.stop();
    await l2?.stop();
  });

  /// Deposits on L1, checks the Bridge message, then runs it on L2 from the alias.
  /// Returns { received, message, l2Rcpt }.
  async function depositAndRun(token, to, amount, expectReceived) {
    const l1Token = await token.getAddress();
    const gwBalance = await token.balanceOf(await gateway.getAddress());
    const rcpt = await (await gateway.connect(alice).deposit(l1Token, to, amount, kL2Gas, { value: kL2Gas * kGasPrice })).wait();
    const received = (await token.balanceOf(await gateway.getAddress())) - gwBalance;
    assert.equal(received, expectReceived);
    const q = rcpt.logs.map((l) => { try { return bridgeIface.parseLog(l); } catch { return null; } })
      .find((e) => e?.name === 'DepositQueued').args;
    assert.deepEqual([q.l2From, q.to, q.kind, q.value, q.l2GasLimit],
      [applyL1ToL2Alias(await gateway.getAddress()), kL2Gateway, BigInt(kKindMessage), 0n, kL2Gas]);
    const call = l2gw.interface.decodeFunctionData('finalizeInboundTransfer', q.data);
    assert.deepEqual([call.l1Token, call.from, call.to, call.amount], [l1Token, alice.address, to, received]);
    const ev = rcpt.logs.map((l) => { try { return gatewayIface.parseLog(l); } catch { return null; } })
      .find((e) => e?.name === 'DepositInitiated').args;
    assert.deepEqual([ev.l1Token, ev.from, ev.to, ev.depositIndex, ev.amount], [l1Token, alice.address, to, q.index, received]);
    // L2: the sequencer's deposit transaction, from the alias, with the message's gas limit
    const l2Rcpt = await (await aliasSigner.sendTransaction({ to: kL2Gateway, data: q.data, gasLimit: q.l2GasLimit })).wait();
    assert.equal(l2Rcpt.status, 1);
    return { received, metadata: call.data, l2Rcpt };
  }

  /// Withdraws on L2 (outboundTransfer), mirrors the leaf in the JS accumulator, posts the send
  /// root on L1, waits the delay and executes it. Returns the Outbox receipt.
  async function withdrawAndClaim(token, from, to, amount) {
    const l1Token = await token.getAddress();
    const rcpt = await (await l2gw.connect(from).outboundTransfer(l1Token, to, amount)).wait();
    const ev = rcpt.logs.map((l) => { try { return arbSys.interface.parseLog(l); } catch { return null; } })
      .find((e) => e?.name === 'L2ToL1Tx').args;
    const item = { l2Sender: kL2Gateway, to: await gateway.getAddress(), l2Block: ev.arbBlockNum, l1Block: ev.ethBlockNum,
      l2Timestamp: ev.timestamp, value: ev.callvalue, data: ev.data };
    assert.equal(ev.caller, kL2Gateway);
    assert.deepEqual(ethers.toBeHex(ev.hash, 32), sendItemHash(item));
    assert.deepEqual([...gatewayIface.decodeFunctionData('finalizeInboundTransfer', ev.data)], [l1Token, from.address, to, amount]);
    const index = acc.append(sendItemHash(item));
    assert.equal(ev.position, BigInt(index));
    assert.equal(await arbSys.sendRoot(), acc.root(), 'MockArbSys and the JS accumulator agree');
    // the proposer posts the send root; the delay passes; anyone executes
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    await (await inbox.connect(poster).addSequencerL2Batch(n, '0x00', m, m + 1n)).wait();
    await (await rollup.connect(proposer).postStateRoot(n, n + 1n, ethers.id(`b${n}`), ethers.id(`s${n}`), acc.root())).wait();
    await l1.rpc('evm_increaseTime', [ethers.toQuantity(kDelay)]);
    await l1.rpc('evm_mine', []);
    return (await outbox.connect(stranger).executeTransaction(acc.proof(index), index, item.l2Sender, item.to,
      item.l2Block, item.l1Block, item.l2Timestamp, item.value, item.data)).wait();
  }

  const l2Token = async (token) => new ethers.Contract(await l2gw.calculateL2TokenAddress(await token.getAddress()),
    l2Artifact('BridgedERC20').abi, p2);

  it('the L2 gateway runs as a predeploy: no immutables, admin in slot 0, initialized once by the admin', async () => {
    // the runtime code is the same as a constructed instance's (nothing set by a constructor)
    const a = l2Artifact('L2ERC20Gateway');
    const deployed = await (await new ethers.ContractFactory(a.abi, a.bytecode, l2Admin).deploy()).waitForDeployment();
    assert.equal(await p2.getCode(await deployed.getAddress()), a.deployedBytecode);
    assert.equal(await l2gw.admin(), l2Admin.address);
    assert.equal(await l2gw.l1Gateway(), ethers.ZeroAddress);
    // not initialized: both directions refuse
    assert.deepEqual(await revertOf(l2gw.connect(aliasSigner).finalizeInboundTransfer.staticCall(ethers.ZeroAddress,
      alice.address, bob.address, 1, '0x'), l2Errors), { name: 'NotInitialized', args: [] });
    assert.deepEqual(await revertOf(l2gw.connect(l2Bob).outboundTransfer(ethers.ZeroAddress, bob.address, 1), l2Errors),
      { name: 'NotInitialized', args: [] });
    assert.deepEqual(await revertOf(l2gw.connect(l2Stranger).initialize(await gateway.getAddress()), l2Errors),
      { name: 'NotAdmin', args: [l2Stranger.address] });
    assert.deepEqual(await revertOf(l2gw.connect(l2Admin).initialize(ethers.ZeroAddress), l2Errors), { name: 'ZeroAddress', args: [] });
    const rcpt = await (await l2gw.connect(l2Admin).initialize(await gateway.getAddress())).wait();
    const ev = l2gw.interface.parseLog(rcpt.logs[0]);
    assert.deepEqual([ev.name, ev.args.l1Gateway], ['Initialized', await gateway.getAddress()]);
    assert.equal(await p2.getStorage(kL2Gateway, 1), ethers.zeroPadValue(await gateway.getAddress(), 32), 'slot 1: l1Gateway');
    assert.deepEqual(await revertOf(l2gw.connect(l2Admin).initialize(stranger.address), l2Errors), { name: 'AlreadyInitialized', args: [] });
  });

  it('bridges a standard token there and back; the L2 token sits at its CREATE2 address', async () => {
    const t = tokens.plain;
    const predicted = ethers.getCreate2Address(kL2Gateway, ethers.zeroPadValue(await t.getAddress(), 32),
      ethers.keccak256(l2Artifact('BridgedERC20').bytecode));
    assert.equal(await l2gw.calculateL2TokenAddress(await t.getAddress()), predicted);
    assert.equal(await p2.getCode(predicted), '0x');
    const { received, metadata, l2Rcpt } = await depositAndRun(t, bob.address, ether(10), ether(10));
    l2GasUsed.first = l2Rcpt.gasUsed;
    assert.deepEqual([...coder.decode(['string', 'string', 'uint8'], metadata)], ['Fuse Test Token', 'FTT', 18n]);
    const l2t = await l2Token(t);
    assert.equal(await l2t.getAddress(), predicted);
    assert.deepEqual([await l2t.name(), await l2t.symbol(), await l2t.decimals(), await l2t.l1Token(), await l2t.gateway()],
      ['Fuse Test Token', 'FTT', 18n, await t.getAddress(), kL2Gateway]);
    assert.equal(await l2t.balanceOf(bob.address), received);
    const deployed = l2Rcpt.logs.map((l) => { try { return l2gw.interface.parseLog(l); } catch { return null; } })
      .filter(Boolean).map((e) => e.name);
    assert.deepEqual(deployed, ['TokenDeployed', 'DepositFinalized']);
    // a second deposit mints into the same token
    const second = await depositAndRun(t, bob.address, ether(5), ether(5));
    l2GasUsed.later = second.l2Rcpt.gasUsed;
    assert.equal(await l2t.balanceOf(bob.address), ether(15));
    assert.equal(await l2t.totalSupply(), ether(15));

    // back to L1: burn on L2, release on L1 to carol
    const before = await t.balanceOf(carol.address);
    const rcpt = await withdrawAndClaim(t, l2Bob, carol.address, ether(4));
    assert.equal(await l2t.balanceOf(bob.address), ether(11));
    assert.equal(await l2t.totalSupply(), ether(11));
    assert.equal(await t.balanceOf(carol.address), before + ether(4));
    assert.equal(await t.balanceOf(await gateway.getAddress()), ether(11), 'escrow = L2 supply');
    const fin = rcpt.logs.map((l) => { try { return gatewayIface.parseLog(l); } catch { return null; } })
      .find((e) => e?.name === 'WithdrawalFinalized').args;
    assert.deepEqual([fin.l1Token, fin.from, fin.to, fin.amount], [await t.getAddress(), bob.address, carol.address, ether(4)]);
  });

  it('a fee-on-transfer token bridges what the gateway received, and pays out less on withdrawal', async () => {
    const t = tokens.fot;
    const { received } = await depositAndRun(t, bob.address, ether(100), ether(99));  // 1% kept by the token
    const l2t = await l2Token(t);
    assert.equal(await l2t.balanceOf(bob.address), ether(99));
    assert.equal(await t.balanceOf(await gateway.getAddress()), received);
    const before = await t.balanceOf(carol.address);
    await withdrawAndClaim(t, l2Bob, carol.address, ether(50));
    assert.equal(await t.balanceOf(carol.address), before + ether('49.5'), 'the token takes its fee on the way out too');
    assert.equal(await t.balanceOf(await gateway.getAddress()), ether(49));
    assert.equal(await l2t.totalSupply(), ether(49), 'escrow = L2 supply');
  });

  it('reads bytes32 metadata (MKR-like) and falls back for a token without metadata', async () => {
    const { metadata } = await depositAndRun(tokens.mkr, bob.address, 1000n, 1000n);
    assert.deepEqual([...coder.decode(['string', 'string', 'uint8'], metadata)], ['Maker', 'MKR', 9n]);
    const mkr = await l2Token(tokens.mkr);
    assert.deepEqual([await mkr.name(), await mkr.symbol(), await mkr.decimals()], ['Maker', 'MKR', 9n]);
    const bare = await depositAndRun(tokens.bare, bob.address, 7n, 7n);
    assert.deepEqual([...coder.decode(['string', 'string', 'uint8'], bare.metadata)], ['', '', 18n]);
    const l2bare = await l2Token(tokens.bare);
    assert.deepEqual([await l2bare.name(), await l2bare.symbol(), await l2bare.decimals(), await l2bare.balanceOf(bob.address)],
      ['', '', 18n, 7n]);
    await withdrawAndClaim(tokens.mkr, l2Bob, carol.address, 400n);
    assert.equal(await tokens.mkr.balanceOf(carol.address), 400n);
  });

  it('L1 gateway: rejects bad deposits and forged or direct finalizations', async () => {
    const t = await tokens.plain.getAddress();
    const fee = kL2Gas * kGasPrice;
    const cases = [
      [() => gateway.connect(alice).deposit(t, ethers.ZeroAddress, 1, kL2Gas, { value: fee }), 'ZeroAddress', []],
      [() => gateway.connect(alice).deposit(t, bob.address, 0, kL2Gas, { value: fee }), 'ZeroAmount', []],
      [() => gateway.connect(alice).deposit(stranger.address, bob.address, 1, kL2Gas, { value: fee }), 'NotAToken',
        [stranger.address]],
      [() => gateway.connect(alice).deposit(t, bob.address, 1, kL2Gas, { value: fee - 1n }), 'WrongFee', [fee, fee - 1n]],
      [() => gateway.connect(alice).deposit(t, bob.address, 1, kL2Gas, { value: fee + 1n }), 'WrongFee', [fee, fee + 1n]],
      // the Bridge's bounds apply to the gateway's message
      [() => gateway.connect(alice).deposit(t, bob.address, 1, 20000n, { value: 20000n * kGasPrice }), 'L2GasLimitTooLow',
        [20000n, 21000n]],
      // more than approved
      [() => gateway.connect(stranger).deposit(t, bob.address, 1, kL2Gas, { value: fee }), 'ERC20InsufficientAllowance',
        [gateway.target, 0n, 1n]],
      [() => gateway.connect(alice).finalizeInboundTransfer(t, alice.address, alice.address, 1), 'NotFromBridge', [alice.address]],
    ];
    for (const [p, name, args] of cases) assert.deepEqual(await revertOf(p(), l1Errors), { name, args }, name);

    // a withdrawal message to the L1 gateway from any other L2 sender is refused (bubbled up by the Outbox)
    const forged = { l2Sender: bob.address, to: await gateway.getAddress(), l2Block: 1n, l1Block: 1n, l2Timestamp: 1n, value: 0n,
      data: gatewayIface.encodeFunctionData('finalizeInboundTransfer', [t, bob.address, bob.address, ether(1)]) };
    const index = acc.append(sendItemHash(forged));
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    await (await inbox.connect(poster).addSequencerL2Batch(n, '0x00', m, m + 1n)).wait();
    await (await rollup.connect(proposer).postStateRoot(n, n + 1n, ethers.id(`b${n}`), ethers.id(`s${n}`), acc.root())).wait();
    await l1.rpc('evm_increaseTime', [ethers.toQuantity(kDelay)]);
    await l1.rpc('evm_mine', []);
    assert.deepEqual(await revertOf(outbox.connect(bob).executeTransaction(acc.proof(index), index, forged.l2Sender, forged.to,
      forged.l2Block, forged.l1Block, forged.l2Timestamp, forged.value, forged.data), l1Errors),
    { name: 'NotFromL2Gateway', args: [bob.address] });
    assert.equal(await outbox.isSpent(index), false);

    // pause stops deposits (owner only)
    assert.deepEqual(await revertOf(gateway.connect(stranger).pause(), l1Errors), { name: 'OwnableUnauthorizedAccount', args: [stranger.address] });
    await (await gateway.connect(owner).pause()).wait();
    assert.deepEqual(await revertOf(gateway.connect(alice).deposit(t, bob.address, 1, kL2Gas, { value: fee }), l1Errors),
      { name: 'EnforcedPause', args: [] });
    await (await gateway.connect(owner).unpause()).wait();
    // constructor
    const a = artifact('L1ERC20Gateway');
    assert.deepEqual(await revertOf(new ethers.ContractFactory(a.abi, a.bytecode, owner).deploy(owner.address, ethers.ZeroAddress), l1Errors),
      { name: 'ZeroAddress', args: [] });
    assert.equal(await gateway.L2_GATEWAY(), kL2Gateway);
  });

  it('L2 gateway and BridgedERC20: only the L1 gateway alias mints, only known tokens leave, only the gateway mints/burns', async () => {
    const t = await tokens.plain.getAddress();
    const l2t = await l2Token(tokens.plain);
    const cases = [
      [() => l2gw.connect(l2Stranger).finalizeInboundTransfer(t, alice.address, bob.address, 1, '0x'), 'NotFromL1Gateway',
        [l2Stranger.address]],
      [() => l2gw.connect(l2Bob).outboundTransfer(t, ethers.ZeroAddress, 1), 'ZeroAddress', []],
      [() => l2gw.connect(l2Bob).outboundTransfer(t, bob.address, 0), 'ZeroAmount', []],
      [() => l2gw.connect(l2Bob).outboundTransfer(stranger.address, bob.address, 1), 'UnknownToken', [stranger.address]],
      [() => l2gw.connect(l2Stranger).outboundTransfer(t, bob.address, 1), 'ERC20InsufficientBalance', [l2Stranger.address, 0n, 1n]],
      [() => l2t.connect(l2Stranger).bridgeMint(l2Stranger.address, 1), 'NotGateway', [l2Stranger.address]],
      [() => l2t.connect(l2Stranger).bridgeBurn(bob.address, 1), 'NotGateway', [l2Stranger.address]],
      [() => l2t.connect(l2Stranger).initialize(t, 'x', 'y', 1), 'NotGateway', [l2Stranger.address]],
    ];
    for (const [p, name, args] of cases) assert.deepEqual(await revertOf(p(), l2Errors), { name, args }, name);
    // a BridgedERC20 initializes once
    const a = l2Artifact('BridgedERC20');
    const own = await (await new ethers.ContractFactory(a.abi, a.bytecode, l2Stranger).deploy()).waitForDeployment();
    await (await own.initialize(t, 'n', 's', 6)).wait();
    assert.deepEqual(await revertOf(own.initialize(t, 'n', 's', 6), l2Errors), { name: 'AlreadyInitialized', args: [] });
    assert.equal(await own.decimals(), 6n);
  });

  it('L2 gas of a deposit message (deploying the token / minting only)', () => {
    console.log(`L2 gas of finalizeInboundTransfer: first deposit of a token ${l2GasUsed.first}, later deposits ${l2GasUsed.later}`);
    assert.ok(l2GasUsed.first > l2GasUsed.later && l2GasUsed.first < kL2Gas, 'the first deposit deploys the token');
    assert.ok(l2GasUsed.later < 150000n);
  });
});
