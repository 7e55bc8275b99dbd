// Test vectors for core/deposit_test.cpp, computed with ethers (independent of the C++ code):
//   node scripts/deposit-vectors.mjs
// Deposit hashes as the L1 Bridge computes them (keccak256(abi.encode(uint8 kind, uint256 index,
// address l2From, address to, uint256 value, uint256 l2GasLimit, uint256 l1BlockNumber,
// uint256 l1Timestamp, bytes32 keccak256(data)))), the accumulator acc_i = keccak256(acc_{i-1} ‖
// depositHash_i) from acc_{-1} = 0, and the L2 transactions 0x64 / 0x66 with their hashes.
import { AbiCoder, concat, encodeRlp, keccak256, toBeArray, zeroPadValue, toBeHex } from "ethers";

const coder = AbiCoder.defaultAbiCoder();
const chainId = 412346n;

const deposits = [
  { kind: 0, index: 0n, l2From: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
    to: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", value: 10n ** 18n, l2GasLimit: 0n,
    l1BlockNumber: 1000n, l1Timestamp: 1700000000n, data: "0x" },
  { kind: 1, index: 1n, l2From: "0x2222000000000000000000000000000000003333",
    to: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", value: 0n, l2GasLimit: 100000n,
    l1BlockNumber: 1001n, l1Timestamp: 1700000012n, data: "0xa9059cbb0000000000000000000000000000000000000000000000000000000000000001" },
  { kind: 1, index: 2n, l2From: "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    to: "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65", value: 123456789n, l2GasLimit: 21000n,
    l1BlockNumber: 1001n, l1Timestamp: 1700000012n, data: "0x" },
];

const q = (v) => (v === 0n ? "0x" : toBeHex(v));  // RLP integer: minimal big-endian bytes
let acc = "0x" + "00".repeat(32);
for (const d of deposits) {
  const hash = keccak256(coder.encode(
    ["uint8", "uint256", "address", "address", "uint256", "uint256", "uint256", "uint256", "bytes32"],
    [d.kind, d.index, d.l2From, d.to, d.value, d.l2GasLimit, d.l1BlockNumber, d.l1Timestamp,
     keccak256(d.data)]));
  acc = keccak256(concat([acc, hash]));
  const requestId = zeroPadValue(toBeArray(d.index), 32);
  const fields = d.kind === 0
    ? [q(chainId), requestId, d.l2From, d.to, q(d.value)]
    : [q(chainId), requestId, d.l2From, "0x", q(d.l2GasLimit), d.to, q(d.value), d.data];
  const raw = concat([d.kind === 0 ? "0x64" : "0x66", encodeRlp(fields)]);
  console.log(JSON.stringify({ index: Number(d.index), depositHash: hash, acc, raw,
                               txHash: keccak256(raw) }));
}
