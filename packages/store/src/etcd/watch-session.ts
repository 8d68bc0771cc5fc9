import type { IDuplexStream, IKeyValue, IWatchRequest, IWatchResponse } from 'etcd3';
import type { Subscriber } from 'rxjs';
import type { Entry } from '../entry.js';
import { CompactedError, CorruptDataError, InvalidArgumentError, WatchOverflowError } from '../errors.js';
import type { Filter } from '../filter.js';
import type { AnyKind } from '../kinds.js';
import type { ObjectEvent, WatchEvent } from '../watch.js';
import { decodeEntry } from './codec.js';
import type { KeySpace } from './keys.js';

/** What a watch needs from its store. */
export interface WatchContext {
  readonly keys: KeySpace;
  readonly base: number;
  readonly maxBufferedEvents: number;
  /** Revisions a replay may reach back; undefined = whatever etcd has not compacted. */
  readonly watchWindow: number | undefined;
  openStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>>;
  /** Matching entries, sorted, and the etcd revision they were read at. */
  listAt(kind: string, filter: Filter): Promise<{ items: Entry<unknown>[]; revision: number }>;
  /** The current etcd revision and the kind marker's mod revision (the kind's last change). */
  readMarker(kind: string): Promise<{ revision: number; markerMod: number }>;
}

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
 * One watch subscription over one etcd watch stream on the kind's range (objects and marker; the
 * filter is applied here). Every commit that writes the kind carries a marker event, so the
 * session always knows how far it has read (`processedRev`) even when no event matches: that is
 * how a replay knows where history ends (SYNCED) and how close() knows a watcher has everything.
 * A broken stream (etcd restarted, connection lost) is reopened from processedRev + 1: nothing is
 * lost or repeated; if that revision is compacted meanwhile, the watch ends with CompactedError.
 */
export class WatchSession {
  /** Every event of the kind with revision ≤ processedRev has been handled. */
  processedRev = 0;
  readonly started: Promise<void>;
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private ended = false;
  private pendingSync: { readonly version: number; readonly until: number } | undefined;
  private retryMs = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly indexFn: ((o: unknown) => readonly string[]) | undefined;

