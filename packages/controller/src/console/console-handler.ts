import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from '@baton-ecs/loop';
import type { Subscription } from 'rxjs';
import type { Baton } from '../baton.js';
import type { AccessKey } from '../endpoint/index.js';
import { readBody } from '../endpoint/read-body.js';
import { BatonApiError } from '../errors.js';
import { parseConsoleAction, plainMessage, runConsoleAction } from './actions.js';
import { LiveFeed } from './live-feed.js';
import { tailTaskLogs } from './logs-tail.js';
import { ConsoleSessions, SESSION_COOKIE } from './sessions.js';
import { UsageSampler } from './usage-sampler.js';
import type { SessionView } from './wire.js';

export interface ConsoleOptions {
  /** The access keys operators log in with: the API's own. Without any, the console is read-only. */
  readonly credentials?: readonly AccessKey[];
  /**
   * Whether reading needs a login too. Default: true when there are credentials. `baton serve`
   * leaves reading open on the loopback interface only.
   */
  readonly readNeedsLogin?: boolean;
  /** Where the console lives. Default `/console`. */
  readonly basePath?: string;
  /** Mark the session cookie Secure (serve over HTTPS). Default false. */
  readonly secureCookie?: boolean;
  /** How long a login lasts. Default 8 h. */
  readonly sessionTtlMs?: number;
  /** How often services' CPU and memory are sampled for the charts. Default 5 s. */
  readonly metricsIntervalMs?: number;
  /** The built page. Default: `@baton-ecs/console-ui`'s. */
  readonly assetsDir?: string;
  /** Logins and actions (access key ids, never secrets). Default: Baton's logger. */
  readonly logger?: Logger;
}

/**
 * A Node handler for the console: `(req, res, next?)`. Requests outside `basePath` go to `next`
 * (404 without one). `close()` ends the live streams and stops sampling.
 */
