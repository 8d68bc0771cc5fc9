// npm run bench -- import: what importing Baton costs a user. Cold import time of the main package and of
// the testing package (median of fresh Node processes importing the built dist/, as a user's program does,
// beside bare Node's start), and how many third-party packages installing each pulls in (the production
// dependency closure from package-lock.json). Last line: one JSON object.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { machine } from './_machine.js';

const root = join(import.meta.dirname, '..');
const runs = Number(process.env.IMPORT_RUNS ?? 11);

/**
 * Medians over `runs` fresh processes evaluating `code` as an ES module: wall time, and CPU time (user +
 * system, as the child reports it after the import), which holds steady when the machine is busy.
 */
function medianStart(code: string): { wallMs: number; cpuMs: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  const probe = `${code};const u=process.cpuUsage();console.log(JSON.stringify(u));`;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: root,
      encoding: 'utf8',
    });
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 0) throw new Error(`node -e ${code} failed: ${r.stderr}`);
    const usage = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { user: number; system: number };
    cpu.push((usage.user + usage.system) / 1000);
  }
  const median = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0);
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

interface LockEntry {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly link?: boolean;
  readonly resolved?: string;
  readonly name?: string;
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const workspaceByName = new Map<string, string>();
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path.startsWith('packages/') && entry.name) workspaceByName.set(entry.name, path);
}

/** Where Node would find `name` from the package at `from` (node_modules lookup, nested first). */
function locate(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

/** Third-party packages installing `workspace` brings (workspace packages themselves not counted). */
function dependencyClosure(workspace: string): number {
  const seen = new Set<string>();
  const visitWorkspace = new Set<string>();
  const walk = (path: string) => {
    const entry = lock.packages[path];
    if (!entry) return;
    const deps = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const name of Object.keys(deps)) {
      const ws = workspaceByName.get(name);
      if (ws) {
        if (!visitWorkspace.has(ws)) {
          visitWorkspace.add(ws);
          walk(ws);
        }
        continue;
      }
      const at = locate(name, path.startsWith('packages/') ? '' : path);
      if (at && !seen.has(at)) {
        seen.add(at);
        walk(at);
      }
    }
  };
  const path = workspaceByName.get(workspace);
  if (!path) throw new Error(`no workspace package ${workspace}`);
  visitWorkspace.add(path);
  walk(path);
  return seen.size;
}

const bare = medianStart('');
const main = medianStart("await import('baton-ecs')");
const testing = medianStart("await import('@baton-ecs/testing')");
// What no change to Baton's own code can remove: the third-party libraries its packages import at load.
const floor = medianStart(
  "await Promise.all([import('rxjs'), import('zod'), import('fp-ts/lib/Either.js'), import('immer')])",
);
const pure = ['@baton-ecs/model', '@baton-ecs/scheduler', '@baton-ecs/reconciler', '@baton-ecs/scaler'];
const [load1] = loadavg();
const result = {
  bench: 'import',
  runs,
  bareNodeMs: bare.wallMs,
  mainImportMs: main.wallMs,
  mainAboveBareMs: main.wallMs - bare.wallMs,
  testingImportMs: testing.wallMs,
  testingAboveBareMs: testing.wallMs - bare.wallMs,
  cpu: {
    bareNodeMs: bare.cpuMs,
    mainAboveBareMs: main.cpuMs - bare.cpuMs,
    testingAboveBareMs: testing.cpuMs - bare.cpuMs,
    dependencyFloorAboveBareMs: floor.cpuMs - bare.cpuMs,
  },
  dependencyFloorAboveBareMs: floor.wallMs - bare.wallMs,
  goals: { mainAboveBareMs: 250, testingAboveBareMs: 120 },
  installedPackages: {
    baton: dependencyClosure('baton-ecs'),
    '@baton-ecs/testing': dependencyClosure('@baton-ecs/testing'),
    ...Object.fromEntries(pure.map((p) => [p, dependencyClosure(p)])),
  },
  loadAverage1m: Math.round((load1 ?? 0) * 100) / 100,
  machine: machine(),
};
console.log(
  `bare node ${bare.wallMs} ms; import baton +${main.wallMs - bare.wallMs} ms (CPU +${main.cpuMs - bare.cpuMs} ms); ` +
    `import @baton-ecs/testing +${testing.wallMs - bare.wallMs} ms (CPU +${testing.cpuMs - bare.cpuMs} ms); ` +
    `rxjs + zod + fp-ts + immer alone +${floor.wallMs - bare.wallMs} ms (CPU +${floor.cpuMs - bare.cpuMs} ms); ` +
    `median of ${runs} processes; load ${result.loadAverage1m}`,
);
console.log(JSON.stringify(result));
