/**
 * A failed engine call. `statusCode` is the engine's HTTP answer (404 no such container, 409 conflict,
 * 500 the engine refused…); undefined when the engine could not be reached at all (refused
 * connection, timeout). Only answers fail a task: an unreachable engine is retried once it is back.
 */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  /** The engine's HTTP status, or undefined when it did not answer. */
  readonly statusCode: number | undefined;
  /** Which call failed (`create`, `start`, `pull`…). */
  readonly operation: string;
  /** The engine (its canonical endpoint), when known. */
  readonly endpoint: string | undefined;

  constructor(
    message: string,
    options: {
      readonly operation: string;
      readonly statusCode?: number | undefined;
      readonly endpoint?: string | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = options.operation;
    this.statusCode = options.statusCode;
    this.endpoint = options.endpoint;
  }

  /** Whether this is the engine's answer (a status) rather than a failure to reach it. */
  get isVerdict(): boolean {
    return this.statusCode !== undefined;
  }

  /** `err` as an EngineError: kept as it is when it already is one, else wrapped with its status and message. */
  static from(err: unknown, operation: string, endpoint?: string): EngineError {
    if (err instanceof EngineError) return err;
    return new EngineError(engineMessage(err), {
      operation,
      statusCode: engineStatus(err),
      endpoint,
      cause: err,
    });
  }
}

/** The engine's HTTP status of an error (an EngineError's, or dockerode's `statusCode`); undefined when it did not answer. */
export function engineStatus(err: unknown): number | undefined {
  if (err instanceof EngineError) return err.statusCode;
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own message, without dockerode's "(HTTP code …) … -" prefix. */
export function engineMessage(err: unknown): string {
  if (err instanceof EngineError) return err.message;
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return err instanceof Error ? err.message : String(err);
}
