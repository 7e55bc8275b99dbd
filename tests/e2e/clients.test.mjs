// The tools dapp teams point at an RPC, against the real binary (issue 14, "Client tests"):
// - viem: `multicall` through the chain's Multicall3 (a genesis predeploy), at the head and at an
//   older block, with a failing call under allowFailure; Multicall3's getBlockNumber equals
//   eth_blockNumber (eth_call runs at block N); a transaction sent and its receipt read.
// - forge: `forge script --broadcast` deploying with `new X{salt: ...}` (through the deterministic
//   CREATE2 deployer, a genesis predeploy) lands the contract at the CREATE2 address and runs its
//   call.
// - Hardhat 2.x with hardhat-ethers: `getSigners()` without `accounts` is empty (eth_accounts
//   answers []), a remote signer's transaction is refused with "this node holds no keys", and with
//   `accounts` the local signer sends a transaction the node includes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { createPublicClient, createWalletClient, defineChain, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devKey, kDevChainId, nodeSkipReason, startNode } from '../lib/fusel2.mjs';
import { buildL2TestContracts, testArtifact } from '../lib/test_contracts.mjs';
import { foundryBin } from '../lib/foundry.mjs';

const skip = nodeSkipReason();
const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kMulticall3 = '0xcA11bde05977b3631167028862bE2a173976CA11';
const kCreate2Deployer = '0x4e59b44847b379578588920cA78FbF26c0B4956C';
const forgeBin = foundryBin('forge');
const hardhatCli = path.join(repoDir, 'node_modules', 'hardhat', 'internal', 'cli', 'cli.js');

function run(file, args, { cwd, env = {}, timeoutMs = 180000 } = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: timeoutMs },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: `${stdout}\n${stderr}` }));
  });
}

