// Measures the L1 gas of posting 1 KB / 10 KB / 100 KB batches and of posting a state root, on a
// real anvil (london rules unless FUSE_L1_HARDFORK says otherwise), and prints the table that
// docs/contracts.md quotes. Only loose sanity bounds are asserted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ethers } from 'ethers';
import { startAnvil } from '../../tests/lib/anvil.mjs';
import { buildContracts, deployContracts } from '../../tests/lib/contracts.mjs';

/// Batch data of `size` bytes: format byte 0x00, then random bytes (compressed data looks random).
function randomBatch(size) {
  const data = ethers.randomBytes(size);
  data[0] = 0x00;
  return data;
}

/// Intrinsic gas of a call with `data` before EIP-7623: 21000 + 16 per non-zero + 4 per zero byte.
function intrinsicGas(data) {
  const bytes = ethers.getBytes(data);
  let gas = 21000n;
  for (const b of bytes) gas += b === 0 ? 4n : 16n;
  return gas;
}

/// EIP-7623 (Prague) calldata floor: 21000 + 10 per token, a zero byte 1 token, a non-zero 4.
function floorGas(data) {
  let tokens = 0n;
  for (const b of ethers.getBytes(data)) tokens += b === 0 ? 1n : 4n;
  return 21000n + 10n * tokens;
}

describe('L1 gas', () => {
  let anvil, provider, owner, poster, proposer, inbox, rollup;
  const rows = [];

  before(async () => {
    await buildContracts();
    anvil = await startAnvil();
    provider = anvil.provider();
    [owner, poster, proposer] = [0, 1, 2].map((i) => anvil.wallet(i, provider));
    ({ inbox, rollup } = await deployContracts(owner, {
      genesisHash: ethers.keccak256('0x01'), batchPosters: [poster.address], proposers: [proposer.address],
    }));
  });
  after(async () => {
    if (rows.length > 0) {
      const hardfork = process.env.FUSE_L1_HARDFORK || 'london';
      console.log(`\nL1 gas on anvil (--hardfork ${hardfork}), contracts compiled for london:\n`);
      console.log('| operation | gas used | of which 21000 + calldata | execution | EIP-7623 floor (Prague only) |');
      console.log('|---|---:|---:|---:|---:|');
      for (const r of rows) {
        console.log(`| ${r.what} | ${r.gas} | ${r.intrinsic} | ${r.gas - r.intrinsic} | ${r.floor} |`);
      }
      console.log('');
    }
    await anvil?.stop();
  });

  async function postBatch(size) {
    const n = await inbox.batchCount();
    const m = await inbox.totalMessageCount();
    const data = randomBatch(size);
    const tx = await inbox.connect(poster).addSequencerL2Batch(n, data, m, m + 10n);
    const rcpt = await tx.wait();
    assert.equal(rcpt.status, 1);
    return { gas: rcpt.gasUsed, intrinsic: intrinsicGas(tx.data), floor: floorGas(tx.data) };
  }

  it('posting batches of 1 KB, 10 KB and 100 KB', async () => {
    const first = await postBatch(1024);
    rows.push({ what: 'first batch ever, 1 KB', ...first });
    for (const [label, size] of [['1 KB', 1024], ['10 KB', 10240], ['100 KB', 102400]]) {
      const r = await postBatch(size);
      rows.push({ what: `addSequencerL2Batch, ${label} (${size} B)`, ...r });
      assert.ok(r.gas >= r.intrinsic, 'gas used covers calldata');
      // execution: checks, hashing header ‖ data, two appends and the event; memory grows with size
      // (under Prague rules the EIP-7623 floor may be what is charged instead)
      assert.ok(r.gas - r.intrinsic < 120000n + BigInt(size) || r.gas === r.floor,
        `execution gas ${r.gas - r.intrinsic} is sane`);
    }
  });

  it('posting a state root', async () => {
    const calls = [];
    // roots 0 and 1 carry new send roots; root 2 repeats root 1's (no withdrawals in between)
    const sendRoots = [ethers.keccak256('0x20'), ethers.keccak256('0x21'), ethers.keccak256('0x21')];
    for (let i = 0; i < 3; ++i) {
      const tx = await rollup.connect(proposer).postStateRoot(i, 10 * (i + 1), ethers.keccak256(`0x0${i}`),
        ethers.keccak256(`0x1${i}`), sendRoots[i]);
      const rcpt = await tx.wait();
      assert.equal(rcpt.status, 1);
      calls.push({ gas: rcpt.gasUsed, intrinsic: intrinsicGas(tx.data), floor: floorGas(tx.data) });
    }
    rows.push({ what: 'postStateRoot, first root', ...calls[0] });
    rows.push({ what: 'postStateRoot, later roots (new send root)', ...calls[1] });
    rows.push({ what: 'postStateRoot, later roots (send root unchanged)', ...calls[2] });
    for (const c of calls) assert.ok(c.gas > c.intrinsic && c.gas < 250000n, `postStateRoot gas ${c.gas} is sane`);
    // a new send root adds one new slot (sendRootPostedIn's record, ~22.1k); a repeated one a read
    const extra = (calls[1].gas - calls[1].intrinsic) - (calls[2].gas - calls[2].intrinsic);
    assert.ok(extra > 19000n && extra < 25000n, `a new send root costs ${extra} more`);
  });
});
