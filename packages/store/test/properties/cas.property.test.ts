import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, createMemoryStore, type Store } from '../../src/index.js';
import { type TestKinds, testKinds } from '../conformance/kinds.js';

interface Plan {
  readonly writers: number;
  readonly increments: number;
  readonly counters: number;
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  writers: fc.integer({ min: 2, max: 6 }),
  increments: fc.integer({ min: 1, max: 8 }),
  counters: fc.integer({ min: 1, max: 3 }),
});

const counterFor = (w: number, i: number, p: Plan) => `c${(w + i) % p.counters}`;

async function setup(p: Plan): Promise<Store<TestKinds>> {
  const store = await createMemoryStore({ kinds: testKinds });
  for (let c = 0; c < p.counters; c++) await store.create('Counter', { name: `c${c}`, value: 0 });
  return store;
}

async function expectExact(store: Store<TestKinds>, p: Plan): Promise<void> {
  const want = new Map<string, number>();
  for (let w = 0; w < p.writers; w++) {
    for (let i = 0; i < p.increments; i++)
      want.set(counterFor(w, i, p), (want.get(counterFor(w, i, p)) ?? 0) + 1);
  }
  for (const [name, n] of want) expect((await store.get('Counter', name))?.object.value).toBe(n);
  await store.close();
}

describe('property: compare-and-set never loses an update among concurrent writers', () => {
  it('get + update(ifVersion) with retry on conflict, under random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, fc.scheduler(), async (p, s) => {
        const store = await setup(p);
        const writer = async (w: number) => {
          for (let i = 0; i < p.increments; i++) {
            const name = counterFor(w, i, p);
            for (;;) {
              const e = (await s.schedule(store.get('Counter', name)))!;
              try {
                await s.schedule(
                  store.update(
                    'Counter',
                    name,
                    { name, value: e.object.value + 1 },
                    { ifVersion: e.version },
                  ),
                );
                break;
              } catch (err) {
                if (!(err instanceof ConflictError)) throw err;
              }
            }
          }
        };
        const done = Promise.all(Array.from({ length: p.writers }, (_, w) => writer(w)));
        await s.waitFor(done);
        await expectExact(store, p);
      }),
      { numRuns: 60 },
    );
  });

  it('transaction() increments, under random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, fc.scheduler(), async (p, s) => {
        const store = await setup(p);
        const writer = async (w: number) => {
          for (let i = 0; i < p.increments; i++) {
            const name = counterFor(w, i, p);
            await store.transaction(
              async (tx) => {
                const e = (await s.schedule(tx.get('Counter', name)))!;
                await s.schedule(tx.update('Counter', name, { name, value: e.object.value + 1 }));
              },
              { maxAttempts: 1000, backoff: () => 0 },
            );
          }
        };
        const done = Promise.all(Array.from({ length: p.writers }, (_, w) => writer(w)));
        await s.waitFor(done);
        await expectExact(store, p);
      }),
      { numRuns: 60 },
    );
  });
});
