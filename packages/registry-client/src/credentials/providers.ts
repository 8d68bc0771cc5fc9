import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { RegistryError } from '../errors.js';
import {
  basicCredentials,
  type CredentialProvider,
  type Credentials,
  decodeBasicAuth,
  registryKey,
} from './types.js';

/** No credentials anywhere: every registry anonymously. */
export const anonymous: CredentialProvider = { name: 'anonymous', credentials: () => TE.right(undefined) };

/**
 * Fixed credentials: one set for every registry, or a map keyed by registry host
 * (`docker.io`, `127.0.0.1:5000`; URLs and Docker Hub aliases are normalised).
 */
export function staticCredentials(
  creds: Credentials | Readonly<Record<string, Credentials>>,
): CredentialProvider {
  if ('kind' in creds && typeof creds.kind === 'string') {
    const one = creds as Credentials;
    return { name: 'static', credentials: () => TE.right(one) };
  }
  const map = new Map<string, Credentials>();
  for (const [k, v] of Object.entries(creds as Record<string, Credentials>)) map.set(registryKey(k), v);
  return { name: 'static', credentials: (registry) => TE.right(map.get(registryKey(registry))) };
}

/** Asks each provider in turn; the first with credentials wins. A failing provider fails the chain. */
export function chainCredentials(...providers: readonly CredentialProvider[]): CredentialProvider {
  return {
    name: `chain(${providers.map((p) => p.name).join(',')})`,
    credentials: (registry) => async () => {
      for (const p of providers) {
        const r = await p.credentials(registry)();
        if (r._tag === 'Left' || r.right !== undefined) return r;
      }
      return E.right(undefined);
    },
  };
}

/** What a token provider hands back: ECR's GetAuthorizationToken shape. */
export interface AuthorizationToken {
  /** base64 of `user:password` (ECR: `AWS:<password>`). */
  readonly authorizationToken: string;
  /** When it stops working; default: `defaultTtlMs` after it was fetched. */
  readonly expiresAt?: Date | number;
}

export interface TokenProviderOptions {
  /** Which registries this provider serves. */
  readonly matches: (registry: string) => boolean;
  /** Fetches a fresh token (e.g. calls ECR's GetAuthorizationToken with the AWS SDK). */
  readonly fetchToken: (registry: string) => Promise<AuthorizationToken>;
  /** Lifetime when the token does not say (default 12 h, as ECR's). */
  readonly defaultTtlMs?: number;
  /** Fetch a new token this long before the old one expires (default 5 min). */
  readonly refreshMarginMs?: number;
  readonly now?: () => number;
  readonly name?: string;
}

/**
 * Credentials from a token service, cached per registry until shortly before they expire, with
 * concurrent callers sharing one fetch. Errors never include the token.
 */
export function tokenCredentialProvider(options: TokenProviderOptions): CredentialProvider {
  const ttl = options.defaultTtlMs ?? 12 * 60 * 60 * 1000;
  const margin = options.refreshMarginMs ?? 5 * 60 * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Promise<Credentials>>();
  const fetchFresh = async (registry: string): Promise<Credentials> => {
    const fetchedAt = now();
    const t = await options.fetchToken(registry);
    const decoded = decodeBasicAuth(t.authorizationToken);
    if (!decoded)
      throw new RegistryError(
        'CREDENTIALS',
        `token provider for ${registry}: token is not base64 user:password`,
      );
    const expiresAt =
      t.expiresAt === undefined
        ? fetchedAt + ttl
        : typeof t.expiresAt === 'number'
          ? t.expiresAt
          : t.expiresAt.getTime();
    return basicCredentials(decoded.username, decoded.password, expiresAt);
  };
  return {
    name: options.name ?? 'token',
    credentials: (registry) => async () => {
      if (!options.matches(registry)) return E.right(undefined);
      let p = cache.get(registry);
      if (p) {
        const current = await p.catch(() => undefined);
        if (!current || (current.expiresAt !== undefined && current.expiresAt - margin <= now()))
          p = undefined;
      }
      if (!p) {
        p = fetchFresh(registry);
        cache.set(registry, p);
        p.catch(() => cache.delete(registry));
      }
      try {
        return E.right(await p);
      } catch (err) {
        const message = err instanceof RegistryError ? err.message : `token provider for ${registry} failed`;
        return E.left(new RegistryError('CREDENTIALS', message, { registry }));
      }
    },
  };
}

const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

/** Is this an ECR private registry host (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`)? */
export const isEcrRegistry = (registry: string): boolean => ECR_HOST.test(registry);

/**
 * ECR credentials from a function you give (so this package needs no AWS SDK), e.g.
 * `ecrCredentials(async () => (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!)`.
 * Tokens are base64 `AWS:password` valid 12 h; they are refreshed 5 min before expiry.
 */
export const ecrCredentials = (
  getAuthorizationToken: (registry: string) => Promise<AuthorizationToken>,
  options: Partial<Omit<TokenProviderOptions, 'fetchToken'>> = {},
): CredentialProvider =>
  tokenCredentialProvider({
    matches: isEcrRegistry,
    name: 'ecr',
    ...options,
    fetchToken: getAuthorizationToken,
  });
