import type { Challenge } from './challenge.js';
import type { Credentials } from './credentials/types.js';
import { errorFromResponse, RegistryError } from './errors.js';
import { type HttpResponse, readBody, safeUrl } from './http.js';

/** A bearer token and when to stop using it (epoch ms). */
export interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Token lifetime when the response has no `expires_in` (distribution spec: 60 s). */
export const DEFAULT_TOKEN_LIFETIME_S = 60;
const MAX_TOKEN_RESPONSE = 1 << 20;

/** Builds the token request for a Bearer challenge (Docker's token protocol, or OAuth2 with a refresh token). */
export function tokenRequest(
  challenge: Challenge,
  scopes: readonly string[],
  credentials: Credentials | undefined,
  registry: string,
): { method: 'GET' | 'POST'; url: URL; headers: Record<string, string>; body?: Buffer } {
  const realm = challenge.params.realm;
  let url: URL;
  try {
    url = new URL(realm ?? '');
  } catch {
    throw new RegistryError('TOKEN_FAILED', `${registry}: Bearer challenge has no usable realm`, {
      registry,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new RegistryError('TOKEN_FAILED', `${registry}: Bearer realm is not an http(s) URL`, { registry });
  const service = challenge.params.service;
  if (credentials?.kind === 'identityToken') {
    // OAuth2 refresh-token grant, as the Docker CLI does for `identitytoken`.
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.token,
      client_id: 'baton',
    });
    if (service) form.set('service', service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    return {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
    };
  }
  if (service) url.searchParams.set('service', service);
  for (const s of scopes) url.searchParams.append('scope', s);
  const headers: Record<string, string> = {};
  if (credentials?.kind === 'basic') {
    url.searchParams.set('account', credentials.username);
    headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
  return { method: 'GET', url, headers };
}

/** Reads a token response: `token` or `access_token`, `expires_in` (default 60 s), `issued_at`. */
export async function readTokenResponse(
  res: HttpResponse,
  registry: string,
  now: number,
): Promise<CachedToken> {
  const what = `token for ${registry} from ${safeUrl(res.url)}`;
  if (res.status !== 200) {
    const body = await readBody(res, 64 * 1024, what).catch(() => undefined);
    if (res.status === 401 || res.status === 403)
      throw new RegistryError(
        'UNAUTHORIZED',
        `${what}: ${res.status}, the token endpoint refused the credentials`,
        {
          status: res.status,
          registry,
        },
      );
    const e = errorFromResponse(res.status, body, what, { registry, notFound: 'UNKNOWN' });
    throw new RegistryError('TOKEN_FAILED', e.message, { status: res.status, registry, errors: e.errors });
  }
  const body = await readBody(res, MAX_TOKEN_RESPONSE, what);
  let json: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
  try {
    json = JSON.parse(body.toString('utf8')) as typeof json;
  } catch {
    throw new RegistryError('TOKEN_FAILED', `${what}: response is not JSON`, { registry });
  }
  const token =
    typeof json.token === 'string' && json.token !== ''
      ? json.token
      : typeof json.access_token === 'string'
        ? json.access_token
        : '';
  if (token === '') throw new RegistryError('TOKEN_FAILED', `${what}: response has no token`, { registry });
  const lifetime =
    typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_LIFETIME_S;
  // issued_at is the server's clock; only trust it when it is not in our future.
  const issued = typeof json.issued_at === 'string' ? Date.parse(json.issued_at) : Number.NaN;
  const start = Number.isNaN(issued) || issued > now ? now : issued;
  // Renew a little early (10% of the lifetime, at most 10 s) so a token does not expire in flight.
  const margin = Math.min(10_000, lifetime * 100);
  return { token, expiresAt: start + lifetime * 1000 - margin };
}

/** A cache key for a token: the scopes, order-insensitive, plus the service. */
export const tokenKey = (service: string | undefined, scopes: readonly string[]): string =>
  `${service ?? ''}|${[...new Set(scopes)].sort().join(' ')}`;

/** `repository:<name>:<actions>` */
export const repositoryScope = (repository: string, actions: readonly string[]): string =>
  `repository:${repository}:${actions.join(',')}`;

export const CATALOG_SCOPE = 'registry:catalog:*';
