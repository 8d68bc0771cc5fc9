/**
 * How a durable store's persistence is doing, for a readiness probe (`/readyz`) and for operators:
 * `ok`; `unavailable` — writes and reads fail fast while it retries by itself (`reason`, errno
 * `code`, since when, how many retries); `failed` — it cannot go on (its directory lock was lost)
 * and must be reopened.
 */
export interface PersistenceHealth {
  readonly status: 'ok' | 'unavailable' | 'failed';
  /** Every commit up to this version is on disk. */
  readonly durableVersion: number;
  /** When the status last changed, epoch ms. */
  readonly since: number;
  readonly reason?: string;
  /** The errno code of the failure (`ENOSPC`, `EIO`), when it has one. */
  readonly code?: string;
  readonly retries?: number;
  /** The last snapshot or segment rotation that failed (harmless: the log keeps everything; retried later). */
  readonly lastSnapshotError?: string;
}

/** Retries with exponential backoff: 100 ms doubling up to 5 s, never keeping the process alive. */
export class Retry {
  attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly firstMs = 100,
    private readonly maxMs = 5_000,
  ) {}

  schedule(run: () => void): void {
    if (this.timer) return;
    const delay = Math.min(this.maxMs, this.firstMs * 2 ** this.attempts);
    this.attempts++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      run();
    }, delay);
    this.timer.unref();
  }

  reset(): void {
    this.attempts = 0;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
