#!/usr/bin/env node
// Deploys SequencerInbox, RollupCore and the bridge (Bridge, Outbox, L1ERC20Gateway) to an L1 and
// writes their addresses and deployment blocks to a JSON file the node reads (docs/contracts.md,
// "Deployment"; docs/bridge.md). Also importable:
// `await deployFuseContracts({ signer, genesisHash, batchPosters, proposers, ... })`.
// `fusel2 deploy ...` runs this script with the same arguments.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ethers } from 'ethers';
import { UsageError, readPrivateKey } from './cli_util.mjs';
import { build, outDir } from './build.mjs';

/// Defaults for a 5 s block L1 (Fuse): one day back, about a minute / 12.8 min ahead.
export const kDefaultMaxTimeVariation = { delayBlocks: 17280n, futureBlocks: 12n, delaySeconds: 86400n, futureSeconds: 768n };
/// 120 KiB: with the ABI envelope the transaction stays under geth's 128 KiB transaction limit.
export const kDefaultMaxDataSize = 122880n;
/// Bridge defaults (docs/bridge.md, "Deployment"): a week for watchers and the guardian to react
/// to a wrong send root (Arbitrum's challenge period); the message fee at the example genesis'
/// L2 floor base fee (0.01 gwei); messages of up to 64 KiB and 21000 to 10M L2 gas.
export const kDefaultWithdrawalDelay = 604800n;
export const kDefaultL2GasPrice = 10000000n;
export const kDefaultMaxMessageDataSize = 65536n;
export const kDefaultMinL2GasLimit = 21000n;
export const kDefaultMaxL2GasLimit = 10000000n;
/// The L2 ERC-20 gateway's genesis predeploy address (L1ERC20Gateway.L2_GATEWAY).
export const kL2GatewayAddress = '0x0000000000000000000000000000000000004B01';

const kUsage = `usage: node contracts/deploy.mjs --rpc URL (--key-file FILE | env FUSE_DEPLOYER_KEY)
       --genesis-hash HEX --batch-poster ADDR --proposer ADDR --out FILE.json [options]

Deploys SequencerInbox, RollupCore, Bridge, Outbox and L1ERC20Gateway and writes
{chainId, inbox, rollup, deployBlock, bridge, outbox, l1Gateway, genesisHash, ...} to FILE.json.

  --rpc URL                 L1 JSON-RPC endpoint (required)
  --key-file FILE           file holding the deployer's hex private key; otherwise env
                            FUSE_DEPLOYER_KEY (the key is never printed)
  --genesis-hash HEX        32-byte hash of the L2 genesis file (required)
  --batch-poster ADDR       allowed batch poster (required; repeat or comma-separate for several)
  --proposer ADDR           allowed state-root proposer (required; repeat or comma-separate)
  --out FILE.json           where to write the deployment (required)
  --owner ADDR              owner of all the contracts (default: the deployer)
  --confirmations N         L1 confirmations to wait for, >= 1 (default 1)
  --max-data-size N         largest batch in bytes (default ${kDefaultMaxDataSize})
  --max-time-variation A,B,C,D
                            delayBlocks,futureBlocks,delaySeconds,futureSeconds
                            (default ${Object.values(kDefaultMaxTimeVariation).join(',')})
  --withdrawal-delay SECONDS
                            age a send root needs before the Outbox pays from it
                            (default ${kDefaultWithdrawalDelay} = 7 days)
  --guardian ADDR           may pause the Outbox and invalidate send roots besides the owner
                            (default: none)
  --l2-gas-price WEI        Bridge message fee per unit of L2 gas (default ${kDefaultL2GasPrice})
  --max-message-data-size N largest Bridge message data in bytes (default ${kDefaultMaxMessageDataSize})
  --min-l2-gas-limit N      smallest L2 gas limit of a message (default ${kDefaultMinL2GasLimit})
  --max-l2-gas-limit N      largest L2 gas limit of a message (default ${kDefaultMaxL2GasLimit})
  --timeout SECONDS         give up waiting for confirmations after this long (default 600)
  --evm-version V           EVM version to compile for if a build is needed (default london)
  -h, --help                this help`;

