import { deepEqual } from '../deep-equal.js';
import type { Entry } from '../entry.js';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  InvalidObjectError,
  NotFoundError,
} from '../errors.js';
import { describeFilter, normalizeFilter } from '../filter.js';
import { applyChange, deepFreeze } from '../immer.js';
import type { AnyOp, CheckOp, OpResult, SequenceOp } from '../ops.js';
import type { Collection, IndexValues } from './collection.js';

export interface PlannedChange {
  readonly collection: Collection;
  readonly key: string;
  readonly previous: Entry<unknown> | undefined;
  readonly next: Entry<unknown> | undefined;
  readonly oldIndex: IndexValues | undefined;
  readonly newIndex: IndexValues | undefined;
}

export interface CommitPlan {
  readonly changes: PlannedChange[];
  readonly sequences: [string, number][];
  readonly results: OpResult[];
}

export interface PlanState {
  collection(kind: string): Collection;
  sequenceValue(name: string): number;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function requireKey(c: Collection, key: unknown): string {
  if (typeof key !== 'string' || key === '') {
    throw new InvalidArgumentError(`${c.name}: key must be a non-empty string, got ${JSON.stringify(key)}`);
  }
  return key;
}

function validate(c: Collection, key: string, object: unknown): void {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new InvalidArgumentError(`${c.name} "${key}": objects must be plain objects`);
  }
  if (!c.def.validate) return;
  try {
    c.def.validate(object);
  } catch (err) {
    throw new InvalidObjectError(c.name, key, err);
  }
}

function checkIfVersion(
  c: Collection,
  key: string,
  cur: Entry<unknown>,
  ifVersion: number | undefined,
): void {
  if (ifVersion === undefined) return;
  if (!isCount(ifVersion)) throw new InvalidArgumentError(`ifVersion must be a non-negative integer`);
  if (cur.version !== ifVersion) {
    throw new ConflictError({
      kind: c.name,
      key,
      expected: ifVersion,
      actual: cur.version,
      actualUpdatedAt: cur.updatedAt,
    });
  }
}

function specChanged(c: Collection, before: unknown, after: unknown): boolean {
  const spec = c.def.spec;
  return spec ? !deepEqual(spec(before), spec(after)) : true;
}

/**
 * Validates a commit against the current state and computes its effect without mutating
 * anything: every precondition sees the state before the commit, and any failure (including a
 * throwing recipe or index function) leaves the store untouched — all or nothing.
 */
export function planCommit(
  state: PlanState,
  ops: readonly AnyOp[],
  version: number,
  now: number,
): CommitPlan {
  const changes: PlannedChange[] = [];
  const sequences: [string, number][] = [];
  const results: OpResult[] = [];
  const written = new Set<string>();

  const claim = (c: Collection, key: string) => {
    if (ops.length === 1) return;
    const id = `${c.name}\u0000${key}`;
    if (written.has(id)) throw new InvalidArgumentError(`a commit may write ${c.name} "${key}" only once`);
    written.add(id);
  };

  for (const op of ops) {
    switch (op?.op) {
      case 'create': {
        const c = state.collection(op.kind);
        if (typeof op.object !== 'object' || op.object === null || Array.isArray(op.object)) {
          throw new InvalidArgumentError(`${c.name}: objects must be plain objects`);
        }
        const key = requireKey(c, c.def.key(op.object));
        claim(c, key);
        const cur = c.get(key);
        if (cur) throw new AlreadyExistsError(c.name, key, cur.version);
        validate(c, key, op.object);
        const object = deepFreeze(op.object);
        const next: Entry<unknown> = Object.freeze({
          kind: c.name,
          key,
          object,
          version,
          createVersion: version,
          generation: 1,
          createdAt: now,
          updatedAt: now,
        });
        changes.push({
          collection: c,
          key,
          previous: undefined,
          next,
          oldIndex: undefined,
          newIndex: c.indexValues(object),
        });
        results.push(next);
        break;
      }
      case 'update': {
        const c = state.collection(op.kind);
        const key = requireKey(c, op.key);
        claim(c, key);
        const cur = c.get(key);
        if (!cur) throw new NotFoundError(c.name, key, op.ifVersion);
        checkIfVersion(c, key, cur, op.ifVersion);
        const object = applyChange(cur.object, op.change);
        const newKey = c.def.key(object);
        if (newKey !== key) {
          throw new InvalidArgumentError(
            `${c.name} "${key}": an update may not change the key (to "${newKey}")`,
          );
        }
        if (object === cur.object || deepEqual(object, cur.object)) {
          results.push(cur); // a no-op write: no new version, no event
          break;
        }
        validate(c, key, object);
        const next: Entry<unknown> = Object.freeze({
          kind: c.name,
          key,
          object,
          version,
          createVersion: cur.createVersion,
          generation: specChanged(c, cur.object, object) ? cur.generation + 1 : cur.generation,
          createdAt: cur.createdAt,
          updatedAt: now,
        });
        changes.push({
          collection: c,
          key,
          previous: cur,
          next,
          oldIndex: c.indexValues(cur.object),
          newIndex: c.indexValues(object),
        });
        results.push(next);
        break;
      }
      case 'delete': {
        const c = state.collection(op.kind);
        const key = requireKey(c, op.key);
        claim(c, key);
        const cur = c.get(key);
        if (!cur) throw new NotFoundError(c.name, key, op.ifVersion);
        checkIfVersion(c, key, cur, op.ifVersion);
        changes.push({
          collection: c,
          key,
          previous: cur,
          next: undefined,
          oldIndex: c.indexValues(cur.object),
          newIndex: undefined,
        });
        results.push(cur);
        break;
      }
      case 'check':
        planCheck(state, op);
        results.push(undefined);
        break;
      case 'sequence':
        results.push(planSequence(state, op, sequences));
        break;
      default:
        throw new InvalidArgumentError(`unknown commit op ${JSON.stringify((op as { op?: unknown })?.op)}`);
    }
  }
  return { changes, sequences, results };
}

