import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import {
  Agent as HttpsAgent,
  type AgentOptions as HttpsAgentOptions,
  request as httpsRequest,
} from 'node:https';
import type { Readable } from 'node:stream';
import { RegistryError } from './errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A body the transport can send again on retry: bytes, or a factory for a fresh stream. */
export type RequestBody = Buffer | (() => Readable);

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Milliseconds without progress (connect, headers, or socket idle) before TIMEOUT. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
  readonly url: URL;
}

export interface TransportOptions {
  /** Sockets per host kept for reuse (default 32). */
  readonly maxSockets?: number;
  /** Extra TLS options (e.g. `ca`) for https registries. */
  readonly tls?: Pick<HttpsAgentOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
}

/** URL with query and userinfo removed: the only form of a URL that goes into messages and logs. */
export const safeUrl = (u: URL): string => `${u.protocol}//${u.host}${u.pathname}`;

/**
 * node:http(s) with keep-alive agents, so the many small requests a resolve makes (ping, token,
 * HEAD) reuse connections. Resolves when headers arrive; the caller consumes `body`.
 */
export class Transport {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(options: TransportOptions = {}) {
    const common = { keepAlive: true, maxSockets: options.maxSockets ?? 32, scheduling: 'lifo' as const };
    this.http = new HttpAgent(common);
    this.https = new HttpsAgent({ ...common, ...options.tls });
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      const body = req.body;
      const headers: Record<string, string> = { ...req.headers };
      if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
      else if (
        body === undefined &&
        (req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH')
      )
        headers['content-length'] = '0';
      const options = {
        method: req.method,
        headers,
        agent: isHttps ? this.https : this.http,
        ...(req.signal ? { signal: req.signal } : {}),
      };
      const what = `${req.method} ${safeUrl(req.url)}`;
      const r = (isHttps ? httpsRequest : httpRequest)(req.url, options, (res) => {
        // From here the caller reads the body; keep an idle timeout on it.
        res.setTimeout(req.timeoutMs, () =>
          res.destroy(new RegistryError('TIMEOUT', `${what}: body stalled for ${req.timeoutMs} ms`)),
        );
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url });
      });
      r.setTimeout(req.timeoutMs, () =>
        r.destroy(new RegistryError('TIMEOUT', `${what}: no response within ${req.timeoutMs} ms`)),
      );
      r.on('error', (err) => reject(networkError(err, what)));
      if (body === undefined) r.end();
      else if (Buffer.isBuffer(body)) r.end(body);
      else {
        const stream = body();
        stream.on('error', (err) => r.destroy(err));
        stream.pipe(r);
      }
    });
  }

  /** Closes idle sockets; in-flight requests finish. */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** Wraps a socket-level failure (refused, reset, DNS) in a NETWORK/TIMEOUT/ABORTED error. */
export function networkError(err: unknown, what: string): RegistryError {
  if (err instanceof RegistryError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return new RegistryError('ABORTED', `${what}: aborted`, { cause: err });
  const code = e?.code ? ` (${e.code})` : '';
  return new RegistryError('NETWORK', `${what}: ${e?.message ?? 'network error'}${code}`, { cause: err });
}

/** Drains and discards a body so its socket goes back to the pool. */
export function discard(res: HttpResponse): void {
  res.body.resume();
  res.body.on('error', () => {});
}

/**
 * Reads a whole body, failing TOO_LARGE past `limit` bytes (checked against Content-Length first,
 * then while reading, so a lying or missing length cannot make us buffer without end) and
 * TRUNCATED when the connection ends before Content-Length bytes arrived.
 */
export function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = res.headers['content-length'];
    const expected = declared === undefined ? undefined : Number(declared);
    if (expected !== undefined && expected > limit) {
      res.body.destroy();
      reject(
        new RegistryError('TOO_LARGE', `${what}: body of ${expected} bytes exceeds the ${limit}-byte limit`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (e: RegistryError) => {
      if (done) return;
      done = true;
      res.body.destroy();
      reject(e);
    };
    res.body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        return fail(new RegistryError('TOO_LARGE', `${what}: body exceeds the ${limit}-byte limit`));
      chunks.push(chunk);
    });
    res.body.on('error', (err) =>
      fail(
        err instanceof RegistryError
          ? err
          : new RegistryError('TRUNCATED', `${what}: connection ended after ${size} bytes`, { cause: err }),
      ),
    );
    res.body.on('end', () => {
      if (done) return;
      if (expected !== undefined && size < expected)
        return fail(new RegistryError('TRUNCATED', `${what}: got ${size} of ${expected} bytes`));
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
  });
}

/** First value of a header. */
export const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
