import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepEqual } from '../src/deep-equal.js';
import {
  AlreadyExistsError,
  CompactedError,
  ConflictError,
  CorruptDataError,
  defineKinds,
  InvalidArgumentError,
  InvalidObjectError,
  kind,
  NotFoundError,
  StoreClosedError,
  StoreError,
  StoreLockedError,
  TransactionConflictError,
  WatchOverflowError,
} from '../src/index.js';
import type { ChangeRecord } from '../src/memory/change-record.js';
import { EventWindow } from '../src/memory/event-window.js';
import { SortedKeys } from '../src/memory/sorted-keys.js';

describe('deepEqual', () => {
  it('compares JSON-like data structurally', () => {
    expect(deepEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual({ a: [1] }, { a: [1, 2] })).toBe(false);
  });

  it('agrees with JSON equality on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(deepEqual(a, structuredClone(a))).toBe(true);
        if (deepEqual(a, b)) expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      }),
      { numRuns: 200 },
    );
  });
});

describe('SortedKeys', () => {
  it('matches a reference sorted set under random inserts, removes and prefix reads', () => {
    const key = fc.stringMatching(/^[a-c]{0,3}$/);
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), k: key }),
      fc.record({ t: fc.constant('remove' as const), k: key }),
      fc.record({ t: fc.constant('prefix' as const), k: key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const sk = new SortedKeys();
        const ref = new Set<string>();
        for (const o of ops) {
          if (o.t === 'add' && !ref.has(o.k)) {
            ref.add(o.k);
            sk.add(o.k);
          } else if (o.t === 'remove' && ref.has(o.k)) {
            ref.delete(o.k);
            sk.remove(o.k);
          } else if (o.t === 'prefix') {
            expect(sk.withPrefix(o.k)).toEqual([...ref].filter((k) => k.startsWith(o.k)).sort());
          }
        }
        expect(sk.all()).toEqual([...ref].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('merges on its own when the backlog grows (bounded memory, amortised cost)', () => {
    const sk = new SortedKeys();
    for (let i = 5000; i > 0; i--) sk.add(`k${String(i).padStart(5, '0')}`);
    for (let i = 1; i <= 5000; i += 2) sk.remove(`k${String(i).padStart(5, '0')}`);
    const all = sk.all();
    expect(all).toHaveLength(2500);
    expect(all[0]).toBe('k00002');
    expect(all.at(-1)).toBe('k05000');
  });
});

describe('EventWindow', () => {
  const rec = (version: number, key = 'k'): ChangeRecord => ({
    event: { type: 'ADDED', kind: 'K', key, version, object: {} as never, previous: undefined },
    oldIndex: undefined,
    newIndex: undefined,
  });

  it('keeps the last capacity events and tracks what was compacted', () => {
    const w = new EventWindow(3, 0);
    for (const v of [1, 2, 2, 3, 4]) w.push(rec(v));
    expect(w.size).toBe(3);
    // Version 2 was partly evicted, so it counts as compacted.
    expect(w.compactedThrough).toBe(2);
    expect(w.after(2).map((r) => r.event.version)).toEqual([3, 4]);
    expect(w.after(3).map((r) => r.event.version)).toEqual([4]);
    expect(w.after(4)).toEqual([]);
  });

  it('with capacity 0 retains nothing', () => {
    const w = new EventWindow(0, 0);
    w.push(rec(1));
    expect(w.compactedThrough).toBe(1);
    expect(w.after(0)).toEqual([]);
  });
});

describe('kinds', () => {
  it('rejects bad definitions', () => {
    expect(() => kind({ key: 'x' } as never)).toThrow(InvalidArgumentError);
    expect(() => kind({ key: (o: { a: string }) => o.a, indexes: { i: 1 } } as never)).toThrow(
      InvalidArgumentError,
    );
    expect(() => defineKinds({ '9bad': kind({ key: (o: { a: string }) => o.a }) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => defineKinds({ Good: {} as never })).toThrow(InvalidArgumentError);
  });

  it('infers index names when the key is annotated', () => {
    const k = kind({ key: (t: { id: string; svc: string }) => t.id, indexes: { bySvc: (t) => [t.svc] } });
    const kinds = defineKinds({ T: k });
    expect(Object.keys(kinds.T.indexes ?? {})).toEqual(['bySvc']);
    expect(Object.isFrozen(kinds)).toBe(true);
  });
});

describe('errors', () => {
  it('all carry a stable code and their class name', () => {
    const all: [StoreError, string][] = [
      [new ConflictError({ kind: 'K', key: 'k', expected: 1, actual: 2 }), 'CONFLICT'],
      [new NotFoundError('K', 'k'), 'NOT_FOUND'],
      [new AlreadyExistsError('K', 'k', 3), 'ALREADY_EXISTS'],
      [new CompactedError(1, 5), 'COMPACTED'],
      [new WatchOverflowError(4, 10), 'WATCH_OVERFLOW'],
      [new StoreClosedError(), 'STORE_CLOSED'],
      [new InvalidArgumentError('x'), 'INVALID_ARGUMENT'],
      [new InvalidObjectError('K', 'k', new Error('bad')), 'INVALID_OBJECT'],
      [new TransactionConflictError(3, new Error('c')), 'TRANSACTION_EXHAUSTED'],
      [new CorruptDataError('x'), 'CORRUPT_DATA'],
      [new StoreLockedError('x'), 'STORE_LOCKED'],
    ];
    for (const [err, code] of all) {
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.name).toBe(err.constructor.name);
    }
  });

  it('describe conflicts readably', () => {
    expect(new ConflictError({ kind: 'Task', key: 't', expected: 0, actual: 4 }).message).toBe(
      'conflict on Task "t": expected it to be absent but version 4 exists',
    );
    expect(new ConflictError({ kind: 'Task', key: 't', expected: 4, actual: 0 }).message).toBe(
      'conflict on Task "t": expected version 4 but it no longer exists',
    );
    expect(new CompactedError(3, 9).message).toContain('fromVersion 3 is compacted');
    expect(new NotFoundError('Task', 't', 2).message).toBe('Task "t" not found (expected version 2)');
  });
});
