// The standard genesis predeploys (docs/genesis.md): the runtime code the dev genesis holds at
// each canonical address equals what anvil deploys from the same init code at the same chain id,
// anvil's own CREATE2 deployer, OP's published preinstall code, and the published code hashes;
// and the contracts work as tools use them (Multicall3's aggregate3, a CREATE2 deployment).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ethers } from 'ethers';
import { startAnvil } from '../lib/anvil.mjs';
import os from 'node:os';
import { l2Artifact } from '../lib/contracts.mjs';
import { kDevChainId, nodeSkipReason, runFusel2, startNode } from '../lib/fusel2.mjs';
import { kCreate2DeployerAddress, kPermit2Address, predeploys, repoDir } from '../../scripts/predeploys.mjs';
import { buildL2TestContracts, testArtifact } from '../lib/test_contracts.mjs';

const skip = nodeSkipReason();

/// Published runtime code hashes (chain-independent; see src/arbos/predeploys_test.cpp).
const kPublishedCodeHash = {
  multicall3: '0xd5c15df687b16f2ff992fc8d767b4216323184a2bbc6ee2f9c398c318e770891',
  create2Deployer: '0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989',
  safeSingletonFactory: '0x2fa86add0aed31f33a762c9d88e807c475bd51d0f52bd0955754b2608f7e4989',
  entryPointV07: '0x8db5ff695839d655407cc8490bb7a5d82337a86a6b39c3f0258aa6c3b582fc58',
};
const kSenderCreator = '0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C';
const kSenderCreatorCodeHash = '0x283c9d14378f5f4c4e24045b87d621d48443fa5b4af7dd7180a599b3756a7689';

/// A `bytes internal constant` of OP's Preinstalls library (another package than the one the
/// genesis took the code from, for the CREATE2 deployer and the Safe factory).
function opPreinstall(name) {
  const require = createRequire(path.join(repoDir, 'package.json'));
  const file = path.join(path.dirname(require.resolve('@eth-optimism/contracts-bedrock/package.json')),
    'src/libraries/Preinstalls.sol');
  const m = fs.readFileSync(file, 'utf8').match(new RegExp(`bytes internal constant ${name} =\\s*hex"([0-9a-fA-F]*)"`));
  return `0x${m[1].toLowerCase()}`;
}

