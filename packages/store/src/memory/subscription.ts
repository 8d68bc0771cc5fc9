import type { Entry } from '../entry.js';
import type { Filter } from '../filter.js';
import type { ObjectEvent, WatchEvent } from '../watch.js';
import type { ChangeRecord } from './change-record.js';

/** What a subscription pushes into (an RxJS Subscriber satisfies it). */
export interface Sink {
  next(event: WatchEvent<unknown>): void;
  error(err: unknown): void;
  complete(): void;
  readonly closed: boolean;
}

export type DrainState = 'done' | 'idle' | 'blocked';

/**
 * How a watch ends once its queue is delivered. `abandon`: what is not deliverable yet never will
 * be (the log failed), so drop it instead of waiting.
 */
export type Terminal = { readonly error: unknown; readonly abandon?: boolean } | 'complete';

const snapshotEvent = (e: Entry<unknown>): ObjectEvent<unknown> =>
  Object.freeze({
    type: 'ADDED',
    kind: e.kind,
    key: e.key,
    version: e.version,
    object: e,
    previous: undefined,
  });

/**
 * One watcher: its initial events (a snapshot or a replay), then a bounded queue of live events,
 * delivered in order and only up to the store's deliverable (durable) version.
 */
export class Subscription {
  private snapshot: readonly Entry<unknown>[] = [];
  private replay: readonly ObjectEvent<unknown>[] = [];
  private initialPos = 0;
  private synced = false;
  private queue: (ObjectEvent<unknown> | undefined)[] = [];
  private head = 0;
  private terminal: Terminal | undefined;
  private finished = false;

  constructor(
    readonly kind: string,
    private readonly filter: Filter,
    /** Position of the filter's index in the collection's index values, or -1. */
    private readonly indexPos: number,
    private readonly sink: Sink,
    /** Every event with version ≤ startVersion is covered by the initial events. */
    readonly startVersion: number,
    private readonly maxBuffered: number,
  ) {}

  begin(snapshot: readonly Entry<unknown>[], replay: readonly ObjectEvent<unknown>[]): void {
    this.snapshot = snapshot;
    this.replay = replay;
  }

  /** Ends with `terminal` once everything queued so far has been delivered. */
  end(terminal: Terminal, skipInitial = false): void {
    if (skipInitial) this.synced = true;
    this.terminal ??= terminal;
  }

  /** Ends at once, delivering nothing more (the consumer unsubscribed). */
  cancel(): void {
    this.finished = true;
    this.snapshot = [];
    this.replay = [];
    this.queue = [];
  }

  get isFinished(): boolean {
    return this.finished || this.sink.closed;
  }

  /**
   * What this watcher sees of a committed change: index filters turn a change that moves an
   * object into the filter into ADDED and out of it into DELETED (as Kubernetes field selectors do).
   */
  view(rec: ChangeRecord): ObjectEvent<unknown> | undefined {
    const ev = rec.event;
    const f = this.filter;
    if (f.key !== undefined && ev.key !== f.key) return undefined;
    if (f.prefix !== undefined && !ev.key.startsWith(f.prefix)) return undefined;
    if (this.indexPos < 0) return ev;
    const value = f.value as string;
    const was = rec.oldIndex?.[this.indexPos]?.includes(value) ?? false;
    const is = rec.newIndex?.[this.indexPos]?.includes(value) ?? false;
    if (was && is) return ev;
    if (is) {
      return ev.type === 'ADDED'
        ? ev
        : Object.freeze({ ...ev, type: 'ADDED', object: ev.object as Entry<unknown> });
    }
    if (was) {
      return ev.type === 'DELETED'
        ? ev
        : Object.freeze({ ...ev, type: 'DELETED', previous: ev.previous as Entry<unknown> });
    }
    return undefined;
  }

  /** Queues one commit's events, all or none; false when that would exceed the buffer bound. */
  offer(events: readonly ObjectEvent<unknown>[]): boolean {
    if (this.terminal || this.finished) return true;
    if (this.queue.length - this.head + events.length > this.maxBuffered) return false;
    for (const e of events) this.queue.push(e);
    return true;
  }

  drain(deliverable: number): DrainState {
    if (this.isFinished) return this.finish();
    const abandon =
      this.terminal !== undefined && this.terminal !== 'complete' && this.terminal.abandon === true;
    if (!this.synced && this.startVersion > deliverable) {
      if (!abandon) return 'blocked';
      this.synced = true; // the snapshot will never be durable: skip it
    }
    if (!this.synced) {
      while (this.initialPos < this.snapshot.length) {
        this.sink.next(snapshotEvent(this.snapshot[this.initialPos++] as Entry<unknown>));
        if (this.isFinished) return this.finish();
      }
      this.initialPos = 0;
      while (this.initialPos < this.replay.length) {
        this.sink.next(this.replay[this.initialPos++] as ObjectEvent<unknown>);
        if (this.isFinished) return this.finish();
      }
      this.snapshot = [];
      this.replay = [];
      this.synced = true;
      this.sink.next(Object.freeze({ type: 'SYNCED', version: this.startVersion }));
      if (this.isFinished) return this.finish();
    }
    while (this.head < this.queue.length) {
      const e = this.queue[this.head] as ObjectEvent<unknown>;
      if (e.version > deliverable) {
        if (abandon) break;
        return 'blocked';
      }
      this.queue[this.head++] = undefined;
      this.sink.next(e);
      if (this.isFinished) return this.finish();
    }
    this.queue.length = 0;
    this.head = 0;
    if (!this.terminal) return 'idle';
    const t = this.terminal;
    this.finished = true;
    if (t === 'complete') this.sink.complete();
    else this.sink.error(t.error);
    return 'done';
  }

  private finish(): DrainState {
    this.cancel();
    return 'done';
  }
}
