// contracts/build.mjs: explicit EVM version, artifacts, hash-stamp no-op, and that compiler
// warnings and errors fail the build.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build, kL2EvmVersion, l2SrcDir, srcDir } from '../build.mjs';

/// Opcodes of EVM bytecode with PUSH data skipped, up to the first INVALID (0xfe), which solc
/// places before the CBOR metadata at the end of the runtime code.
function opcodes(hex) {
  const code = Buffer.from(hex.replace(/^0x/, ''), 'hex');
  const ops = [];
  for (let i = 0; i < code.length; ++i) {
    const op = code[i];
    if (op === 0xfe) break;
    ops.push(op);
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  return ops;
}

describe('contracts/build.mjs', () => {
  let tmp;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuse-build-test-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function sourceDir(name, files) {
    const dir = path.join(tmp, name, 'src');
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    return dir;
  }

  it('compiles the contracts for london (no PUSH0) and for shanghai (PUSH0)', async () => {
    const london = path.join(tmp, 'out-london');
    const r = await build({ evmVersion: 'london', outDir: london, quiet: true });
    assert.equal(r.built, true);
    assert.deepEqual(r.contracts.sort(), ['AddressAliasHelper', 'Bridge', 'IBridge', 'IL1ERC20Gateway', 'IL2ERC20Gateway',
      'IOutbox', 'ISequencerInbox', 'L1ERC20Gateway', 'MerkleLib', 'Outbox', 'OwnablePausable', 'RollupCore',
      'SequencerInbox']);
    for (const name of ['SequencerInbox', 'RollupCore', 'Bridge', 'Outbox', 'L1ERC20Gateway']) {
      const a = JSON.parse(fs.readFileSync(path.join(london, `${name}.json`), 'utf8'));
      assert.equal(a.evmVersion, 'london');
      assert.ok(a.abi.some((f) => f.type === 'function'));
      assert.match(a.bytecode, /^0x[0-9a-f]{1000,}$/);
      assert.ok(!opcodes(a.deployedBytecode).includes(0x5f), `${name}: no PUSH0 under london`);
    }
    // the same tiny contract uses PUSH0 once compiled for shanghai
    const src = sourceDir('push0', { 'P.sol': '// SPDX-License-Identifier: MIT\npragma solidity 0.8.37;\ncontract P { uint256 public x; function set() external { x = 0; } }\n' });
    for (const [evm, expectPush0] of [['london', false], ['shanghai', true]]) {
      const out = path.join(tmp, 'push0', evm);
      await build({ srcDir: src, evmVersion: evm, outDir: out, quiet: true });
      const p = JSON.parse(fs.readFileSync(path.join(out, 'P.json'), 'utf8'));
      assert.equal(p.evmVersion, evm);
      assert.equal(opcodes(p.deployedBytecode).includes(0x5f), expectPush0, `PUSH0 under ${evm}`);
    }
  });

  it('is a no-op when nothing changed, and rebuilds when a source changes', async () => {
    const src = sourceDir('stamp', { 'A.sol': '// SPDX-License-Identifier: MIT\npragma solidity 0.8.37;\ncontract A { uint256 public x; }\n' });
    const out = path.join(tmp, 'stamp', 'out');
    assert.equal((await build({ srcDir: src, outDir: out, quiet: true })).built, true);
    assert.equal((await build({ srcDir: src, outDir: out, quiet: true })).built, false);
    assert.equal((await build({ srcDir: src, outDir: out, quiet: true, evmVersion: 'paris' })).built, true);
    fs.appendFileSync(path.join(src, 'A.sol'), 'contract B {}\n');
    const r = await build({ srcDir: src, outDir: out, quiet: true });
    assert.equal(r.built, true);
    assert.ok(fs.existsSync(path.join(out, 'B.json')));
  });

  it('fails on a compiler warning', async () => {
    const src = sourceDir('warn', {
      'W.sol': '// SPDX-License-Identifier: MIT\npragma solidity 0.8.37;\ncontract W { function f() external pure { uint256 unused; } }\n',
    });
    await assert.rejects(build({ srcDir: src, outDir: path.join(tmp, 'warn', 'out'), quiet: true }), /Warning: Unused local variable/);
    assert.equal(fs.existsSync(path.join(tmp, 'warn', 'out', 'W.json')), false);
  });

  it('fails on a compiler error and on an unresolvable import', async () => {
    const src = sourceDir('err', { 'E.sol': '// SPDX-License-Identifier: MIT\npragma solidity 0.8.37;\ncontract E { function f() { } }\n' });
    await assert.rejects(build({ srcDir: src, outDir: path.join(tmp, 'err', 'out'), quiet: true }), /Error/);
    const src2 = sourceDir('imp', { 'I.sol': 'import "./Missing.sol";\n' });
    await assert.rejects(build({ srcDir: src2, outDir: path.join(tmp, 'imp', 'out'), quiet: true }), /cannot resolve import/);
  });

  it('compiles the L2 contracts (contracts/l2) for cancun, importing from contracts/src', async () => {
    const out = path.join(tmp, 'out-l2');
    const r = await build({ srcDir: l2SrcDir, evmVersion: kL2EvmVersion, outDir: out, quiet: true });
    assert.deepEqual(r.contracts.sort(), ['BridgedERC20', 'IArbSys', 'L2ERC20Gateway', 'Permit2Installer']);
    // the stamp covers the imports from contracts/src too: unchanged -> a no-op
    assert.equal((await build({ srcDir: l2SrcDir, evmVersion: kL2EvmVersion, outDir: out, quiet: true })).built, false);
    const gw = JSON.parse(fs.readFileSync(path.join(out, 'L2ERC20Gateway.json'), 'utf8'));
    assert.equal(gw.evmVersion, 'cancun');
    assert.equal(gw.sourceName, 'contracts/l2/L2ERC20Gateway.sol');
    assert.ok(opcodes(gw.deployedBytecode).includes(0x5f), 'cancun code uses PUSH0');
    // a genesis predeploy: its storage is exactly admin (slot 0) and l1Gateway (slot 1)
    assert.deepEqual(gw.storageLayout.storage.map((v) => [v.label, v.slot, v.offset, v.type]),
      [['admin', '0', 0, 't_address'], ['l1Gateway', '1', 0, 't_address']]);
  });

  it('keeps the real sources in contracts/src', () => {
    assert.ok(fs.existsSync(path.join(srcDir, 'SequencerInbox.sol')));
    assert.ok(fs.existsSync(path.join(srcDir, 'RollupCore.sol')));
  });
});
