#!/usr/bin/env node
// Compiles contracts/src/*.sol with the pinned npm solc through its standard-JSON API and writes
// contracts/out/<Name>.json = { contractName, sourceName, abi, bytecode, deployedBytecode, ... }.
//
//   node contracts/build.mjs [--evm-version london] [--force] [--quiet]
//   env FUSE_EVM_VERSION overrides the default EVM version (london, the Fuse L1 floor).
//
// It also compiles the L2 contracts, contracts/l2/*.sol (the L2 ERC-20 gateway predeploy and its
// bridged token), for the L2's rules (cancun) into contracts/out/l2/ (`buildL2Contracts()`), and
// the test contracts, contracts/test-src/*.sol (an ERC-20 built on OpenZeppelin's from
// node_modules, a probe of the ArbSys/ArbGasInfo precompiles, the bridge tests' tokens and
// receivers, ...), twice: for the L2's rules (cancun) into contracts/out/test/
// (`buildTestContracts()`) and for the L1's (the EVM version above, default london) into
// contracts/out/test-l1/ (`buildL1TestContracts()`), since the L1 tests run them on a london anvil.
//
// A no-op (no solc load) when the sources, imports, compiler, settings and this script are
// unchanged since the last build (hash stamp in contracts/out/.stamp). Any compiler error or
// warning fails the build (exit 1). Also importable: `await build({ evmVersion, force, quiet })`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoDir = path.resolve(here, '..');
export const srcDir = path.join(here, 'src');
export const outDir = path.join(here, 'out');
export const kDefaultEvmVersion = 'london';
export const testSrcDir = path.join(here, 'test-src');
export const testOutDir = path.join(here, 'out', 'test');
export const testL1OutDir = path.join(here, 'out', 'test-l1');
export const l2SrcDir = path.join(here, 'l2');
export const l2OutDir = path.join(here, 'out', 'l2');
/// L2 chains run Cancun (ArbOS version 1) or Prague (version 2) rules (docs/genesis.md "ArbOS
/// versions"): the contracts deployed on them target cancun, which runs under both.
export const kL2EvmVersion = 'cancun';
const nodeModules = path.join(repoDir, 'node_modules');

