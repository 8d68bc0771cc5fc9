#!/usr/bin/env node
// After `tsc -b` (types, and the per-file JavaScript the CLI runs), replaces each package's published
// entry (dist/index.js) with one esbuild bundle of the package's own sources: a Node process then reads
// one file per Baton package instead of one per source file, which is most of what importing Baton costs
// (docs/benchmarks.md). Other packages (Baton's own and third-party) stay imports, so each loads once.
// The bundle's source map points at src/, which the tarballs ship.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  const manifestPath = join(pkgDir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = manifest.exports?.['.'];
  if (entry?.default !== './dist/index.js' || !existsSync(join(pkgDir, 'src', 'index.ts'))) continue;
  await build({
    entryPoints: { index: join(pkgDir, 'src', 'index.ts') },
    outdir: join(pkgDir, 'dist'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false, // the tarballs ship src/, which the map names
    tsconfig: join(pkgDir, 'tsconfig.json'),
    allowOverwrite: true,
    logLevel: 'warning',
  });
}
