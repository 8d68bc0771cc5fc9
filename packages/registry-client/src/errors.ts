/**
 * Every failure the client reports is a RegistryError with a `code`: the registry's own JSON error
 * codes (OCI distribution spec) plus the client's. Messages never carry credentials: they are built
 * from codes, statuses, repository names and URLs without query strings or userinfo.
 */

/** Error codes a registry returns in `{"errors":[{"code":…}]}` (distribution spec plus common extras). */
export const DISTRIBUTION_ERROR_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'MANIFEST_UNVERIFIED',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'TAG_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
  'PAGINATION_NUMBER_INVALID',
  'RANGE_INVALID',
  'UNAVAILABLE',
  'UNKNOWN',
] as const;
export type DistributionErrorCode = (typeof DISTRIBUTION_ERROR_CODES)[number];

/** Codes for failures the client itself detects. */
export type ClientErrorCode =
  /** Content does not hash to the digest it was asked for or announced with. */
  | 'DIGEST_MISMATCH'
  /** A body ended before the announced size. */
  | 'TRUNCATED'
  /** A body exceeded the client's size limit (manifests, configs, token responses). */
  | 'TOO_LARGE'
  /** Something the client does not support (media type, digest algorithm, auth scheme). */
  | 'UNSUPPORTED_MEDIA'
  /** A reference, tag, digest or repository name that does not parse. */
  | 'INVALID_REFERENCE'
  /** A response the client cannot understand (bad JSON, missing headers). */
  | 'INVALID_RESPONSE'
  /** Pagination that never ends or repeats itself. */
  | 'PAGINATION_LOOP'
  /** No platform in an index matches the one asked for. */
  | 'PLATFORM_NOT_FOUND'
  /** Connection refused/reset, DNS failure and the like. */
  | 'NETWORK'
  /** No response within the client's timeout. */
  | 'TIMEOUT'
  /** A credential provider (config file, helper program, token provider) failed. */
  | 'CREDENTIALS'
  /** The token endpoint refused the credentials or answered badly. */
  | 'TOKEN_FAILED'
  /** An IMMUTABLE repository already has this tag on another image. */
  | 'TAG_IMMUTABLE'
  /** A lifecycle policy that does not validate. */
  | 'INVALID_POLICY'
  /** The operation was aborted by the caller. */
  | 'ABORTED';

export type RegistryErrorCode = DistributionErrorCode | ClientErrorCode;

export interface RegistryErrorDetails {
  /** HTTP status when the error came from a response. */
  readonly status?: number;
  /** Registry host (`docker.io`, `127.0.0.1:5000`). */
  readonly registry?: string;
  /** Repository the operation was about. */
  readonly repository?: string;
  /** Expected digest (DIGEST_MISMATCH). */
  readonly expected?: string;
  /** Actual digest (DIGEST_MISMATCH). */
  readonly actual?: string;
  /** Every error the registry listed, first one is `code`. */
  readonly errors?: readonly { code: string; message: string }[];
  /** Seconds the registry asked us to wait (429/503 `Retry-After`). */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number | undefined;
  readonly registry: string | undefined;
  readonly repository: string | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
  readonly errors: readonly { code: string; message: string }[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: RegistryErrorCode, message: string, details: RegistryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.registry = details.registry;
    this.repository = details.repository;
    this.expected = details.expected;
    this.actual = details.actual;
    this.errors = details.errors ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

const NOT_FOUND: ReadonlySet<RegistryErrorCode> = new Set([
  'MANIFEST_UNKNOWN',
  'BLOB_UNKNOWN',
  'NAME_UNKNOWN',
]);

export const isRegistryError = (e: unknown): e is RegistryError => e instanceof RegistryError;

/** True for "the thing does not exist" (manifest, blob or repository unknown). */
export const isNotFound = (e: unknown): boolean => isRegistryError(e) && NOT_FOUND.has(e.code);

/** True for errors worth retrying later: rate limits, server trouble, network and timeouts. */
export const isTransient = (e: unknown): boolean =>
  isRegistryError(e) &&
  (e.code === 'TOOMANYREQUESTS' ||
    e.code === 'UNAVAILABLE' ||
    e.code === 'NETWORK' ||
    e.code === 'TIMEOUT' ||
    (e.status !== undefined && e.status >= 500));

export const invalidReference = (message: string): RegistryError =>
  new RegistryError('INVALID_REFERENCE', message);

/** Maps a status with no usable JSON body to the closest distribution code. */
export function codeForStatus(status: number, notFound: DistributionErrorCode): DistributionErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return notFound;
  if (status === 405) return 'UNSUPPORTED';
  if (status === 429) return 'TOOMANYREQUESTS';
  if (status === 503) return 'UNAVAILABLE';
  return 'UNKNOWN';
}

const isDistributionCode = (c: string): c is DistributionErrorCode =>
  (DISTRIBUTION_ERROR_CODES as readonly string[]).includes(c);

/**
 * Builds the error for a failed response: the registry's JSON error body when it has one,
 * else the status. `what` says what was being done ("HEAD manifest nginx:latest").
 */
export function errorFromResponse(
  status: number,
  body: Buffer | undefined,
  what: string,
  context: {
    registry: string;
    repository?: string;
    notFound: DistributionErrorCode;
    retryAfterSeconds?: number;
  },
): RegistryError {
  const errors = parseErrorBody(body);
  const first = errors[0];
  const code: DistributionErrorCode =
    first && isDistributionCode(first.code) ? first.code : codeForStatus(status, context.notFound);
  const detail = first?.message ? `: ${first.message}` : '';
  return new RegistryError(code, `${what}: ${status} ${code}${detail}`, {
    status,
    registry: context.registry,
    ...(context.repository === undefined ? {} : { repository: context.repository }),
    errors,
    ...(context.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: context.retryAfterSeconds }),
  });
}

/** `{"errors":[{"code","message","detail"}]}`, tolerant of junk (then no errors). */
export function parseErrorBody(body: Buffer | undefined): { code: string; message: string }[] {
  if (!body || body.length === 0 || body.length > 64 * 1024) return [];
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (typeof json !== 'object' || json === null || !('errors' in json) || !Array.isArray(json.errors))
      return [];
    const out: { code: string; message: string }[] = [];
    for (const e of json.errors as unknown[]) {
      if (typeof e !== 'object' || e === null) continue;
      const code = 'code' in e && typeof e.code === 'string' ? e.code.toUpperCase() : 'UNKNOWN';
      const message = 'message' in e && typeof e.message === 'string' ? e.message.slice(0, 500) : '';
      out.push({ code, message });
    }
    return out;
  } catch {
    return [];
  }
}
