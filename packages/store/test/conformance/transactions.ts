import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  type Transaction,
  TransactionConflictError,
} from '../../src/index.js';
import { type StoreFactory, useStore } from './harness.js';
import { instance, type TestKinds, task, taskKey } from './kinds.js';

export function transactionTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('transaction (optimistic STM)', () => {
    it('commits a read-modify-write and reports result, version and attempts', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 1 });
      const r = await store.transaction(async (tx) => {
        const c = await tx.get('Counter', 'c');
        await tx.update('Counter', 'c', (d) => {
          d.value = (c?.object.value ?? 0) * 10;
        });
        await tx.create('Counter', { name: 'd', value: 5 });
        return 'ok';
      });
      expect(r).toEqual({ result: 'ok', version: 2, attempts: 1 });
      expect((await store.get('Counter', 'c'))?.object.value).toBe(10);
      expect((await store.get('Counter', 'd'))?.version).toBe(2);
    });

    it('reads see the transaction’s own buffered writes (get and list)', async () => {
      const { store } = await setup();
      await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
      await store.create('Task', task('b', { containerInstanceArn: instance(1) }));
      await store.create('Task', task('c', { containerInstanceArn: instance(1) }));
      await store.transaction(async (tx) => {
        await tx.update('Task', taskKey('a'), (t) => {
          t.lastStatus = 'RUNNING';
        });
        await tx.update('Task', taskKey('b'), (t) => {
          t.containerInstanceArn = instance(2);
        });
        await tx.delete('Task', taskKey('c'));
        await tx.create('Task', task('d', { containerInstanceArn: instance(1) }));
        expect((await tx.get('Task', taskKey('a')))?.object.lastStatus).toBe('RUNNING');
        expect(await tx.get('Task', taskKey('c'))).toBeUndefined();
        const d = await tx.get('Task', taskKey('d'));
        expect(d).toMatchObject({ version: 0, createVersion: 0 });
        const onOne = await tx.list('Task', { index: 'byInstance', value: instance(1) });
        expect(onOne.map((e) => e.key)).toEqual([taskKey('a'), taskKey('d')]);
        expect(onOne[0]?.object.lastStatus).toBe('RUNNING');
        expect((await tx.list('Task')).map((e) => e.key)).toEqual([taskKey('a'), taskKey('b'), taskKey('d')]);
      });
      expect(
        (await store.list('Task', { index: 'byInstance', value: instance(1) })).items.map((e) => e.key),
      ).toEqual([taskKey('a'), taskKey('d')]);
    });

    it('is all or nothing: when fn throws, nothing is written and the error propagates', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 1 });
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          await tx.update('Counter', 'c', (d) => {
            d.value = 2;
          });
          await tx.create('Counter', { name: 'd', value: 1 });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store.version()).toBe(1);
      expect(await store.get('Counter', 'd')).toBeUndefined();
    });

    it('retries when a value it read was changed concurrently, then sees the new value', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 1 });
      const seen: number[] = [];
      const r = await store.transaction(async (tx) => {
        const c = (await tx.get('Counter', 'c'))!;
        seen.push(c.object.value);
        if (tx.attempt === 1)
          await store.update('Counter', 'c', (d) => {
            d.value = 100;
          }); // a rival writer
        await tx.update('Counter', 'c', (d) => {
          d.value += 1;
        });
      });
      expect(seen).toEqual([1, 100]);
      expect(r.attempts).toBe(2);
      expect((await store.get('Counter', 'c'))?.object.value).toBe(101);
    });

    it('retries when an object appears in a list it read (no phantoms)', async () => {
      const { store } = await setup();
      await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
      const r = await store.transaction(async (tx) => {
        const onInstance = await tx.list('Task', { index: 'byInstance', value: instance(1) });
        if (tx.attempt === 1)
          await store.create('Task', task('rival', { containerInstanceArn: instance(1) }));
        // Place only if the instance has room for one more (capacity 2).
        if (onInstance.length < 2)
          await tx.create('Task', task('placed', { containerInstanceArn: instance(1) }));
        return onInstance.length;
      });
      expect(r).toMatchObject({ result: 2, attempts: 2 });
      expect(await store.get('Task', taskKey('placed'))).toBeUndefined();
    });

    it('retries rather than surfacing an error caused by an inconsistent read', async () => {
      const { store } = await setup();
      // Invariant: a and b are always written together with equal values.
      await store.commit([
        { op: 'create', kind: 'Counter', object: { name: 'a', value: 1 } },
        { op: 'create', kind: 'Counter', object: { name: 'b', value: 1 } },
      ]);
      const r = await store.transaction(async (tx) => {
        const a = (await tx.get('Counter', 'a'))!.object.value;
        if (tx.attempt === 1) {
          await store.commit([
            { op: 'update', kind: 'Counter', key: 'a', change: { name: 'a', value: 2 } },
            { op: 'update', kind: 'Counter', key: 'b', change: { name: 'b', value: 2 } },
          ]);
        }
        const b = (await tx.get('Counter', 'b'))!.object.value;
        if (a !== b) throw new Error(`invariant broken: ${a} != ${b}`);
        return a;
      });
      expect(r).toMatchObject({ result: 2, attempts: 2 });
    });

    it('gives up after maxAttempts with a TransactionConflictError naming the last conflict', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 0 });
      let runs = 0;
      const err = await store
        .transaction(
          async (tx) => {
            runs++;
            await tx.get('Counter', 'c');
            await store.update('Counter', 'c', (d) => {
              d.value += 1;
            });
            await tx.update('Counter', 'c', (d) => {
              d.value = 0;
            });
          },
          { maxAttempts: 3, backoff: () => 0 },
        )
        .catch((e) => e);
      expect(err).toBeInstanceOf(TransactionConflictError);
      expect(err).toMatchObject({ code: 'TRANSACTION_EXHAUSTED', attempts: 3 });
      expect(err.cause).toBeInstanceOf(ConflictError);
      expect(err.message).toContain('3 attempts');
      expect(err.message).toContain('Counter');
      expect(runs).toBe(3);
      expect((await store.get('Counter', 'c'))?.object.value).toBe(3);
    });

    it('surfaces AlreadyExists / NotFound from a consistent view without retrying', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 0 });
      let runs = 0;
      await expect(
        store.transaction(async (tx) => {
          runs++;
          await tx.create('Counter', { name: 'c', value: 1 });
        }),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(
        store.transaction((tx) => tx.update('Counter', 'x', { name: 'x', value: 1 })),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.transaction((tx) => tx.delete('Counter', 'x'))).rejects.toBeInstanceOf(
        NotFoundError,
      );
      expect(runs).toBe(1);
    });

    it('concurrent transactions on one counter serialise: no lost increments', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 0 });
      const increment = () =>
        store.transaction(
          async (tx) => {
            const c = (await tx.get('Counter', 'c'))!;
            await tx.update('Counter', 'c', { name: 'c', value: c.object.value + 1 });
          },
          { maxAttempts: 50 },
        );
      await Promise.all(Array.from({ length: 12 }, increment));
      expect((await store.get('Counter', 'c'))?.object.value).toBe(12);
    });

    it('a read-only transaction validates its reads and writes nothing', async () => {
      const { store } = await setup();
      await store.create('Counter', { name: 'c', value: 4 });
      const r = await store.transaction(async (tx) => (await tx.get('Counter', 'c'))?.object.value);
      expect(r).toEqual({ result: 4, version: 1, attempts: 1 });
      expect(await store.version()).toBe(1);
    });

    it('a transaction handle cannot be used after fn returns', async () => {
      const { store } = await setup();
      let leaked: Transaction<TestKinds> | undefined;
      await store.transaction((tx) => {
        leaked = tx;
      });
      await expect(leaked!.get('Counter', 'c')).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('deletes commit with the versions read', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      await store.transaction(async (tx) => {
        await tx.delete('Task', taskKey('a'));
        expect(await tx.get('Task', taskKey('a'))).toBeUndefined();
      });
      expect(await store.get('Task', taskKey('a'))).toBeUndefined();
    });
  });
}
