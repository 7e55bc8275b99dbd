// contracts/deploy.mjs and `fusel2 deploy` against a real anvil mining a block a second: the
// deployment JSON, on-chain parameters, confirmations, usage errors, and that the key never
// appears in the output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import { artifact, buildContracts } from '../../tests/lib/contracts.mjs';
import { parseCommandLine, UsageError } from '../deploy.mjs';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const deployScript = path.join(repoDir, 'contracts', 'deploy.mjs');
const fusel2 = process.env.FUSEL2_BIN || path.join(repoDir, 'build', 'release', 'bin', 'fusel2');
const haveFusel2 = fs.existsSync(fusel2);
const kGenesis = ethers.keccak256(ethers.toUtf8Bytes('deploy test genesis'));
const kFlags = ['--rpc', '--key-file', '--genesis-hash', '--batch-poster', '--proposer', '--out', '--owner',
  '--confirmations', '--max-data-size', '--max-time-variation', '--timeout', '--evm-version'];
/// The bridge's flags (not yet declared by `fusel2 deploy`, which forwards only kFlags).
const kBridgeFlags = ['--withdrawal-delay', '--guardian', '--l2-gas-price', '--max-message-data-size',
  '--min-l2-gas-limit', '--max-l2-gas-limit'];
const kBridgeDefaults = { withdrawalDelay: 604800, guardian: ethers.ZeroAddress, l2GasPrice: '10000000',
  maxMessageDataSize: 65536, minL2GasLimit: 21000, maxL2GasLimit: 10000000 };

