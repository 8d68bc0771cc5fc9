#!/usr/bin/env node
// The `baton` command (npx baton …): runs the built CLI (npm run build first).
await import('../dist/cli/main.js');
