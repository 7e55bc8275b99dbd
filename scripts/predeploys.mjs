#!/usr/bin/env node
// The genesis predeploys' code, read from the npm packages that carry it (docs/genesis.md):
//
//   multicall3            0xcA11bde05977b3631167028862bE2a173976CA11  @eth-optimism/contracts-bedrock
//   create2Deployer       0x4e59b44847b379578588920cA78FbF26c0B4956C  @safe-global/safe-singleton-factory
//   safeSingletonFactory  0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7  @safe-global/safe-singleton-factory
//   entryPointV07         0x0000000071727De22E5E9d8BAf0edAc6f37da032  @account-abstraction/contracts
//   permit2               0x000000000022D473030F116dDEE9F6B43aC78BA3  @eth-optimism/contracts-bedrock
//                         (Preinstalls.getPermit2Code(chainid), run by contracts/l2/Permit2Installer.sol)
//
// and the L2 ERC-20 gateway's runtime code (contracts/out/l2/L2ERC20Gateway.json, docs/bridge.md).
// Nothing here is contract code typed in by hand: each init code comes out of its package, and
// each is checked against what the package itself says (the Safe factory's signed deployment
// transaction and its address, the EntryPoint's CREATE2 address).
//
//   node scripts/predeploys.mjs --cpp OUT.cpp   the C++ source the build compiles into fuse_arbos
//   node scripts/predeploys.mjs --json          the same as JSON on stdout
//   import { predeploys, l2GatewayRuntime } from './predeploys.mjs'   (tests)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Transaction, getCreateAddress, getCreate2Address, keccak256, getAddress } from 'ethers';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoDir = path.resolve(here, '..');
const require = createRequire(path.join(repoDir, 'package.json'));

/// Arachnid's deterministic deployment proxy, the CREATE2 deployer every tool assumes.
export const kCreate2DeployerAddress = '0x4e59b44847b379578588920cA78FbF26c0B4956C';
/// The salt the EntryPoint v0.7 was deployed with through the CREATE2 deployer (eth-infinitism's
/// deployment); the CREATE2 address check below proves salt and init code together.
const kEntryPointV07Salt = '0x90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3';
const kEntryPointV07Address = '0x0000000071727De22E5E9d8BAf0edAc6f37da032';
const kMulticall3Address = '0xcA11bde05977b3631167028862bE2a173976CA11';
export const kPermit2Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3';

function packageFile(pkg, file) {
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    fail(`npm package ${pkg} is not installed: run scripts/setup.sh (or npm install)`);
  }
  return path.join(dir, file);
}

function packageVersion(pkg) {
  return JSON.parse(fs.readFileSync(packageFile(pkg, 'package.json'), 'utf8')).version;
}

function fail(msg) {
  throw new Error(`predeploys: ${msg}`);
}

/// A `bytes internal constant <name> = hex"..."` of OP's Preinstalls library.
function preinstallCode(name) {
  const file = packageFile('@eth-optimism/contracts-bedrock', 'src/libraries/Preinstalls.sol');
  const m = fs.readFileSync(file, 'utf8').match(new RegExp(`bytes internal constant ${name} =\\s*hex"([0-9a-fA-F]*)"`));
  if (!m) fail(`${name} not found in ${file}`);
  return `0x${m[1].toLowerCase()}`;
}

/// The init code solc emits for a contract without a constructor: reject value, copy the
/// `runtime` that follows this 32-byte prefix to memory and return it. Multicall3's canonical
/// deployment input is exactly this prefix followed by its runtime code.
export function copyReturnInitCode(runtime) {
  const n = (runtime.length - 2) / 2;
  if (n <= 0 || n > 0xffff) fail('runtime size out of range');
  const len = n.toString(16).padStart(4, '0');
  const prefix = `608060405234801561001057600080fd5b5061${len}806100206000396000f3fe`;
  if (prefix.length !== 64) fail('bad prefix');
  return `0x${prefix}${runtime.slice(2)}`;
}

/// The Safe singleton factory's deployment: its init code is the data of the package's signed
/// deployment transaction (the same for every chain; chain 1's is taken).
function safeFactoryDeployment() {
  const { getSingletonFactoryInfo } = require('@safe-global/safe-singleton-factory');
  const info = getSingletonFactoryInfo(1);
  if (!info) fail('no Safe singleton factory deployment for chain 1');
  const tx = Transaction.from(info.transaction);
  if (getAddress(tx.from) !== getAddress(info.signerAddress)) fail('Safe deployment signer mismatch');
  const address = getCreateAddress({ from: tx.from, nonce: tx.nonce });
  if (address !== getAddress(info.address)) fail('Safe factory address mismatch');
  return { address, initCode: tx.data.toLowerCase() };
}

