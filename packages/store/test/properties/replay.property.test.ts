import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryStore, type Op, type Store } from '../../src/index.js';
import { type TestKinds, testKinds } from '../conformance/kinds.js';
import { type Action, commitArb, Workload } from './workload.js';

type Step =
  | { readonly t: 'commit'; readonly actions: readonly Action[]; readonly seq: boolean }
  | { readonly t: 'flush' }
  | { readonly t: 'reopen' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ t: fc.constant('commit' as const), actions: commitArb, seq: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.constant({ t: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
);

async function dump(store: Store<TestKinds>) {
  return {
    version: await store.version(),
    tasks: (await store.list('Task')).items,
    byInstance: (
      await store.list('Task', {
        index: 'byInstance',
        value: 'arn:aws:ecs:us-east-1:123456789012:container-instance/default/i-1',
      })
    ).items,
    seq: await store.sequence('s'),
  };
}

describe('property: replaying the log (and snapshot + log) reproduces the live state', () => {
  it('for random commit streams, snapshot intervals and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (steps, every) => {
          const dir = await mkdtemp(join(tmpdir(), 'baton-prop-replay-'));
          let t = 0;
          const open = () =>
            createMemoryStore({
              kinds: testKinds,
              clock: () => ++t,
              persistence: { dir, snapshotEvery: every },
            });
          // The same commits on a plain memory store with the same clock: the state it must equal.
          let t2 = 0;
          const reference = await createMemoryStore({ kinds: testKinds, clock: () => ++t2 });
          let store = await open();
          try {
            const workload = new Workload();
            let pending: Promise<unknown>[] = [];
            for (const step of steps) {
              if (step.t === 'commit') {
                const ops: Op<TestKinds>[] = workload.ops(step.actions);
                if (step.seq)
                  ops.push({ op: 'sequence', name: 's', value: (await reference.sequence('s')) + 1 });
                pending.push(store.commit(ops));
                await reference.commit(ops);
              } else {
                await Promise.all(pending);
                pending = [];
                if (step.t === 'reopen') {
                  await store.close();
                  store = await open();
                }
              }
            }
            await Promise.all(pending);
            const live = await dump(store);
            expect(live).toEqual(await dump(reference));
            await store.close();
            store = await open();
            expect(await dump(store)).toEqual(live);
          } finally {
            await store.close();
            await reference.close();
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 40_000);
});