describe('clients: viem, forge, Hardhat against the node', { skip: skip ?? false }, () => {
  let node;
  let tmp;
  before(async () => {
    await buildL2TestContracts();
    node = await startNode();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-clients-'));
  });
  after(async () => {
    if (node) assert.equal((await node.stop()).code, 0, node.output());
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('viem: multicall through the Multicall3 predeploy, at the head and at an older block', async () => {
    const chain = defineChain({
      id: Number(kDevChainId),
      name: 'Fuse L2 devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [node.url] } },
      contracts: { multicall3: { address: kMulticall3 } },
    });
    const pub = createPublicClient({ chain, transport: http() });
    const account = privateKeyToAccount(devKey(4));
    const wallet = createWalletClient({ account, chain, transport: http() });
    const token = testArtifact('TestToken');
    const supply = 10n ** 24n;
    const deployHash = await wallet.deployContract({ abi: token.abi, bytecode: token.bytecode, args: [supply] });
    const deployed = await pub.waitForTransactionReceipt({ hash: deployHash });
    assert.equal(deployed.status, 'success');
    const address = deployed.contractAddress;
    const to = privateKeyToAccount(devKey(5)).address;
    const sendHash = await wallet.writeContract({ address, abi: token.abi, functionName: 'transfer', args: [to, 777n] });
    const sent = await pub.waitForTransactionReceipt({ hash: sendHash });
    assert.equal(sent.status, 'success');

    const t = { address, abi: token.abi };
    const head = await pub.multicall({
      contracts: [
        { ...t, functionName: 'name' },
        { ...t, functionName: 'symbol' },
        { ...t, functionName: 'decimals' },
        { ...t, functionName: 'balanceOf', args: [account.address] },
        { ...t, functionName: 'balanceOf', args: [to] },
        { ...t, functionName: 'transferFrom', args: [to, account.address, 1n] },  // no allowance: reverts
      ],
      blockNumber: sent.blockNumber,
    });
    assert.deepEqual(head.slice(0, 5).map((r) => [r.status, r.result]), [
      ['success', 'Fuse Test Token'], ['success', 'FTT'], ['success', 18],
      ['success', supply - 777n], ['success', 777n],
    ]);
    assert.equal(head[5].status, 'failure');
    assert.match(head[5].error.message, /ERC20InsufficientAllowance|reverted/);
    const before = await pub.multicall({
      contracts: [{ ...t, functionName: 'balanceOf', args: [to] }], blockNumber: deployed.blockNumber, allowFailure: false,
    });
    assert.deepEqual(before, [0n]);

    // Multicall3's getBlockNumber() in an eth_call at block N is N (as geth and Nitro).
    const mc = new ethers.Contract(kMulticall3, ['function getBlockNumber() view returns (uint256)'], node.provider());
    assert.equal(await mc.getBlockNumber({ blockTag: Number(sent.blockNumber) }), sent.blockNumber);
    const n = await pub.getBlockNumber();
    assert.equal(await mc.getBlockNumber({ blockTag: Number(n) }), n);
  });

  it('forge script --broadcast deploys with a CREATE2 salt through the deterministic deployer', async () => {
    assert.ok(fs.existsSync(forgeBin), `forge not found at ${forgeBin}: run npm install`);
    const proj = path.join(tmp, 'forge');
    fs.mkdirSync(path.join(proj, 'script'), { recursive: true });
    fs.writeFileSync(path.join(proj, 'foundry.toml'), [
      '[profile.default]', 'src = "script"', 'script = "script"', 'out = "out"', 'cache_path = "cache"',
      'evm_version = "cancun"', 'offline = true', '',
    ].join('\n'));
    fs.writeFileSync(path.join(proj, 'script', 'Deploy.s.sol'), `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
interface Vm {
    function startBroadcast() external;
    function stopBroadcast() external;
}
contract Counter {
    uint256 public n;
    function inc() external { n += 1; }
}
contract Deploy {
    bool public IS_SCRIPT = true;
    Vm constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    function run() external {
        vm.startBroadcast();
        Counter c = new Counter{salt: bytes32(uint256(42))}();
        c.inc();
        vm.stopBroadcast();
    }
}
`);
    const r = await run(forgeBin, ['script', 'script/Deploy.s.sol:Deploy', '--rpc-url', node.url, '--private-key', devKey(3),
      // As on Arbitrum: forge's local simulation cannot see the L1 data fee, which ArbOS charges as
      // gas, so its own gas figures are refused ("intrinsic gas too low ... (L1 data N)");
      // --skip-simulation makes it take eth_estimateGas's (docs/eth-rpc.md "Tools").
      '--broadcast', '--slow', '--skip-simulation', '--non-interactive'], {
      cwd: proj, env: { FOUNDRY_SOLC: path.join(repoDir, 'contracts', 'forge', 'solc.mjs'), NO_COLOR: '1' },
    });
    assert.equal(r.code, 0, `forge script failed:\n${r.out.slice(-6000)}`);
    assert.doesNotMatch(r.out, /missing CREATE2 deployer/i);
    const art = JSON.parse(fs.readFileSync(path.join(proj, 'out', 'Deploy.s.sol', 'Counter.json'), 'utf8'));
    const initCode = art.bytecode.object;
    const predicted = ethers.getCreate2Address(kCreate2Deployer, ethers.zeroPadValue('0x2a', 32), ethers.keccak256(initCode));
    const provider = node.provider();
    assert.equal(await provider.getCode(predicted), art.deployedBytecode.object, 'the contract is at its CREATE2 address');
    const counter = new ethers.Contract(predicted, ['function n() view returns (uint256)'], provider);
    assert.equal(await counter.n(), 1n, 'the script\'s call after the deployment ran');
    // Both broadcast transactions are on chain with status 1 (forge's broadcast record).
    const record = JSON.parse(fs.readFileSync(path.join(proj, 'broadcast', 'Deploy.s.sol', String(kDevChainId), 'run-latest.json'), 'utf8'));
    assert.equal(record.receipts.length, 2);
    for (const rc of record.receipts) assert.equal(rc.status, '0x1');
    assert.equal(record.transactions[0].transaction.to.toLowerCase(), kCreate2Deployer.toLowerCase());
  });

  it('Hardhat 2.x: getSigners() without accounts is empty; remote signing refused; local accounts send', async () => {
    assert.ok(fs.existsSync(hardhatCli), 'hardhat not installed: run npm install');
    // The project sits under the repository so that Node resolves hardhat from its node_modules;
    // Hardhat's cache and artifacts go to the temporary folder.
    const proj = fs.mkdtempSync(path.join(repoDir, 'build', 'hardhat-project-'));
    try {
      const key = devKey(8);
      fs.writeFileSync(path.join(proj, 'hardhat.config.cjs'), `require('@nomicfoundation/hardhat-ethers');
module.exports = {
  solidity: '0.8.24',
  paths: { cache: ${JSON.stringify(path.join(tmp, 'hh-cache'))}, artifacts: ${JSON.stringify(path.join(tmp, 'hh-artifacts'))} },
  networks: {
    fuse: { url: ${JSON.stringify(node.url)}, chainId: ${Number(kDevChainId)} },
    fuseWithKey: { url: ${JSON.stringify(node.url)}, chainId: ${Number(kDevChainId)}, accounts: [${JSON.stringify(key)}] },
  },
};
`);
      fs.writeFileSync(path.join(proj, 'probe.cjs'), `const hre = require('hardhat');
async function main() {
  const out = { network: hre.network.name };
  const signers = await hre.ethers.getSigners();
  out.signers = signers.map((s) => s.address);
  if (signers.length === 0) {
    try {
      const remote = await hre.ethers.provider.getSigner(${JSON.stringify(new ethers.Wallet(devKey(9)).address)});  // funded: its gas estimate passes
      await remote.sendTransaction({ to: '0x0000000000000000000000000000000000000002', value: 1n });
      out.remote = 'sent';
    } catch (e) {
      out.remote = String(e.message);
    }
  } else {
    const tx = await signers[0].sendTransaction({ to: '0x0000000000000000000000000000000000000003', value: 5n });
    const rc = await tx.wait();
    out.status = rc.status;
    out.block = rc.blockNumber;
  }
  console.log('RESULT ' + JSON.stringify(out));
}
main().catch((e) => { console.error(e); process.exit(1); });
`);
      const env = { HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' };
      const result = async (network) => {
        const r = await run(process.execPath, [hardhatCli, 'run', '--no-compile', '--network', network, 'probe.cjs'], { cwd: proj, env });
        assert.equal(r.code, 0, `hardhat run --network ${network} failed:\n${r.out.slice(-4000)}`);
        const m = r.out.match(/RESULT (.*)/);
        assert.ok(m, r.out.slice(-3000));
        return JSON.parse(m[1]);
      };
      const plain = await result('fuse');
      assert.deepEqual(plain.signers, []);
      assert.match(plain.remote, /holds no keys/);
      const withKey = await result('fuseWithKey');
      assert.deepEqual(withKey.signers, [new ethers.Wallet(key).address]);
      assert.equal(withKey.status, 1);
      assert.equal(await node.provider().getBalance('0x0000000000000000000000000000000000000003', withKey.block), 5n);
    } finally {
      fs.rmSync(proj, { recursive: true, force: true });
    }
  });
});
