import type { Etcd3, IRangeRequest, IRangeResponse } from 'etcd3';
import { Observable } from 'rxjs';
import { type BatonKinds, batonKinds } from '../baton-kinds.js';
import type { Entry } from '../entry.js';
import {
  ConflictError,
  CorruptDataError,
  InvalidArgumentError,
  StoreClosedError,
  StoreError,
  TransactionConflictError,
} from '../errors.js';
import { type Filter, matchesFilter, normalizeFilter } from '../filter.js';
import { type KindMap, kindOf } from '../kinds.js';
import { planCommit } from '../memory/commit-plan.js';
import { byCodeUnit } from '../memory/sorted-keys.js';
import type { AnyOp, Change, CommitResult, Op, WriteOptions } from '../ops.js';
import type {
  ListOptions,
  ListResult,
  Store,
  Transaction,
  TransactionOptions,
  TransactionResult,
} from '../store.js';
import { runTransaction } from '../transaction.js';
import type { WatchEvent, WatchFilter, WatchOptions } from '../watch.js';
import { createClient } from './client.js';
import { decodeEntry } from './codec.js';
import { type ReadSet, readSetOf, restamp, Snapshot, txnFor } from './commit-state.js';
import { EtcdUnavailableError, FencedError, neverSent } from './errors.js';
import { type FenceableStore, FencedStore, type WriteFence } from './fence.js';
import { KeySpace } from './keys.js';
import { EtcdLeaseLock } from './lease-lock.js';
import { WatchSession } from './watch-session.js';

export interface EtcdStoreOptions<K extends KindMap> {
  readonly kinds: K;
  /** etcd client URLs. Default `http://127.0.0.1:2379`. */
  readonly endpoints?: string | readonly string[];
  /** Every key of this store lives under it; one prefix per Baton cluster store. Default `/baton`. */
  readonly prefix?: string;
  /** Source of createdAt/updatedAt, epoch ms. Default Date.now. */
  readonly clock?: () => number;
  /**
   * How many revisions back a `watch(…, { fromVersion })` may replay; older asks fail with
   * CompactedError. Default: as far as etcd keeps history (its own compaction decides).
   */
  readonly watchWindow?: number;
  /** Matching events of one commit a watcher may be handed at once before it is ended. Default 10,000. */
  readonly maxBufferedEvents?: number;
  /** Deadline of one etcd call. Default 5 s. */
  readonly requestTimeoutMs?: number;
  /** Connection timeout. Default 3 s. */
  readonly dialTimeoutMs?: number;
  readonly auth?: { readonly username: string; readonly password: string };
  /**
   * TLS to etcd (https:// endpoints): the CA that signed etcd's certificate and, for etcd started
   * with --client-cert-auth, this client's certificate and key. PEM text.
   */
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string };
}

export interface EtcdStore<K extends KindMap> extends FenceableStore<K> {
  readonly prefix: string;
  readonly endpoints: readonly string[];
  /** Resolves once connected and the store's metadata is in place; rejects with why not. */
  ready(): Promise<void>;
  /** A lease-backed lock under this store's prefix, for leader election (see `EtcdLeaseLock`). */
  leaseLock(name: string): EtcdLeaseLock;
  /** Deletes every key of this store from etcd, then closes it (tests, teardown). */
  destroy(): Promise<void>;
}

