import type { ICompare, IRequestOp, IResponseOp, KVClient } from 'etcd3';
import type { Entry } from '../entry.js';
import { type Filter, normalizeFilter } from '../filter.js';
import { type AnyKind, type KindMap, kindOf } from '../kinds.js';
import { Collection } from '../memory/collection.js';
import type { CommitPlan, PlanState } from '../memory/commit-plan.js';
import type { AnyOp } from '../ops.js';
import { decodeEntry, encodeEntry } from './codec.js';
import type { WriteFence } from './fence.js';
import type { KeySpace } from './keys.js';

/** What a commit must read before it can be planned: the keys its ops name and its list checks' markers. */
export interface ReadSet {
  readonly objects: Map<string, Set<string>>;
  readonly sequences: Set<string>;
  /** Marker key (utf8) → the filter it answers for. */
  readonly markers: Map<string, Buffer>;
}

/**
 * The keys a commit's ops touch. Malformed ops are skipped here: the planner rejects them with the
 * same errors the memory backend gives, after the read.
 */
export function readSetOf(kinds: KindMap, keys: KeySpace, ops: readonly AnyOp[]): ReadSet {
  const reads: ReadSet = { objects: new Map(), sequences: new Set(), markers: new Map() };
  const addObject = (kind: string, key: unknown) => {
    if (typeof key !== 'string' || key === '') return;
    let set = reads.objects.get(kind);
    if (!set) {
      set = new Set();
      reads.objects.set(kind, set);
    }
    set.add(key);
  };
  for (const op of ops) {
    try {
      if (op?.op === 'sequence') {
        if (typeof op.name === 'string' && op.name !== '') reads.sequences.add(op.name);
        continue;
      }
      const k = kindOf(kinds, op.kind);
      if (op.op === 'create') addObject(op.kind, k.key(op.object));
      else if (op.op === 'update' || op.op === 'delete') addObject(op.kind, op.key);
      else if (op.op === 'check' && op.notModifiedSince !== undefined) {
        const marker = markerFor(keys, op.kind, normalizeFilter(op.kind, k, op));
        reads.markers.set(marker.toString('utf8'), marker);
      } else if (op.op === 'check') addObject(op.kind, op.key);
    } catch {
      // the planner reports it
    }
  }
  return reads;
}

/** The marker a list precondition compares: the index bucket's when filtered by index, else the kind's. */
export function markerFor(keys: KeySpace, kind: string, f: Filter): Buffer {
  return f.index !== undefined && f.value !== undefined
    ? keys.indexMarker(kind, f.index, f.value)
    : keys.kindMarker(kind);
}

interface ReadKey {
  readonly key: Buffer;
  /** etcd mod revision when read; '0' when absent. */
  readonly mod: string;
}

/** A consistent read (one etcd revision) of everything a commit needs, usable as the planner's state. */
export class Snapshot implements PlanState {
  readonly read: ReadKey[] = [];
  private readonly collections = new Map<string, SnapshotCollection>();
  private readonly sequences = new Map<string, number>();
  private readonly markerMods = new Map<string, number>();

  constructor(
    private readonly kinds: KindMap,
    private readonly keys: KeySpace,
    readonly base: number,
    /** The etcd revision of the read. */
    public revision = 0,
  ) {}

  /** Reads the set in one etcd transaction (a single revision). */
  static async load(kv: KVClient, kinds: KindMap, keys: KeySpace, base: number, set: ReadSet) {
    const snap = new Snapshot(kinds, keys, base);
    const plan: { request: IRequestOp; apply: (r: IResponseOp) => void }[] = [];
    for (const [kind, names] of set.objects) {
      for (const key of names) {
        const k = keys.object(kind, key);
        plan.push({
          request: { request_range: { key: k } },
          apply: (r) => {
            const kv0 = r.response_range?.kvs[0];
            snap.read.push({ key: k, mod: kv0?.mod_revision ?? '0' });
            if (kv0) snap.collection(kind).entries.set(key, decodeEntry(kind, key, kv0, base));
          },
        });
      }
    }
    for (const name of set.sequences) {
      const k = keys.sequence(name);
      plan.push({
        request: { request_range: { key: k } },
        apply: (r) => {
          const kv0 = r.response_range?.kvs[0];
          snap.read.push({ key: k, mod: kv0?.mod_revision ?? '0' });
          if (kv0) snap.sequences.set(name, Number(kv0.value.toString('utf8')));
        },
      });
    }
    for (const [id, k] of set.markers) {
      plan.push({
        request: { request_range: { key: k, keys_only: true } },
        apply: (r) => {
          const mod = r.response_range?.kvs[0]?.mod_revision ?? '0';
          snap.read.push({ key: k, mod });
          snap.markerMods.set(id, Number(mod));
        },
      });
    }
    // Even an empty read set is read at a revision: a commit of checks only answers with it.
    if (plan.length === 0)
      plan.push({ request: { request_range: { key: keys.meta, keys_only: true } }, apply: () => {} });
    const res = await kv.txn({ success: plan.map((p) => p.request) });
    for (const [i, p] of plan.entries()) p.apply(res.responses[i] as IResponseOp);
    snap.revision = Number(res.header.revision);
    return snap;
  }

