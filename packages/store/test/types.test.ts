import type { Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createMemoryStore,
  defineKinds,
  type Entry,
  type IndexName,
  kind,
  type ObjectOf,
  type Op,
  type Store,
  type WatchEvent,
} from '../src/index.js';
import { type TestKinds, type TestTask, testKinds } from './conformance/kinds.js';

describe('typing (checked by tsc; trivially true at runtime)', () => {
  it('maps kind names to object types through the store API', async () => {
    const store: Store<TestKinds> = await createMemoryStore({ kinds: testKinds });
    expectTypeOf(store.get('Task', 'k')).resolves.toEqualTypeOf<Entry<TestTask> | undefined>();
    expectTypeOf(store.list('Task'))
      .resolves.toHaveProperty('items')
      .toEqualTypeOf<readonly Entry<TestTask>[]>();
    expectTypeOf(store.watch({ kind: 'Task' })).toEqualTypeOf<Observable<WatchEvent<TestTask>>>();
    expectTypeOf<ObjectOf<TestKinds, 'Counter'>>().toEqualTypeOf<{
      readonly name: string;
      readonly value: number;
    }>();
    // Never called: these lines exist for the type checker.
    const typeOnly = () => {
      // A recipe's draft is the writable object type.
      void store.update('Task', 'k', (draft) => {
        expectTypeOf(draft.lastStatus).toEqualTypeOf<string>();
      });
      // @ts-expect-error — not a registered kind
      void store.get('Nope', 'k');
      // @ts-expect-error — a Counter is not a Task
      void store.create('Task', { name: 'c', value: 1 });
    };
    void typeOnly;
    const ops: Op<TestKinds>[] = [
      { op: 'create', kind: 'Counter', object: { name: 'c', value: 1 } },
      // @ts-expect-error — object of the wrong kind inside a commit op
      { op: 'create', kind: 'Counter', object: { taskArn: 'x' } },
    ];
    void ops;
    await store.close();
  });

  it('types index names when they are inferred', () => {
    const kinds = defineKinds({
      Thing: kind({
        key: (t: { id: string; owner: string }) => t.id,
        indexes: { byOwner: (t) => [t.owner] },
      }),
    });
    expectTypeOf<IndexName<typeof kinds, 'Thing'>>().toEqualTypeOf<'byOwner'>();
    const typed = async (store: Store<typeof kinds>) => {
      await store.list('Thing', { index: 'byOwner', value: 'x' });
      // @ts-expect-error — no such index
      await store.list('Thing', { index: 'byNothing', value: 'x' });
    };
    void typed;
  });
});
