// Reads the JSON that FormatDeposits.ReceiptsAndBlock writes (a block with the deposit
// transaction types 0x64 / 0x66 and a user transaction, their receipts) through real clients:
// ethers v6 and cast (and viem when it resolves), served by a tiny JSON-RPC server.
//   FUSE_WRITE_DEPOSIT_JSON=/tmp/d.json build/release/src/ethrpc/ethrpc_test \
//     --gtest_filter=FormatDeposits.ReceiptsAndBlock
//   node scripts/check-deposit-json.mjs /tmp/d.json
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { JsonRpcProvider } from "ethers";

const data = JSON.parse(readFileSync(process.argv[2], "utf8"));
const block = data.block;
const txs = block.transactions;
const byHash = (h) => txs.find((t) => t.hash === h) ?? null;
const receipt = (h) => data.receipts.find((r) => r.transactionHash === h) ?? null;

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const one = (q) => {
      const p = q.params ?? [];
      let result = null;
      switch (q.method) {
        case "eth_chainId": result = txs[0].chainId; break;
        case "net_version": result = String(BigInt(txs[0].chainId)); break;
        case "eth_blockNumber": result = block.number; break;
        case "eth_getBlockByNumber":
        case "eth_getBlockByHash": result = p[1] ? block : data.blockHashes; break;
        case "eth_getTransactionByHash": result = byHash(p[0]); break;
        case "eth_getTransactionReceipt": result = receipt(p[0]); break;
        case "eth_getBlockReceipts": result = data.receipts; break;
        default:
          return { jsonrpc: "2.0", id: q.id, error: { code: -32601, message: q.method } };
      }
      return { jsonrpc: "2.0", id: q.id, result };
    };
    const q = JSON.parse(body);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(Array.isArray(q) ? q.map(one) : one(q)));
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}`;
const [dep, call, user] = txs;

try {
  // ethers v6
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  const b = await provider.getBlock(1, true);
  assert.equal(b.prefetchedTransactions.length, 3);
  const t0 = await provider.getTransaction(dep.hash);
  assert.equal(t0.type, 0x64);
  assert.equal(t0.to.toLowerCase(), dep.to);
  assert.equal(t0.from.toLowerCase(), dep.from);
  assert.equal(t0.value, BigInt(dep.value));
  const t1 = await provider.getTransaction(call.hash);
  assert.equal(t1.type, 0x66);
  assert.equal(t1.gasLimit, BigInt(call.gas));
  assert.equal(t1.data, call.input);
  for (const t of txs) {
    const r = await provider.getTransactionReceipt(t.hash);
    assert.equal(r.hash, t.hash);
    assert.equal(r.status, 1);
  }
  console.log(`ethers ${(await import("ethers")).version}: block, 0x64, 0x66, receipts read`);

  // cast (foundry): tx, receipt, full block, as JSON (async: the server runs in this process)
  const cast = async (args) =>
    (await promisify(execFile)("node_modules/.bin/cast", [...args, "--rpc-url", url, "--json"]))
      .stdout;
  for (const t of [dep, call, user]) {
    const ct = JSON.parse(await cast(["tx", t.hash]));
    assert.equal(ct.hash, t.hash);
    const cr = JSON.parse(await cast(["receipt", t.hash]));
    assert.equal(cr.transactionHash, t.hash);
  }
  const cb = JSON.parse(await cast(["block", "1", "--full"]));
  assert.equal(cb.transactions.length, 3);
  console.log("cast: tx, receipt and block --full read");

  // viem, when installed (VIEM_PATH=dir with node_modules/viem)
  if (process.env.VIEM_PATH) {
    const { createPublicClient, http } = await import(`${process.env.VIEM_PATH}/node_modules/viem/_esm/index.js`);
    const client = createPublicClient({ transport: http(url) });
    const vb = await client.getBlock({ blockNumber: 1n, includeTransactions: true });
    assert.equal(vb.transactions.length, 3);
    for (const t of txs) {
      const vt = await client.getTransaction({ hash: t.hash });
      assert.equal(vt.hash, t.hash);
      const vr = await client.getTransactionReceipt({ hash: t.hash });
      assert.equal(vr.status, "success");
    }
    console.log("viem: block, transactions and receipts read");
  }
} finally {
  server.close();
}
