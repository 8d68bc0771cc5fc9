import type { Entry } from '../entry.js';
import type { LogRecord } from '../persistence/log-record.js';
import type { ObjectEvent } from '../watch.js';
import type { IndexValues } from './collection.js';
import type { CommitPlan, PlannedChange } from './commit-plan.js';

/** A committed change as the watch machinery keeps it: the canonical event plus index values. */
export interface ChangeRecord {
  readonly event: ObjectEvent<unknown>;
  readonly oldIndex: IndexValues | undefined;
  readonly newIndex: IndexValues | undefined;
}

/** The canonical (unfiltered) event for a planned change. */
export function eventFor(ch: PlannedChange, version: number): ObjectEvent<unknown> {
  const kind = ch.collection.name;
  const key = ch.key;
  if (!ch.previous) {
    return Object.freeze({
      type: 'ADDED',
      kind,
      key,
      version,
      object: ch.next as Entry<unknown>,
      previous: undefined,
    });
  }
  if (!ch.next)
    return Object.freeze({ type: 'DELETED', kind, key, version, object: undefined, previous: ch.previous });
  return Object.freeze({ type: 'MODIFIED', kind, key, version, object: ch.next, previous: ch.previous });
}

/** The durable form of a commit: its effect. */
export function toLogRecord(version: number, plan: CommitPlan): LogRecord {
  return {
    version,
    changes: plan.changes.map((ch) => ({ kind: ch.collection.name, key: ch.key, entry: ch.next ?? null })),
    sequences: plan.sequences,
  };
}
