import { WireError } from './wire-error.js';

/** One page of a sorted list, and the token for the next one (absent on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * AWS-style pagination over a list Baton returns whole and sorted: the token is opaque to the
 * caller and names the last item returned, so items added or removed between calls neither repeat
 * nor skip the rest. `limits` are the operation's default and maximum page size, from AWS's docs.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  request: { readonly nextToken?: string | undefined; readonly maxResults?: number | undefined },
  limits: { readonly default: number; readonly max: number },
  invalid: {
    readonly code: string;
    readonly tokenCode?: string;
    /** What the service calls the page size and the token (ELB: PageSize, Marker). */
    readonly names?: { readonly size: string; readonly token: string };
  },
): Page<T> {
  const names = invalid.names ?? { size: 'maxResults', token: 'nextToken' };
  const size = request.maxResults ?? limits.default;
  if (!Number.isInteger(size) || size < 1 || size > limits.max)
    throw new WireError(
      invalid.code,
      400,
      `${names.size} must be between 1 and ${limits.max} (got ${size}).`,
    );
  let start = 0;
  if (request.nextToken !== undefined && request.nextToken !== '') {
    const after = decodeToken(request.nextToken);
    if (after === undefined)
      throw new WireError(invalid.tokenCode ?? invalid.code, 400, `The ${names.token} is not valid.`);
    // The first item past the token's key: a binary search over the sorted keys.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(items[mid]!) <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return more ? { items: page, nextToken: encodeToken(keyOf(page[page.length - 1]!)) } : { items: page };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    return typeof v.after === 'string' ? v.after : undefined;
  } catch {
    return undefined;
  }
}
