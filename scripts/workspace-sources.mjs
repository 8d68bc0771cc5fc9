#!/usr/bin/env node
// In-repo development resolves every workspace package to its TypeScript sources, so tests, examples,
// benches and scripts need no build; what is published points at dist/ only (no `source` export
// condition). Two adapters carry that rule: vitest.config.ts aliases each specifier below, and the root
// tsconfig.json `paths` serve `tsc -p tsconfig.json` and tsx (examples, doc examples, test subprocesses).
//
//   node scripts/workspace-sources.mjs           # list specifier -> source file
//   node scripts/workspace-sources.mjs --check   # tsconfig.json resolves each one to that file (in lint)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The source file behind a published entry: ./dist/a/b.js -> src/a/b.ts. */
function sourceOf(target) {
  const m = /^\.\/dist\/(.+)\.js$/.exec(target);
  return m ? `src/${m[1]}.ts` : undefined;
}

/** The entry file an exports value names for an ESM import (string, or the import/default condition). */
function importTarget(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return importTarget(value.import ?? value.default);
  return undefined;
}

/**
 * Every import specifier the workspace packages publish (`baton-ecs`, `@baton-ecs/model`, subpaths
 * such as `@baton-ecs/store/etcd`) with the absolute path of the TypeScript source it stands for.
 * Exports whose target is not under dist/ (package.json, say) are left to Node's own resolution.
 */
export function workspaceSources(root = repoRoot) {
  const out = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const exportsMap =
      typeof pkg.exports === 'string' || pkg.exports?.types || pkg.exports?.default
        ? { '.': pkg.exports }
        : (pkg.exports ?? {});
    for (const [key, value] of Object.entries(exportsMap)) {
      if (key.includes('*')) continue;
      const target = importTarget(value);
      const source = target && sourceOf(target);
      if (!source) continue;
      const file = join(root, 'packages', dir, source);
      if (!existsSync(file)) continue;
      out.push({ specifier: key === '.' ? pkg.name : `${pkg.name}${key.slice(1)}`, source: file });
    }
  }
  return out;
}

async function check(root) {
  const ts = (await import('typescript')).default;
  const configPath = join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const importer = join(root, 'examples', 'importer.ts');
  const problems = [];
  for (const { specifier, source } of workspaceSources(root)) {
    const resolved = ts.resolveModuleName(specifier, importer, options, ts.sys).resolvedModule
      ?.resolvedFileName;
    if (resolved !== source) {
      problems.push(
        `${specifier}: tsconfig.json resolves it to ${resolved ? relative(root, resolved) : 'nothing'}, expected ${relative(root, source)} (add it to compilerOptions.paths)`,
      );
    }
  }
  if (problems.length > 0) {
    console.error(`workspace sources: ${problems.length} problem(s)\n${problems.join('\n')}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) await check(repoRoot);
  else
    for (const { specifier, source } of workspaceSources())
      console.log(`${specifier} -> ${relative(repoRoot, source)}`);
}
