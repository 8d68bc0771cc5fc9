import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  InvalidObjectError,
  NotFoundError,
} from '../../src/index.js';
import { type StoreFactory, T0, useStore } from './harness.js';
import { service, task, taskKey } from './kinds.js';

export function crudTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('create / get / update / delete', () => {
    it('starts empty at version 0', async () => {
      const { store } = await setup();
      expect(await store.version()).toBe(0);
      expect(await store.get('Task', taskKey('a'))).toBeUndefined();
      expect((await store.list('Task')).items).toEqual([]);
    });

    it('create stores the object with metadata beside it, timestamps from the clock', async () => {
      const { store, clock } = await setup();
      clock.now = T0 + 5;
      const e = await store.create('Task', task('a'));
      expect(e).toEqual({
        kind: 'Task',
        key: taskKey('a'),
        object: task('a'),
        version: 1,
        createVersion: 1,
        generation: 1,
        createdAt: T0 + 5,
        updatedAt: T0 + 5,
      });
      expect(await store.get('Task', taskKey('a'))).toEqual(e);
      expect(await store.version()).toBe(1);
    });

    it('versions are global: one counter across kinds, +1 per commit', async () => {
      const { store } = await setup();
      expect((await store.create('Task', task('a'))).version).toBe(1);
      expect((await store.create('Service', service('web'))).version).toBe(2);
      expect(
        (
          await store.update('Task', taskKey('a'), (t) => {
            t.lastStatus = 'RUNNING';
          })
        ).version,
      ).toBe(3);
      expect((await store.delete('Service', 'default/web')).version).toBe(2);
      expect(await store.version()).toBe(4);
    });

    it('create of an existing key fails with AlreadyExistsError and changes nothing', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const err = await store.create('Task', task('a', { lastStatus: 'RUNNING' })).catch((e) => e);
      expect(err).toBeInstanceOf(AlreadyExistsError);
      expect(err.code).toBe('ALREADY_EXISTS');
      expect(err.message).toContain(taskKey('a'));
      expect(await store.version()).toBe(1);
      expect((await store.get('Task', taskKey('a')))?.object.lastStatus).toBe('PENDING');
    });

    it('update applies an immer recipe to the current object', async () => {
      const { store, clock } = await setup();
      const created = await store.create('Task', task('a'));
      clock.now = T0 + 1000;
      const e = await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
        t.containers[0]!.lastStatus = 'RUNNING';
      });
      expect(e.object.lastStatus).toBe('RUNNING');
      expect(e.object.containers[0]?.lastStatus).toBe('RUNNING');
      expect(e).toMatchObject({ version: 2, createVersion: 1, createdAt: T0, updatedAt: T0 + 1000 });
      // The old entry is untouched: entries are immutable snapshots.
      expect(created.object.lastStatus).toBe('PENDING');
      expect(created.version).toBe(1);
    });

    it('update accepts a replacement object', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const e = await store.update('Task', taskKey('a'), task('a', { lastStatus: 'STOPPED' }));
      expect(e.object).toEqual(task('a', { lastStatus: 'STOPPED' }));
      expect(e.version).toBe(2);
    });

    it('objects and entries handed out are deeply frozen', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      });
      const e = (await store.get('Task', taskKey('a')))!;
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.object)).toBe(true);
      expect(Object.isFrozen(e.object.containers)).toBe(true);
      expect(Object.isFrozen(e.object.containers[0])).toBe(true);
      expect(() => {
        (e.object as { lastStatus: string }).lastStatus = 'X';
      }).toThrow(TypeError);
      const listed = (await store.list('Task')).items[0]!;
      expect(Object.isFrozen(listed.object.containers[0])).toBe(true);
    });

    it('an update that changes nothing is a no-op: same version, store version unchanged', async () => {
      const { store, clock } = await setup();
      await store.create('Task', task('a'));
      clock.now = T0 + 1;
      const same = await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'PENDING';
      });
      expect(same).toMatchObject({ version: 1, updatedAt: T0 });
      const equal = await store.update('Task', taskKey('a'), task('a'));
      expect(equal.version).toBe(1);
      expect(await store.version()).toBe(1);
    });

    it('update and delete of a missing key fail with NotFoundError', async () => {
      const { store } = await setup();
      const u = await store
        .update('Task', taskKey('x'), (t) => {
          t.lastStatus = 'RUNNING';
        })
        .catch((e) => e);
      expect(u).toBeInstanceOf(NotFoundError);
      expect(u.code).toBe('NOT_FOUND');
      const d = await store.delete('Task', taskKey('x')).catch((e) => e);
      expect(d).toBeInstanceOf(NotFoundError);
      expect(await store.version()).toBe(0);
    });

    it('delete returns the deleted entry; a re-created key starts over', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      await store.update('Task', taskKey('a'), (t) => {
        t.desiredStatus = 'STOPPED';
      });
      const gone = await store.delete('Task', taskKey('a'));
      expect(gone).toMatchObject({ key: taskKey('a'), version: 2, generation: 2 });
      expect(await store.get('Task', taskKey('a'))).toBeUndefined();
      expect(await store.version()).toBe(3);
      const again = await store.create('Task', task('a'));
      expect(again).toMatchObject({ version: 4, createVersion: 4, generation: 1 });
    });

    it('an update may not change the key', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const err = await store.update('Task', taskKey('a'), task('b')).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(await store.get('Task', taskKey('b'))).toBeUndefined();
      expect(await store.version()).toBe(1);
    });

    it('a throwing recipe writes nothing and its error reaches the caller', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const boom = new Error('boom');
      await expect(
        store.update('Task', taskKey('a'), () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store.version()).toBe(1);
    });

    it("the kind's validate hook rejects bad objects with InvalidObjectError", async () => {
      const { store } = await setup();
      const err = await store.create('Counter', { name: 'c', value: -1 }).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidObjectError);
      expect(err.code).toBe('INVALID_OBJECT');
      expect(err.cause).toBeInstanceOf(Error);
      await store.create('Counter', { name: 'c', value: 1 });
      await expect(
        store.update('Counter', 'c', (c) => {
          c.value = 1.5;
        }),
      ).rejects.toBeInstanceOf(InvalidObjectError);
      expect((await store.get('Counter', 'c'))?.object.value).toBe(1);
    });

    it('unknown kinds and malformed calls reject (never throw synchronously)', async () => {
      const { store } = await setup();
      const unknownKind = 'Nope' as 'Task';
      const calls = [
        () => store.get(unknownKind, 'x'),
        () => store.list(unknownKind),
        () => store.create(unknownKind, task('a')),
        () => store.update(unknownKind, 'x', task('a')),
        () => store.delete(unknownKind, 'x'),
        () => store.list('Task', { index: 'nope', value: 'x' }),
        () => store.list('Task', { index: 'byService' }),
        () => store.create('Task', null as never),
        () => store.create('Task', [] as never),
      ];
      for (const call of calls) {
        let p: Promise<unknown> | undefined;
        expect(() => {
          p = call();
        }).not.toThrow();
        await expect(p).rejects.toBeInstanceOf(InvalidArgumentError);
      }
    });
  });

  describe('compare-and-set', () => {
    it('update with the current ifVersion succeeds', async () => {
      const { store } = await setup();
      const e = await store.create('Counter', { name: 'c', value: 0 });
      const u = await store.update(
        'Counter',
        'c',
        (c) => {
          c.value = 1;
        },
        { ifVersion: e.version },
      );
      expect(u.object.value).toBe(1);
    });

    it('a stale ifVersion fails with a ConflictError that says whose version won', async () => {
      const { store, clock } = await setup();
      const e = await store.create('Counter', { name: 'c', value: 0 });
      clock.now = Date.UTC(2025, 5, 1, 12, 0, 0);
      await store.update('Counter', 'c', (c) => {
        c.value = 10;
      }); // the winner
      const err = await store
        .update(
          'Counter',
          'c',
          (c) => {
            c.value = 1;
          },
          { ifVersion: e.version },
        )
        .catch((x) => x);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ code: 'CONFLICT', kind: 'Counter', key: 'c', expected: 1, actual: 2 });
      expect(err.actualUpdatedAt).toBe(clock.now);
      expect(err.message).toContain('Counter');
      expect(err.message).toContain('"c"');
      expect(err.message).toContain('expected version 1');
      expect(err.message).toContain('version 2 won');
      expect(err.message).toContain('2025-06-01T12:00:00.000Z');
      expect((await store.get('Counter', 'c'))?.object.value).toBe(10);
    });

    it('delete honours ifVersion; a deleted object cannot be updated with any ifVersion', async () => {
      const { store } = await setup();
      const e = await store.create('Counter', { name: 'c', value: 0 });
      await store.update('Counter', 'c', (c) => {
        c.value = 1;
      });
      await expect(store.delete('Counter', 'c', { ifVersion: e.version })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await store.delete('Counter', 'c', { ifVersion: 2 });
      await expect(
        store.update('Counter', 'c', { name: 'c', value: 3 }, { ifVersion: 2 }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('of two writers that read the same version, exactly one wins', async () => {
      const { store } = await setup();
      const e = await store.create('Counter', { name: 'c', value: 0 });
      const results = await Promise.allSettled([
        store.update(
          'Counter',
          'c',
          (c) => {
            c.value = 1;
          },
          { ifVersion: e.version },
        ),
        store.update(
          'Counter',
          'c',
          (c) => {
            c.value = 2;
          },
          { ifVersion: e.version },
        ),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
    });
  });
}
