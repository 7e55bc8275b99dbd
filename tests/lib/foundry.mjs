// Where npm put the Foundry binaries (@foundry-rs/anvil, cast and forge install the package of
// this machine's platform as an optional dependency, e.g. @foundry-rs/anvil-linux-arm64).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/// The path of `tool` ('anvil', 'cast' or 'forge'); env ANVIL_BIN / CAST_BIN / FORGE_BIN wins.
export function foundryBin(tool) {
  const override = process.env[`${tool.toUpperCase()}_BIN`];
  if (override) return override;
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const platform = process.platform === 'darwin' ? 'darwin' : 'linux';
  return path.join(repoDir, 'node_modules', '@foundry-rs', `${tool}-${platform}-${arch}`, 'bin', tool);
}