/// The standard predeploys in the order genesis runs them (the EntryPoint needs the CREATE2
/// deployer). kind "create": the init code runs as a create to `address` (what the keyless or
/// signed deployment transaction did); kind "create2": `factory` is called with salt ‖ init code
/// and must create `address`.
export function predeploys() {
  const safe = safeFactoryDeployment();
  const safeVersion = `@safe-global/safe-singleton-factory@${packageVersion('@safe-global/safe-singleton-factory')}`;
  const multicall3Runtime = preinstallCode('MultiCall3Code');
  const entryPoint = JSON.parse(
    fs.readFileSync(packageFile('@account-abstraction/contracts', 'artifacts/EntryPoint.json'), 'utf8'));
  const epInit = entryPoint.bytecode.toLowerCase();
  const epAddress = getCreate2Address(kCreate2DeployerAddress, kEntryPointV07Salt, keccak256(epInit));
  if (epAddress !== kEntryPointV07Address) fail(`EntryPoint init code gives ${epAddress}, not ${kEntryPointV07Address}`);
  const opVersion = `@eth-optimism/contracts-bedrock@${packageVersion('@eth-optimism/contracts-bedrock')}`;
  return [
    {
      name: 'multicall3',
      address: kMulticall3Address,
      kind: 'create',
      initCode: copyReturnInitCode(multicall3Runtime),
      origin: `${opVersion} src/libraries/Preinstalls.sol MultiCall3Code (runtime), behind solc's copy-and-return prefix`,
    },
    {
      name: 'create2Deployer',
      address: kCreate2DeployerAddress,
      kind: 'create',
      initCode: safe.initCode,
      origin: `${safeVersion} (its factory is Arachnid's deterministic-deployment-proxy: same init code)`,
    },
    {
      name: 'safeSingletonFactory',
      address: safe.address,
      kind: 'create',
      initCode: safe.initCode,
      origin: `${safeVersion} artifacts/1/deployment.json`,
    },
    {
      name: 'entryPointV07',
      address: kEntryPointV07Address,
      kind: 'create2',
      factory: kCreate2DeployerAddress,
      salt: kEntryPointV07Salt,
      initCode: epInit,
      origin: `@account-abstraction/contracts@${packageVersion('@account-abstraction/contracts')} artifacts/EntryPoint.json`,
    },
    {
      name: 'permit2',
      address: kPermit2Address,
      kind: 'create',
      initCode: l2Artifact('Permit2Installer').bytecode.toLowerCase(),
      origin: `${opVersion} src/libraries/Preinstalls.sol getPermit2Code(block.chainid), ` +
        'run by the constructor of contracts/l2/Permit2Installer.sol',
    },
  ];
}

/// An artifact of contracts/out/l2 (`buildL2Contracts()` writes them; main() builds first).
function l2Artifact(name) {
  const file = path.join(repoDir, 'contracts', 'out', 'l2', `${name}.json`);
  if (!fs.existsSync(file)) fail(`${file} is missing: run node contracts/build.mjs`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/// Builds contracts/l2 into contracts/out/l2 when needed.
export async function buildL2() {
  const { buildL2Contracts } = await import('../contracts/build.mjs');
  await buildL2Contracts({ quiet: true });
}

/// Runtime code of contracts/out/l2/L2ERC20Gateway.json (built when needed).
export async function l2GatewayRuntime() {
  await buildL2();
  const art = l2Artifact('L2ERC20Gateway');
  const code = art.deployedBytecode.startsWith('0x') ? art.deployedBytecode : `0x${art.deployedBytecode}`;
  if (code.length <= 2) fail('L2ERC20Gateway has no runtime code');
  return code.toLowerCase();
}

function cppString(hex) {
  // Split long hex into 4000-character pieces (adjacent literals concatenate).
  const body = hex.startsWith('0x') ? hex.slice(2) : hex;
  const parts = [];
  for (let i = 0; i < body.length; i += 4000) parts.push(`"${body.slice(i, i + 4000)}"`);
  return parts.length ? parts.join('\n        ') : '""';
}

function toCpp(list, gateway) {
  const rows = list.map((p) => `    {"${p.name}", "${p.address}", ${p.kind === 'create2' ? 'true' : 'false'},
     "${p.factory ?? ''}", "${p.salt ?? ''}",
     "${p.origin.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}",
        ${cppString(p.initCode)}},`);
  return `// Generated by scripts/predeploys.mjs from node_modules and contracts/out/l2 at build time.
// Do not edit; not checked in (docs/genesis.md).
#include "arbos/predeploys.hpp"

namespace fuse::arbos {

namespace {
const PredeploySource kSources[] = {
${rows.join('\n')}
};
}  // namespace

std::span<const PredeploySource> predeploy_sources() {
    return kSources;
}

std::string_view l2_gateway_runtime_hex() {
    return ${cppString(gateway)};
}

}  // namespace fuse::arbos
`;
}

async function main(argv) {
  const gateway = await l2GatewayRuntime();
  const list = predeploys();
  if (argv[0] === '--cpp' && argv[1]) {
    const text = toCpp(list, gateway);
    const out = argv[1];
    // Rewritten only when it changes, so an unchanged node_modules rebuilds nothing.
    if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== text) {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, text);
    }
  } else if (argv[0] === '--json') {
    process.stdout.write(`${JSON.stringify({ predeploys: list, l2Gateway: gateway }, null, 2)}\n`);
  } else {
    process.stderr.write('usage: node scripts/predeploys.mjs --cpp OUT.cpp | --json\n');
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
}
