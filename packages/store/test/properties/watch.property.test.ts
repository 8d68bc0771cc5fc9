import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CommitResult, createMemoryStore, type Op, type WatchEvent } from '../../src/index.js';
import { instance, type TestKinds, type TestTask, testKinds } from '../conformance/kinds.js';
import { Recorder } from '../conformance/recorder.js';
import { type Action, commitArb, eventsOf, stateAt, throughInstanceFilter, Workload } from './workload.js';

type Step =
  | { readonly t: 'commit'; readonly actions: readonly Action[]; readonly wait: boolean }
  | { readonly t: 'watch'; readonly replayBack: number | null; readonly inst: number | null }
  | { readonly t: 'yield' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('commit' as const), actions: commitArb, wait: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('watch' as const),
      replayBack: fc.option(fc.nat(6)),
      inst: fc.option(fc.integer({ min: 1, max: 3 })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'yield' as const }) },
);

const view = (e: WatchEvent<TestTask>) =>
  e.type === 'SYNCED'
    ? e
    : { type: e.type, key: e.key, version: e.version, object: e.object, previous: e.previous };

async function runProgram(steps: readonly Step[], durable: boolean): Promise<void> {
  const dir = durable ? await mkdtemp(join(tmpdir(), 'baton-prop-watch-')) : undefined;
  const store = await createMemoryStore({
    kinds: testKinds,
    clock: () => 0,
    persistence: dir ? { dir, snapshotEvery: 5 } : undefined,
  });
  try {
    const workload = new Workload();
    const commits: { ops: Op<TestKinds>[]; result: CommitResult }[] = [];
    const pending: Promise<unknown>[] = [];
    const watchers: { r: Recorder<TestTask>; start: number; from: number | null; arn: string | undefined }[] =
      [];
    let version = 0; // writes apply at call time, so this is the store's version
    for (const step of steps) {
      if (step.t === 'commit') {
        const ops = workload.ops(step.actions);
        version++;
        const p = store.commit(ops).then((result) => {
          commits.push({ ops, result });
        });
        pending.push(p);
        if (step.wait) await p;
      } else if (step.t === 'watch') {
        const from = step.replayBack === null ? null : Math.max(0, version - step.replayBack);
        const arn = step.inst === null ? undefined : instance(step.inst);
        const filter = arn
          ? ({ kind: 'Task', index: 'byInstance', value: arn } as const)
          : ({ kind: 'Task' } as const);
        const r = new Recorder(store.watch(filter, from === null ? {} : { fromVersion: from }));
        watchers.push({ r, start: version, from, arn });
      } else {
        await new Promise((res) => setImmediate(res));
      }
    }
    await Promise.all(pending);
    const all = eventsOf(commits);
    for (const w of watchers) {
      const expected: WatchEvent<TestTask>[] = [];
      if (w.from === null) {
        const snapshot = [...stateAt(all, w.start).values()]
          .filter((e) => w.arn === undefined || e.object.containerInstanceArn === w.arn)
          .sort((a, b) => (a.key < b.key ? -1 : 1));
        for (const e of snapshot) {
          expected.push({
            type: 'ADDED',
            kind: 'Task',
            key: e.key,
            version: e.version,
            object: e,
            previous: undefined,
          });
        }
      } else {
        for (const e of all) {
          const f =
            e.version > (w.from as number) && e.version <= w.start
              ? throughInstanceFilter(e, w.arn)
              : undefined;
          if (f) expected.push(f);
        }
      }
      expected.push({ type: 'SYNCED', version: w.start });
      for (const e of all) {
        const f = e.version > w.start ? throughInstanceFilter(e, w.arn) : undefined;
        if (f) expected.push(f);
      }
      await w.r.until(() => w.r.events.length >= expected.length, `${expected.length} events`);
      await w.r.settle(2);
      expect(w.r.error).toBeUndefined();
      expect(w.r.events.map(view)).toEqual(expected.map(view));
      w.r.stop();
    }
  } finally {
    await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

describe('property: every watcher sees exactly the committed sequence from its start', () => {
  it('memory backend', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 40 }), (steps) => runProgram(steps, false)),
      { numRuns: 120 },
    );
  });

  it('durable backend (delivery gated on fsync)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 30 }), (steps) => runProgram(steps, true)),
      { numRuns: 20 },
    );
  }, 30_000);
});
