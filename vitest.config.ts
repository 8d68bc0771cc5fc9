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

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
