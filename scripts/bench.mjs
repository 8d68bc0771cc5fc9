#!/usr/bin/env node
// npm run bench -- <name> [args…]: builds the packages (as npm run build does), then runs
// bench/<name>.ts with tsx against the built dist/ (what users run), with gc
// exposed for memory figures. BENCH_SOURCE=1 runs against src/ instead (tsconfig.json's paths; the
// dist run gives tsx tsconfig.base.json, which has none, so Node resolves the packages' exports).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
const fromSource = process.env.BENCH_SOURCE === '1';
if (!fromSource) {
  const build = spawnSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-entries.mjs')], {
    stdio: 'inherit',
  });
  if (bundle.status !== 0) process.exit(bundle.status ?? 1);
}
const r = spawnSync(
  process.execPath,
  ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', join(root, 'bench', `${name}.ts`), ...rest],
  {
    stdio: 'inherit',
    cwd: root,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(root, fromSource ? 'tsconfig.json' : 'tsconfig.base.json'),
    },
  },
);
process.exit(r.status ?? 1);
