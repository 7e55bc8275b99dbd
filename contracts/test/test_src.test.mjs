// contracts/build.mjs also compiles the L2 test contracts (contracts/test-src) for cancun:
// OpenZeppelin's ERC20 from node_modules, the ArbSys/ArbGasInfo probe, the reverter.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { buildL1TestContracts, buildTestContracts, kL2EvmVersion, testL1OutDir, testOutDir } from '../build.mjs';

const load = (name) => JSON.parse(fs.readFileSync(path.join(testOutDir, `${name}.json`), 'utf8'));

describe('contracts/build.mjs: L2 test contracts', () => {
  it('compiles TestToken (OpenZeppelin ERC20), ArbProbe and Reverter for cancun', async () => {
    await buildTestContracts({ quiet: true });
    for (const name of ['TestToken', 'ArbProbe', 'Reverter']) {
      const a = load(name);
      assert.equal(a.evmVersion, kL2EvmVersion);
      assert.match(a.bytecode, /^0x[0-9a-f]{200,}$/);
      assert.equal(a.sourceName, `contracts/test-src/${name}.sol`);
    }
    const token = new ethers.Interface(load('TestToken').abi);
    for (const sig of ['transfer(address,uint256)', 'transferFrom(address,address,uint256)',
      'approve(address,uint256)', 'balanceOf(address)', 'totalSupply()']) {
      assert.ok(token.getFunction(sig), sig);
    }
    assert.equal(token.getEvent('Transfer').topicHash, ethers.id('Transfer(address,address,uint256)'));
    // ERC20InsufficientBalance comes from OpenZeppelin 5's IERC6093 errors
    assert.ok(token.getError('ERC20InsufficientBalance'));
    // ArbProbe calls the precompiles by Arbitrum's selectors
    const sys = new ethers.Interface(load('ArbSys').abi);
    assert.equal(sys.getFunction('arbBlockNumber').selector, '0xa3b1b31d');
    assert.equal(sys.getFunction('arbChainID').selector, '0xd127f54a');
    const gas = new ethers.Interface(load('ArbGasInfo').abi);
    assert.equal(gas.getFunction('getPricesInWei').selector, '0x41b247a8');
    assert.equal(gas.getFunction('getL1BaseFeeEstimate').selector, '0xf5d6ded7');
  });

  it('also compiles them for the L1 (london, no PUSH0): the bridge tests\' tokens, receivers and MockArbSys', async () => {
    await buildL1TestContracts({ quiet: true });
    const names = ['TestToken', 'FeeOnTransferToken', 'Bytes32MetadataToken', 'NoMetadataToken', 'CallForwarder',
      'L2ToL1Probe', 'ReentrantReceiver', 'MockArbSys', 'Reverter'];
    for (const name of names) {
      const l1 = JSON.parse(fs.readFileSync(path.join(testL1OutDir, `${name}.json`), 'utf8'));
      assert.equal(l1.evmVersion, 'london', name);
      assert.match(l1.bytecode, /^0x[0-9a-f]{200,}$/, name);
      assert.equal(load(name).evmVersion, kL2EvmVersion, name);
      // no PUSH0 (0x5f) as an opcode in the london runtime code
      const code = Buffer.from(l1.deployedBytecode.slice(2), 'hex');
      for (let i = 0; i < code.length && code[i] !== 0xfe; ++i) {
        assert.notEqual(code[i], 0x5f, `${name}: PUSH0 at ${i}`);
        if (code[i] >= 0x60 && code[i] <= 0x7f) i += code[i] - 0x5f;
      }
    }
    const mock = new ethers.Interface(load('MockArbSys').abi);
    assert.equal(mock.getFunction('sendTxToL1').selector, '0x928c169a');
    assert.equal(mock.getEvent('L2ToL1Tx').topicHash,
      ethers.id('L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)'));
  });
});
