import fc from 'fast-check';
import type { CommitResult, Entry, ObjectEvent, Op } from '../../src/index.js';
import { instance, type TestKinds, type TestTask, task, taskKey } from '../conformance/kinds.js';

/** One write in a random commit; turned into a valid op against the current state. */
export interface Action {
  readonly id: string;
  readonly act: 'put' | 'touch' | 'delete';
  readonly inst: number;
}

export const actionArb: fc.Arbitrary<Action> = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  act: fc.constantFrom('put', 'put', 'touch', 'delete'),
  inst: fc.integer({ min: 1, max: 3 }),
});

/** A commit: 1–3 actions on distinct keys. */
export const commitArb = fc.uniqueArray(actionArb, { selector: (a) => a.id, minLength: 1, maxLength: 3 });

/**
 * Tracks the objects it has written so it can always produce valid ops in which every op changes
 * something (so each commit advances the version by exactly one).
 */
export class Workload {
  private readonly objects = new Map<string, TestTask>();
  private tag = 0;

  ops(actions: readonly Action[]): Op<TestKinds>[] {
    this.tag++;
    return actions.map((a): Op<TestKinds> => {
      const key = taskKey(a.id);
      const cur = this.objects.get(key);
      if (!cur) {
        const object = task(a.id, { containerInstanceArn: instance(a.inst), lastStatus: `s${this.tag}` });
        this.objects.set(key, object);
        return { op: 'create', kind: 'Task', object };
      }
      if (a.act === 'delete') {
        this.objects.delete(key);
        return { op: 'delete', kind: 'Task', key };
      }
      const next: TestTask = {
        ...cur,
        lastStatus: `s${this.tag}`,
        containerInstanceArn: a.act === 'put' ? instance(a.inst) : cur.containerInstanceArn,
      };
      this.objects.set(key, next);
      return { op: 'update', kind: 'Task', key, change: next };
    });
  }
}

/** The canonical events of committed results, in commit order. */
export function eventsOf(
  commits: readonly { readonly ops: readonly Op<TestKinds>[]; readonly result: CommitResult }[],
): ObjectEvent<TestTask>[] {
  const latest = new Map<string, Entry<TestTask>>();
  const events: ObjectEvent<TestTask>[] = [];
  for (const { ops, result } of [...commits].sort((a, b) => a.result.version - b.result.version)) {
    ops.forEach((op, i) => {
      const entry = result.results[i] as Entry<TestTask>;
      const base = { kind: 'Task', key: entry.key, version: result.version };
      const previous = latest.get(entry.key);
      if (op.op === 'create') events.push({ ...base, type: 'ADDED', object: entry, previous: undefined });
      else if (op.op === 'update')
        events.push({ ...base, type: 'MODIFIED', object: entry, previous: previous! });
      else events.push({ ...base, type: 'DELETED', object: undefined, previous: previous! });
      if (op.op === 'delete') latest.delete(entry.key);
      else latest.set(entry.key, entry);
    });
  }
  return events;
}

/** What a watcher filtered to one instance sees of an event (moves become ADDED / DELETED). */
export function throughInstanceFilter(
  e: ObjectEvent<TestTask>,
  arn: string | undefined,
): ObjectEvent<TestTask> | undefined {
  if (arn === undefined) return e;
  const was = e.previous?.object.containerInstanceArn === arn;
  const is = e.object?.object.containerInstanceArn === arn;
  if (was && is) return e;
  if (is) return { ...e, type: 'ADDED', object: e.object! };
  if (was) return { ...e, type: 'DELETED', previous: e.previous! };
  return undefined;
}

/** State at `version` from the canonical events. */
export function stateAt(
  events: readonly ObjectEvent<TestTask>[],
  version: number,
): Map<string, Entry<TestTask>> {
  const state = new Map<string, Entry<TestTask>>();
  for (const e of events) {
    if (e.version > version) break;
    if (e.object) state.set(e.key, e.object);
    else state.delete(e.key);
  }
  return state;
}
