#!/usr/bin/env node
// Cross-client transaction vectors: signs random transactions of every type ethers v6 supports
// (legacy with and without EIP-155, EIP-2930, EIP-1559, EIP-4844 without blobs, EIP-7702) and
// writes one JSON record per transaction: the EIP-2718 bytes, hash, sender, signing hash and every
// field as ethers decodes it. The C++ tests (src/core/tx_vectors_test.cpp) must agree on all of
// it. Deterministic: the same seed gives the same file.
//
// usage: node scripts/gen-tx-vectors.mjs <out.json> [--seed N] [--count N]

import { writeFileSync } from "node:fs";
import { Transaction, SigningKey, hashAuthorization, computeAddress, toBeHex, hexlify,
         getAddress } from "ethers";

const args = process.argv.slice(2);
if (args.length < 1 || args[0].startsWith("--")) {
    console.error("usage: gen-tx-vectors.mjs <out.json> [--seed N] [--count N]");
    process.exit(2);
}
const outPath = args[0];
let seed = 20261123;
let count = 5000;
for (let i = 1; i < args.length; i += 2) {
    if (args[i] === "--seed") seed = Number(args[i + 1]);
    else if (args[i] === "--count") count = Number(args[i + 1]);
    else {
        console.error(`unknown option ${args[i]}`);
        process.exit(2);
    }
}
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(count) || count <= 0) {
    console.error("--seed and --count must be integers (count > 0)");
    process.exit(2);
}

// sfc32, seeded through splitmix32: small, fast and identical on every platform.
function makeRng(s) {
    let x = s >>> 0;
    const mix = () => {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
        return (z ^ (z >>> 16)) >>> 0;
    };
    let a = mix(), b = mix(), c = mix(), d = mix();
    return () => {
        const t = (((a + b) >>> 0) + d) >>> 0;
        d = (d + 1) >>> 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) >>> 0;
        c = ((c << 21) | (c >>> 11)) >>> 0;
        c = (c + t) >>> 0;
        return t >>> 0;
    };
}
const next32 = makeRng(seed);
const int = (n) => next32() % n;                 // 0 <= int(n) < n
const chance = (p) => next32() / 4294967296 < p;
const bytes = (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = next32() & 0xff;
    return out;
};
const bigBits = (bits) => {
    let v = 0n;
    for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(next32());
    return v & ((1n << BigInt(bits)) - 1n);
};
const pick = (arr) => arr[int(arr.length)];

const U256_MAX = (1n << 256n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
// Edge values first, then random widths, so every length boundary of RLP integers is hit.
function uint(maxBits) {
    const edges = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffffn, (1n << 55n), U64_MAX, 1n << 64n,
                   (1n << 255n), U256_MAX].filter((v) => v < (1n << BigInt(maxBits)));
    if (chance(0.3)) return pick(edges);
    return bigBits(1 + int(maxBits));
}
function data() {
    const n = pick([0, 0, 1, 1, 2, 31, 54, 55, 56, 57, int(300), int(300), 1024 + int(2000)]);
    const d = bytes(n);
    if (n === 1 && chance(0.5)) d[0] &= 0x7f;   // single byte below 0x80 encodes as itself
    return hexlify(d);
}
const address = () => getAddress(hexlify(bytes(20)));
const hash32 = () => hexlify(bytes(32));
function accessList() {
    const list = [];
    const n = pick([0, 0, 1, 2, 3]);
    for (let i = 0; i < n; i++) {
        const keys = [];
        const k = pick([0, 1, 2, 3]);
        for (let j = 0; j < k; j++) keys.push(hash32());
        list.push({ address: address(), storageKeys: keys });
    }
    return list;
}
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
function signingKey() {
    for (;;) {
        const k = bigBits(256);
        if (k > 0n && k < N) return new SigningKey(toBeHex(k, 32));
    }
}
// A pool of keys with their addresses computed once (elliptic-curve work dominates the run
// time); the C++ side must recover these addresses from the signatures.
const keyPool = Array.from({ length: 64 }, () => {
    const key = signingKey();
    return { key, address: computeAddress(key.publicKey) };
});
const chainId = () => pick([1n, 122n, 123n, 31337n, BigInt(1 + int(1000000)), uint(64) || 1n]);

