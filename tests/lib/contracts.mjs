// Builds (if needed), loads and deploys the L1 contracts for tests.
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import { build, buildL1TestContracts, buildL2Contracts, l2OutDir, outDir, testL1OutDir } from '../../contracts/build.mjs';
import { deployFuseContracts } from '../../contracts/deploy.mjs';

/// Compiles contracts/src if the stamp is stale (a no-op otherwise).
export async function buildContracts() {
  await build({ quiet: true });
}

/// Also compiles contracts/l2 (cancun) and contracts/test-src for the L1 (london), when stale:
/// what the bridge tests deploy.
export async function buildBridgeContracts() {
  await build({ quiet: true });
  await buildL2Contracts({ quiet: true });
  await buildL1TestContracts({ quiet: true });
}

/// contracts/out/l2/<name>.json (the L2 predeploys, cancun).
export function l2Artifact(name) {
  return JSON.parse(fs.readFileSync(path.join(l2OutDir, `${name}.json`), 'utf8'));
}

/// contracts/out/test-l1/<name>.json (contracts/test-src compiled for the L1).
export function testL1Artifact(name) {
  return JSON.parse(fs.readFileSync(path.join(testL1OutDir, `${name}.json`), 'utf8'));
}

/// contracts/out/<name>.json.
export function artifact(name) {
  return JSON.parse(fs.readFileSync(path.join(outDir, `${name}.json`), 'utf8'));
}

/// The contract interfaces (for decoding calldata, logs and errors).
export function contractInterface(name) {
  return new ethers.Interface(artifact(name).abi);
}

/// Deploys SequencerInbox, RollupCore, Bridge, Outbox and L1ERC20Gateway with `signer` (through
/// contracts/deploy.mjs) and returns { record, inbox, rollup, bridge, outbox, l1Gateway } with the
/// contracts connected to `signer`.
export async function deployContracts(signer, opts) {
  const record = await deployFuseContracts({ signer, ...opts });
  return {
    record,
    inbox: new ethers.Contract(record.inbox, artifact('SequencerInbox').abi, signer),
    rollup: new ethers.Contract(record.rollup, artifact('RollupCore').abi, signer),
    bridge: new ethers.Contract(record.bridge, artifact('Bridge').abi, signer),
    outbox: new ethers.Contract(record.outbox, artifact('Outbox').abi, signer),
    l1Gateway: new ethers.Contract(record.l1Gateway, artifact('L1ERC20Gateway').abi, signer),
  };
}

/// The L1 contracts whose custom errors `errorsInterface()` knows.
export const kL1ContractNames = ['SequencerInbox', 'RollupCore', 'Bridge', 'Outbox', 'L1ERC20Gateway'];

/// Every custom error of the given ABIs (default: the deployed L1 contracts), for decoding revert
/// data. `abis` may hold contract names (contracts/out) or ABI arrays.
export function errorsInterface(abis = kL1ContractNames) {
  const seen = new Map();
  for (const entry of abis) {
    const abi = typeof entry === 'string' ? artifact(entry).abi : entry;
    for (const f of abi) {
      if (f.type === 'error') seen.set(ethers.ErrorFragment.from(f).format('sighash'), f);
    }
  }
  return new ethers.Interface([...seen.values()]);
}

/// Resolves to the decoded custom error ({name, args}) the promise rejects with; fails if it
/// resolves or reverts without a known custom error. Works for ethers' estimateGas /
/// staticCall / send failures, also for revert data bubbled up through another contract.
export async function revertOf(promise, iface = errorsInterface()) {
  try {
    await promise;
  } catch (e) {
    if (e.revert) return { name: e.revert.name, args: [...e.revert.args] };
    if (e.data) {
      const parsed = iface.parseError(e.data);
      if (parsed) return { name: parsed.name, args: [...parsed.args] };
    }
    throw new Error(`expected a custom-error revert, got: ${e.shortMessage || e.message}`);
  }
  throw new Error('expected a revert, but the call succeeded');
}

/// Compiles a self-contained Solidity test helper (e.g. a forwarding contract) with the pinned
/// solc for `evmVersion` (default london) and returns { abi, bytecode } of `contractName`.
export async function compileSolidity(source, contractName, evmVersion = 'london') {
  const solc = (await import('solc')).default;
  const input = {
    language: 'Solidity',
    sources: { 'Helper.sol': { content: source } },
    settings: { evmVersion, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const c = out.contracts['Helper.sol'][contractName];
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}