/// Resolves an import path: project sources first, then node_modules (e.g. @openzeppelin/...).
function resolveImport(importPath, sourceDir) {
  for (const base of [path.dirname(sourceDir), sourceDir, nodeModules]) {
    const p = path.join(base, importPath);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/// Sources reachable from <srcDir>/*.sol, keyed by their solc unit name ("<folder>/<file>", e.g.
/// src/RollupCore.sol), with contents.
function collectSources(srcDir) {
  const roots = fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
  if (roots.length === 0) throw new Error(`no .sol files in ${srcDir}`);
  const prefix = `${path.basename(srcDir)}/`;
  const sources = {};
  const queue = roots.map((f) => ({ unit: `${prefix}${f}`, file: path.join(srcDir, f) }));
  while (queue.length > 0) {
    const { unit, file } = queue.shift();
    if (sources[unit]) continue;
    const content = fs.readFileSync(file, 'utf8');
    sources[unit] = { content };
    for (const m of content.matchAll(/^\s*import\s+(?:[^'"]*\sfrom\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1];
      let childUnit;
      if (spec.startsWith('./') || spec.startsWith('../')) {
        childUnit = path.posix.normalize(path.posix.join(path.posix.dirname(unit), spec));
      } else {
        childUnit = spec;
      }
      const childFile = childUnit.startsWith(prefix)
        ? path.join(path.dirname(srcDir), childUnit)
        : resolveImport(childUnit, srcDir);
      if (!childFile || !fs.existsSync(childFile)) throw new Error(`${unit}: cannot resolve import "${spec}"`);
      queue.push({ unit: childUnit, file: childFile });
    }
  }
  return { roots: roots.map((f) => `${prefix}${f}`), sources };
}

function solcVersion() {
  return JSON.parse(fs.readFileSync(path.join(nodeModules, 'solc', 'package.json'), 'utf8')).version;
}

function makeInput(sources, evmVersion) {
  return {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers',
          'storageLayout'] },
      },
    },
  };
}

function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/// Builds when needed. Returns { built: boolean, contracts: [names] }. Throws on compiler
/// errors or warnings (the message lists them all).
/// `srcDir`/`outDir` default to contracts/src and contracts/out (overridable for tests).
export async function build({ evmVersion, force = false, quiet = false, srcDir: sDir = srcDir, outDir: oDir = outDir } = {}) {
  evmVersion = evmVersion || process.env.FUSE_EVM_VERSION || kDefaultEvmVersion;
  const stampFile = path.join(oDir, '.stamp');
  const { roots, sources } = collectSources(sDir);
  const input = makeInput(sources, evmVersion);
  const stamp = createHash('sha256')
    .update(JSON.stringify({ input, solc: solcVersion(), script: fs.readFileSync(fileURLToPath(import.meta.url), 'utf8') }))
    .digest('hex');
  if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8').trim() === stamp) {
    if (!quiet) console.log(`contracts/${path.basename(sDir)} up to date (evm ${evmVersion}) -> ${oDir}`);
    return { built: false };
  }

  const solc = (await import('solc')).default;
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const problems = (output.errors || []).filter((e) => e.severity !== 'info');
  if (problems.length > 0) {
    const text = problems.map((e) => e.formattedMessage || e.message).join('\n');
    throw new Error(`solc ${solc.version()} reported ${problems.length} error(s)/warning(s):\n${text}`);
  }

  fs.mkdirSync(oDir, { recursive: true });
  const names = [];
  for (const unit of roots) {
    for (const [name, c] of Object.entries(output.contracts[unit] || {})) {
      const artifact = {
        contractName: name,
        sourceName: `contracts/${unit}`,
        compiler: `solc ${solc.version()}`,
        evmVersion,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        methodIdentifiers: c.evm.methodIdentifiers,
        storageLayout: c.storageLayout,
      };
      writeAtomic(path.join(oDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
      names.push(name);
    }
  }
  writeAtomic(stampFile, `${stamp}\n`);
  if (!quiet) console.log(`compiled ${names.join(', ')} (solc ${solc.version()}, evm ${evmVersion}) -> ${oDir}`);
  return { built: true, contracts: names };
}

/// Builds contracts/test-src for the L2 (cancun) into contracts/out/test, when needed.
export async function buildTestContracts({ force = false, quiet = false } = {}) {
  return build({ evmVersion: kL2EvmVersion, force, quiet, srcDir: testSrcDir, outDir: testOutDir });
}

/// Builds contracts/test-src for the L1 (`evmVersion`, default as `build`) into
/// contracts/out/test-l1, when needed: the tokens and receivers the L1 bridge tests deploy.
export async function buildL1TestContracts({ evmVersion, force = false, quiet = false } = {}) {
  return build({ evmVersion, force, quiet, srcDir: testSrcDir, outDir: testL1OutDir });
}

/// Builds contracts/l2 (the L2 predeploys) for the L2 (cancun) into contracts/out/l2, when needed.
export async function buildL2Contracts({ force = false, quiet = false } = {}) {
  return build({ evmVersion: kL2EvmVersion, force, quiet, srcDir: l2SrcDir, outDir: l2OutDir });
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--evm-version') opts.evmVersion = argv[++i];
    else if (a.startsWith('--evm-version=')) opts.evmVersion = a.slice('--evm-version='.length);
    else if (a === '--force') opts.force = true;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument "${a}" (see --help)`);
  }
  if (opts.evmVersion === undefined && argv.includes('--evm-version')) throw new Error('--evm-version needs a value');
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.help) {
      console.log('usage: node contracts/build.mjs [--evm-version V] [--force] [--quiet]\n' +
        `  --evm-version V  EVM target (default ${kDefaultEvmVersion}, or env FUSE_EVM_VERSION)\n` +
        '  --force          rebuild even when the stamp says up to date\n' +
        '  --quiet          print nothing on success');
    } else {
      await build(opts);
      await buildL2Contracts({ force: opts.force, quiet: opts.quiet });
      await buildTestContracts({ force: opts.force, quiet: opts.quiet });
      await buildL1TestContracts(opts);
    }
  } catch (e) {
    console.error(`contracts/build.mjs: ${e.message}`);
    process.exit(1);
  }
}