describe('genesis predeploys', { skip: skip ?? false }, () => {
  let node;
  let anvil;
  let l2;
  let l1;
  const list = predeploys();
  const byName = Object.fromEntries(list.map((p) => [p.name, p]));

  before(async () => {
    node = await startNode();
    l2 = node.provider();
    // The same chain id as the L2 (init code may read it) and the newest rules; anvil has its
    // own CREATE2 deployer at 0x4e59… (compared below).
    anvil = await startAnvil({ chainId: Number(kDevChainId), hardfork: 'prague' });
    l1 = anvil.provider();
  });
  after(async () => {
    if (anvil) await anvil.stop();
    if (node) assert.equal((await node.stop()).code, 0, node.output());
  });

  it('each predeploy holds its published runtime code hash', async () => {
    // Permit2's code embeds the chain id (checked below by what it does instead).
    for (const p of list.filter((q) => q.name !== 'permit2')) {
      const code = await l2.getCode(p.address);
      assert.notEqual(code, '0x', `${p.name}: no code at ${p.address}`);
      assert.equal(ethers.keccak256(code), kPublishedCodeHash[p.name], p.name);
    }
    assert.equal(ethers.keccak256(await l2.getCode(kSenderCreator)), kSenderCreatorCodeHash);
  });

  it('equals what anvil deploys from the same init code at the same chain id', async () => {
    const deployer = anvil.wallet(0, l1);
    for (const p of list.filter((q) => q.kind === 'create')) {
      const tx = await deployer.sendTransaction({ data: p.initCode, gasLimit: 5_000_000n });
      const r = await tx.wait();
      assert.equal(r.status, 1, p.name);
      assert.equal(await l1.getCode(r.contractAddress), await l2.getCode(p.address), p.name);
    }
    // The EntryPoint through anvil's CREATE2 deployer, with the canonical salt: the canonical
    // address, the same code, and the same SenderCreator.
    const ep = byName.entryPointV07;
    const r = await (await deployer.sendTransaction({
      to: kCreate2DeployerAddress, data: ethers.concat([ep.salt, ep.initCode]), gasLimit: 10_000_000n,
    })).wait();
    assert.equal(r.status, 1);
    assert.equal(await l1.getCode(ep.address), await l2.getCode(ep.address));
    assert.equal(await l1.getCode(kSenderCreator), await l2.getCode(kSenderCreator));
  });

  it("the CREATE2 deployer equals anvil's built-in one and OP's published preinstalls", async () => {
    const ours = await l2.getCode(kCreate2DeployerAddress);
    assert.equal(await l1.getCode(kCreate2DeployerAddress), ours);
    assert.equal(opPreinstall('DeterministicDeploymentProxyCode'), ours);
    assert.equal(opPreinstall('SafeSingletonFactoryCode'), await l2.getCode(byName.safeSingletonFactory.address));
  });

  it('Multicall3 aggregate3 answers at the block asked', async () => {
    const mc = new ethers.Contract(byName.multicall3.address, [
      'function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[])',
      'function getBlockNumber() view returns (uint256)',
      'function getEthBalance(address) view returns (uint256)',
    ], l2);
    const alice = node.wallet(1, l2).address;
    const n = await l2.getBlockNumber();
    const res = await mc.aggregate3.staticCall([
      { target: byName.multicall3.address, allowFailure: false, callData: mc.interface.encodeFunctionData('getBlockNumber') },
      { target: byName.multicall3.address, allowFailure: false, callData: mc.interface.encodeFunctionData('getEthBalance', [alice]) },
    ], { blockTag: n });
    assert.equal(BigInt(res[0].returnData), BigInt(n));
    assert.equal(BigInt(res[1].returnData), await l2.getBalance(alice, n));
  });

  it("Permit2's EIP-712 domain is this chain's, and a signed permit moves tokens", async () => {
    const permit2 = new ethers.Contract(kPermit2Address, [
      'function DOMAIN_SEPARATOR() view returns (bytes32)',
      'function permit(address owner, ((address token, uint160 amount, uint48 expiration, uint48 nonce) details, address spender, uint256 sigDeadline) permitSingle, bytes signature)',
      'function allowance(address user, address token, address spender) view returns (uint160 amount, uint48 expiration, uint48 nonce)',
      'function transferFrom(address from, address to, uint160 amount, address token)',
    ], l2);
    const domain = { name: 'Permit2', chainId: kDevChainId, verifyingContract: kPermit2Address };
    assert.equal(await permit2.DOMAIN_SEPARATOR(), ethers.TypedDataEncoder.hashDomain(domain));

    // Uniswap's flow: the owner approves Permit2 once, signs a PermitSingle off-chain; the
    // spender submits it and pulls the tokens.
    await buildL2TestContracts();
    const owner = node.wallet(4, l2);
    const spender = node.wallet(5, l2);
    const to = ethers.Wallet.createRandom().address;
    const art = testArtifact('TestToken');
    const token = await new ethers.ContractFactory(art.abi, art.bytecode, owner).deploy(10n ** 24n);
    await token.waitForDeployment();
    const tokenAddress = await token.getAddress();
    assert.equal((await (await token.approve(kPermit2Address, ethers.MaxUint256)).wait()).status, 1);
    const now = BigInt((await l2.getBlock('latest')).timestamp);
    const permitSingle = {
      details: { token: tokenAddress, amount: 5000n, expiration: now + 3600n, nonce: 0n },
      spender: spender.address,
      sigDeadline: now + 3600n,
    };
    const types = {
      PermitSingle: [
        { name: 'details', type: 'PermitDetails' },
        { name: 'spender', type: 'address' },
        { name: 'sigDeadline', type: 'uint256' },
      ],
      PermitDetails: [
        { name: 'token', type: 'address' },
        { name: 'amount', type: 'uint160' },
        { name: 'expiration', type: 'uint48' },
        { name: 'nonce', type: 'uint48' },
      ],
    };
    const signature = await owner.signTypedData(domain, types, permitSingle);
    const asSpender = permit2.connect(spender);
    assert.equal((await (await asSpender.permit(owner.address, permitSingle, signature)).wait()).status, 1);
    const [amount, expiration, nonce] = await permit2.allowance(owner.address, tokenAddress, spender.address);
    assert.deepEqual([amount, expiration, nonce], [5000n, now + 3600n, 1n]);
    assert.equal((await (await asSpender.transferFrom(owner.address, to, 3000n, tokenAddress)).wait()).status, 1);
    assert.equal(await token.balanceOf(to), 3000n);
    assert.equal((await permit2.allowance(owner.address, tokenAddress, spender.address))[0], 2000n);
    // The same signature again: its nonce is spent.
    await assert.rejects(asSpender.permit.staticCall(owner.address, permitSingle, signature));
  });

  it('the CREATE2 deployer deploys at the predicted address (forge script new X{salt: ...})', async () => {
    const w = node.wallet(3, l2);
    // Init code returning the one-byte runtime 0x00 (STOP): CODECOPY(0, 12, 1), RETURN(0, 1).
    const init = '0x6001600c60003960016000f300';
    const salt = ethers.id('fuse predeploys e2e');
    const want = ethers.getCreate2Address(kCreate2DeployerAddress, salt, ethers.keccak256(init));
    const r = await (await w.sendTransaction({ to: kCreate2DeployerAddress, data: ethers.concat([salt, init]) })).wait();
    assert.equal(r.status, 1);
    assert.equal(await l2.getCode(want), '0x00');
  });
});

