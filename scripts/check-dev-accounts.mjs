#!/usr/bin/env node
// Checks the C++ BIP-39/BIP-32 derivation (src/arbos/dev_keys.cpp) against ethers v6: runs the
// given program, which prints "address privateKey" per line for the ten accounts of the standard
// test mnemonic, and compares each line with HDNodeWallet.fromPhrase(m/44'/60'/0'/0/i).
//
// usage: node scripts/check-dev-accounts.mjs <arbos_dev_accounts executable>

import { execFileSync } from "node:child_process";
import { HDNodeWallet } from "ethers";

const exe = process.argv[2];
if (!exe) {
    console.error("usage: check-dev-accounts.mjs <arbos_dev_accounts>");
    process.exit(2);
}
const phrase = "test test test test test test test test test test test junk";
const lines = execFileSync(exe, { encoding: "utf8" }).trim().split("\n");
if (lines.length !== 10) {
    console.error(`expected 10 accounts, got ${lines.length}`);
    process.exit(1);
}
let bad = 0;
for (let i = 0; i < 10; i++) {
    const w = HDNodeWallet.fromPhrase(phrase, undefined, `m/44'/60'/0'/0/${i}`);
    const [addr, key] = lines[i].trim().split(/\s+/);
    if (addr.toLowerCase() !== w.address.toLowerCase() || key.toLowerCase() !== w.privateKey) {
        console.error(`account ${i}: C++ ${addr} ${key}, ethers ${w.address} ${w.privateKey}`);
        bad++;
    }
}
if (bad) process.exit(1);
console.log("10 dev accounts match ethers");