const DEFAULT_BUFFER = 10_000;
const MAX_REPLANS = 50;
const PAGE = 1_000;
const CLOSE_DRAIN_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function countOption(name: string, v: number | undefined, fallback: number | undefined, min: number) {
  const value = v ?? fallback;
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
    throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

/**
 * The etcd backend. Objects live under a key prefix; the store version is the etcd revision minus
 * the revision at which the store was first opened, so versions are etcd revisions (they skip
 * numbers when other clients write to the same etcd). Every commit is planned against a
 * consistent read of the keys it touches, with the memory backend's planner (same rules, same
 * errors), then applied by one etcd transaction that compares the mod revision of everything it
 * read: a concurrent writer fails it and it is planned again on fresh state.
 */
class EtcdStoreImpl implements EtcdStore<KindMap> {
  readonly kinds: KindMap;
  readonly prefix: string;
  readonly endpoints: readonly string[];
  private readonly client: Etcd3;
  private readonly keys: KeySpace;
  private readonly clock: () => number;
  private readonly maxBufferedEvents: number;
  private readonly watchWindow: number | undefined;
  private base = 0;
  private readonly init: Promise<void>;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Watch starts whose revision is not fixed yet: later writes of this store wait for them. */
  private readonly starting = new Set<Promise<unknown>>();
  private readonly sessions = new Set<WatchSession>();
  /** Per kind, the revision of this store's last commit that wrote it (close drains watchers to it). */
  private readonly lastWritten = new Map<string, number>();
  /** Resolves when the last commit called so far has finished: commits apply in call order. */
  private writeTurn: Promise<void> = Promise.resolve();
  private commitsInFlight = 0;

  constructor(options: EtcdStoreOptions<KindMap>) {
    this.kinds = options.kinds;
    const eps = options.endpoints ?? 'http://127.0.0.1:2379';
    this.endpoints = typeof eps === 'string' ? eps.split(',').map((s) => s.trim()) : [...eps];
    if (this.endpoints.length === 0) throw new InvalidArgumentError('etcd store: no endpoints');
    this.keys = new KeySpace(options.prefix ?? '/baton');
    this.prefix = this.keys.root;
    this.clock = options.clock ?? Date.now;
    this.maxBufferedEvents = countOption(
      'maxBufferedEvents',
      options.maxBufferedEvents,
      DEFAULT_BUFFER,
      1,
    ) as number;
    this.watchWindow = countOption('watchWindow', options.watchWindow, undefined, 0);
    this.client = createClient({
      endpoints: this.endpoints,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
      dialTimeoutMs: options.dialTimeoutMs ?? 3_000,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
    this.init = this.initialize();
    this.init.catch(() => {}); // surfaced by every call instead
  }

  ready(): Promise<void> {
    return this.init;
  }

  // ---- reads -------------------------------------------------------------------------------

  get(kind: string, key: string): Promise<Entry<unknown> | undefined> {
    return this.run('get', async () => {
      kindOf(this.kinds, kind);
      if (typeof key !== 'string') throw new InvalidArgumentError(`${kind}: key must be a string`);
      const res = await this.client.kv.range({ key: this.keys.object(kind, key) });
      const kv = res.kvs[0];
      return kv ? decodeEntry(kind, key, kv, this.base) : undefined;
    });
  }

  list(kind: string, options?: ListOptions): Promise<ListResult<unknown>> {
    return this.run('list', async () => {
      const filter = normalizeFilter(kind, kindOf(this.kinds, kind), options);
      const { items, revision } = await this.listAt(kind, filter);
      return { items, version: revision - this.base };
    });
  }

  version(): Promise<number> {
    return this.run('version', async () => {
      const res = await this.client.kv.range({ key: this.keys.meta, keys_only: true });
      return Number(res.header.revision) - this.base;
    });
  }

  sequence(name: string): Promise<number> {
    return this.run('sequence', async () => {
      if (typeof name !== 'string' || name === '') {
        throw new InvalidArgumentError('sequence name must be a non-empty string');
      }
      const res = await this.client.kv.range({ key: this.keys.sequence(name) });
      const kv = res.kvs[0];
      return kv ? Number(kv.value.toString('utf8')) : 0;
    });
  }

  // ---- writes ------------------------------------------------------------------------------

  async create(kind: string, object: unknown): Promise<Entry<unknown>> {
    const { results } = await this.commit([{ op: 'create', kind, object }]);
    return results[0] as Entry<unknown>;
  }

  async update(kind: string, key: string, change: Change<unknown>, options?: WriteOptions) {
    const { results } = await this.commit([
      { op: 'update', kind, key, change, ifVersion: options?.ifVersion },
    ]);
    return results[0] as Entry<unknown>;
  }

  async delete(kind: string, key: string, options?: WriteOptions): Promise<Entry<unknown>> {
    const { results } = await this.commit([{ op: 'delete', kind, key, ifVersion: options?.ifVersion }]);
    return results[0] as Entry<unknown>;
  }

  commit(ops: readonly Op<KindMap>[]): Promise<CommitResult> {
    return this.run('commit', () => this.apply(ops as readonly AnyOp[], undefined));
  }

  commitFenced(ops: readonly Op<KindMap>[], fence: WriteFence): Promise<CommitResult> {
    return this.run('commit', () => this.apply(ops as readonly AnyOp[], fence));
  }

  transaction<R>(
    fn: (tx: Transaction<KindMap>) => R | Promise<R>,
    options?: TransactionOptions,
  ): Promise<TransactionResult<R>> {
    return runTransaction(this as Store<KindMap>, fn, options);
  }

  async nextSequence(name: string): Promise<number> {
    // Read, then advance with a compare-and-set; a concurrent advance makes us read again.
    for (let attempt = 1; ; attempt++) {
      const current = await this.sequence(name);
      try {
        const { results } = await this.commit([
          { op: 'sequence', name, ifValue: current, value: current + 1 },
        ]);
        return results[0] as number;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_REPLANS) throw err;
        if (attempt > 3) await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
    }
  }

  withFence(fence: WriteFence): Store<KindMap> {
    return new FencedStore(this, fence);
  }

  leaseLock(name: string): EtcdLeaseLock {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('leaseLock needs a name');
    return new EtcdLeaseLock(this.client, this.keys.lock(name), name, this.endpoints);
  }

  // ---- watch -------------------------------------------------------------------------------

  watch(filter: WatchFilter, options?: WatchOptions): Observable<WatchEvent<unknown>> {
    return new Observable<WatchEvent<unknown>>((subscriber) => {
      let session: WatchSession | undefined;
      try {
        this.assertOpen();
        if (typeof filter !== 'object' || filter === null)
          throw new InvalidArgumentError('watch needs a filter');
        const def = kindOf(this.kinds, filter.kind);
        const f = normalizeFilter(filter.kind, def, filter);
        const from = options?.fromVersion;
        if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) {
          throw new InvalidArgumentError(`fromVersion must be a version, got ${from}`);
        }
        const started = this.init.then(() => {
          if (subscriber.closed) return;
          session = new WatchSession(this.watchContext(), filter.kind, def, f, from, subscriber, (s) =>
            this.sessions.delete(s),
          );
          this.sessions.add(session);
          return session.started;
        });
        this.track(
          this.starting,
          started.catch((err) => subscriber.error(this.translate(err, 'watch'))),
        );
      } catch (err) {
        queueMicrotask(() => subscriber.error(err));
      }
      return () => session?.cancel();
    });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await Promise.allSettled([...this.inflight, ...this.starting]);
      await Promise.allSettled(
        [...this.sessions].map((s) => s.drain(this.lastWritten.get(s.kind) ?? 0, CLOSE_DRAIN_MS)),
      );
      this.client.close();
    })();
    return this.closing;
  }

  async destroy(): Promise<void> {
    if (!this.closed) {
      const all = this.keys.all;
      await this.run('destroy', () => this.client.kv.deleteRange({ key: all.key, range_end: all.end }));
    }
    await this.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  private async initialize(): Promise<void> {
    const all = this.keys.all;
    const meta = this.keys.meta;
    // An existing store is only read: a client whose etcd role may not write the metadata key (an
    // agent's) can open it. (etcd checks a transaction's permissions on both of its branches.)
    try {
      const existing = (await this.client.kv.range({ key: meta })).kvs[0];
      if (existing) {
        this.base = Number(existing.create_revision);
        return;
      }
    } catch (err) {
      throw this.translate(err, 'opening the store');
    }
    let res: Awaited<ReturnType<Etcd3['kv']['txn']>>;
    try {
      // Create the metadata key only if nothing is under the prefix yet (a range compare holds
      // vacuously for an empty range): its revision becomes the store's version 0.
      res = await this.client.kv.txn({
        compare: [
          { key: all.key, range_end: all.end, target: 'Create', result: 'Equal', create_revision: 0 },
        ],
        success: [
          { request_put: { key: meta, value: Buffer.from(JSON.stringify({ format: 1 }), 'utf8') } },
          { request_range: { key: meta } },
        ],
        failure: [{ request_range: { key: meta } }],
      });
    } catch (err) {
      throw this.translate(err, 'opening the store');
    }
    const range = res.responses[res.succeeded ? 1 : 0]?.response_range as IRangeResponse | undefined;
    const kv = range?.kvs[0];
    if (!kv) {
      throw new CorruptDataError(
        `etcd prefix "${this.prefix}/" holds keys that are not a Baton store (no ${this.prefix}/meta); use another prefix`,
      );
    }
    this.base = Number(kv.create_revision);
  }

  private async apply(ops: readonly AnyOp[], fence: WriteFence | undefined): Promise<CommitResult> {
    if (!Array.isArray(ops)) throw new InvalidArgumentError('commit takes an array of ops');
    // A watch subscribed before this call takes its snapshot before this write lands.
    if (this.starting.size > 0) await Promise.allSettled([...this.starting]);
    const reads = readSetOf(this.kinds, this.keys, ops);
    // Commits of one store apply in call order (as in the memory backend): each waits for the one
    // called before it. Its first read overlaps that wait; if the predecessor changed what it read,
    // the compare fails and it reads again.
    const turn = this.writeTurn;
    const waits = this.commitsInFlight > 0;
    this.commitsInFlight++;
    let release = () => {};
    this.writeTurn = new Promise<void>((r) => {
      release = r;
    });
    try {
      const snap = await Snapshot.load(this.client.kv, this.kinds, this.keys, this.base, reads);
      await turn;
      return await this.applyInTurn(ops, fence, reads, snap, !waits);
    } finally {
      this.commitsInFlight--;
      release();
    }
  }

  private async applyInTurn(
    ops: readonly AnyOp[],
    fence: WriteFence | undefined,
    reads: ReadSet,
    first: Snapshot,
    firstIsFresh: boolean,
  ): Promise<CommitResult> {
    let snap = first;
    let fresh = firstIsFresh;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        snap = await Snapshot.load(this.client.kv, this.kinds, this.keys, this.base, reads);
        fresh = true;
      }
      const placeholder = snap.revision - this.base + 1;
      let plan: ReturnType<typeof planCommit>;
      try {
        plan = planCommit(snap, ops, placeholder, this.clock());
      } catch (err) {
        // A failed precondition read before the commits called earlier landed may not fail after them.
        if (fresh) throw err;
        fresh = true;
        continue;
      }
      if (plan.changes.length === 0 && plan.sequences.length === 0) {
        // Nothing to write means no compare will catch a stale read: answer only from a read
        // made after the commits called before this one.
        if (!fresh) {
          fresh = true;
          continue;
        }
        return { version: snap.revision - this.base, results: plan.results };
      }
      const txn = txnFor(plan, snap, this.keys, fence);
      let res: Awaited<ReturnType<Etcd3['kv']['txn']>>;
      try {
        res = await this.client.kv.txn(txn);
      } catch (err) {
        throw this.translate(err, 'commit', !neverSent(err));
      }
      if (res.succeeded) {
        const revision = Number(res.header.revision);
        for (const ch of plan.changes) this.lastWritten.set(ch.collection.name, revision);
        return {
          version: revision - this.base,
          results: restamp(plan, placeholder, revision - this.base) as never,
        };
      }
      if (fence) {
        const holder = res.responses[0]?.response_range?.kvs[0];
        if (holder?.create_revision !== fence.createRevision) {
          throw new FencedError(
            fence.description,
            holder
              ? `the lock is now held by ${holder.value.toString('utf8')} since revision ${holder.create_revision}`
              : 'the lock is free: its lease lapsed',
          );
        }
      }
      // Something this commit read changed between the read and the write: plan again.
      if (attempt >= MAX_REPLANS) {
        throw new TransactionConflictError(
          attempt,
          new Error('every attempt to apply the commit raced with a concurrent write to a key it reads'),
        );
      }
      if (attempt > 2) await sleep(Math.random() * Math.min(100, 2 ** attempt));
    }
  }

  /** Matching entries (sorted by key, UTF-16 code units) read page by page at one revision. */
  private async listAt(kind: string, f: Filter): Promise<{ items: Entry<unknown>[]; revision: number }> {
    const def = kindOf(this.kinds, kind);
    if (f.key !== undefined) {
      const res = await this.client.kv.range({ key: this.keys.object(kind, f.key) });
      const kv = res.kvs[0];
      const e = kv ? decodeEntry(kind, f.key, kv, this.base) : undefined;
      return {
        items: e && matchesFilter(def, f, e.key, e.object) ? [e] : [],
        revision: Number(res.header.revision),
      };
    }
    const range = this.keys.objectRange(kind, f.prefix ?? '');
    const items: Entry<unknown>[] = [];
    let from = range.key;
    let revision: number | undefined;
    for (;;) {
      const req: IRangeRequest = { key: from, range_end: range.end, limit: PAGE };
      if (revision !== undefined) req.revision = revision;
      const res = await this.client.kv.range(req);
      revision ??= Number(res.header.revision);
      for (const kv of res.kvs) {
        const key = this.keys.objectKeyOf(kind, kv.key) as string;
        const e = decodeEntry(kind, key, kv, this.base);
        if (matchesFilter(def, f, key, e.object)) items.push(e);
      }
      const last = res.kvs.at(-1);
      if (!res.more || !last) break;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
    items.sort((a, b) => byCodeUnit(a.key, b.key));
    return { items, revision };
  }

  private watchContext() {
    return {
      keys: this.keys,
      base: this.base,
      maxBufferedEvents: this.maxBufferedEvents,
      watchWindow: this.watchWindow,
      openStream: () => this.client.watchClient.watch(),
      listAt: (kind: string, f: Filter) => this.listAt(kind, f),
      readMarker: async (kind: string) => {
        const res = await this.client.kv.range({ key: this.keys.kindMarker(kind), keys_only: true });
        return { revision: Number(res.header.revision), markerMod: Number(res.kvs[0]?.mod_revision ?? 0) };
      },
    };
  }

  /** Every call: rejects (never throws), waits for initialisation, is tracked for close. */
  private run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try {
      this.assertOpen();
      p = this.init.then(fn).catch((err: unknown) => {
        throw this.translate(err, operation);
      });
    } catch (err) {
      return Promise.reject(err);
    }
    this.track(this.inflight, p);
    return p;
  }

  private track(set: Set<Promise<unknown>>, p: Promise<unknown>): void {
    const settled = p.then(
      () => {},
      () => {},
    );
    set.add(settled);
    void settled.then(() => set.delete(settled));
  }

  /** etcd's own errors, made actionable: unreachable → EtcdUnavailableError; refused → what etcd said. */
  private translate(err: unknown, operation: string, ambiguous = false): unknown {
    if (err instanceof StoreError || err instanceof EtcdUnavailableError) return err;
    const name = (err as { constructor?: { name?: string } })?.constructor?.name ?? '';
    if (/^GRPC(Unavailable|DeadlineExceeded|Cancelled|Unknown|Internal)Error$/.test(name)) {
      return new EtcdUnavailableError(this.endpoints, operation, ambiguous, err);
    }
    if (/^GRPC|^Etcd/.test(name)) {
      const msg = err instanceof Error ? err.message : String(err);
      return new Error(
        `etcd at ${this.endpoints.join(', ')} refused ${operation}: ${msg}${
          /too many operations/.test(msg) ? ' (raise etcd --max-txn-ops, see docs/ha.md)' : ''
        }`,
        { cause: err },
      );
    }
    return err;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

/** Connects to etcd and opens (or creates) the store under `prefix`. See docs/ha.md. */
export async function createEtcdStore<K extends KindMap>(
  options: EtcdStoreOptions<K>,
): Promise<EtcdStore<K>> {
  const store = etcdStoreOf(options);
  try {
    await store.ready();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * The etcd store for `createBaton({ store: etcdStore({ endpoints, prefix }) })`: Baton's kinds by
 * default, connecting in the background (every call waits for it and fails with the reason).
 */
export function etcdStore(options: Omit<EtcdStoreOptions<BatonKinds>, 'kinds'> = {}): EtcdStore<BatonKinds> {
  return etcdStoreOf({ ...options, kinds: batonKinds });
}

function etcdStoreOf<K extends KindMap>(options: EtcdStoreOptions<K>): EtcdStore<K> {
  if (typeof options?.kinds !== 'object' || options.kinds === null) {
    throw new InvalidArgumentError('createEtcdStore needs { kinds }');
  }
  return new EtcdStoreImpl(options) as unknown as EtcdStore<K>;
}
