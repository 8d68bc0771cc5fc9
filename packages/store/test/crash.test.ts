import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/index.js';
import { testKinds } from './conformance/kinds.js';
import { commitFor } from './fixtures/crash-plan.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const writer = join(here, 'fixtures', 'crash-writer.ts');

/** Runs the writer until it has acknowledged `target` more commits, then SIGKILLs it. */
function runAndKill(dir: string, target: number): Promise<{ start: number; acked: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let start = -1;
    const acked: number[] = [];
    let buf = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not reach ${target} acks; stderr: ${stderr}`));
    }, 15_000);
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d) => {
      buf += d;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const [word, a, b] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (word === 'ready') start = Number(a);
        if (word === 'ack') {
          expect(Number(b)).toBe(Number(a)); // commit n lands at version n
          acked.push(Number(a));
          if (acked.length === target) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${stderr}`));
      else resolve({ start, acked });
    });
  });
}

/** The state after the first k commits, built on a plain memory store. */
async function expectedAfter(k: number) {
  const ref = await createMemoryStore({ kinds: testKinds, clock: () => 0 });
  for (let n = 1; n <= k; n++) await ref.commit(commitFor(n));
  return ref;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('crash safety (SIGKILL mid-stream)', () => {
  it('loses at most unacknowledged writes; recovers a prefix of the commit stream, repeatedly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-crash-'));
    dirs.push(dir);
    let recovered = 0;
    for (const target of [120, 75, 160]) {
      const { start, acked } = await runAndKill(dir, target);
      expect(start).toBe(recovered); // the writer resumed exactly where the last recovery ended
      const store = await createMemoryStore({
        kinds: testKinds,
        clock: () => 0,
        persistence: { dir, snapshotEvery: 25 },
      });
      const version = await store.version();
      // Every acknowledged commit survived…
      expect(version).toBeGreaterThanOrEqual(Math.max(...acked));
      // …and the state is exactly the state after the first `version` commits: a prefix.
      const ref = await expectedAfter(version);
      for (const kind of ['Task', 'Counter'] as const) {
        expect((await store.list(kind)).items).toEqual((await ref.list(kind)).items);
      }
      expect(await store.sequence('commits')).toBe(version);
      await store.close();
      await ref.close();
      recovered = version;
    }
  }, 60_000);
});
