// The contracts the L2 tests deploy (contracts/test-src, compiled for cancun by
// contracts/build.mjs into contracts/out/test): artifacts and ethers factories.
import fs from 'node:fs';
import path from 'node:path';
import { ethers } from 'ethers';
import { buildTestContracts, testOutDir } from '../../contracts/build.mjs';

/// Compiles contracts/test-src if the stamp is stale (a no-op otherwise).
export async function buildL2TestContracts() {
  await buildTestContracts({ quiet: true });
}

/// contracts/out/test/<name>.json.
export function testArtifact(name) {
  return JSON.parse(fs.readFileSync(path.join(testOutDir, `${name}.json`), 'utf8'));
}

/// An ethers ContractFactory for `name` connected to `signer`.
export function testFactory(name, signer) {
  const a = testArtifact(name);
  return new ethers.ContractFactory(a.abi, a.bytecode, signer);
}
