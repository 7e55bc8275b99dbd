#!/usr/bin/env node
// Deploys SequencerInbox and RollupCore to an L1 and writes their addresses and deployment block
// to a JSON file the node reads (docs/contracts.md, "Deployment"). Also importable:
// `await deployFuseContracts({ signer, genesisHash, batchPosters, proposers, ... })`.
// `fusel2 deploy ...` runs this script with the same arguments.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ethers } from 'ethers';
import { build, outDir } from './build.mjs';

/// Defaults for a 5 s block L1 (Fuse): one day back, about a minute / 12.8 min ahead.
export const kDefaultMaxTimeVariation = { delayBlocks: 17280n, futureBlocks: 12n, delaySeconds: 86400n, futureSeconds: 768n };
/// 120 KiB: with the ABI envelope the transaction stays under geth's 128 KiB transaction limit.
export const kDefaultMaxDataSize = 122880n;

const kUsage = `usage: node contracts/deploy.mjs --rpc URL (--key-file FILE | env FUSE_DEPLOYER_KEY)
       --genesis-hash HEX --batch-poster ADDR --proposer ADDR --out FILE.json [options]

Deploys SequencerInbox and RollupCore and writes
{chainId, inbox, rollup, deployBlock, genesisHash, ...} to FILE.json.

  --rpc URL                 L1 JSON-RPC endpoint (required)
  --key-file FILE           file holding the deployer's hex private key; otherwise env
                            FUSE_DEPLOYER_KEY (the key is never printed)
  --genesis-hash HEX        32-byte hash of the L2 genesis file (required)
  --batch-poster ADDR       allowed batch poster (required; repeat or comma-separate for several)
  --proposer ADDR           allowed state-root proposer (required; repeat or comma-separate)
  --out FILE.json           where to write the deployment (required)
  --owner ADDR              owner of both contracts (default: the deployer)
  --confirmations N         L1 confirmations to wait for, >= 1 (default 1)
  --max-data-size N         largest batch in bytes (default ${kDefaultMaxDataSize})
  --max-time-variation A,B,C,D
                            delayBlocks,futureBlocks,delaySeconds,futureSeconds
                            (default ${Object.values(kDefaultMaxTimeVariation).join(',')})
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
export class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { batchPosters: [], proposers: [] };
  const valueFlags = new Set(['--rpc', '--key-file', '--genesis-hash', '--batch-poster', '--proposer', '--out',
    '--owner', '--confirmations', '--max-data-size', '--max-time-variation', '--timeout', '--evm-version']);
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
  let key;
  if (keyFile) {
    try {
      key = fs.readFileSync(keyFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--key-file: cannot read ${keyFile} (${e.code})`);
    }
  } else if (env.FUSE_DEPLOYER_KEY) {
    key = env.FUSE_DEPLOYER_KEY.trim();
  } else {
    throw new UsageError('no deployer key: pass --key-file FILE or set FUSE_DEPLOYER_KEY');
  }
  if (!key.startsWith('0x')) key = `0x${key}`;
  if (!ethers.isHexString(key, 32)) {
    throw new UsageError(`the deployer key (${keyFile ? keyFile : 'FUSE_DEPLOYER_KEY'}) is not 32 bytes of hex`);
  }
  return key;
}

function loadArtifact(name) {
  return JSON.parse(fs.readFileSync(path.join(outDir, `${name}.json`), 'utf8'));
}

/// Deploys both contracts with `signer` (nonces n and n+1, sent back to back) and waits for
/// `confirmations`. Returns the deployment record written by the CLI.
export async function deployFuseContracts({
  signer,
  genesisHash,
  batchPosters,
  proposers,
  owner,
  maxDataSize = kDefaultMaxDataSize,
  maxTimeVariation = kDefaultMaxTimeVariation,
  confirmations = 1,
  timeoutMs = 600000,
  log = () => {},
}) {
  const provider = signer.provider;
  const deployer = await signer.getAddress();
  owner = owner || deployer;
  const inboxArt = loadArtifact('SequencerInbox');
  const rollupArt = loadArtifact('RollupCore');
  const { chainId } = await provider.getNetwork();
  const nonce = await provider.getTransactionCount(deployer, 'pending');
  const inboxAddress = ethers.getCreateAddress({ from: deployer, nonce });

  const mtv = [maxTimeVariation.delayBlocks, maxTimeVariation.futureBlocks, maxTimeVariation.delaySeconds,
    maxTimeVariation.futureSeconds];
  const inboxFactory = new ethers.ContractFactory(inboxArt.abi, inboxArt.bytecode, signer);
  const rollupFactory = new ethers.ContractFactory(rollupArt.abi, rollupArt.bytecode, signer);
  const inboxTx = await signer.sendTransaction({
    ...(await inboxFactory.getDeployTransaction(owner, batchPosters, mtv, maxDataSize)),
    nonce,
  });
  log(`SequencerInbox: tx ${inboxTx.hash} -> ${inboxAddress}`);
  const rollupTx = await signer.sendTransaction({
    ...(await rollupFactory.getDeployTransaction(owner, genesisHash, inboxAddress, proposers)),
    nonce: nonce + 1,
  });
  log(`RollupCore: tx ${rollupTx.hash} -> ${ethers.getCreateAddress({ from: deployer, nonce: nonce + 1 })}`);

  log(`waiting for ${confirmations} confirmation(s)`);
  const [inboxRcpt, rollupRcpt] = await Promise.all([
    provider.waitForTransaction(inboxTx.hash, confirmations, timeoutMs),
    provider.waitForTransaction(rollupTx.hash, confirmations, timeoutMs),
  ]);
  for (const [name, r] of [['SequencerInbox', inboxRcpt], ['RollupCore', rollupRcpt]]) {
    if (!r || r.status !== 1) throw new Error(`${name} deployment failed (tx ${r ? r.hash : '?'})`);
  }
  const rollupAddress = rollupRcpt.contractAddress;
  if (inboxRcpt.contractAddress !== inboxAddress) throw new Error('SequencerInbox landed at an unexpected address');
  const rollup = new ethers.Contract(rollupAddress, rollupArt.abi, provider);
  if ((await rollup.inbox()) !== inboxAddress || (await rollup.genesisHash()) !== genesisHash) {
    throw new Error('RollupCore does not point at the deployed inbox / genesis hash');
  }
  return {
    chainId: Number(chainId),
    inbox: inboxAddress,
    rollup: rollupAddress,
    deployBlock: Math.min(inboxRcpt.blockNumber, rollupRcpt.blockNumber),
    inboxDeployTx: inboxRcpt.hash,
    rollupDeployTx: rollupRcpt.hash,
    genesisHash,
    owner,
    deployer,
    batchPosters,
    proposers,
    maxDataSize: Number(maxDataSize),
    maxTimeVariation: Object.fromEntries(Object.entries(maxTimeVariation).map(([k, v]) => [k, Number(v)])),
    confirmations,
    compiler: inboxArt.compiler,
    evmVersion: inboxArt.evmVersion,
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
      confirmations: opts.confirmations ?? 1, timeoutMs: opts.timeoutMs ?? 600000, log,
    });
    const tmp = `${opts.out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
    fs.renameSync(tmp, opts.out);
    log(`inbox ${result.inbox}, rollup ${result.rollup}, block ${result.deployBlock} -> ${opts.out}`);
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
