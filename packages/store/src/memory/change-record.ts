import type { ObjectEvent } from '../watch.js';
import type { IndexValues } from './collection.js';

/** A committed change as the watch machinery keeps it: the canonical event plus index values. */
export interface ChangeRecord {
  readonly event: ObjectEvent<unknown>;
  readonly oldIndex: IndexValues | undefined;
  readonly newIndex: IndexValues | undefined;
}
