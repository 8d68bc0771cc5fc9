#!/usr/bin/env node
// npm run bench -- <name> [args…]: runs bench/<name>.ts against the sources
// (the "source" export condition) with tsx, exposing gc for memory figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(2);
}
const file = join(root, 'bench', `${name}.ts`);
if (!existsSync(file)) process.exit(2);
const r = spawnSync(
  process.execPath,
  ['--conditions=source', '--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', file, ...rest],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
