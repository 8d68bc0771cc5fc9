import { inspect } from 'node:util';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { RegistryError } from '../errors.js';

/** Username and password (or an ECR-style token's two halves), sent as Basic or to a token endpoint. */
export interface BasicCredentials {
  readonly kind: 'basic';
  readonly username: string;
  readonly password: string;
  /** Epoch ms after which a provider must be asked again (ECR tokens: 12 h). */
  readonly expiresAt?: number;
}
/** An OAuth2 refresh token (`identitytoken` in Docker's config.json), exchanged at the token endpoint. */
export interface IdentityTokenCredentials {
  readonly kind: 'identityToken';
  readonly token: string;
  readonly username?: string;
  readonly expiresAt?: number;
}
/** A bearer token for the registry itself, sent as is (`registrytoken`). */
export interface RegistryTokenCredentials {
  readonly kind: 'registryToken';
  readonly token: string;
  readonly expiresAt?: number;
}
export type Credentials = BasicCredentials | IdentityTokenCredentials | RegistryTokenCredentials;

/**
 * Where credentials for a registry come from. Answers `undefined` for "none, go anonymous";
 * fails (CREDENTIALS) only when the source itself is broken.
 */
export interface CredentialProvider {
  readonly name: string;
  credentials(registry: string): TaskEither<RegistryError, Credentials | undefined>;
}

// Credentials built here print as `[credentials basic user=… (redacted)]`, so a stray console.log or
// JSON.stringify of one does not leak the secret.
function redact<T extends Credentials>(c: T): T {
  const who = c.kind === 'basic' ? ` user=${c.username}` : '';
  const text = `[credentials ${c.kind}${who} (redacted)]`;
  Object.defineProperty(c, 'toJSON', { value: () => text, enumerable: false });
  Object.defineProperty(c, inspect.custom, { value: () => text, enumerable: false });
  return Object.freeze(c);
}

export const basicCredentials = (username: string, password: string, expiresAt?: number): BasicCredentials =>
  redact({ kind: 'basic', username, password, ...(expiresAt === undefined ? {} : { expiresAt }) });

export const identityTokenCredentials = (token: string, username?: string): IdentityTokenCredentials =>
  redact({ kind: 'identityToken', token, ...(username === undefined ? {} : { username }) });

export const registryTokenCredentials = (token: string, expiresAt?: number): RegistryTokenCredentials =>
  redact({ kind: 'registryToken', token, ...(expiresAt === undefined ? {} : { expiresAt }) });

const HUB_ALIASES = new Set([
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
  'docker.io',
]);

/**
 * The registry host a config key or server URL names: `https://index.docker.io/v1/` → `docker.io`,
 * `http://127.0.0.1:5000` → `127.0.0.1:5000`.
 */
export function registryKey(keyOrUrl: string): string {
  const host = keyOrUrl
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
  return HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/** Docker's `auth` field: base64 of `user:password` (the password may contain ':'). */
export function decodeBasicAuth(auth: string): { username: string; password: string } | undefined {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
