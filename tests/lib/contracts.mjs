// Builds (if needed), loads and deploys the L1 contracts for tests.
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import { build, outDir } from '../../contracts/build.mjs';
import { deployFuseContracts } from '../../contracts/deploy.mjs';

/// Compiles contracts/src if the stamp is stale (a no-op otherwise).
export async function buildContracts() {
  await build({ quiet: true });
}

/// contracts/out/<name>.json.
export function artifact(name) {
  return JSON.parse(fs.readFileSync(path.join(outDir, `${name}.json`), 'utf8'));
}

/// The contract interfaces (for decoding calldata, logs and errors).
export function contractInterface(name) {
  return new ethers.Interface(artifact(name).abi);
}

/// Deploys SequencerInbox + RollupCore with `signer` (through contracts/deploy.mjs) and returns
/// { record, inbox, rollup } with the contracts connected to `signer`.
export async function deployContracts(signer, opts) {
  const record = await deployFuseContracts({ signer, ...opts });
  return {
    record,
    inbox: new ethers.Contract(record.inbox, artifact('SequencerInbox').abi, signer),
    rollup: new ethers.Contract(record.rollup, artifact('RollupCore').abi, signer),
  };
}

/// Every custom error of the deployed contracts, for decoding revert data.
export function errorsInterface() {
  const seen = new Map();
  for (const name of ['SequencerInbox', 'RollupCore']) {
    for (const f of artifact(name).abi) {
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