/// The URL's scheme and host only: RPC URLs often carry an API key in the path or query.
function redactUrl(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

/// A problem with the command line (exit code 2).
export { UsageError };

function parseArgs(argv) {
  const opts = { batchPosters: [], proposers: [] };
  const valueFlags = new Set(['--rpc', '--key-file', '--genesis-hash', '--batch-poster', '--proposer', '--out',
    '--owner', '--confirmations', '--max-data-size', '--max-time-variation', '--timeout', '--evm-version',
    '--withdrawal-delay', '--guardian', '--l2-gas-price', '--max-message-data-size', '--min-l2-gas-limit',
    '--max-l2-gas-limit']);
  for (let i = 0; i < argv.length; ++i) {
    let flag = argv[i];
    let value;
    if (flag === '-h' || flag === '--help') {
      opts.help = true;
      continue;
    }
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (!valueFlags.has(flag)) throw new UsageError(`unknown argument "${argv[i]}"`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      value = argv[++i];
    }
    const list = () => value.split(',').map((s) => s.trim()).filter(Boolean);
    switch (flag) {
      case '--rpc': opts.rpc = value; break;
      case '--key-file': opts.keyFile = value; break;
      case '--genesis-hash': opts.genesisHash = value; break;
      case '--batch-poster': opts.batchPosters.push(...list()); break;
      case '--proposer': opts.proposers.push(...list()); break;
      case '--out': opts.out = value; break;
      case '--owner': opts.owner = value; break;
      case '--confirmations':
        opts.confirmations = parseCount(flag, value);
        if (opts.confirmations < 1) throw new UsageError('--confirmations must be at least 1');
        break;
      case '--max-data-size': opts.maxDataSize = BigInt(parseCount(flag, value)); break;
      case '--timeout': opts.timeoutMs = parseCount(flag, value) * 1000; break;
      case '--evm-version': opts.evmVersion = value; break;
      case '--withdrawal-delay': opts.withdrawalDelay = parseBig(flag, value); break;
      case '--guardian': opts.guardian = value; break;
      case '--l2-gas-price': opts.l2GasPrice = parseBig(flag, value); break;
      case '--max-message-data-size': opts.maxMessageDataSize = parseBig(flag, value, 64); break;
      case '--min-l2-gas-limit': opts.minL2GasLimit = parseBig(flag, value, 64); break;
      case '--max-l2-gas-limit': opts.maxL2GasLimit = parseBig(flag, value, 64); break;
      case '--max-time-variation': {
        const parts = list();
        if (parts.length !== 4) throw new UsageError(`${flag} needs four comma-separated numbers`);
        const [delayBlocks, futureBlocks, delaySeconds, futureSeconds] = parts.map((p) => BigInt(parseCount(flag, p)));
        opts.maxTimeVariation = { delayBlocks, futureBlocks, delaySeconds, futureSeconds };
        break;
      }
    }
  }
  return opts;
}

function parseCount(flag, value) {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: "${value}" is not a non-negative integer`);
  return Number(value);
}

/// A non-negative integer as a BigInt, below 2^bits.
function parseBig(flag, value, bits = 256) {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: "${value}" is not a non-negative integer`);
  const v = BigInt(value);
  if (v >= 1n << BigInt(bits)) throw new UsageError(`${flag}: ${value} does not fit ${bits} bits`);
  return v;
}

function checkAddress(what, value) {
  if (!ethers.isAddress(value)) throw new UsageError(`${what}: "${value}" is not an address`);
  return ethers.getAddress(value);
}

function checkHash(what, value) {
  const v = value.startsWith('0x') ? value : `0x${value}`;
  if (!ethers.isHexString(v, 32)) throw new UsageError(`${what}: expected 32 bytes of hex`);
  if (/^0x0+$/.test(v)) throw new UsageError(`${what}: must not be zero`);
  return v.toLowerCase();
}

/// Reads the deployer key from `keyFile` or env FUSE_DEPLOYER_KEY. Never echoes the key.
function readKey(keyFile, env) {
  return readPrivateKey({ keyFile, env, envVar: 'FUSE_DEPLOYER_KEY', what: 'the deployer key' });
}

function loadArtifact(name) {
  return JSON.parse(fs.readFileSync(path.join(outDir, `${name}.json`), 'utf8'));
}