/// Runs a program; resolves { code, stdout, stderr } (never rejects on a non-zero exit).
function run(file, args, env = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 120000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('deploy', () => {
  let anvil, provider, tmp, keyFile, deployer, poster, proposer, other;

  before(async () => {
    await buildContracts();
    anvil = await startAnvil({ blockTime: 1, chainId: 122 });
    provider = anvil.provider();
    [deployer, poster, proposer, other] = [5, 6, 7, 8].map((i) => anvil.wallet(i, provider));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuse-deploy-test-'));
    keyFile = path.join(tmp, 'deployer.key');
    fs.writeFileSync(keyFile, `${deployer.privateKey.slice(2)}\n`, { mode: 0o600 });
  });
  after(async () => {
    await anvil?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /// Checks a deployment JSON against the chain.
  async function checkDeployment(out, { owner, maxDataSize, mtv, confirmations, bridgeParams = kBridgeDefaults }) {
    const rec = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(rec.chainId, 122);
    assert.equal(rec.genesisHash, kGenesis);
    assert.equal(rec.deployer, deployer.address);
    assert.equal(rec.owner, owner);
    assert.deepEqual(rec.batchPosters, [poster.address]);
    assert.deepEqual(rec.proposers, [proposer.address]);
    assert.equal(rec.evmVersion, 'london');
    const inboxRcpt = await provider.getTransactionReceipt(rec.inboxDeployTx);
    assert.equal(inboxRcpt.contractAddress, rec.inbox);
    assert.equal(rec.deployBlock, inboxRcpt.blockNumber);
    assert.ok((await provider.getBlockNumber()) >= rec.deployBlock + confirmations - 1, 'waited for confirmations');
    assert.ok((await provider.getCode(rec.inbox)).length > 1000, 'inbox code deployed');
    assert.ok((await provider.getCode(rec.rollup)).length > 1000, 'rollup code deployed');
    const inbox = new ethers.Contract(rec.inbox, artifact('SequencerInbox').abi, provider);
    const rollup = new ethers.Contract(rec.rollup, artifact('RollupCore').abi, provider);
    assert.equal(await inbox.owner(), owner);
    assert.equal(await rollup.owner(), owner);
    assert.equal(await inbox.isBatchPoster(poster.address), true);
    assert.equal(await rollup.isProposer(proposer.address), true);
    assert.equal(await rollup.inbox(), rec.inbox);
    assert.equal(await rollup.genesisHash(), kGenesis);
    assert.equal(await inbox.maxDataSize(), BigInt(maxDataSize));
    assert.equal(rec.maxDataSize, maxDataSize);
    const m = await inbox.maxTimeVariation();
    assert.deepEqual([m.delayBlocks, m.futureBlocks, m.delaySeconds, m.futureSeconds].map(Number), mtv);
    assert.deepEqual(Object.values(rec.maxTimeVariation), mtv);

    // the bridge: addresses, deploy blocks and transactions, wiring, parameters
    const bridge = new ethers.Contract(rec.bridge, artifact('Bridge').abi, provider);
    const outbox = new ethers.Contract(rec.outbox, artifact('Outbox').abi, provider);
    const gateway = new ethers.Contract(rec.l1Gateway, artifact('L1ERC20Gateway').abi, provider);
    for (const [name, addr, tx, block] of [['bridge', rec.bridge, rec.bridgeDeployTx, rec.bridgeDeployBlock],
      ['outbox', rec.outbox, rec.outboxDeployTx, rec.outboxDeployBlock],
      ['l1Gateway', rec.l1Gateway, rec.l1GatewayDeployTx, rec.l1GatewayDeployBlock]]) {
      const rcpt = await provider.getTransactionReceipt(tx);
      assert.equal(rcpt.contractAddress, addr, name);
      assert.equal(rcpt.blockNumber, block, `${name} deploy block`);
      assert.ok((await provider.getCode(addr)).length > 1000, `${name} code deployed`);
    }
    assert.equal(rec.l2Gateway, '0x0000000000000000000000000000000000004B01');
    for (const c of [bridge, outbox, gateway]) assert.equal(await c.owner(), owner);
    assert.deepEqual([await bridge.outbox(), await outbox.bridge(), await outbox.rollup(), await gateway.bridge()],
      [rec.outbox, rec.bridge, rec.rollup, rec.bridge]);
    const onChain = {
      withdrawalDelay: Number(await outbox.withdrawalDelay()), guardian: await outbox.guardian(),
      l2GasPrice: (await bridge.l2GasPrice()).toString(), maxMessageDataSize: Number(await bridge.maxDataSize()),
      minL2GasLimit: Number(await bridge.minL2GasLimit()), maxL2GasLimit: Number(await bridge.maxL2GasLimit()),
    };
    assert.deepEqual(onChain, bridgeParams);
    assert.deepEqual(Object.fromEntries(Object.keys(bridgeParams).map((k) => [k, rec[k]])), bridgeParams);
    return rec;
  }

  it('--help lists every flag', async () => {
    const r = await run(process.execPath, [deployScript, '--help']);
    assert.equal(r.code, 0);
    for (const f of [...kFlags, ...kBridgeFlags]) assert.match(r.stdout, new RegExp(`${f}\\b`));
  });

  it('deploys the bridge with its flags (guardian, delay, fee, limits) and a separate owner', async () => {
    const out = path.join(tmp, 'bridge.json');
    const r = await run(process.execPath, [deployScript, '--rpc', anvil.url, '--key-file', keyFile,
      '--genesis-hash', kGenesis, '--batch-poster', poster.address, '--proposer', proposer.address,
      '--owner', other.address, '--guardian', proposer.address, '--withdrawal-delay', '3600',
      '--l2-gas-price', '123456789012345678901', '--max-message-data-size', '1000', '--min-l2-gas-limit', '30000',
      '--max-l2-gas-limit=5000000', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const rec = await checkDeployment(out, {
      owner: other.address, maxDataSize: 122880, mtv: [17280, 12, 86400, 768], confirmations: 1,
      bridgeParams: { withdrawalDelay: 3600, guardian: proposer.address, l2GasPrice: '123456789012345678901',
        maxMessageDataSize: 1000, minL2GasLimit: 30000, maxL2GasLimit: 5000000 },
    });
    // five consecutive deployments from the deployer
    const nonces = await Promise.all([rec.inboxDeployTx, rec.rollupDeployTx, rec.bridgeDeployTx, rec.outboxDeployTx,
      rec.l1GatewayDeployTx].map(async (h) => (await provider.getTransaction(h)).nonce));
    assert.deepEqual(nonces.map((n) => n - nonces[0]), [0, 1, 2, 3, 4]);
  });

  it('deploys with a key file and waits for confirmations', async () => {
    const out = path.join(tmp, 'a.json');
    const r = await run(process.execPath, [deployScript, '--rpc', anvil.url, '--key-file', keyFile,
      '--genesis-hash', kGenesis, '--batch-poster', poster.address, '--proposer', proposer.address,
      '--confirmations', '2', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(deployer.privateKey.slice(2)), 'key not printed');
    await checkDeployment(out, {
      owner: deployer.address, maxDataSize: 122880, mtv: [17280, 12, 86400, 768], confirmations: 2,
    });
  });

  it('rejects bad arguments with a usage error', () => {
    const base = ['--rpc', anvil.url, '--genesis-hash', kGenesis, '--batch-poster', poster.address,
      '--proposer', proposer.address, '--out', path.join(tmp, 'never.json')];
    const cases = [
      [['--key-file', keyFile, '--genesis-hash', '0x1234'], /--genesis-hash: expected 32 bytes/],
      [['--key-file', keyFile, '--genesis-hash', ethers.ZeroHash], /--genesis-hash: must not be zero/],
      [['--key-file', keyFile, '--batch-poster', 'nope'], /--batch-poster: "nope" is not an address/],
      [['--key-file', keyFile, '--proposer', '0x1234'], /--proposer/],
      [['--key-file', keyFile, '--owner', 'x'], /--owner/],
      [['--key-file', keyFile, '--confirmations', '-1'], /--confirmations/],
      [['--key-file', keyFile, '--confirmations', '0'], /--confirmations must be at least 1/],
      [['--key-file', keyFile, '--max-data-size', '0'], /--max-data-size must be > 0/],
      [['--key-file', keyFile, '--max-time-variation', '1,2,3'], /--max-time-variation/],
      [['--key-file', keyFile, '--timeout'], /--timeout needs a value/],
      [['--key-file', keyFile, '--withdrawal-delay', '-5'], /--withdrawal-delay: "-5" is not a non-negative integer/],
      [['--key-file', keyFile, '--guardian', '0x12'], /--guardian: "0x12" is not an address/],
      [['--key-file', keyFile, '--l2-gas-price', '1e9'], /--l2-gas-price/],
      [['--key-file', keyFile, '--max-message-data-size', String(2n ** 64n)], /does not fit 64 bits/],
      [['--key-file', keyFile, '--min-l2-gas-limit', '50000', '--max-l2-gas-limit', '40000'],
        /--min-l2-gas-limit \(50000\) must be <= --max-l2-gas-limit \(40000\)/],
      [['--key-file', keyFile, '--max-l2-gas-limit', '0', '--min-l2-gas-limit', '0'], /must be > 0/],
      [['--key-file', keyFile, '--bogus'], /unknown argument/],
      [['--key-file', path.join(tmp, 'missing.key')], /cannot read/],
      [[], /FUSE_DEPLOYER_KEY/],
    ];
    for (const [extra, message] of cases) {
      assert.throws(() => parseCommandLine([...base, ...extra], {}), (e) => e instanceof UsageError && message.test(e.message),
        extra.join(' '));
    }
    for (const missing of ['--rpc', '--genesis-hash', '--batch-poster', '--proposer', '--out']) {
      const i = base.indexOf(missing);
      const args = [...base.slice(0, i), ...base.slice(i + 2), '--key-file', keyFile];
      assert.throws(() => parseCommandLine(args, {}), new RegExp(`${missing} is required`));
    }
    const badKey = 'ab'.repeat(31);  // 31 bytes: not a key
    assert.throws(() => parseCommandLine(base, { FUSE_DEPLOYER_KEY: badKey }),
      (e) => /not 32 bytes/.test(e.message) && !e.message.includes(badKey));
    // valid: comma lists and repeats, a key from the environment
    const ok = parseCommandLine([...base, '--proposer', `${poster.address},${other.address}`], { FUSE_DEPLOYER_KEY: deployer.privateKey });
    assert.deepEqual(ok.proposers, [proposer.address, poster.address, other.address]);
    assert.equal(ok.key, deployer.privateKey);
  });

  it('exits 2 on a usage error, without echoing the key', async () => {
    const badKey = 'cd'.repeat(31);
    const r = await run(process.execPath, [deployScript, '--rpc', anvil.url, '--genesis-hash', kGenesis,
      '--batch-poster', poster.address, '--proposer', proposer.address, '--out', path.join(tmp, 'never.json')],
    { FUSE_DEPLOYER_KEY: badKey });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not 32 bytes/);
    assert.ok(!r.stderr.includes(badKey) && !r.stdout.includes(badKey), 'bad key not echoed');
    assert.equal(fs.existsSync(path.join(tmp, 'never.json')), false);
  });

  it('fails with exit 1 and a clear message when the L1 is unreachable', async () => {
    const r = await run(process.execPath, [deployScript, '--rpc', 'http://127.0.0.1:1', '--key-file', keyFile,
      '--genesis-hash', kGenesis, '--batch-poster', poster.address, '--proposer', proposer.address,
      '--out', path.join(tmp, 'never.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.equal(fs.existsSync(path.join(tmp, 'never.json')), false);
  });

  it('fusel2 deploy --help lists every flag', { skip: !haveFusel2 && `no fusel2 binary at ${fusel2}` }, async () => {
    const r = await run(fusel2, ['deploy', '--help']);
    assert.equal(r.code, 0);
    for (const f of kFlags) assert.match(r.stdout, new RegExp(`${f}\\b`));
    const missing = await run(fusel2, ['deploy', '--rpc', anvil.url]);
    assert.equal(missing.code, 2);
  });

  it('fusel2 deploy forwards to deploy.mjs (key from env, owner and limits set)',
    { skip: !haveFusel2 && `no fusel2 binary at ${fusel2}` }, async () => {
      const out = path.join(tmp, 'b.json');
      const r = await run(fusel2, ['deploy', '--rpc', anvil.url, '--genesis-hash', kGenesis,
        '--batch-poster', poster.address, '--proposer', proposer.address, '--owner', other.address,
        '--max-data-size', '50000', '--max-time-variation', '100,5,600,60', '--confirmations', '1', '--out', out],
      { FUSE_DEPLOYER_KEY: deployer.privateKey, FUSE_REPO_DIR: repoDir });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!`${r.stdout}${r.stderr}`.includes(deployer.privateKey.slice(2)), 'key not printed');
      await checkDeployment(out, { owner: other.address, maxDataSize: 50000, mtv: [100, 5, 600, 60], confirmations: 1 });
    });
});
