import type { Draft } from 'immer';
import type { Entry } from './entry.js';
import type { IndexName, KindMap, KindName, ObjectOf } from './kinds.js';

/**
 * An immer recipe: mutate the draft (or return a replacement). The store produces a new frozen
 * object that shares every untouched subtree with the old one.
 */
export type Recipe<T> = (draft: Draft<T>) => void;

/** A replacement object or a recipe applied to the current object. */
export type Change<T> = T | Recipe<T>;

/** Creates an object; fails with AlreadyExistsError if its key exists (an implied ifAbsent). */
export interface CreateOp<N extends string = string, T = unknown> {
  readonly op: 'create';
  readonly kind: N;
  readonly object: T;
}

/** Replaces or edits an object; fails with NotFoundError if absent, ConflictError on a stale ifVersion. */
export interface UpdateOp<N extends string = string, T = unknown> {
  readonly op: 'update';
  readonly kind: N;
  readonly key: string;
  readonly change: Change<T>;
  readonly ifVersion?: number;
}

export interface DeleteOp<N extends string = string> {
  readonly op: 'delete';
  readonly kind: N;
  readonly key: string;
  readonly ifVersion?: number;
}

/**
 * A precondition without a write. With `key`: the object is at `ifVersion`, or absent with
 * `ifAbsent`. Without `key`: nothing in the (optionally filtered) list of the kind was created,
 * changed or deleted after `notModifiedSince` — how transactions guard list reads against
 * phantoms. Backends may answer list checks conservatively (report a conflict when unsure).
 */
export interface CheckOp<N extends string = string, I extends string = string> {
  readonly op: 'check';
  readonly kind: N;
  readonly key?: string;
  readonly ifVersion?: number;
  readonly ifAbsent?: boolean;
  readonly notModifiedSince?: number;
  readonly index?: I;
  readonly value?: string;
  readonly prefix?: string;
}

/**
 * Advances a durable counter to `value`. Sequences only move forward (a value not above the
 * current one is a conflict) and are never deleted, so a value handed out is never handed out
 * again. `ifValue` makes it compare-and-set on the current value (0 for a sequence never used).
 */
export interface SequenceOp {
  readonly op: 'sequence';
  readonly name: string;
  readonly value: number;
  readonly ifValue?: number;
}

type OpsFor<K extends KindMap, N extends KindName<K>> =
  | CreateOp<N, ObjectOf<K, N>>
  | UpdateOp<N, ObjectOf<K, N>>
  | DeleteOp<N>
  | CheckOp<N, IndexName<K, N>>;

export type Op<K extends KindMap> = { [N in KindName<K>]: OpsFor<K, N> }[KindName<K>] | SequenceOp;

/** The untyped form generic code handles. */
export type AnyOp = CreateOp | UpdateOp | DeleteOp | CheckOp | SequenceOp;

/**
 * Per op, in order: create/update → the resulting entry (unchanged entry for a no-op update);
 * delete → the deleted entry; check → undefined; sequence → the new value.
 */
export type OpResult = Entry<unknown> | number | undefined;

export interface CommitResult {
  /** The commit's version, or the current store version if nothing changed. */
  readonly version: number;
  readonly results: readonly OpResult[];
}

export interface WriteOptions {
  /** Compare-and-set: fail with ConflictError unless the object is at this version. */
  readonly ifVersion?: number;
}
