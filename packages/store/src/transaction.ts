import type { Entry } from './entry.js';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  isPreconditionFailure,
  NotFoundError,
  TransactionConflictError,
} from './errors.js';
import { matchesFilter, normalizeFilter } from './filter.js';
import { applyChange, deepFreeze } from './immer.js';
import { type KindMap, kindOf } from './kinds.js';
import type { AnyOp, Change, CheckOp, Op } from './ops.js';
import type { ListOptions, Store, Transaction, TransactionOptions, TransactionResult } from './store.js';

type AnyStore = Store<KindMap>;

interface Read {
  readonly kind: string;
  readonly key: string;
  readonly entry: Entry<unknown> | undefined;
}

interface Write {
  readonly kind: string;
  readonly key: string;
  /** undefined = deleted */
  readonly object: unknown;
}

interface ListRead {
  readonly kind: string;
  readonly options: ListOptions | undefined;
  readonly version: number;
}

const DEFAULT_ATTEMPTS = 10;

const defaultBackoff = (attempt: number): number =>
  attempt <= 2 ? 0 : Math.random() * Math.min(100, 2 ** (attempt - 2));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const id = (kind: string, key: string) => `${kind}\u0000${key}`;

/** Entry for a key this transaction has written but not committed. */
function provisional(
  kind: string,
  key: string,
  object: unknown,
  base: Entry<unknown> | undefined,
): Entry<unknown> {
  return Object.freeze(
    base
      ? { ...base, object }
      : { kind, key, object, version: 0, createVersion: 0, generation: 0, createdAt: 0, updatedAt: 0 },
  );
}

/** One attempt's read set and write buffer. */
class Attempt implements Transaction<KindMap> {
  private readonly reads = new Map<string, Read>();
  private readonly writes = new Map<string, Write>();
  private readonly lists: ListRead[] = [];
  private readonly sequences = new Map<string, { base: number; next: number }>();
  private finished = false;

  constructor(
    private readonly store: AnyStore,
    readonly attempt: number,
  ) {}

  async get(kind: string, key: string): Promise<Entry<unknown> | undefined> {
    this.assertOpen();
    kindOf(this.store.kinds, kind);
    const w = this.writes.get(id(kind, key));
    if (w)
      return w.object === undefined
        ? undefined
        : provisional(kind, key, w.object, this.reads.get(id(kind, key))?.entry);
    return this.read(kind, key);
  }

