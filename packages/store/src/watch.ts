import type { Entry } from './entry.js';

export interface WatchFilter<N extends string = string, I extends string = string> {
  readonly kind: N;
  /** Only this key. */
  readonly key?: string;
  /** Only objects whose `index` function returns `value`. Objects move in and out (see WatchEvent). */
  readonly index?: I;
  readonly value?: string;
  /** Only keys starting with this prefix. */
  readonly prefix?: string;
}

export interface WatchOptions {
  /**
   * Replay every committed event with version > fromVersion from the retained window, then go
   * live. Omit for snapshot-and-subscribe (ADDED for every current match, SYNCED, then live).
   */
  readonly fromVersion?: number;
}

interface EventBase<T> {
  readonly kind: string;
  readonly key: string;
  /** Version of the commit that produced the event (snapshot ADDED events: the entry's version). */
  readonly version: number;
  /** The entry after the commit; undefined only when the object was deleted from the store. */
  readonly object: Entry<T> | undefined;
  /** The entry before the commit; undefined for creations and snapshot events. */
  readonly previous: Entry<T> | undefined;
}

/**
 * Created, or (with an index filter) changed so that it now matches: `previous` is then set to
 * the entry before the change.
 */
export interface AddedEvent<T> extends EventBase<T> {
  readonly type: 'ADDED';
  readonly object: Entry<T>;
}

export interface ModifiedEvent<T> extends EventBase<T> {
  readonly type: 'MODIFIED';
  readonly object: Entry<T>;
  readonly previous: Entry<T>;
}

/**
 * Deleted (`object` undefined), or (with an index filter) changed so that it no longer matches
 * (`object` is the new entry, which still exists in the store). Either way: drop `key` from your view.
 */
export interface DeletedEvent<T> extends EventBase<T> {
  readonly type: 'DELETED';
  readonly previous: Entry<T>;
}

/** Everything committed up to `version` (as of the subscription) has been delivered. */
export interface SyncedEvent {
  readonly type: 'SYNCED';
  readonly version: number;
}

export type ObjectEvent<T> = AddedEvent<T> | ModifiedEvent<T> | DeletedEvent<T>;
export type WatchEvent<T> = ObjectEvent<T> | SyncedEvent;