// ethers refuses a priority fee above the fee cap: draw two values, the larger is the cap.
function fees() {
    const a = uint(256), b = uint(256);
    return a <= b ? { maxPriorityFeePerGas: a, maxFeePerGas: b }
                  : { maxPriorityFeePerGas: b, maxFeePerGas: a };
}

const kinds = ["legacy", "legacy155", "eip2930", "eip1559", "eip4844", "eip7702"];
const hex = (v) => toBeHex(v);  // even-length "0x.." ("0x00" for zero)

const records = [];
for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    const sender = pick(keyPool);
    const fields = {
        nonce: Number(uint(53)),   // ethers keeps nonces as JS numbers
        gasLimit: uint(64),
        value: uint(256),
        data: data(),
        to: chance(0.15) ? null : address(),
    };
    switch (kind) {
        case "legacy":
            Object.assign(fields, { type: 0, chainId: 0n, gasPrice: uint(256) });
            break;
        case "legacy155":
            Object.assign(fields, { type: 0, chainId: chainId(), gasPrice: uint(256) });
            break;
        case "eip2930":
            Object.assign(fields, { type: 1, chainId: chainId(), gasPrice: uint(256),
                                    accessList: accessList() });
            break;
        case "eip1559":
            Object.assign(fields, { type: 2, chainId: chainId(), ...fees(), accessList: accessList() });
            break;
        case "eip4844": {
            const hashes = [];
            for (let j = 0, n = 1 + int(6); j < n; j++) {
                const h = bytes(32);
                h[0] = 1;
                hashes.push(hexlify(h));
            }
            Object.assign(fields, { type: 3, chainId: chainId(), ...fees(), accessList: accessList(),
                                    maxFeePerBlobGas: uint(256), blobVersionedHashes: hashes,
                                    to: address() });
            break;
        }
        case "eip7702": {
            const txChain = chainId();
            const auths = [];
            for (let j = 0, n = 1 + int(3); j < n; j++) {
                const auth = { address: address(), nonce: uint(64),
                               chainId: pick([0n, txChain, uint(256)]) };
                const signer = pick(keyPool);
                auths.push({ ...auth, signature: signer.key.sign(hashAuthorization(auth)),
                             authority: signer.address });
            }
            Object.assign(fields, { type: 4, chainId: txChain, ...fees(), accessList: accessList(),
                                    authorizationList: auths, to: address() });
            break;
        }
    }
    const tx = Transaction.from(fields);
    tx.signature = sender.key.sign(tx.unsignedHash);
    const raw = tx.serialized;
    // Record what ethers decodes from the bytes, not what we fed it.
    const p = Transaction.from(raw);
    const sig = p.signature;
    const rec = {
        kind,
        type: p.type,
        raw,
        hash: p.hash,
        from: sender.address,
        signingHash: p.unsignedHash,
        chainId: (p.type === 0 && p.chainId === 0n) ? null : hex(p.chainId),
        nonce: hex(BigInt(p.nonce)),
        gasLimit: hex(p.gasLimit),
        to: p.to,
        value: hex(p.value),
        data: p.data,
        v: hex(p.type === 0 ? (sig.networkV ?? BigInt(sig.v)) : BigInt(sig.yParity)),
        yParity: sig.yParity,
        r: sig.r,
        s: sig.s,
    };
    if (p.type <= 1) rec.gasPrice = hex(p.gasPrice);
    if (p.type >= 2) {
        rec.maxPriorityFeePerGas = hex(p.maxPriorityFeePerGas);
        rec.maxFeePerGas = hex(p.maxFeePerGas);
    }
    if (p.type >= 1) {
        rec.accessList = p.accessList.map((e) => ({ address: e.address, storageKeys: e.storageKeys }));
    }
    if (p.type === 3) {
        rec.maxFeePerBlobGas = hex(p.maxFeePerBlobGas);
        rec.blobVersionedHashes = p.blobVersionedHashes;
    }
    if (p.type === 4) {
        rec.authorizationList = p.authorizationList.map((a, j) => ({
            chainId: hex(a.chainId), address: a.address, nonce: hex(a.nonce),
            yParity: a.signature.yParity, r: a.signature.r, s: a.signature.s,
            authority: fields.authorizationList[j].authority,
        }));
    }
    records.push(rec);
}

writeFileSync(outPath, JSON.stringify({ generator: "ethers 6.17.0 scripts/gen-tx-vectors.mjs",
                                        seed, count, records }));
console.log(`wrote ${records.length} transaction vectors (seed ${seed}) to ${outPath}`);
