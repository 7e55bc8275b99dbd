// docs/architecture.md is true: every file and folder it names exists, and every function named
// in a table row is found (as `name(`) in one of that row's files. A rename that forgets the
// page fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const page = fs.readFileSync(path.join(repo, 'docs', 'architecture.md'), 'utf8');
const ticked = (text) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const isPath = (s) => /^(src|contracts|tests|docs)\//.test(s);

test('every path the page names exists', () => {
  const paths = ticked(page).filter(isPath);
  assert.ok(paths.length >= 30, `only ${paths.length} paths found`);
  for (const p of paths) assert.ok(fs.existsSync(path.join(repo, p)), `${p} does not exist`);
});

test('every function in a table row is in one of its files', () => {
  let checked = 0;
  for (const line of page.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[2].includes('`')) continue;
    const files = ticked(cells[2]).filter(isPath);
    if (files.length === 0) continue;
    const sources = files.map((f) => fs.readFileSync(path.join(repo, f), 'utf8'));
    for (const fn of ticked(cells[3])) {
      assert.match(fn, /^[A-Za-z_][\w:]*$/, `"${fn}" in "${line}" is not a function name`);
      const re = new RegExp(`(^|[^\\w:])${fn.replace(/:/g, '\\:')}\\s*\\(`, 'm');
      assert.ok(sources.some((s) => re.test(s)), `${fn} is not in ${files.join(', ')}`);
      ++checked;
    }
  }
  assert.ok(checked >= 40, `only ${checked} functions checked`);
});

test('a name that does not exist is caught (the check can fail)', () => {
  const re = /(^|[^\w:])Sequencer::no_such_function\s*\(/m;
  const src = fs.readFileSync(path.join(repo, 'src/sequencer/sequencer.cpp'), 'utf8');
  assert.equal(re.test(src), false);
});