/// Deploys the five contracts with `signer`, sent back to back with nonces n..n+4 so that every
/// constructor gets the addresses it needs precomputed (no wiring transactions: the owner may be
/// another account): SequencerInbox (n), RollupCore(inbox) (n+1), Bridge(outbox = n+3) (n+2),
/// Outbox(rollup, bridge) (n+3), L1ERC20Gateway(bridge) (n+4). Waits for `confirmations`, checks
/// the wiring and returns the deployment record written by the CLI.
export async function deployFuseContracts({
  signer,
  genesisHash,
  batchPosters,
  proposers,
  owner,
  maxDataSize = kDefaultMaxDataSize,
  maxTimeVariation = kDefaultMaxTimeVariation,
  withdrawalDelay = kDefaultWithdrawalDelay,
  guardian = ethers.ZeroAddress,
  l2GasPrice = kDefaultL2GasPrice,
  maxMessageDataSize = kDefaultMaxMessageDataSize,
  minL2GasLimit = kDefaultMinL2GasLimit,
  maxL2GasLimit = kDefaultMaxL2GasLimit,
  confirmations = 1,
  timeoutMs = 600000,
  log = () => {},
}) {
  const provider = signer.provider;
  const deployer = await signer.getAddress();
  owner = owner || deployer;
  const names = ['SequencerInbox', 'RollupCore', 'Bridge', 'Outbox', 'L1ERC20Gateway'];
  const art = Object.fromEntries(names.map((n) => [n, loadArtifact(n)]));
  const { chainId } = await provider.getNetwork();
  const nonce = await provider.getTransactionCount(deployer, 'pending');
  const at = Object.fromEntries(names.map((n, i) => [n, ethers.getCreateAddress({ from: deployer, nonce: nonce + i })]));

  const mtv = [maxTimeVariation.delayBlocks, maxTimeVariation.futureBlocks, maxTimeVariation.delaySeconds,
    maxTimeVariation.futureSeconds];
  const args = {
    SequencerInbox: [owner, batchPosters, mtv, maxDataSize],
    RollupCore: [owner, genesisHash, at.SequencerInbox, proposers],
    Bridge: [owner, at.Outbox, l2GasPrice, maxMessageDataSize, minL2GasLimit, maxL2GasLimit],
    Outbox: [owner, at.RollupCore, at.Bridge, withdrawalDelay, guardian],
    L1ERC20Gateway: [owner, at.Bridge],
  };
  const txs = {};
  for (const [i, name] of names.entries()) {
    const factory = new ethers.ContractFactory(art[name].abi, art[name].bytecode, signer);
    txs[name] = await signer.sendTransaction({ ...(await factory.getDeployTransaction(...args[name])), nonce: nonce + i });
    log(`${name}: tx ${txs[name].hash} -> ${at[name]}`);
  }

  log(`waiting for ${confirmations} confirmation(s)`);
  const rcpts = Object.fromEntries(await Promise.all(names.map(async (name) =>
    [name, await provider.waitForTransaction(txs[name].hash, confirmations, timeoutMs)])));
  for (const name of names) {
    const r = rcpts[name];
    if (!r || r.status !== 1) throw new Error(`${name} deployment failed (tx ${r ? r.hash : '?'})`);
    if (r.contractAddress !== at[name]) throw new Error(`${name} landed at an unexpected address`);
  }
  const rollup = new ethers.Contract(at.RollupCore, art.RollupCore.abi, provider);
  if ((await rollup.inbox()) !== at.SequencerInbox || (await rollup.genesisHash()) !== genesisHash) {
    throw new Error('RollupCore does not point at the deployed inbox / genesis hash');
  }
  const bridge = new ethers.Contract(at.Bridge, art.Bridge.abi, provider);
  const outbox = new ethers.Contract(at.Outbox, art.Outbox.abi, provider);
  const gateway = new ethers.Contract(at.L1ERC20Gateway, art.L1ERC20Gateway.abi, provider);
  if ((await bridge.outbox()) !== at.Outbox || (await outbox.bridge()) !== at.Bridge
      || (await outbox.rollup()) !== at.RollupCore || (await gateway.bridge()) !== at.Bridge) {
    throw new Error('the bridge contracts are not wired to each other');
  }
  return {
    chainId: Number(chainId),
    inbox: at.SequencerInbox,
    rollup: at.RollupCore,
    deployBlock: Math.min(rcpts.SequencerInbox.blockNumber, rcpts.RollupCore.blockNumber),
    inboxDeployTx: rcpts.SequencerInbox.hash,
    rollupDeployTx: rcpts.RollupCore.hash,
    genesisHash,
    owner,
    deployer,
    batchPosters,
    proposers,
    maxDataSize: Number(maxDataSize),
    maxTimeVariation: Object.fromEntries(Object.entries(maxTimeVariation).map(([k, v]) => [k, Number(v)])),
    confirmations,
    compiler: art.SequencerInbox.compiler,
    evmVersion: art.SequencerInbox.evmVersion,
    bridge: at.Bridge,
    outbox: at.Outbox,
    l1Gateway: at.L1ERC20Gateway,
    l2Gateway: await gateway.L2_GATEWAY(),
    bridgeDeployBlock: rcpts.Bridge.blockNumber,
    outboxDeployBlock: rcpts.Outbox.blockNumber,
    l1GatewayDeployBlock: rcpts.L1ERC20Gateway.blockNumber,
    bridgeDeployTx: rcpts.Bridge.hash,
    outboxDeployTx: rcpts.Outbox.hash,
    l1GatewayDeployTx: rcpts.L1ERC20Gateway.hash,
    guardian,
    withdrawalDelay: Number(withdrawalDelay),
    l2GasPrice: l2GasPrice.toString(),
    maxMessageDataSize: Number(maxMessageDataSize),
    minL2GasLimit: Number(minL2GasLimit),
    maxL2GasLimit: Number(maxL2GasLimit),
  };
}