  async list(kind: string, options?: ListOptions): Promise<readonly Entry<unknown>[]> {
    this.assertOpen();
    const k = kindOf(this.store.kinds, kind);
    const filter = normalizeFilter(kind, k, options);
    const res = await this.store.list(kind, options);
    this.lists.push({ kind, options, version: res.version });
    const byKey = new Map(res.items.map((e) => [e.key, e]));
    for (const w of this.writes.values()) {
      if (w.kind !== kind) continue;
      if (w.object !== undefined && matchesFilter(k, filter, w.key, w.object)) {
        byKey.set(w.key, provisional(kind, w.key, w.object, this.reads.get(id(kind, w.key))?.entry));
      } else {
        byKey.delete(w.key);
      }
    }
    return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async create(kind: string, object: unknown): Promise<unknown> {
    this.assertOpen();
    const key = kindOf(this.store.kinds, kind).key(object);
    const current = await this.get(kind, key);
    if (current) throw new AlreadyExistsError(kind, key, current.version);
    const frozen = deepFreeze(object);
    this.writes.set(id(kind, key), { kind, key, object: frozen });
    return frozen;
  }

  async update(kind: string, key: string, change: Change<unknown>): Promise<unknown> {
    this.assertOpen();
    const k = kindOf(this.store.kinds, kind);
    const current = await this.get(kind, key);
    if (!current) throw new NotFoundError(kind, key);
    const next = applyChange(current.object, change);
    if (k.key(next) !== key) {
      throw new InvalidArgumentError(
        `${kind} "${key}": an update may not change the key (to "${k.key(next)}")`,
      );
    }
    this.writes.set(id(kind, key), { kind, key, object: next });
    return next;
  }

  async delete(kind: string, key: string): Promise<void> {
    this.assertOpen();
    const current = await this.get(kind, key);
    if (!current) throw new NotFoundError(kind, key);
    this.writes.set(id(kind, key), { kind, key, object: undefined });
  }

  async nextSequence(name: string): Promise<number> {
    this.assertOpen();
    let s = this.sequences.get(name);
    if (!s) {
      const base = await this.store.sequence(name);
      s = this.sequences.get(name) ?? { base, next: base };
      this.sequences.set(name, s);
    }
    s.next += 1;
    return s.next;
  }

  /** Sequences read, with the value seen. */
  sequencesRead(): [string, number][] {
    return [...this.sequences].map(([name, s]) => [name, s.base]);
  }

  /** The commit that makes this attempt durable iff every read still holds. */
  ops(includeWrites: boolean): AnyOp[] {
    this.finished = true;
    const ops: AnyOp[] = [];
    for (const [rid, r] of this.reads) {
      if (includeWrites && this.writes.has(rid)) continue;
      ops.push(
        r.entry
          ? { op: 'check', kind: r.kind, key: r.key, ifVersion: r.entry.version }
          : { op: 'check', kind: r.kind, key: r.key, ifAbsent: true },
      );
    }
    for (const l of this.lists) {
      const check: CheckOp = { op: 'check', kind: l.kind, notModifiedSince: l.version, ...l.options };
      ops.push(check);
    }
    if (!includeWrites) return ops;
    for (const [wid, w] of this.writes) {
      const base = this.reads.get(wid)?.entry;
      if (w.object !== undefined) {
        ops.push(
          base
            ? { op: 'update', kind: w.kind, key: w.key, change: w.object, ifVersion: base.version }
            : { op: 'create', kind: w.kind, object: w.object },
        );
      } else {
        ops.push(
          base
            ? { op: 'delete', kind: w.kind, key: w.key, ifVersion: base.version }
            : { op: 'check', kind: w.kind, key: w.key, ifAbsent: true },
        );
      }
    }
    for (const [name, s] of this.sequences) {
      if (s.next > s.base) ops.push({ op: 'sequence', name, ifValue: s.base, value: s.next });
    }
    return ops;
  }

  private async read(kind: string, key: string): Promise<Entry<unknown> | undefined> {
    const rid = id(kind, key);
    const seen = this.reads.get(rid);
    if (seen) return seen.entry;
    const entry = await this.store.get(kind, key);
    // Two concurrent reads of one key: the first recorded wins, so reads stay repeatable.
    const first = this.reads.get(rid);
    if (first) return first.entry;
    this.reads.set(rid, { kind, key, entry });
    return entry;
  }

  private assertOpen(): void {
    if (this.finished)
      throw new InvalidArgumentError('transaction already finished; do not use it after fn returns');
  }
}

/**
 * Optimistic software transactional memory over any Store: run `fn` against a recording view,
 * then commit its writes together with a check of every version it read (and of every list it
 * read, against phantoms). If a check fails, someone else won: run `fn` again on fresh reads.
 * Backends get `transaction()` by delegating here.
 */
export async function runTransaction<K extends KindMap, R>(
  store: Store<K>,
  fn: (tx: Transaction<K>) => R | Promise<R>,
  options: TransactionOptions = {},
): Promise<TransactionResult<R>> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidArgumentError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  const backoff = options.backoff ?? defaultBackoff;
  const anyStore = store as unknown as AnyStore;
  let lastConflict: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      const delay = backoff(attempt);
      if (delay > 0) await sleep(delay);
    }
    const tx = new Attempt(anyStore, attempt);
    let result: R;
    try {
      result = await fn(tx as unknown as Transaction<K>);
    } catch (err) {
      // fn may have failed only because it saw an inconsistent mix of reads; retry in that case.
      try {
        await anyStore.commit(tx.ops(false) as Op<KindMap>[]);
        // Sequences only move forward: one still at the value read was at it when fn read it.
        for (const [name, seen] of tx.sequencesRead()) {
          const now = await anyStore.sequence(name);
          if (now !== seen) {
            throw new ConflictError({
              kind: 'sequence',
              key: name,
              expected: seen,
              actual: now,
              subject: 'sequence',
            });
          }
        }
      } catch (checkErr) {
        if (isPreconditionFailure(checkErr)) {
          lastConflict = checkErr;
          continue;
        }
        throw checkErr;
      }
      throw err;
    }
    try {
      const { version } = await anyStore.commit(tx.ops(true) as Op<KindMap>[]);
      return { result, version, attempts: attempt };
    } catch (err) {
      if (!isPreconditionFailure(err)) throw err;
      lastConflict = err;
    }
  }
  throw new TransactionConflictError(maxAttempts, lastConflict);
}
