import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitIndex } from '../src/fit-index.js';
import { ResourceOrder } from '../src/resource-order.js';
import { SortedKeys } from '../src/sorted-keys.js';
import type { CandidateBuckets } from '../src/static-candidates.js';

// The incremental indexes behind small placements, each against a brute-force model under random
// updates (the placement properties check them end to end; these reach sizes and update patterns
// the small random clusters there rarely do).

const take = <T>(all: T[], limit: number) => all.slice(0, limit);

describe('SortedKeys', () => {
  it('holds what a sorted array holds, through inserts and deletes, and scans from any bound', () => {
    const op = fc.oneof(
      // Inserts outnumber deletes and crowd into one range, so blocks fill up and split.
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('insert' as const),
          key: fc.oneof(fc.integer({ min: -50, max: 400 }), fc.integer({ min: 100, max: 110 })),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('delete' as const),
          key: fc.integer({ min: -50, max: 400 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('scan' as const),
          key: fc.integer({ min: -60, max: 410 }),
          limit: fc.integer({ min: 1, max: 300 }),
        }),
      },
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 400 }), { maxLength: 300, size: 'max' }),
        fc.array(op, { minLength: 300, maxLength: 1000 }),
        (initial, ops) => {
          const model = [...initial].sort((a, b) => a - b);
          const keys = new SortedKeys(Float64Array.from(model));
          for (const o of ops) {
            if (o.kind === 'insert') {
              keys.insert(o.key);
              model.push(o.key);
              model.sort((a, b) => a - b);
            } else if (o.kind === 'delete') {
              const at = model.indexOf(o.key);
              expect(keys.delete(o.key)).toBe(at >= 0);
              if (at >= 0) model.splice(at, 1);
            } else {
              const seen: number[] = [];
              keys.scanFrom(o.key, (k) => {
                seen.push(k);
                return seen.length < o.limit;
              });
              expect(seen).toEqual(
                take(
                  model.filter((k) => k >= o.key),
                  o.limit,
                ),
              );
            }
          }
          const all: number[] = [];
          keys.scanFrom(Number.NEGATIVE_INFINITY, (k) => all.push(k) > 0);
          expect(all).toEqual(model);
        },
      ),
      { numRuns: 100 },
    );
  });
});

const valuesArb = fc.constantFrom(0, 64, 128, 256, 512, 1024, 2048);
const indexCase = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    /** Which instances are in the list (in index order), and in which of two leaves. */
    member: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
    cpu: fc.array(valuesArb, { minLength: n, maxLength: n }),
    memory: fc.array(valuesArb, { minLength: n, maxLength: n }),
    ops: fc.array(
      fc.record({
        index: fc.nat({ max: n - 1 }),
        cpu: valuesArb,
        memory: valuesArb,
        wantCpu: valuesArb,
        wantMemory: valuesArb,
        limit: fc.integer({ min: 1, max: 40 }),
      }),
      { minLength: 10, maxLength: 80 },
    ),
  }),
);

describe('FitIndex', () => {
  it('visits, in list order, exactly the instances of a range with enough CPU and memory', () => {
    fc.assert(
      fc.property(indexCase, ({ n, member, cpu, memory, ops }) => {
        const list = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => member[i] !== 0));
        const cpuLeft = Float64Array.from(cpu);
        const memoryLeft = Float64Array.from(memory);
        const fit = new FitIndex(list, cpuLeft, memoryLeft, n);
        for (const o of ops) {
          cpuLeft[o.index] = o.cpu;
          memoryLeft[o.index] = o.memory;
          fit.update(o.index, o.cpu, o.memory);
          const from = Math.min(list.length, o.limit % 7);
          const to = Math.max(from, list.length - (o.limit % 5));
          const seen: number[] = [];
          fit.scan(from, to, o.wantCpu, o.wantMemory, (i) => seen.push(i) < o.limit);
          const expected = [...list.subarray(from, to)].filter(
            (i) => cpuLeft[i]! >= o.wantCpu && memoryLeft[i]! >= o.wantMemory,
          );
          expect(seen).toEqual(take(expected, o.limit));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('ResourceOrder', () => {
  it('visits each leaf by (value, index) from the demand up, as values change', () => {
    fc.assert(
      fc.property(indexCase, ({ n, member, cpu, ops }) => {
        const leaves = [1, 2].map((leaf) =>
          Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => member[i] === leaf)),
        );
        let offset = 0;
        const root: CandidateBuckets = {
          children: leaves.map((members) => {
            const bucket = { members, offset };
            offset += members.length;
            return bucket;
          }),
        };
        const values = Float64Array.from(cpu);
        const order = new ResourceOrder(root, values, n);
        expect(order.usable).toBe(true);
        for (const o of ops) {
          values[o.index] = o.cpu;
          order.changed(o.index);
          // Changes pile up unread sometimes (as binpack's do within a call), then apply together.
          if (o.limit % 3 === 0) continue;
          for (const members of leaves) {
            const seen: number[] = [];
            order.scan(order.leafIdOf(members), o.wantCpu, (i) => seen.push(i) < o.limit);
            const expected = [...members]
              .filter((i) => values[i]! >= o.wantCpu)
              .sort((a, b) => values[a]! - values[b]! || a - b);
            expect(seen).toEqual(take(expected, o.limit));
          }
        }
        const last = ops[0]?.index ?? 0;
        values[last] = 0.5;
        order.changed(last);
        expect(order.usable).toBe(member[last] === 0);
      }),
      { numRuns: 200 },
    );
  });
});
