import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, type Store } from '../../src/index.js';
import { type StoreFactory, useStore } from './harness.js';
import type { TestKinds } from './kinds.js';

/** The registerTaskDefinition pattern: take the family's next revision and create, atomically. */
export const register = (store: Store<TestKinds>, family: string, image = 'nginx') =>
  store
    .transaction(
      async (tx) => {
        const revision = await tx.nextSequence(`TaskDefinition/${family}`);
        await tx.create('TaskDefinition', { family, revision, status: 'ACTIVE', image });
        return revision;
      },
      { maxAttempts: 100 },
    )
    .then((r) => r.result);

export function sequenceTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('sequences', () => {
    it('start at 0 and advance by one, independently per name', async () => {
      const { store } = await setup();
      expect(await store.sequence('a')).toBe(0);
      expect(await store.nextSequence('a')).toBe(1);
      expect(await store.nextSequence('a')).toBe(2);
      expect(await store.nextSequence('b')).toBe(1);
      expect(await store.sequence('a')).toBe(2);
      expect(await store.version()).toBe(3);
    });

    it('sequence ops are compare-and-set and only move forward', async () => {
      const { store } = await setup();
      await store.commit([{ op: 'sequence', name: 's', value: 5 }]);
      const stale = await store.commit([{ op: 'sequence', name: 's', ifValue: 4, value: 6 }]).catch((e) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale.message).toContain('sequence "s"');
      await expect(store.commit([{ op: 'sequence', name: 's', value: 5 }])).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(store.commit([{ op: 'sequence', name: 's', value: 3 }])).rejects.toBeInstanceOf(
        ConflictError,
      );
      await store.commit([{ op: 'sequence', name: 's', ifValue: 5, value: 6 }]);
      expect(await store.sequence('s')).toBe(6);
    });

    it('advance atomically with the commit they belong to', async () => {
      const { store } = await setup();
      await store.create('TaskDefinition', { family: 'web', revision: 1, status: 'ACTIVE', image: 'x' });
      await expect(
        store.commit([
          { op: 'sequence', name: 'TaskDefinition/web', ifValue: 0, value: 1 },
          {
            op: 'create',
            kind: 'TaskDefinition',
            object: { family: 'web', revision: 1, status: 'ACTIVE', image: 'y' },
          },
        ]),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.sequence('TaskDefinition/web')).toBe(0);
    });

    it('a transaction can take several values; they commit together', async () => {
      const { store } = await setup();
      const r = await store.transaction(async (tx) => [
        await tx.nextSequence('s'),
        await tx.nextSequence('s'),
      ]);
      expect(r.result).toEqual([1, 2]);
      expect(await store.sequence('s')).toBe(2);
      await expect(
        store.transaction(async (tx) => {
          await tx.nextSequence('s');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.sequence('s')).toBe(2);
    });

    it('concurrent registrations get distinct, gap-free revisions', async () => {
      const { store } = await setup();
      const revisions = await Promise.all(Array.from({ length: 15 }, () => register(store, 'web')));
      expect([...revisions].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      const defs = await store.list('TaskDefinition', { index: 'byFamily', value: 'web' });
      expect(defs.items).toHaveLength(15);
    });

    it('never reuses a revision, even after the task definition is deleted', async () => {
      const { store } = await setup();
      expect(await register(store, 'web')).toBe(1);
      expect(await register(store, 'web')).toBe(2);
      await store.delete('TaskDefinition', 'web:2');
      await store.delete('TaskDefinition', 'web:1');
      expect(await register(store, 'web')).toBe(3);
      expect(await register(store, 'api')).toBe(1);
    });
  });
}
