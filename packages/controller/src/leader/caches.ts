import type { Entry, KindMap, KindName, ObjectOf, Store } from '@baton-ecs/store';
import { Subject } from 'rxjs';
import type { CacheChange, Informer } from '../informer.js';

/**
 * Waits until each informer's cache reflects the store as it is now — at least every write
 * committed before this call, which includes every write of the previous leader (its fence broke
 * before this replica won the lock). A new leader that planned from a cache still missing its
 * predecessor's last writes could start tasks twice. Resolves false on timeout or abort (the caller
 * decides; the controller then starts anyway and relies on compare-and-set).
 */
export async function catchUp<K extends KindMap>(
  store: Store<K>,
  informers: readonly Informer<K, KindName<K>>[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (const informer of informers) {
    const list = await store.list(informer.kind);
    while (
      !(informer.version !== undefined && informer.version >= list.version) &&
      !sameAs(informer, list.items)
    ) {
      if (signal?.aborted || Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return true;
}

function sameAs<K extends KindMap, N extends KindName<K>>(
  informer: Informer<K, N>,
  items: readonly Entry<ObjectOf<K, N>>[],
): boolean {
  if (informer.size !== items.length) return false;
  for (const e of items) if (informer.get(e.key)?.version !== e.version) return false;
  return true;
}

/**
 * An informer for one leadership term: the same cache, but its `changes` first replay every cached
 * object as ADDED (so a controller built now starts with the whole picture, as one built before the
 * first sync does) and end with the term (so a stopped term's controller hears nothing more).
 * Call `connect()` right after the consumer has subscribed, in the same synchronous run: the
 * replay and the live stream then meet with no gap and no duplicate.
 */
export function termInformer<K extends KindMap, N extends KindName<K>>(
  informer: Informer<K, N>,
  ended: AbortSignal,
): { readonly informer: Informer<K, N>; connect(): void } {
  const changes = new Subject<CacheChange<ObjectOf<K, N>>>();
  // Reads (get, values, size, version) fall through to the shared informer's cache.
  const scoped = Object.create(informer, { changes: { value: changes } }) as Informer<K, N>;
  return {
    informer: scoped,
    connect() {
      for (const e of informer.values()) {
        const added: CacheChange<ObjectOf<K, N>> = {
          type: 'ADDED',
          key: e.key,
          object: e,
          previous: undefined,
        };
        changes.next(added);
      }
      const live = informer.changes.subscribe({ next: (c) => changes.next(c) });
      const end = () => {
        live.unsubscribe();
        changes.complete();
      };
      if (ended.aborted) end();
      else ended.addEventListener('abort', end, { once: true });
    },
  };
}