  // PlanState
  collection(kind: string): SnapshotCollection {
    let c = this.collections.get(kind);
    if (!c) {
      c = new SnapshotCollection(kind, kindOf(this.kinds, kind), (f) => this.changedAt(kind, f));
      this.collections.set(kind, c);
    }
    return c;
  }

  sequenceValue(name: string): number {
    return this.sequences.get(name) ?? 0;
  }

  /** Store version of the last change a list precondition's marker records (0: never changed). */
  private changedAt(kind: string, f: Filter): number {
    const mod = this.markerMods.get(markerFor(this.keys, kind, f).toString('utf8')) ?? 0;
    return mod === 0 ? 0 : mod - this.base;
  }
}

/**
 * The planner's view of one kind: only the entries the commit read, and list preconditions
 * answered from etcd markers instead of in-memory buckets.
 */
class SnapshotCollection extends Collection {
  constructor(
    name: string,
    def: AnyKind,
    private readonly changedAt: (f: Filter) => number,
  ) {
    super(name, def);
  }

  override changedSince(f: Filter, since: number): number | undefined {
    const at = this.changedAt(f);
    return at > since ? at : undefined;
  }
}

/**
 * The etcd transaction that applies a plan iff nothing it read has changed (and the fence holds):
 * every key read is compared on its mod revision, so a concurrent writer makes it fail as a whole.
 */
export function txnFor(plan: CommitPlan, snap: Snapshot, keys: KeySpace, fence: WriteFence | undefined) {
  const compare: ICompare[] = snap.read.map((r) => ({
    key: r.key,
    target: 'Mod',
    result: 'Equal',
    mod_revision: r.mod,
  }));
  if (fence) {
    compare.push({
      key: Buffer.from(fence.key, 'utf8'),
      target: 'Create',
      result: 'Equal',
      create_revision: fence.createRevision,
    });
  }
  const success: IRequestOp[] = [];
  const markers = new Map<string, Buffer>();
  const mark = (k: Buffer) => markers.set(k.toString('utf8'), k);
  for (const ch of plan.changes) {
    const kind = ch.collection.name;
    const k = keys.object(kind, ch.key);
    success.push(
      ch.next
        ? { request_put: { key: k, value: encodeEntry(ch.next) } }
        : { request_delete_range: { key: k } },
    );
    mark(keys.kindMarker(kind));
    const names = ch.collection.indexNames;
    for (let i = 0; i < names.length; i++) {
      for (const v of ch.oldIndex?.[i] ?? []) mark(keys.indexMarker(kind, names[i] as string, v));
      for (const v of ch.newIndex?.[i] ?? []) mark(keys.indexMarker(kind, names[i] as string, v));
    }
  }
  for (const k of markers.values()) success.push({ request_put: { key: k, value: Buffer.alloc(0) } });
  for (const [name, value] of plan.sequences) {
    success.push({ request_put: { key: keys.sequence(name), value: Buffer.from(String(value), 'utf8') } });
  }
  const failure: IRequestOp[] = fence ? [{ request_range: { key: Buffer.from(fence.key, 'utf8') } }] : [];
  return { compare, success, failure };
}

/** The plan's entries with their real version once etcd has assigned the commit's revision. */
export function restamp(plan: CommitPlan, placeholder: number, version: number): readonly unknown[] {
  if (placeholder === version) return plan.results;
  const fixed = new Map<Entry<unknown>, Entry<unknown>>();
  for (const ch of plan.changes) {
    if (!ch.next) continue;
    const e = ch.next;
    fixed.set(
      e,
      Object.freeze({
        ...e,
        version,
        createVersion: e.createVersion === placeholder ? version : e.createVersion,
      }),
    );
  }
  return plan.results.map((r) => (typeof r === 'object' && r !== null ? (fixed.get(r) ?? r) : r));
}
