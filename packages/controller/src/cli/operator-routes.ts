import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Baton } from '../baton.js';

/**
 * `baton serve`'s operator endpoints beside the API: `/metrics` (Prometheus text exposition of
 * Baton's counters), `/healthz` (the process answers) and `/readyz` (caches in sync and the store
 * able to make writes durable). GET/HEAD only, no signature: they reveal counts, never objects.
 * Returns whether it answered the request.
 */
export function operatorRoutes(
  baton: Baton,
  ready: () => boolean,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/metrics':
        send(
          res,
          200,
          'text/plain; version=0.0.4; charset=utf-8',
          prometheusText(baton.metrics()),
          req.method,
        );
        return true;
      case '/healthz':
        send(res, 200, 'text/plain; charset=utf-8', 'ok\n', req.method);
        return true;
      case '/readyz': {
        const health = baton.health();
        const ok = ready() && health.ready;
        const why = !ready() ? 'caches not in sync yet' : `store ${health.store.status}`;
        send(
          res,
          ok ? 200 : 503,
          'text/plain; charset=utf-8',
          ok ? 'ok\n' : `not ready: ${why}\n`,
          req.method,
        );
        return true;
      }
      default:
        return false;
    }
  };
}

/**
 * `baton agent`'s operator endpoints: `/metrics` (its pass counters) and `/healthz`, as `baton serve`
 * answers them. GET/HEAD only. Returns whether it answered the request.
 */
export function agentOperatorRoutes(
  counters: () => string,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', prometheusText(counters()), req.method);
      return true;
    }
    if (path === '/healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n', req.method);
      return true;
    }
    return false;
  };
}

/** Baton's counter lines with a `# TYPE … counter` line per metric and the trailing newline the format requires. */
export function prometheusText(counters: string): string {
  const typed = new Set<string>();
  const out: string[] = [];
  for (const line of counters.split('\n')) {
    if (!line.trim()) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name && !typed.has(name)) {
      typed.add(name);
      out.push(`# TYPE ${name} counter`);
    }
    out.push(line);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  method: string | undefined,
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
  });
  res.end(method === 'HEAD' ? undefined : body);
}
