import { StoreClosedError } from '../errors.js';

/**
 * etcd did not answer (down, unreachable, or slower than the request timeout). Reads can simply be
 * retried; for a write, `ambiguous` says whether it may have been applied anyway (the request was
 * sent but no answer came back), so retry it only as a compare-and-set.
 */
export class EtcdUnavailableError extends Error {
  readonly code = 'UNAVAILABLE' as const;
  constructor(
    readonly endpoints: readonly string[],
    readonly operation: string,
    readonly ambiguous: boolean,
    cause: unknown,
  ) {
    super(
      `etcd at ${endpoints.join(', ')} did not answer ${operation}: ${describeCause(cause)}${
        ambiguous ? ' (the write may or may not have been applied)' : ''
      }; check that etcd is running and reachable`,
      { cause },
    );
    this.name = 'EtcdUnavailableError';
  }
}

/**
 * A write made through a fenced store (see `withFence`) was refused because the fence no longer
 * holds: the leadership (or engine ownership) it was made under has passed to someone else or
 * lapsed. Nothing was written. It is a StoreClosedError (code STORE_CLOSED): that store handle
 * must not write again; the loop that used it has to stop.
 */
export class FencedError extends StoreClosedError {
  readonly fenced = true as const;
  constructor(
    readonly fence: string,
    holder: string,
  ) {
    super(`write refused: ${fence} no longer holds (${holder}); a deposed leader must not write`);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message.replace(/\s+/g, ' ').trim();
  return String(cause);
}

/** Whether a gRPC failure means the request certainly never reached etcd. */
export function neverSent(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /ECONNREFUSED|No connection established|failed to connect|Name resolution failed/i.test(msg);
}
