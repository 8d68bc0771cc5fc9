import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, type Entry, InvalidArgumentError } from '../../src/index.js';
import { type StoreFactory, useStore } from './harness.js';
import { instance, service, task, taskKey } from './kinds.js';

export function commitTests(makeStore: StoreFactory): void {
  const setup = useStore(makeStore);

  describe('commit (multi-object transactions)', () => {
    it('applies every op at one new version and returns per-op results', async () => {
      const { store } = await setup();
      await store.create('Service', service('web'));
      await store.create('Task', task('old'));
      const { version, results } = await store.commit([
        { op: 'create', kind: 'Task', object: task('a') },
        { op: 'create', kind: 'Task', object: task('b') },
        {
          op: 'update',
          kind: 'Service',
          key: 'default/web',
          change: (s) => {
            s.runningCount = 2;
          },
          ifVersion: 1,
        },
        { op: 'delete', kind: 'Task', key: taskKey('old') },
        { op: 'check', kind: 'Task', key: taskKey('zzz'), ifAbsent: true },
        { op: 'sequence', name: 'seq', value: 1 },
      ]);
      expect(version).toBe(3);
      expect(await store.version()).toBe(3);
      const [a, b, svc, old, check, seq] = results as [
        Entry<unknown>,
        Entry<unknown>,
        Entry<unknown>,
        Entry<unknown>,
        undefined,
        number,
      ];
      expect([a.version, b.version, svc.version]).toEqual([3, 3, 3]);
      expect(old).toMatchObject({ key: taskKey('old'), version: 2 });
      expect(check).toBeUndefined();
      expect(seq).toBe(1);
      expect((await store.list('Task')).items.map((e) => e.key)).toEqual([taskKey('a'), taskKey('b')]);
    });

    it('is all or nothing: one failed precondition and no op applies', async () => {
      const { store } = await setup();
      await store.create('Service', service('web'));
      await store.create('Task', task('a'));
      await store.update('Task', taskKey('a'), (t) => {
        t.lastStatus = 'RUNNING';
      });
      const err = await store
        .commit([
          { op: 'create', kind: 'Task', object: task('b') },
          {
            op: 'update',
            kind: 'Service',
            key: 'default/web',
            change: (s) => {
              s.runningCount = 1;
            },
          },
          { op: 'sequence', name: 'seq', value: 1 },
          { op: 'delete', kind: 'Task', key: taskKey('a'), ifVersion: 2 },
        ])
        .catch((e) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(await store.version()).toBe(3);
      expect(await store.get('Task', taskKey('b'))).toBeUndefined();
      expect((await store.get('Service', 'default/web'))?.object.runningCount).toBe(0);
      expect(await store.get('Task', taskKey('a'))).toBeDefined();
      expect(await store.sequence('seq')).toBe(0);
    });

    it('fails as a whole when a create hits an existing key', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      await expect(
        store.commit([
          { op: 'create', kind: 'Task', object: task('b') },
          { op: 'create', kind: 'Task', object: task('a') },
        ]),
      ).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store.get('Task', taskKey('b'))).toBeUndefined();
    });

    it('evaluates every precondition against the state before the commit', async () => {
      const { store } = await setup();
      await store.commit([
        { op: 'create', kind: 'Task', object: task('a') },
        { op: 'check', kind: 'Task', key: taskKey('a'), ifAbsent: true },
      ]);
      expect(await store.get('Task', taskKey('a'))).toBeDefined();
    });

    it('check ops: ifVersion and ifAbsent hold or fail the commit; checks alone write nothing', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      const ok = await store.commit([
        { op: 'check', kind: 'Task', key: taskKey('a'), ifVersion: 1 },
        { op: 'check', kind: 'Task', key: taskKey('b'), ifAbsent: true },
      ]);
      expect(ok.version).toBe(1);
      expect(await store.version()).toBe(1);
      const stale = await store
        .commit([
          { op: 'check', kind: 'Task', key: taskKey('a'), ifVersion: 7 },
          { op: 'create', kind: 'Task', object: task('b') },
        ])
        .catch((e) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect(stale).toMatchObject({ expected: 7, actual: 1 });
      const present = await store
        .commit([{ op: 'check', kind: 'Task', key: taskKey('a'), ifAbsent: true }])
        .catch((e) => e);
      expect(present).toBeInstanceOf(ConflictError);
      expect(present.message).toContain('absent');
      const gone = await store
        .commit([{ op: 'check', kind: 'Task', key: taskKey('q'), ifVersion: 1 }])
        .catch((e) => e);
      expect(gone).toBeInstanceOf(ConflictError);
      expect(await store.get('Task', taskKey('b'))).toBeUndefined();
    });

    it('list checks (notModifiedSince) fail once a matching object changed', async () => {
      const { store } = await setup();
      await store.create('Task', task('a', { containerInstanceArn: instance(1) }));
      const { version } = await store.list('Task', { index: 'byInstance', value: instance(1) });
      const check = {
        op: 'check',
        kind: 'Task',
        index: 'byInstance',
        value: instance(1),
        notModifiedSince: version,
      } as const;
      await expect(store.commit([check])).resolves.toMatchObject({ version });
      await store.create('Task', task('b', { containerInstanceArn: instance(1) }));
      const err = await store.commit([check]).catch((e) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.message).toContain('Task list');
      const all = await store.list('Task');
      await expect(
        store.commit([{ op: 'check', kind: 'Task', notModifiedSince: all.version }]),
      ).resolves.toBeDefined();
      await store.delete('Task', taskKey('a'));
      await expect(
        store.commit([{ op: 'check', kind: 'Task', notModifiedSince: all.version }]),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('rejects writing one key twice in a commit, and unknown ops', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      await expect(
        store.commit([
          {
            op: 'update',
            kind: 'Task',
            key: taskKey('a'),
            change: (t) => {
              t.lastStatus = 'RUNNING';
            },
          },
          { op: 'delete', kind: 'Task', key: taskKey('a') },
        ]),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.commit([{ op: 'explode' } as never])).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await store.version()).toBe(1);
    });

    it('an empty commit changes nothing', async () => {
      const { store } = await setup();
      await store.create('Task', task('a'));
      expect(await store.commit([])).toEqual({ version: 1, results: [] });
    });
  });
}