  constructor(
    private readonly ctx: WatchContext,
    readonly kind: string,
    def: AnyKind,
    private readonly filter: Filter,
    private readonly fromVersion: number | undefined,
    private readonly sink: Subscriber<WatchEvent<unknown>>,
    private readonly onEnd: (s: WatchSession) => void,
  ) {
    this.indexFn = filter.index === undefined ? undefined : def.indexes?.[filter.index];
    this.started = this.begin();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Unsubscribed: stop at once. */
  cancel(): void {
    this.end();
  }

  /** Store closing: deliver what is committed up to `untilRev` (bounded wait), then complete. */
  async drain(untilRev: number, timeoutMs: number): Promise<void> {
    await this.started;
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && this.processedRev < untilRev && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (this.end()) this.sink.complete();
  }

  fail(err: unknown): void {
    if (this.end()) this.sink.error(err);
  }

  private async begin(): Promise<void> {
    const { base } = this.ctx;
    try {
      if (this.fromVersion === undefined) {
        const { items, revision } = await this.ctx.listAt(this.kind, this.filter);
        if (this.ended) return;
        this.processedRev = revision;
        for (const e of items) {
          this.sink.next(snapshotEvent(e));
          if (this.sink.closed) return void this.end();
        }
        this.sink.next(Object.freeze({ type: 'SYNCED', version: revision - base }));
      } else {
        const from = this.fromVersion;
        const { revision, markerMod } = await this.ctx.readMarker(this.kind);
        if (this.ended) return;
        const current = revision - base;
        if (from > current) {
          throw new InvalidArgumentError(`fromVersion ${from} is ahead of the store (at version ${current})`);
        }
        const window = this.ctx.watchWindow;
        if (window !== undefined && from < current - window) throw new CompactedError(from, current - window);
        this.processedRev = base + from;
        this.pendingSync = { version: current, until: markerMod };
        this.maybeSync();
      }
    } catch (err) {
      this.fail(err);
      return;
    }
    void this.open();
  }

  private async open(): Promise<void> {
    if (this.ended) return;
    let stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
    try {
      stream = await this.ctx.openStream();
      if (this.ended) return void stream.cancel();
      this.stream = stream;
      const s = stream;
      s.on('data', (res) => this.onResponse(res));
      s.on('error', (err) => this.broken(s, err));
      s.on('end', () => this.broken(s, undefined));
      const range = this.ctx.keys.kindRange(this.kind);
      s.write({
        create_request: {
          key: range.key,
          range_end: range.end,
          start_revision: String(this.processedRev + 1),
          prev_kv: true,
          progress_notify: true,
        },
      });
    } catch (err) {
      this.broken(stream, err);
    }
  }

  private broken(stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined, _err: unknown): void {
    if (this.ended || (stream !== undefined && stream !== this.stream)) return;
    this.stream = undefined;
    try {
      stream?.cancel();
    } catch {
      // already gone
    }
    this.retryMs = Math.min(2_000, this.retryMs ? this.retryMs * 2 : 100);
    this.retryTimer = setTimeout(() => void this.open(), this.retryMs);
    this.retryTimer.unref?.();
  }

  private onResponse(res: IWatchResponse): void {
    if (this.ended) return;
    const { base } = this.ctx;
    try {
      const compacted = Number(res.compact_revision ?? 0);
      if (compacted > 0) {
        throw new CompactedError(this.processedRev - base, compacted - 1 - base);
      }
      if (res.canceled) {
        throw new Error(
          `etcd cancelled the watch of ${this.kind}: ${res.cancel_reason || 'no reason given'}`,
        );
      }
      if (res.created) {
        this.retryMs = 0;
        return;
      }
      if (res.events.length === 0) {
        // A progress notification: etcd sends it only to watchers that have caught up.
        this.processedRev = Math.max(this.processedRev, Number(res.header.revision));
        this.maybeSync();
        return;
      }
      let i = 0;
      while (i < res.events.length) {
        const rev = res.events[i]?.kv.mod_revision as string;
        let j = i;
        while (j < res.events.length && res.events[j]?.kv.mod_revision === rev) j++;
        this.deliver(Number(rev), res.events.slice(i, j));
        if (this.ended) return;
        i = j;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** One commit's events: all delivered, or (too many for the buffer bound) the watch ends before them. */
  private deliver(
    rev: number,
    events: readonly { type: unknown; kv: IKeyValue; prev_kv?: IKeyValue }[],
  ): void {
    if (rev <= this.processedRev) return; // already handled before the stream was reopened
    const { base } = this.ctx;
    if (this.pendingSync && rev > this.pendingSync.version + base) this.emitSync();
    const out: ObjectEvent<unknown>[] = [];
    for (const ev of events) {
      const e = this.view(rev - base, ev.type === 'Delete' || ev.type === 1, ev.kv, ev.prev_kv);
      if (e) out.push(e);
    }
    // Replayed history is handed over like a snapshot; the bound applies to live commits.
    const live = !this.pendingSync;
    if (live && out.length > this.ctx.maxBufferedEvents) {
      this.fail(new WatchOverflowError(rev - 1 - base, this.ctx.maxBufferedEvents));
      return;
    }
    for (const e of out) {
      this.sink.next(e);
      if (this.sink.closed) return void this.end();
    }
    this.processedRev = rev;
    this.maybeSync();
  }

  /** The event this watcher sees (index filters turn moves into ADDED / DELETED, like the memory backend). */
  private view(
    version: number,
    deleted: boolean,
    kv: IKeyValue,
    prevKv: IKeyValue | undefined,
  ): ObjectEvent<unknown> | undefined {
    const { keys, base } = this.ctx;
    const key = keys.objectKeyOf(this.kind, kv.key);
    if (key === undefined) return undefined; // the kind marker
    const f = this.filter;
    if (f.key !== undefined && key !== f.key) return undefined;
    if (f.prefix !== undefined && !key.startsWith(f.prefix)) return undefined;
    const object = deleted ? undefined : decodeEntry(this.kind, key, kv, base);
    const previous =
      prevKv && prevKv.value.length > 0 ? decodeEntry(this.kind, key, prevKv, base) : undefined;
    const kind = this.kind;
    if (deleted && !previous) {
      throw new CorruptDataError(`etcd sent a deletion of ${kind} "${key}" without its previous value`);
    }
    if (this.indexFn) {
      const value = f.value as string;
      const was = previous ? this.indexFn(previous.object).includes(value) : false;
      const is = object ? this.indexFn(object.object).includes(value) : false;
      if (is && !was) {
        return Object.freeze({
          type: 'ADDED',
          kind,
          key,
          version,
          object: object as Entry<unknown>,
          previous,
        });
      }
      if (was && !is) {
        return Object.freeze({
          type: 'DELETED',
          kind,
          key,
          version,
          object,
          previous: previous as Entry<unknown>,
        });
      }
      if (!was && !is) return undefined;
    }
    if (!object) {
      return Object.freeze({
        type: 'DELETED',
        kind,
        key,
        version,
        object: undefined,
        previous: previous as Entry<unknown>,
      });
    }
    if (!previous) return Object.freeze({ type: 'ADDED', kind, key, version, object, previous: undefined });
    return Object.freeze({ type: 'MODIFIED', kind, key, version, object, previous });
  }

  private maybeSync(): void {
    if (this.pendingSync && this.processedRev >= this.pendingSync.until) this.emitSync();
  }

  private emitSync(): void {
    const s = this.pendingSync;
    if (!s) return;
    this.pendingSync = undefined;
    this.processedRev = Math.max(this.processedRev, s.version + this.ctx.base);
    this.sink.next(Object.freeze({ type: 'SYNCED', version: s.version }));
    if (this.sink.closed) this.end();
  }

  /** Marks the session ended (once) and releases its stream; false if it had ended already. */
  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const s = this.stream;
    this.stream = undefined;
    try {
      s?.cancel();
    } catch {
      // already gone
    }
    this.onEnd(this);
    return true;
  }
}
