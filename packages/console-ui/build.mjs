// Builds the console into dist/: one bundled script (Preact + uPlot + the app), one stylesheet and
// the page. Run by the root `npm run build`; the published package ships dist/, so users build nothing.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'app/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  legalComments: 'eof',
  logLevel: 'warning',
});
await copyFile(join(here, 'app/index.html'), join(out, 'index.html'));
