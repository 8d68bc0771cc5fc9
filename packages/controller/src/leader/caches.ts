import { type Clock, systemClock } from '@baton-ecs/loop';
import type { Entry, KindMap, KindName, ObjectOf, Store } from '@baton-ecs/store';
import { Subject, type Subscription } from 'rxjs';
import type { CacheChange, Informer } from '../informer.js';

/**
 * Waits until each informer's cache reflects the store as it is now — at least every write
 * committed before this call, which includes every write of the previous leader (its fence broke
 * before this replica won the lock). A new leader that planned from a cache still missing its
 * predecessor's last writes could start tasks twice. Resolves false on timeout (on `clock`) or
 * abort (the caller decides; the controller then starts anyway and relies on compare-and-set).
 *
 * An informer has caught up when its version reached the list's, or when its cache holds exactly
 * what the list does (a per-kind watch never hears of other kinds' writes, so on a store whose
 * version is global its version can stay behind while its cache is complete).
 */
export async function catchUp<K extends KindMap>(
  store: Store<K>,
  informers: readonly Informer<K, KindName<K>>[],
  timeoutMs: number,
  signal?: AbortSignal,
  clock: Clock = systemClock,
): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  for (const informer of informers) {
    const list = await store.list(informer.kind);
    const caught = await waitForCache(
      informer,
      () =>
        (informer.version !== undefined && informer.version >= list.version) || sameAs(informer, list.items),
      { timeoutMs: Math.max(0, deadline - clock.now()), clock, ...(signal ? { signal } : {}) },
    );
    if (!caught) return false;
  }
  return true;
}

export interface WaitForCacheOptions {
  readonly timeoutMs: number;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

/**
 * Resolves true as soon as `holds()` is true of the informer's cache — checked now and after each
 * version the informer applies — or false at the timeout (on `clock`), on abort, or when the
 * informer stops. No polling: a cache only changes when its informer applies something, and every
 * change is followed by a version (a re-list's at its end). Checking per version, not per change,
 * keeps a whole-cache `holds` (catchUp's) from costing changes × cache size during a re-list, and
 * never judges a re-list's partial snapshot.
 */
export function waitForCache<K extends KindMap, N extends KindName<K>>(
  informer: Informer<K, N>,
  holds: () => boolean,
  options: WaitForCacheOptions,
): Promise<boolean> {
  const { clock = systemClock, signal } = options;
  if (holds()) return Promise.resolve(true);
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    let done = false;
    let timer: unknown;
    const subscriptions: Subscription[] = [];
    const finish = (result: boolean) => {
      if (done) return;
      done = true;
      for (const s of subscriptions) s.unsubscribe();
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => finish(false);
    // The stream ending means the informer stopped: nothing more will change.
    subscriptions.push(
      informer.versions.subscribe({ next: () => holds() && finish(true), complete: () => finish(holds()) }),
    );
    if (done) {
      for (const s of subscriptions) s.unsubscribe();
      return;
    }
    timer = clock.setTimeout(() => finish(holds()), options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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
