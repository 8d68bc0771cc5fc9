import type { BatonKinds, CommitResult, KindMap, Op, Store, WatchOptions } from '@baton-ecs/store';
import { Observable, Subject } from 'rxjs';

/** A store whose watches can be cut (as a dropped connection cuts them), recording how each was opened. */
export interface BreakableStore<K extends KindMap> {
  readonly store: Store<K>;
  /** Every watch opened, in order: a re-list has no `fromVersion`, a resume has one. */
  readonly opened: { readonly kind: string; readonly fromVersion: number | undefined }[];
  /** Ends every open watch with `error`. */
  breakWatches(error?: unknown): void;
}

/** Wraps a real store: everything goes through to it; only `watch` can be made to fail. */
export function breakableWatches<K extends KindMap>(store: Store<K>): BreakableStore<K> {
  const breaks = new Subject<unknown>();
  const opened: { kind: string; fromVersion: number | undefined }[] = [];
  const watch: Store<K>['watch'] = (filter, options?: WatchOptions) =>
    new Observable((subscriber) => {
      opened.push({ kind: filter.kind, fromVersion: options?.fromVersion });
      const cut = breaks.subscribe((err) => subscriber.error(err));
      const inner = store.watch(filter, options).subscribe(subscriber);
      return () => {
        cut.unsubscribe();
        inner.unsubscribe();
      };
    });
  return {
    store: delegate(store, { watch }),
    opened,
    breakWatches: (error = new Error('injected: the watch connection dropped')) => breaks.next(error),
  };
}

/** Wraps a real store: every commit goes through `intercept`, which may call the real one (or not). */
export function interceptCommits(
  store: Store<BatonKinds>,
  intercept: (ops: readonly Op<BatonKinds>[], commit: Store<BatonKinds>['commit']) => Promise<CommitResult>,
): Store<BatonKinds> {
  return delegate(store, { commit: (ops) => intercept(ops, (o) => store.commit(o)) });
}

/**
 * Wraps a real store so that the commits matching `when` fail with `error` before reaching it
 * (a write the store refused, or a leader that lost its fence): nothing of such a commit lands.
 */
export function failingCommits(
  store: Store<BatonKinds>,
  when: (ops: readonly Op<BatonKinds>[]) => boolean,
  error: () => Error,
): { readonly store: Store<BatonKinds>; readonly failed: number } {
  let failed = 0;
  return {
    store: interceptCommits(store, (ops, commit) => {
      if (!when(ops)) return commit(ops);
      failed++;
      return Promise.reject(error());
    }),
    get failed() {
      return failed;
    },
  };
}

/** `store` with some methods replaced; every other member reads through to it (bound to it). */
function delegate<S extends object>(store: S, overrides: Partial<S>): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop in overrides) return overrides[prop as keyof S];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
