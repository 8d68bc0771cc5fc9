import type { Entry } from '../entry.js';
import { CorruptDataError } from '../errors.js';
import { deepFreeze } from '../immer.js';

/** What the etcd store keeps in an object's value; versions come from etcd's own revisions. */
interface StoredValue {
  readonly g: number;
  readonly c: number;
  readonly u: number;
  readonly o: unknown;
}

/** The parts of an etcd KeyValue the codec needs (revisions arrive as decimal strings). */
export interface Kv {
  readonly value: Buffer;
  readonly create_revision: string;
  readonly mod_revision: string;
}

export function encodeEntry(e: Entry<unknown>): Buffer {
  const v: StoredValue = { g: e.generation, c: e.createdAt, u: e.updatedAt, o: e.object };
  return Buffer.from(JSON.stringify(v), 'utf8');
}

/** A frozen entry from an etcd KeyValue; `base` is the revision that is the store's version 0. */
export function decodeEntry(kind: string, key: string, kv: Kv, base: number): Entry<unknown> {
  let v: StoredValue;
  try {
    v = JSON.parse(kv.value.toString('utf8')) as StoredValue;
  } catch (err) {
    throw new CorruptDataError(`etcd holds an unreadable value for ${kind} "${key}": ${String(err)}`);
  }
  if (typeof v !== 'object' || v === null || typeof v.o !== 'object' || typeof v.g !== 'number') {
    throw new CorruptDataError(`etcd holds a value for ${kind} "${key}" that is not a Baton store entry`);
  }
  return Object.freeze({
    kind,
    key,
    object: deepFreeze(v.o),
    version: Number(kv.mod_revision) - base,
    createVersion: Number(kv.create_revision) - base,
    generation: v.g,
    createdAt: v.c,
    updatedAt: v.u,
  });
}
