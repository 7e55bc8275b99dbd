#!/usr/bin/env node
// forge cannot download solc offline (docs/bridge.md, "Invariant tests"; TOOLCHAIN.md): this wraps
// the pinned npm solc (Emscripten build) as the two solc command lines forge uses,
// `solc --version` and `solc [--allow-paths ... --base-path ...] --standard-json` (input on stdin;
// forge passes every source's content, so imports need no file access here).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require('solc');
const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes('--standard-json')) {
  const findImports = (p) => {
    try {
      return { contents: fs.readFileSync(p, 'utf8') };
    } catch (e) {
      return { error: `${p}: ${e.code}` };
    }
  };
  process.stdout.write(solc.compile(fs.readFileSync(0, 'utf8'), { import: findImports }));
} else {
  process.stderr.write(`forge/solc.mjs: only --version and --standard-json are supported (got ${args.join(' ')})\n`);
  process.exit(2);
}
