// Helpers shared by the command-line scripts the `fusel2` binary runs (deploy.mjs, bridge.mjs).
import fs from 'node:fs';
import { ethers } from 'ethers';

/// A bad flag or argument: the scripts print the message and exit with code 2.
export class UsageError extends Error {}

/// A secp256k1 private key from `keyFile`, else from `env[envVar]`, as 0x-prefixed hex.
/// `what` names the key in messages ("the deployer key"). The key itself is never echoed:
/// messages name the file or the variable it came from.
export function readPrivateKey({ keyFile, env = process.env, envVar, what }) {
  let key;
  if (keyFile) {
    try {
      key = fs.readFileSync(keyFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--key-file: cannot read ${keyFile} (${e.code})`);
    }
  } else if (env[envVar]) {
    key = env[envVar].trim();
  } else {
    throw new UsageError(`no ${what.replace(/^the /, '')}: pass --key-file FILE or set ${envVar}`);
  }
  if (!key.startsWith('0x')) key = `0x${key}`;
  const source = keyFile || envVar;
  if (!ethers.isHexString(key, 32)) throw new UsageError(`${what} (${source}) is not 32 bytes of hex`);
  try {
    return new ethers.SigningKey(key).privateKey;
  } catch {
    throw new UsageError(`${what} (${source}) is not a valid secp256k1 private key`);
  }
}