export interface ConsoleHandler {
  (req: IncomingMessage, res: ServerResponse, next?: () => void): void;
  close(): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Baton's web console (docs/console.md): the page, its live data, logins and operator actions. */
export async function createConsoleHandler(
  baton: Baton,
  options: ConsoleOptions = {},
): Promise<ConsoleHandler> {
  const base = (options.basePath ?? '/console').replace(/\/+$/, '');
  const credentials = options.credentials ?? [];
  const readNeedsLogin = options.readNeedsLogin ?? credentials.length > 0;
  const logger = options.logger ?? baton.logger;
  const clock = baton.internals.clock;
  const ttlMs = options.sessionTtlMs ?? 8 * 3600_000;
  const sessions = new ConsoleSessions(credentials, ttlMs, () => clock.now());
  const assetsDir = options.assetsDir ?? (await import('@baton-ecs/console-ui')).assetsDir;
  const informers = baton.internals.informers;
  const engineOf = (arn: string) => baton.agent(arn)?.engine;
  const taskDefinition = (arn: string) => informers.taskDefinitions.get(arn)?.object;
  const sampler = new UsageSampler({
    tasks: () => [...informers.tasks.values()].map((e) => e.object),
    taskChanges: informers.tasks.changes,
    services: () => [...informers.services.values()].map((e) => e.object),
    taskDefinition,
    engineOf,
    ...(options.metricsIntervalMs !== undefined ? { intervalMs: options.metricsIntervalMs } : {}),
  });
  sampler.start();
  const feed = new LiveFeed(baton, sampler);
  const open = new Map<ServerResponse, Subscription>();
  const files = new Map<string, Buffer>();

  const sessionView = (req: IncomingMessage): SessionView => {
    const s = sessions.of(req);
    return {
      authenticated: s !== undefined,
      accessKeyId: s?.accessKeyId ?? null,
      csrfToken: s?.csrfToken ?? null,
      loginAvailable: sessions.available,
      readNeedsLogin,
    };
  };

  const cookieAttributes = `Path=${base || '/'}; HttpOnly; SameSite=Strict${options.secureCookie ? '; Secure' : ''}`;

  const serveFile = async (res: ServerResponse, name: string) => {
    let body = files.get(name);
    if (!body) {
      try {
        body = await readFile(join(assetsDir, name));
      } catch {
        if (name === 'index.html')
          return json(res, 503, {
            message: `The console's files are missing from ${assetsDir}: build them with \`npm run build\`.`,
          });
        return json(res, 404, { message: 'Not found.' });
      }
      files.set(name, body);
    }
    const ext = name.slice(name.lastIndexOf('.'));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': String(body.length),
      'cache-control': 'no-cache',
    });
    res.end(body);
  };

  const openStream = (req: IncomingMessage, res: ServerResponse, start: () => Subscription) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const sub = start();
    open.set(res, sub);
    req.on('close', () => {
      sub.unsubscribe();
      open.delete(res);
    });
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, url: URL) => {
    const method = req.method ?? 'GET';
    if (path === 'session' && method === 'GET') return json(res, 200, sessionView(req));
    if (path === 'login' && method === 'POST') {
      const body = parseJson(await readBody(req, 16 * 1024, 10_000));
      const id = typeof body?.accessKeyId === 'string' ? body.accessKeyId : '';
      const secret = typeof body?.secretAccessKey === 'string' ? body.secretAccessKey : '';
      const s = sessions.available ? sessions.login(id, secret) : undefined;
      if (!s) {
        logger({ level: 'warn', msg: 'console login refused', accessKeyId: id.slice(0, 128) });
        // A refused login costs the caller half a second: guessing secrets stays slow.
        await new Promise((r) => setTimeout(r, 500));
        return json(res, 401, {
          message: sessions.available
            ? 'That access key pair is not one this Baton accepts.'
            : 'This console has no access keys to log in with: start baton serve with BATON_ACCESS_KEY_ID and BATON_SECRET_ACCESS_KEY.',
        });
      }
      logger({ level: 'info', msg: 'console login', accessKeyId: s.accessKeyId });
      res.setHeader(
        'set-cookie',
        `${SESSION_COOKIE}=${s.id}; ${cookieAttributes}; Max-Age=${Math.floor(ttlMs / 1000)}`,
      );
      return json(res, 200, {
        ...sessionView(req),
        authenticated: true,
        accessKeyId: s.accessKeyId,
        csrfToken: s.csrfToken,
      });
    }
    const session = sessions.of(req);
    if (path === 'logout' && method === 'POST') {
      if (session && ConsoleSessions.csrfOk(req, session)) sessions.logout(session.id);
      res.setHeader('set-cookie', `${SESSION_COOKIE}=; ${cookieAttributes}; Max-Age=0`);
      return json(res, 200, {
        ...sessionView(req),
        authenticated: false,
        accessKeyId: null,
        csrfToken: null,
      });
    }
    if (path === 'action' && method === 'POST') {
      if (!session)
        return json(res, 401, {
          ok: false,
          error: 'Unauthorized',
          message: 'Log in with an access key to act.',
        });
      if (!ConsoleSessions.csrfOk(req, session))
        return json(res, 403, { ok: false, error: 'Forbidden', message: 'Missing or wrong CSRF token.' });
      let action: ReturnType<typeof parseConsoleAction>;
      try {
        action = parseConsoleAction(parseJson(await readBody(req, 16 * 1024, 10_000)));
      } catch (error) {
        if (!(error instanceof BatonApiError)) throw error;
        return json(res, 400, { ok: false, error: error.code, message: plainMessage(error) });
      }
      const result = await runConsoleAction(baton, action, session.accessKeyId);
      logger({
        level: 'info',
        msg: 'console action',
        ...action,
        accessKeyId: session.accessKeyId,
        ok: result.ok,
      });
      return json(res, result.ok ? 200 : 400, result);
    }
    if (readNeedsLogin && !session)
      return json(res, 401, { message: 'Log in with an access key to see this Baton.' });
    if (path === 'snapshot' && method === 'GET')
      return json(res, 200, { snapshot: await feed.snapshot(), metrics: sampler.points() });
    if (path === 'stream' && method === 'GET') return openStream(req, res, () => feed.stream(res));
    if (path === 'logs' && method === 'GET') {
      const task = informers.tasks.get(url.searchParams.get('task') ?? '')?.object;
      if (!task) return json(res, 404, { message: `No task ${url.searchParams.get('task') ?? ''}.` });
      return openStream(req, res, () =>
        tailTaskLogs(task, { logs: baton.logs, taskDefinition, engineOf }).subscribe((l) =>
          res.write(`event: line\ndata: ${JSON.stringify(l)}\n\n`),
        ),
      );
    }
    return json(res, 404, { message: 'Not found.' });
  };

  const handler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    if (path !== base && !path.startsWith(`${base}/`)) {
      if (next) return next();
      return json(res, 404, { message: 'Not found.' });
    }
    const rest = path.slice(base.length);
    const work = async () => {
      if (rest === '') {
        res.writeHead(308, { location: `${base}/` });
        return res.end();
      }
      if (rest === '/' && req.method === 'GET') return serveFile(res, 'index.html');
      const asset = /^\/assets\/([\w.-]+)$/.exec(rest);
      if (asset && req.method === 'GET') return serveFile(res, asset[1]!);
      if (rest.startsWith('/api/')) return api(req, res, rest.slice('/api/'.length), url);
      return json(res, 404, { message: 'Not found.' });
    };
    work().catch((error: unknown) => {
      logger({ level: 'error', msg: 'console: unexpected error', path, error: String(error) });
      if (!res.headersSent) json(res, 500, { message: 'Internal error; see the server log.' });
      else res.end();
    });
  };
  return Object.assign(handler, {
    close: () => {
      for (const [res, sub] of open) {
        sub.unsubscribe();
        res.end();
      }
      open.clear();
      sampler.stop();
    },
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