function planCheck(state: PlanState, op: CheckOp): void {
  const c = state.collection(op.kind);
  if (op.notModifiedSince !== undefined) {
    if (op.key !== undefined) throw new InvalidArgumentError('check: use either key or notModifiedSince');
    if (!isCount(op.notModifiedSince)) throw new InvalidArgumentError('notModifiedSince must be a version');
    const filter = normalizeFilter(c.name, c.def, op);
    const at = c.changedSince(filter, op.notModifiedSince);
    if (at !== undefined) {
      throw new ConflictError({
        kind: c.name,
        key: describeFilter(filter) || undefined,
        expected: op.notModifiedSince,
        actual: at,
        subject: 'list',
      });
    }
    return;
  }
  const key = requireKey(c, op.key);
  const cur = c.get(key);
  if (op.ifAbsent) {
    if (cur) {
      throw new ConflictError({
        kind: c.name,
        key,
        expected: 0,
        actual: cur.version,
        actualUpdatedAt: cur.updatedAt,
      });
    }
  } else if (op.ifVersion !== undefined) {
    if (!isCount(op.ifVersion)) throw new InvalidArgumentError('ifVersion must be a non-negative integer');
    const actual = cur?.version ?? 0;
    if (actual !== op.ifVersion) {
      throw new ConflictError({
        kind: c.name,
        key,
        expected: op.ifVersion,
        actual,
        actualUpdatedAt: cur?.updatedAt,
      });
    }
  } else {
    throw new InvalidArgumentError(`check on ${c.name} "${key}" needs ifVersion or ifAbsent`);
  }
}

function planSequence(state: PlanState, op: SequenceOp, sequences: [string, number][]): number {
  if (typeof op.name !== 'string' || op.name === '') {
    throw new InvalidArgumentError('sequence name must be a non-empty string');
  }
  if (sequences.some(([n]) => n === op.name)) {
    throw new InvalidArgumentError(`a commit may advance sequence "${op.name}" only once`);
  }
  if (!isCount(op.value))
    throw new InvalidArgumentError(`sequence "${op.name}": value must be a safe integer`);
  const current = state.sequenceValue(op.name);
  if (op.ifValue !== undefined && op.ifValue !== current) {
    throw new ConflictError({
      kind: 'sequence',
      key: op.name,
      expected: op.ifValue,
      actual: current,
      subject: 'sequence',
    });
  }
  if (op.value <= current) {
    throw new ConflictError({
      kind: 'sequence',
      key: op.name,
      expected: op.value - 1,
      actual: current,
      subject: 'sequence',
    });
  }
  sequences.push([op.name, op.value]);
  return op.value;
}
