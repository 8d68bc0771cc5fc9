import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { workspaceSources } from './scripts/workspace-sources.mjs';

// Tests import workspace packages by their published names and run against src/ without a build:
// each specifier a package exports is aliased to its TypeScript source (scripts/workspace-sources.mjs).
const alias = workspaceSources().map(({ specifier, source }) => ({
  find: new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
  replacement: source,
}));

// Test subprocesses started with `--import tsx` resolve the same way through tsconfig.json's paths,
// whatever their working directory.
process.env.TSX_TSCONFIG_PATH ??= join(import.meta.dirname, 'tsconfig.json');

const include = ['packages/*/test/**/*.test.ts'];
/**
 * Files that drive real components (Docker engines, etcd members, browsers, `baton serve` and agent
 * processes): they spend most of their time waiting on them, and they are the longest files.
 */
const realComponents = [
  'packages/*/test/**/*.e2e.test.ts',
  'packages/*/test/integration/**/*.test.ts',
  'packages/*/test/ha/**/*.test.ts',
];

/**
 * Two groups, one after the other (docs/testing.md, "How the suite runs"). First the in-process files
 * (unit, property, simulation): CPU-bound, one worker per core, so none starves another's timing.
 * Then the real-component files, four side by side whatever the cores: they wait far more than they
 * compute, so on 2 cores four of them overlap their waits (vitest's default, cores − 1, runs one file
 * at a time on such a machine). Side by side, each such file owns what it changes: its own cluster
 * names, engines, ports, namespaces and etcd prefixes.
 */
export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include,
          exclude: realComponents,
          maxWorkers: availableParallelism(),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'real-components',
          include: realComponents,
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
