#!/usr/bin/env node
// Type-checks every TypeScript example in README.md, docs/*.md and packages/*/README.md, so the docs
// cannot drift from the code. A ```ts block is a complete example: it is written to its own module and
// compiled under the repository's strict settings, importing Baton's packages by their published names.
// A block that is deliberately partial says so with `<!-- fragment -->` on the line before the fence;
// it is not compiled. A block that continues the page's story (a `client` made further up, say) gets
// its context from the page's hidden prelude, an HTML comment readers don't see:
//   <!-- prelude
//   import type { RegistryClient } from '@baton-ecs/registry-client';
//   declare const client: RegistryClient;
//   -->
// which is prepended to every block after it on that page (a later prelude replaces it).
// A block marked `<!-- run -->` on the line before its fence is also run (Node with tsx, against the
// packages' sources through tsconfig.json's paths, 60 s at most); it must exit 0. Blocks that need Docker or a network are not run
// here: their behaviour is covered by the tests. Exit 1 lists each failing block as doc:line with the compiler's message.
//
//   node scripts/doc-examples.mjs          # check
//   node scripts/doc-examples.mjs --keep   # also leave the extracted modules in .doc-examples/
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.doc-examples');
const keep = process.argv.includes('--keep');

function markdownFiles() {
  const files = [join(root, 'README.md')];
  for (const f of readdirSync(join(root, 'docs'))) if (f.endsWith('.md')) files.push(join(root, 'docs', f));
  for (const p of readdirSync(join(root, 'packages'))) {
    const readme = join(root, 'packages', p, 'README.md');
    try {
      readFileSync(readme);
      files.push(readme);
    } catch {
      // a package without a README has no examples to check
    }
  }
  return files;
}

/** Every ```ts / ```typescript block with the line its fence opens on, unless marked as a fragment. */
export function extractExamples(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let prelude = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^<!--\s*prelude\s*$/.test(lines[i])) {
      const body = [];
      for (i++; i < lines.length && !/^\s*-->\s*$/.test(lines[i]); i++) body.push(lines[i]);
      prelude = body.join('\n');
      continue;
    }
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i].slice(indent));
    const marker = lines.slice(Math.max(0, start - 2), start).join('\n');
    if (/<!--\s*fragment\b/.test(marker)) continue;
    blocks.push({ line: start + 1, prelude, run: /<!--\s*run\s*-->/.test(marker), code: body.join('\n') });
  }
  return blocks;
}

const modules = [];
for (const file of markdownFiles()) {
  const rel = relative(root, file);
  for (const block of extractExamples(readFileSync(file, 'utf8'))) {
    const name = `${rel.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}.ts`;
    // Each block is its own module (top-level await allowed, no leaked globals between blocks).
    const preludeLines = block.prelude ? block.prelude.split('\n').length : 0;
    const code = block.prelude ? `${block.prelude}\n${block.code}` : block.code;
    modules.push({
      name,
      doc: rel,
      line: block.line,
      preludeLines,
      run: block.run,
      code: `${code}\nexport {};\n`,
    });
  }
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const m of modules) writeFileSync(join(outDir, m.name), m.code);
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      // The root config's paths resolve Baton's packages to their sources (no build needed).
      extends: '../tsconfig.json',
      compilerOptions: {
        // Examples show values they then leave alone.
        noUnusedLocals: false,
      },
      include: ['*.ts'],
    },
    null,
    2,
  ),
);

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', outDir], {
  encoding: 'utf8',
});
const byModule = new Map(modules.map((m) => [m.name, m]));
const report = (tsc.stdout + tsc.stderr)
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => {
    const m = /^(?:\.doc-examples\/)?([^(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l);
    if (!m) return l;
    const mod = byModule.get(m[1].split('/').pop());
    if (!mod) return l;
    const at = Number(m[2]) - mod.preludeLines;
    // The fence is on mod.line; the block's code starts on the next line.
    return at > 0
      ? `${mod.doc}:${mod.line + at}: ${m[4]}`
      : `${mod.doc} (prelude of line ${mod.line}): ${m[4]}`;
  });
if (tsc.status !== 0) {
  if (!keep) rmSync(outDir, { recursive: true, force: true });
  console.error(
    `doc examples: ${report.length} problem(s) in ${modules.length} examples\n${report.join('\n')}`,
  );
  process.exit(1);
}

const runnable = modules.filter((m) => m.run);
const failures = [];
for (const m of runnable) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(outDir, m.name)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) {
    const output = (run.stderr || run.stdout).trim().split('\n').slice(-5).join('\n');
    failures.push(`${m.doc}:${m.line}: exited ${run.status ?? run.signal}\n${run.error?.message ?? output}`);
  }
}
if (!keep) rmSync(outDir, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(
    `doc examples: ${failures.length} of ${runnable.length} runnable examples failed\n${failures.join('\n')}`,
  );
  process.exit(1);
}
console.log(`doc examples: ${modules.length} TypeScript examples type-check; ${runnable.length} of them ran`);
