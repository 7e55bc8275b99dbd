// The bridge's supply equation (docs/bridge.md "Supply equation", issue 13 point 7), checked from
// outside the node: every bridge e2e test ends with checkSupplyEquation().
//
//   L2 native supply at L2 block B
//     = unbacked genesis alloc                      (dev chains only: the funded dev accounts)
//     + Bridge.escrow()                             (L1 FUSE held for L2: deposits − paid claims)
//     − withdrawn on L2 (blocks ≤ B), not yet claimed on L1 (Outbox.isSpent false)
//     − accounted burns                             (value destroyed on L2, passed by the test)
//
// The L2 supply is the sum of the balances, at B, of every account that can hold FUSE: the
// genesis alloc, the fee accounts, every block's coinbase, every transaction's from / to /
// created contract, and every account a user transaction's prestate diff (prestateTracer,
// diffMode) shows changed. Deposits are not traced (docs/arbos.md): their from and to are
// counted, so a deposit message whose L2 call passes value on to a third account would make the
// check fail (never pass wrongly). The helper waits until the L2 has executed every deposit the
// Bridge has at the L1 block it reads, and reads the L1 side (escrow, isSpent) at that one block.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ethers } from 'ethers';
import { artifact } from './contracts.mjs';
import { rpcBatch, waitFor } from './rollup.mjs';

const kArbSys = '0x0000000000000000000000000000000000000064';
const kL2ToL1TxTopic = ethers.id('L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)');
const isDeposit = (t) => t.type === '0x64' || t.type === '0x66';

/// The genesis alloc's total balance and its accounts (+ fee accounts) from a genesis JSON file.
export function genesisSupply(genesisFile) {
  const g = JSON.parse(fs.readFileSync(genesisFile, 'utf8'));
  let total = 0n;
  const accounts = new Set();
  for (const [addr, acc] of Object.entries(g.alloc ?? {})) {
    total += BigInt(acc.balance ?? 0);
    accounts.add(ethers.getAddress(addr));
  }
  for (const k of ['l1FeeAccount', 'networkFeeAccount']) {
    if (g.fees?.[k]) accounts.add(ethers.getAddress(g.fees[k]));
  }
  return { total, accounts };
}

/// Every L2 withdrawal (ArbSys L2ToL1Tx) in blocks 0..toBlock: [{position, value, destination}].
export async function l2Withdrawals(l2Url, toBlock) {
  const [logs] = await rpcBatch(l2Url, [['eth_getLogs', [{ address: kArbSys, topics: [kL2ToL1TxTopic],
    fromBlock: '0x0', toBlock: ethers.toQuantity(toBlock) }]]]);
  const coder = ethers.AbiCoder.defaultAbiCoder();
  return logs.map((l) => {
    const [, , , , callvalue] = coder.decode(['address', 'uint256', 'uint256', 'uint256', 'uint256', 'bytes'], l.data);
    return { position: BigInt(l.topics[3]), value: callvalue, destination: ethers.getAddress(ethers.dataSlice(l.topics[1], 12)) };
  });
}

/// Asserts the supply equation and returns its terms. `l2Url`: an L2 node's JSON-RPC; `l1`: an
/// L1 provider; `deployment`: the deployment JSON (bridge, outbox); `genesisFile`: the L2 genesis
/// (its alloc counts as unbacked: only dev chains may have one); `burned`: value the test knows
/// was destroyed on L2; `extraAccounts`: more addresses to count (normally none are needed).
export async function checkSupplyEquation({ l2Url, l1, deployment, genesisFile, burned = 0n, extraAccounts = [],
  timeoutMs = 90000 }) {
  const bridge = new ethers.Contract(deployment.bridge, artifact('Bridge').abi, l1);
  const outbox = new ethers.Contract(deployment.outbox, artifact('Outbox').abi, l1);
  const l1Block = await l1.getBlockNumber();
  const deposits = await bridge.depositCount({ blockTag: l1Block });

  // The L2 blocks, their transactions, until the L2 has executed exactly the Bridge's deposits.
  const blocks = [];
  let executed = 0n;
  await waitFor(async () => {
    const [head] = await rpcBatch(l2Url, [['eth_blockNumber', []]]);
    const calls = [];
    for (let n = blocks.length; n <= Number(head); ++n) calls.push(['eth_getBlockByNumber', [ethers.toQuantity(n), true]]);
    for (const b of await rpcBatch(l2Url, calls, { chunk: 100 })) {
      blocks.push(b);
      executed += BigInt(b.transactions.filter(isDeposit).length);
    }
    return executed >= deposits;
  }, { timeoutMs, what: `the L2 to execute the Bridge's ${deposits} deposits (L1 block ${l1Block})` });
  const l2Block = blocks.length - 1;
  assert.equal(executed, deposits, `the L2 executed ${executed} deposits, the Bridge has ${deposits} at L1 block ${l1Block}`);

  // Every account that can hold FUSE.
  const unbacked = genesisSupply(genesisFile);
  const accounts = new Set([...unbacked.accounts, ...extraAccounts.map((a) => ethers.getAddress(a))]);
  const userTxBlocks = [];
  for (const b of blocks) {
    accounts.add(ethers.getAddress(b.miner));
    for (const t of b.transactions) {
      accounts.add(ethers.getAddress(t.from));
      if (t.to) accounts.add(ethers.getAddress(t.to));
    }
    if (Number(b.number) > 0 && b.transactions.some((t) => !isDeposit(t))) userTxBlocks.push(Number(b.number));
  }
  const receipts = await rpcBatch(l2Url, blocks.flatMap((b) => b.transactions.filter((t) => !t.to)
    .map((t) => ['eth_getTransactionReceipt', [t.hash]])));
  for (const rc of receipts) if (rc.contractAddress) accounts.add(ethers.getAddress(rc.contractAddress));
  const traces = await rpcBatch(l2Url, userTxBlocks.map((n) => ['debug_traceBlockByNumber',
    [ethers.toQuantity(n), { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }]]), { chunk: 20 });
  for (const blockTrace of traces) {
    for (const { result } of blockTrace) {
      for (const side of ['pre', 'post']) for (const a of Object.keys(result?.[side] ?? {})) accounts.add(ethers.getAddress(a));
    }
  }
  const list = [...accounts];
  const balances = await rpcBatch(l2Url, list.map((a) => ['eth_getBalance', [a, ethers.toQuantity(l2Block)]]));
  const supply = balances.reduce((s, b) => s + BigInt(b), 0n);

  // The L1 side at one block: the escrow, and which L2 withdrawals are still unclaimed.
  const escrow = await bridge.escrow({ blockTag: l1Block });
  const withdrawals = await l2Withdrawals(l2Url, l2Block);
  const spent = await Promise.all(withdrawals.map((w) => outbox.isSpent(w.position, { blockTag: l1Block })));
  const pending = withdrawals.reduce((s, w, i) => (spent[i] ? s : s + w.value), 0n);
  const terms = { supply, unbacked: unbacked.total, escrow, pending, burned, l2Block, l1Block, accounts: list.length,
    withdrawals: withdrawals.length };
  assert.equal(supply, unbacked.total + escrow - pending - burned,
    `supply equation at L2 block ${l2Block} / L1 block ${l1Block}: L2 supply ${supply} != unbacked ${unbacked.total} + escrow ${escrow} - unclaimed withdrawals ${pending} - burned ${burned}`);
  return terms;
}
