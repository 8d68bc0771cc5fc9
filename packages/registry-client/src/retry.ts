/** How the client retries 429, 5xx and network failures. */
export interface RetryPolicy {
  /** Attempts in total, the first included (default 4). */
  readonly attempts: number;
  /** First backoff in ms, doubled per retry, with jitter (default 200). */
  readonly baseDelayMs: number;
  /** Cap on one backoff (default 5,000). */
  readonly maxDelayMs: number;
  /** The longest `Retry-After` the client waits; a longer one fails at once with `retryAfterSeconds` set (default 60 s). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses worth another try: rate limited, or the server (or a proxy before it) in trouble. */
export const isRetryableStatus = (status: number): boolean =>
  status === 429 || status === 500 || status === 502 || status === 503 || status === 504;

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent/garbled. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out but still wait. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
