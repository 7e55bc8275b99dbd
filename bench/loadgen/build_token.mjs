#!/usr/bin/env node
// Compiles bench/loadgen/LoadToken.sol (OpenZeppelin ERC20 from node_modules) with the pinned npm
// solc, EVM version cancun (the L2's rules), and writes the creation bytecode as hex to
// bench/loadgen/out/LoadToken.hex, which `loadgen --mode erc20` deploys.
//
//   node bench/loadgen/build_token.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const require = createRequire(path.join(repo, 'package.json'));
const solc = require('solc');

const input = {
  language: 'Solidity',
  sources: { 'LoadToken.sol': { content: fs.readFileSync(path.join(here, 'LoadToken.sol'), 'utf8') } },
  settings: {
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['evm.bytecode.object'] } },
  },
};
function findImports(p) {
  const file = path.join(repo, 'node_modules', p);
  return fs.existsSync(file) ? { contents: fs.readFileSync(file, 'utf8') } : { error: `not found: ${p}` };
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (out.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const bytecode = out.contracts['LoadToken.sol'].LoadToken.evm.bytecode.object;
fs.mkdirSync(path.join(here, 'out'), { recursive: true });
fs.writeFileSync(path.join(here, 'out', 'LoadToken.hex'), bytecode + '\n');
console.log(`wrote bench/loadgen/out/LoadToken.hex (${bytecode.length / 2} bytes)`);
