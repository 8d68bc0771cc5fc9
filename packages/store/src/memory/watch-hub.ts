import { WatchOverflowError } from '../errors.js';
import type { ObjectEvent } from '../watch.js';
import type { ChangeRecord } from './change-record.js';
import { EventWindow } from './event-window.js';
import type { Subscription, Terminal } from './subscription.js';

/**
 * Fans committed changes out to watchers. Publishing only queues (writers never run watcher
 * code); delivery happens in a microtask, and only for versions the store says are deliverable
 * (durable). A watcher whose queue would exceed `maxBuffered` is ended with WatchOverflowError.
 */
export class WatchHub {
  readonly window: EventWindow;
  private readonly byKind = new Map<string, Set<Subscription>>();
  private readonly dirty = new Set<Subscription>();
  private scheduled = false;
  private deliverable = 0;

  constructor(
    windowSize: number,
    readonly maxBuffered: number,
  ) {
    this.window = new EventWindow(windowSize, 0);
  }

  get watchers(): number {
    let n = 0;
    for (const set of this.byKind.values()) n += set.size;
    return n;
  }

  /** Records one commit's changes (all with the commit's version) and queues them for watchers. */
  publish(version: number, records: readonly ChangeRecord[]): void {
    for (const r of records) this.window.push(r);
    if (this.byKind.size === 0) return;
    for (const [kind, subs] of this.byKind) {
      const relevant = records.filter((r) => r.event.kind === kind);
      if (relevant.length === 0) continue;
      for (const sub of subs) {
        const events: ObjectEvent<unknown>[] = [];
        for (const r of relevant) {
          const e = sub.view(r);
          if (e) events.push(e);
        }
        if (events.length === 0) continue;
        if (!sub.offer(events)) {
          subs.delete(sub);
          sub.end({ error: new WatchOverflowError(version - 1, this.maxBuffered) });
        }
        this.dirty.add(sub);
      }
    }
    this.schedule();
  }

  /** Events up to `version` may now be delivered. */
  advance(version: number): void {
    this.deliverable = version;
    if (this.dirty.size > 0) this.schedule();
  }

  add(sub: Subscription, live: boolean): void {
    if (live) {
      let subs = this.byKind.get(sub.kind);
      if (!subs) {
        subs = new Set();
        this.byKind.set(sub.kind, subs);
      }
      subs.add(sub);
    }
    this.dirty.add(sub);
    this.schedule();
  }

  remove(sub: Subscription): void {
    sub.cancel();
    this.byKind.get(sub.kind)?.delete(sub);
    this.dirty.delete(sub);
  }

  /** Ends every watcher: complete (close) or error (persistence failure), after queued events. */
  endAll(terminal: Terminal): void {
    for (const subs of this.byKind.values()) {
      for (const sub of subs) {
        sub.end(terminal);
        this.dirty.add(sub);
      }
    }
    this.byKind.clear();
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    for (const sub of [...this.dirty]) {
      const state = sub.drain(this.deliverable);
      if (state === 'blocked') continue;
      this.dirty.delete(sub);
      if (state === 'done') this.byKind.get(sub.kind)?.delete(sub);
    }
  }
}
