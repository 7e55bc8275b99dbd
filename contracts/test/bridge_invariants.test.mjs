// Runs the bridge's forge invariant test (contracts/forge/BridgeInvariants.t.sol) offline, with
// the npm solc behind contracts/forge/solc.mjs, and checks what the sequences exercised.
//
//   node --test contracts/test/bridge_invariants.test.mjs                       # 400 sequences
//   FUSE_INVARIANT_RUNS=10000 node --test contracts/test/bridge_invariants.test.mjs   # the full run
//
// Env: FUSE_INVARIANT_RUNS (sequences, default 400: well under 90 s on 2 cores), FUSE_INVARIANT_DEPTH
// (calls per sequence, default 100), FUSE_INVARIANT_SEED (forge's --fuzz-seed, default random;
// forge prints it on failure), FORGE_BIN (default: the forge npm installed for this platform, tests/lib/foundry.mjs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { foundryBin } from '../../tests/lib/foundry.mjs';

const contractsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(contractsDir, '..');
const forge = foundryBin('forge');
const runs = Number(process.env.FUSE_INVARIANT_RUNS || 400);
const depth = Number(process.env.FUSE_INVARIANT_DEPTH || 100);
/// Columns of the stats file BridgeHandler.recordStats writes, one line per sequence.
const kColumns = ['violations', 'deposits', 'messages', 'withdrawals', 'roots', 'bogusRoots', 'claimsPaid',
  'rejectedTooNew', 'rejectedInvalidated', 'rejectedSpent', 'rejectedPaused', 'rejectedBadProof',
  'bogusClaimsRejected', 'invalidations', 'pauses', 'warps'];

function run(file, args, env) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: contractsDir, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

describe('bridge invariants (forge)', () => {
  it(`hold over ${runs} random sequences of ${depth} calls`, async () => {
    assert.ok(fs.existsSync(forge), `forge not found at ${forge}: run npm install (package.json has @foundry-rs/forge)`);
    assert.ok(Number.isInteger(runs) && runs > 0 && Number.isInteger(depth) && depth > 0, 'bad FUSE_INVARIANT_RUNS/DEPTH');
    const stats = path.join(contractsDir, 'out', `invariant-stats-${process.pid}.csv`);
    fs.mkdirSync(path.dirname(stats), { recursive: true });
    fs.rmSync(stats, { force: true });
    const args = ['test', '--offline', '--match-contract', 'BridgeInvariants'];
    if (process.env.FUSE_INVARIANT_SEED) args.push('--fuzz-seed', process.env.FUSE_INVARIANT_SEED);
    const started = Date.now();
    const r = await run(forge, args, {
      FOUNDRY_SOLC: path.join(contractsDir, 'forge', 'solc.mjs'),
      FOUNDRY_INVARIANT_RUNS: String(runs),
      FOUNDRY_INVARIANT_DEPTH: String(depth),
      FUSE_INVARIANT_STATS: path.relative(contractsDir, stats),
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 0, `forge failed:\n${out.slice(-6000)}`);
    const m = out.match(/\[PASS\] invariant_bridge\(\) \(runs: (\d+), calls: (\d+), reverts: (\d+)\)/);
    assert.ok(m, `no PASS line for invariant_bridge:\n${out.slice(-3000)}`);
    assert.equal(Number(m[1]), runs, 'every sequence ran');
    assert.equal(Number(m[2]), runs * depth, 'every call ran');
    assert.equal(Number(m[3]), 0, 'the handler never reverts (it checks every outcome itself)');

    const lines = fs.readFileSync(stats, 'utf8').trim().split('\n');
    fs.rmSync(stats, { force: true });
    assert.ok(lines.length >= runs, `stats for ${lines.length} of ${runs} sequences`);
    const total = Object.fromEntries(kColumns.map((c) => [c, 0]));
    for (const line of lines) {
      const v = line.split(',').map(Number);
      assert.equal(v.length, kColumns.length, line);
      kColumns.forEach((c, i) => { total[c] += v[i]; });
    }
    assert.equal(total.violations, 0);
    // the sequences reached every outcome the properties are about (each happens about once per
    // sequence or more, so a run of 100 sequences or more misses none by chance)
    if (runs >= 100) for (const c of kColumns.slice(1)) assert.ok(total[c] > 0, `no sequence had any ${c}`);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`forge invariant run: ${runs} sequences x ${depth} calls in ${seconds} s (compile included); ` +
      kColumns.slice(1).map((c) => `${c} ${total[c]}`).join(', '));
  });
});