describe('genesis L2 ERC-20 gateway (l2GatewayAdmin)', { skip: skip ?? false }, () => {
  let node;
  let dir;
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is at 0x…4B01 with its admin in slot 0; only the admin initializes it', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-gateway-'));
    const file = path.join(dir, 'genesis.json');
    const admin = new ethers.Wallet(ethers.HDNodeWallet.fromPhrase(
      'test test test test test test test test test test test junk', undefined, "m/44'/60'/0'/0/1").privateKey);
    const w = await runFusel2(['genesis', '--dev', '--l2-gateway-admin', admin.address, '--write', file]);
    assert.equal(w.code, 0, w.output);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).l2GatewayAdmin, admin.address.toLowerCase());
    node = await startNode({ args: ['--genesis', file] });
    const p = node.provider();
    const kGateway = '0x0000000000000000000000000000000000004B01';
    const art = l2Artifact('L2ERC20Gateway');
    assert.equal(await p.getCode(kGateway), art.deployedBytecode.toLowerCase());
    assert.equal(await p.getTransactionCount(kGateway), 1);
    const gw = new ethers.Contract(kGateway, art.abi, p);
    assert.equal(await gw.admin(), admin.address);
    assert.equal(await gw.l1Gateway(), ethers.ZeroAddress);

    const l1Gateway = ethers.getAddress('0x00000000000000000000000000000000000011a1');
    const stranger = node.wallet(2, p);
    await assert.rejects(gw.connect(stranger).initialize.staticCall(l1Gateway), (e) => {
      assert.equal(gw.interface.parseError(e.data).name, 'NotAdmin');
      return true;
    });
    const r = await (await gw.connect(node.wallet(1, p)).initialize(l1Gateway)).wait();
    assert.equal(r.status, 1);
    assert.equal(await gw.l1Gateway(), l1Gateway);
  });
});
