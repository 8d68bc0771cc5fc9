/**
 * Every error the store raises is a `StoreError` with a stable `code`, so callers can branch on
 * `err.code` (or `instanceof`) without parsing messages.
 */
export type StoreErrorCode =
  | 'CONFLICT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'COMPACTED'
  | 'WATCH_OVERFLOW'
  | 'STORE_CLOSED'
  | 'STORE_UNAVAILABLE'
  | 'UNENCODABLE'
  | 'INVALID_ARGUMENT'
  | 'INVALID_OBJECT'
  | 'TRANSACTION_EXHAUSTED'
  | 'CORRUPT_DATA'
  | 'STORE_LOCKED';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

const iso = (ms: number): string => {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
};

export interface ConflictDetails {
  /** The kind, or `'sequence'` for a sequence precondition. */
  readonly kind: string;
  /** The object key or sequence name; undefined for a list precondition. */
  readonly key?: string;
  /** What the writer expected: a version (0 = absent), a sequence value, or "not modified since". */
  readonly expected: number;
  /** What the store holds: the winning version (0 = absent) or sequence value. */
  readonly actual: number;
  /** When the winning write happened (epoch ms), when known. */
  readonly actualUpdatedAt?: number;
  /** A short description used for list and sequence preconditions. */
  readonly subject?: 'object' | 'list' | 'sequence';
}

/** A precondition (ifVersion, ifAbsent, notModifiedSince, a sequence's ifValue) did not hold. */
export class ConflictError extends StoreError {
  readonly code = 'CONFLICT' as const;
  readonly kind: string;
  readonly key: string | undefined;
  readonly expected: number;
  readonly actual: number;
  readonly actualUpdatedAt: number | undefined;

  constructor(details: ConflictDetails) {
    super(ConflictError.describe(details));
    this.kind = details.kind;
    this.key = details.key;
    this.expected = details.expected;
    this.actual = details.actual;
    this.actualUpdatedAt = details.actualUpdatedAt;
  }

  private static describe(d: ConflictDetails): string {
    const when = d.actualUpdatedAt === undefined ? '' : ` (written ${iso(d.actualUpdatedAt)})`;
    switch (d.subject ?? 'object') {
      case 'sequence':
        return `conflict on sequence "${d.key}": expected value ${d.expected} but another writer advanced it to ${d.actual}`;
      case 'list':
        return `conflict on ${d.kind} list${d.key ? ` ${d.key}` : ''}: read at version ${d.expected} but it changed at version ${d.actual}`;
      default:
        if (d.expected === 0) {
          return `conflict on ${d.kind} "${d.key}": expected it to be absent but version ${d.actual} exists${when}`;
        }
        if (d.actual === 0) {
          return `conflict on ${d.kind} "${d.key}": expected version ${d.expected} but it no longer exists`;
        }
        return `conflict on ${d.kind} "${d.key}": expected version ${d.expected} but version ${d.actual} won${when}`;
    }
  }
}

export class NotFoundError extends StoreError {
  readonly code = 'NOT_FOUND' as const;
  constructor(
    readonly kind: string,
    readonly key: string,
    expectedVersion?: number,
  ) {
    super(
      `${kind} "${key}" not found${expectedVersion === undefined ? '' : ` (expected version ${expectedVersion})`}`,
    );
  }
}

export class AlreadyExistsError extends StoreError {
  readonly code = 'ALREADY_EXISTS' as const;
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly version: number,
  ) {
    super(`${kind} "${key}" already exists (version ${version})`);
  }
}

/** A watch asked to replay from a version older than the retained event window. */
export class CompactedError extends StoreError {
  readonly code = 'COMPACTED' as const;
  constructor(
    readonly fromVersion: number,
    readonly compactedThrough: number,
  ) {
    super(
      `watch fromVersion ${fromVersion} is compacted (events up to version ${compactedThrough} are no longer retained); re-list and watch again`,
    );
  }
}

/**
 * A watcher fell more than `maxBufferedEvents` behind and was ended. Everything up to and
 * including `resumeVersion` was delivered; re-watch with `fromVersion: resumeVersion` (or re-list
 * if that is compacted).
 */
export class WatchOverflowError extends StoreError {
  readonly code = 'WATCH_OVERFLOW' as const;
  constructor(
    readonly resumeVersion: number,
    readonly maxBufferedEvents: number,
  ) {
    super(
      `watcher fell more than ${maxBufferedEvents} events behind and was ended; events through version ${resumeVersion} were delivered; resume with fromVersion ${resumeVersion} or re-list`,
    );
  }
}

export class StoreClosedError extends StoreError {
  readonly code = 'STORE_CLOSED' as const;
  constructor(reason = 'the store is closed', options?: { cause?: unknown }) {
    super(reason, options);
  }
}

/**
 * The store cannot make writes durable right now (a full disk, an I/O error): it fails fast instead
 * of queueing, retries in the background and recovers by itself when the cause goes away. A write
 * that was already applied when the failure struck is rejected with this too; its outcome is
 * unknown until the store recovers (it is then durable). See `health()`.
 */
export class StoreUnavailableError extends StoreError {
  readonly code = 'STORE_UNAVAILABLE' as const;
}

/** A record could not be encoded for the log (a BigInt, a cycle, nesting too deep): only that write fails. */
export class UnencodableRecordError extends StoreError {
  readonly code = 'UNENCODABLE' as const;
  constructor(
    readonly kind: string,
    readonly key: string,
    cause: unknown,
  ) {
    super(
      `${kind} "${key}" cannot be stored: ${cause instanceof Error ? cause.message : String(cause)}; nothing was written`,
      { cause },
    );
  }
}

export class InvalidArgumentError extends StoreError {
  readonly code = 'INVALID_ARGUMENT' as const;
}

/** A kind's `validate` hook rejected an object; the hook's error is the `cause`. */
export class InvalidObjectError extends StoreError {
  readonly code = 'INVALID_OBJECT' as const;
  constructor(
    readonly kind: string,
    readonly key: string,
    cause: unknown,
  ) {
    super(`invalid ${kind} "${key}": ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** `transaction()` kept conflicting with concurrent writers until it ran out of attempts. */
export class TransactionConflictError extends StoreError {
  readonly code = 'TRANSACTION_EXHAUSTED' as const;
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(
      `transaction gave up after ${attempts} attempts, each invalidated by a concurrent write; last: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/** On-disk data is damaged somewhere other than a torn tail, so it cannot be replayed safely. */
export class CorruptDataError extends StoreError {
  readonly code = 'CORRUPT_DATA' as const;
  /** The damaged file and the byte offset of the damage, when one file is at fault. */
  readonly file: string | undefined;
  readonly offset: number | undefined;
  constructor(message: string, options?: { cause?: unknown; file?: string; offset?: number }) {
    super(message, options);
    this.file = options?.file;
    this.offset = options?.offset;
  }
}

/** Another live store (process or instance) holds the persistence directory. */
export class StoreLockedError extends StoreError {
  readonly code = 'STORE_LOCKED' as const;
}

/** Errors that mean "what you read is stale": a transaction retries on these. */
export const isPreconditionFailure = (err: unknown): boolean =>
  err instanceof ConflictError || err instanceof NotFoundError || err instanceof AlreadyExistsError;