/// Parses and validates the command line (`env` supplies FUSE_DEPLOYER_KEY). Returns the
/// options with `key` set, or `{ help: true }`; throws `UsageError` on any usage problem.
export function parseCommandLine(argv, env = process.env) {
  const opts = parseArgs(argv);
  if (opts.help) return opts;
  for (const [flag, v] of [['--rpc', opts.rpc], ['--genesis-hash', opts.genesisHash], ['--out', opts.out]]) {
    if (!v) throw new UsageError(`${flag} is required`);
  }
  if (opts.batchPosters.length === 0) throw new UsageError('--batch-poster is required');
  if (opts.proposers.length === 0) throw new UsageError('--proposer is required');
  opts.genesisHash = checkHash('--genesis-hash', opts.genesisHash);
  opts.batchPosters = opts.batchPosters.map((a) => checkAddress('--batch-poster', a));
  opts.proposers = opts.proposers.map((a) => checkAddress('--proposer', a));
  opts.owner = opts.owner ? checkAddress('--owner', opts.owner) : undefined;
  opts.guardian = opts.guardian ? checkAddress('--guardian', opts.guardian) : undefined;
  const minGas = opts.minL2GasLimit ?? kDefaultMinL2GasLimit;
  const maxGas = opts.maxL2GasLimit ?? kDefaultMaxL2GasLimit;
  if (maxGas === 0n || minGas > maxGas) {
    throw new UsageError(`--min-l2-gas-limit (${minGas}) must be <= --max-l2-gas-limit (${maxGas}), which must be > 0`);
  }
  if (opts.maxDataSize === 0n) throw new UsageError('--max-data-size must be > 0');
  opts.key = readKey(opts.keyFile, env);
  return opts;
}

async function main() {
  const opts = parseCommandLine(process.argv.slice(2));
  if (opts.help) {
    console.log(kUsage);
    return;
  }
  const { genesisHash, batchPosters, proposers, owner, key } = opts;

  await build({ evmVersion: opts.evmVersion, quiet: true });
  const provider = new ethers.JsonRpcProvider(opts.rpc, undefined, { cacheTimeout: -1, staticNetwork: true });
  provider.pollingInterval = 500;
  try {
    const signer = new ethers.Wallet(key, provider);
    const log = (m) => console.error(`[deploy] ${m}`);
    log(`deployer ${signer.address} on ${redactUrl(opts.rpc)}`);
    const result = await deployFuseContracts({
      signer, genesisHash, batchPosters, proposers, owner,
      maxDataSize: opts.maxDataSize, maxTimeVariation: opts.maxTimeVariation,
      withdrawalDelay: opts.withdrawalDelay, guardian: opts.guardian, l2GasPrice: opts.l2GasPrice,
      maxMessageDataSize: opts.maxMessageDataSize, minL2GasLimit: opts.minL2GasLimit,
      maxL2GasLimit: opts.maxL2GasLimit,
      confirmations: opts.confirmations ?? 1, timeoutMs: opts.timeoutMs ?? 600000, log,
    });
    const tmp = `${opts.out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
    fs.renameSync(tmp, opts.out);
    log(`inbox ${result.inbox}, rollup ${result.rollup}, bridge ${result.bridge}, outbox ${result.outbox}, ` +
      `l1Gateway ${result.l1Gateway}, block ${result.deployBlock} -> ${opts.out}`);
  } finally {
    provider.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`deploy: ${e instanceof UsageError ? e.message : e.shortMessage || e.message}`);
    if (e instanceof UsageError) console.error('(see --help)');
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
