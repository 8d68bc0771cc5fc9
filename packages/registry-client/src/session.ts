import { type Challenge, chooseChallenge, parseChallenges } from './challenge.js';
import type { CredentialProvider, Credentials } from './credentials/types.js';
import { type DistributionErrorCode, RegistryError } from './errors.js';
import { failureOf } from './failure.js';
import {
  discard,
  type HttpMethod,
  type HttpResponse,
  header,
  networkError,
  type RequestBody,
  safeUrl,
  Transport,
  type TransportOptions,
} from './http.js';
import { apiHost } from './reference.js';
import {
  backoffDelay,
  DEFAULT_RETRY,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from './retry.js';
import { type CachedToken, readTokenResponse, tokenKey, tokenRequest } from './token.js';

/** What the client tells a logger: never headers, bodies, query strings or credentials. */
export type RegistryLogEvent =
  | { type: 'request'; method: HttpMethod; url: string; status: number; ms: number; attempt: number }
  | { type: 'retry'; method: HttpMethod; url: string; reason: string; delayMs: number; attempt: number }
  | { type: 'token'; registry: string; scopes: readonly string[]; ms: number }
  | { type: 'challenge'; registry: string; scheme: string };

export interface SessionOptions extends TransportOptions {
  readonly credentials?: CredentialProvider;
  /** ms without progress before TIMEOUT (default 30,000). */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Registries spoken to over plain http. Default: loopback hosts (localhost, 127.0.0.0/8, [::1]), as Docker treats them. */
  readonly insecure?: readonly string[] | ((registry: string) => boolean);
  readonly logger?: (event: RegistryLogEvent) => void;
  readonly userAgent?: string;
  /** Clock for token and credential expiry (default Date.now). */
  readonly now?: () => number;
  /** Randomness for backoff jitter (default Math.random). */
  readonly random?: () => number;
}

export interface Call {
  readonly registry: string;
  readonly method: HttpMethod;
  /** Path under the registry (`/v2/…`) or an absolute URL (upload locations, Link pages). */
  readonly target: string | URL;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Token scopes the request needs. */
  readonly scopes: readonly string[];
  /** What is being done, for messages: "HEAD manifest app:1". */
  readonly what: string;
  readonly repository?: string;
  /** Statuses that mean success. */
  readonly ok: readonly number[];
  /** Code for a 404 without a JSON body. */
  readonly notFound: DistributionErrorCode;
  /** Retry 429/5xx/network failures (default: all but PATCH, whose partial effect can't be undone). */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

interface RegistryState {
  challenge?: Promise<Challenge | null>;
  credentials?: { value: Promise<Credentials | undefined>; until: number };
  tokens: Map<string, CachedToken>;
  inflight: Map<string, Promise<CachedToken>>;
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIALS_TTL_MS = 10 * 60 * 1000;

/**
 * The HTTP core shared by every operation: base URLs, the `/v2/` ping, challenges, credentials,
 * bearer tokens cached per scope, retries with backoff honouring Retry-After, redirects (without
 * the Authorization header off-host), and one re-authentication on 401.
 */
export class Session {
  readonly transport: Transport;
  private readonly registries = new Map<string, RegistryState>();
  private readonly retryPolicy: RetryPolicy;
  private readonly timeoutMs: number;
  readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: SessionOptions = {}) {
    this.transport = new Transport(options);
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  isInsecure(registry: string): boolean {
    const i = this.options.insecure;
    if (typeof i === 'function') return i(registry);
    if (i?.includes(registry)) return true;
    return LOOPBACK.test(registry);
  }

  baseUrl(registry: string): string {
    return `${this.isInsecure(registry) ? 'http' : 'https'}://${apiHost(registry)}`;
  }

  private state(registry: string): RegistryState {
    let s = this.registries.get(registry);
    if (!s) {
      s = { tokens: new Map(), inflight: new Map() };
      this.registries.set(registry, s);
    }
    return s;
  }

  /** `GET /v2/` without credentials: learns the registry's challenge (null: no auth needed). Memoised. */
  challenge(registry: string): Promise<Challenge | null> {
    const s = this.state(registry);
    if (!s.challenge) {
      s.challenge = this.ping(registry);
      s.challenge.catch(() => {
        s.challenge = undefined;
      });
    }
    return s.challenge;
  }

  private async ping(registry: string): Promise<Challenge | null> {
    const res = await this.send({
      registry,
      method: 'GET',
      target: '/v2/',
      scopes: [],
      what: `ping ${registry}`,
      ok: [200, 401],
      notFound: 'UNSUPPORTED',
      anonymous: true,
    });
    discard(res);
    if (res.status === 200) return null;
    const c = chooseChallenge(parseChallenges(res.headers['www-authenticate']));
    if (!c)
      throw new RegistryError(
        'UNSUPPORTED_MEDIA',
        `ping ${registry}: 401 without a Basic or Bearer challenge`,
        {
          status: 401,
          registry,
        },
      );
    this.options.logger?.({ type: 'challenge', registry, scheme: c.scheme });
    return c;
  }

  /** Credentials for a registry from the provider, cached until they expire (at most 10 min). */
  credentials(registry: string): Promise<Credentials | undefined> {
    const s = this.state(registry);
    const now = this.now();
    if (s.credentials && s.credentials.until > now) return s.credentials.value;
    const provider = this.options.credentials;
    const value = provider
      ? provider
          .credentials(registry)()
          .then((r) => {
            if (r._tag === 'Left') throw r.left;
            return r.right;
          })
      : Promise.resolve(undefined);
    const entry = { value, until: now + CREDENTIALS_TTL_MS };
    s.credentials = entry;
    value.then(
      (c) => {
        if (c?.expiresAt !== undefined) entry.until = Math.min(entry.until, c.expiresAt);
      },
      () => {
        if (s.credentials === entry) s.credentials = undefined;
      },
    );
    return value;
  }

  /** The Authorization header value for `scopes` on `registry`, or undefined (anonymous / no auth). */
  async authorization(registry: string, scopes: readonly string[]): Promise<string | undefined> {
    const challenge = await this.challenge(registry);
    if (challenge === null) return undefined;
    const creds = await this.credentials(registry);
    if (creds?.kind === 'registryToken') return `Bearer ${creds.token}`;
    if (challenge.scheme === 'basic') {
      return creds?.kind === 'basic'
        ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`
        : undefined;
    }
    const token = await this.token(registry, challenge, scopes, creds);
    return `Bearer ${token.token}`;
  }

  private token(
    registry: string,
    challenge: Challenge,
    scopes: readonly string[],
    creds: Credentials | undefined,
  ): Promise<CachedToken> {
    const s = this.state(registry);
    const key = tokenKey(challenge.params.service, scopes);
    const cached = s.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return Promise.resolve(cached);
    const running = s.inflight.get(key);
    if (running) return running;
    const p = (async () => {
      const started = this.now();
      const req = tokenRequest(challenge, scopes, creds, registry);
      const res = await this.raw(req.method, req.url, req.headers, req.body, `token for ${registry}`);
      const token = await readTokenResponse(res, registry, this.now());
      s.tokens.set(key, token);
      this.options.logger?.({ type: 'token', registry, scopes, ms: this.now() - started });
      return token;
    })();
    s.inflight.set(key, p);
    const clear = () => s.inflight.delete(key);
    p.then(clear, clear);
    return p;
  }

  /** After a 401: adopt the new challenge, forget tokens and credentials so the next try fetches fresh ones. */
  private forget(registry: string, res: HttpResponse): Challenge | undefined {
    const s = this.state(registry);
    const fresh = chooseChallenge(parseChallenges(res.headers['www-authenticate']));
    if (fresh) s.challenge = Promise.resolve(fresh);
    s.tokens.clear();
    s.credentials = undefined;
    return fresh;
  }

  /** A request straight to a URL (token endpoints), with retries but no registry auth. */
  private async raw(
    method: HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | undefined,
    what: string,
  ): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const started = this.now();
      let res: HttpResponse;
      try {
        res = await this.transport.send({
          method,
          url,
          headers: { ...this.baseHeaders(), ...headers },
          ...(body ? { body } : {}),
          timeoutMs: this.timeoutMs,
        });
      } catch (err) {
        const e = networkError(err, `${what}: ${method} ${safeUrl(url)}`);
        if (attempt + 1 < this.retryPolicy.attempts && (e.code === 'NETWORK' || e.code === 'TIMEOUT')) {
          await this.pause(
            method,
            url,
            e.code,
            backoffDelay(this.retryPolicy, attempt, this.random),
            attempt,
          );
          continue;
        }
        throw e;
      }
      this.log(method, url, res.status, started, attempt);
      const delay = this.retryDelay(res, attempt);
      if (delay === undefined) return res;
      discard(res);
      await this.pause(method, url, `status ${res.status}`, delay, attempt);
    }
  }

  private baseHeaders(): Record<string, string> {
    return { 'user-agent': this.options.userAgent ?? 'baton-registry-client/0.1' };
  }

  /** ms to wait before retrying this response, or undefined when it should not be retried. */
  private retryDelay(res: HttpResponse, attempt: number): number | undefined {
    if (!isRetryableStatus(res.status) || attempt + 1 >= this.retryPolicy.attempts) return undefined;
    const after = parseRetryAfter(header(res.headers, 'retry-after'), Date.now());
    if (after !== undefined) return after <= this.retryPolicy.maxRetryAfterMs ? after : undefined;
    return backoffDelay(this.retryPolicy, attempt, this.random);
  }

  private async pause(method: HttpMethod, url: URL, reason: string, delayMs: number, attempt: number) {
    this.options.logger?.({ type: 'retry', method, url: safeUrl(url), reason, delayMs, attempt });
    await sleep(delayMs);
  }

  private log(method: HttpMethod, url: URL, status: number, started: number, attempt: number) {
    this.options.logger?.({
      type: 'request',
      method,
      url: safeUrl(url),
      status,
      ms: this.now() - started,
      attempt,
    });
  }

  /** Resolves a call's target to a URL. */
  url(call: Pick<Call, 'registry' | 'target' | 'query'>): URL {
    const url =
      typeof call.target === 'string'
        ? new URL(call.target, this.baseUrl(call.registry))
        : new URL(call.target);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  /**
   * Sends a call and returns the response when its status is in `ok`; otherwise fails with the
   * registry's typed error. The caller consumes (or discards) the body.
   */
  async send(call: Call & { anonymous?: boolean }): Promise<HttpResponse> {
    let url = this.url(call);
    const origin = new URL(this.baseUrl(call.registry)).origin;
    const retry = call.retry ?? call.method !== 'PATCH';
    let reauthenticated = false;
    let redirects = 0;
    let lastChallenge: Challenge | undefined;
    let scopes = call.scopes;
    for (let attempt = 0; ; ) {
      // Credentials go only to the registry's own origin, never to a redirect target elsewhere.
      const auth =
        call.anonymous || url.origin !== origin ? undefined : await this.authorization(call.registry, scopes);
      const headers = { ...this.baseHeaders(), ...call.headers, ...(auth ? { authorization: auth } : {}) };
      const started = this.now();
      let res: HttpResponse;
      try {
        res = await this.transport.send({
          method: call.method,
          url,
          headers,
          ...(call.body ? { body: call.body } : {}),
          timeoutMs: this.timeoutMs,
          ...(call.signal ? { signal: call.signal } : {}),
        });
      } catch (err) {
        const e = networkError(err, `${call.what}: ${call.method} ${safeUrl(url)}`);
        if (
          retry &&
          attempt + 1 < this.retryPolicy.attempts &&
          (e.code === 'NETWORK' || e.code === 'TIMEOUT')
        ) {
          await this.pause(
            call.method,
            url,
            e.code,
            backoffDelay(this.retryPolicy, attempt, this.random),
            attempt,
          );
          attempt++;
          continue;
        }
        throw e;
      }
      this.log(call.method, url, res.status, started, attempt);
      if (call.ok.includes(res.status)) return res;
      if (res.status === 401 && !call.anonymous && !reauthenticated) {
        discard(res);
        reauthenticated = true;
        lastChallenge = this.forget(call.registry, res);
        // The registry may name a scope we did not think to ask for (e.g. a different delete action).
        const asked = lastChallenge?.params.scope?.split(' ').filter((x) => x !== '') ?? [];
        scopes = [...new Set([...scopes, ...asked])];
        continue;
      }
      if (REDIRECTS.has(res.status) && (call.method === 'GET' || call.method === 'HEAD') && redirects < 5) {
        const location = header(res.headers, 'location');
        if (location) {
          discard(res);
          url = new URL(location, url);
          redirects++;
          continue;
        }
      }
      const delay = retry ? this.retryDelay(res, attempt) : undefined;
      if (delay !== undefined) {
        discard(res);
        await this.pause(call.method, url, `status ${res.status}`, delay, attempt);
        attempt++;
        continue;
      }
      const anonymous = (await this.credentials(call.registry).catch(() => undefined)) === undefined;
      throw await failureOf(call, res, lastChallenge, anonymous);
    }
  }

  close(): void {
    this.transport.close();
  }
}
