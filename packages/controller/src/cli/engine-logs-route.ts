import type { IncomingMessage, ServerResponse } from 'node:http';
import { merge, type Subscription } from 'rxjs';
import type { Baton } from '../baton.js';
import { engineLogLines } from '../console/logs-tail.js';
import type { AccessKey } from '../endpoint/sigv4.js';
import { verifySignature } from '../endpoint/sigv4.js';
import { WireError } from '../endpoint/wire-error.js';
import { ENGINE_LOGS_PATH } from './engine-logs-path.js';

export interface EngineLogsRouteOptions {
  /** The API's access keys: the request is signed (SigV4, scope `ecs`) as an API call would be. */
  readonly credentials: readonly AccessKey[];
  /** No credentials configured (loopback only): any key, signature form and time checked. */
  readonly acceptAnyKey: boolean;
  /** How often a followed log is read. Default 1 s. */
  readonly pollMs?: number;
}

/**
 * `GET /baton/v1/engine-logs?cluster=&task=&container=&since=&follow=`: the engine's own log
 * (json-file, local…) of a task's containers, for `baton logs`, as NDJSON lines
 * `{"t":ms,"container":"app","stream":"stdout","line":"…"}`. Signed with SigV4 like the API; read
 * through the agent's ContainerEngine (the engine of the instance this Baton runs), the same read
 * the console's log tail uses. With `follow=1` the answer stays open and new lines follow until the
 * client goes away. Returns whether it answered the request.
 */
export function engineLogsRoute(
  baton: Baton,
  options: EngineLogsRouteOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const keys = new Map(options.credentials.map((k) => [k.accessKeyId, k]));
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://baton');
    if (url.pathname !== ENGINE_LOGS_PATH) return false;
    void serve(req, res, url).catch((error: unknown) => {
      const e =
        error instanceof WireError ? error : new WireError('InternalFailure', 500, (error as Error).message);
      if (!res.headersSent)
        res
          .writeHead(e.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ __type: e.code, message: e.message }));
      else res.end();
    });
    return true;
  };

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET') throw new WireError('MethodNotAllowed', 405, `${ENGINE_LOGS_PATH} takes GET.`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    await verifySignature(
      { method: 'GET', path: url.pathname, query, headers, body: '' },
      {
        keys: keys.size === 0 && options.acceptAnyKey ? 'any' : keys,
        service: 'ecs',
        now: Date.now(),
        style: 'json',
      },
    );
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    const cluster = param('cluster') ?? 'default';
    const ref = param('task');
    if (!ref) throw new WireError('InvalidParameterException', 400, 'task: required (a task id or ARN).');
    const id = ref.slice(ref.lastIndexOf('/') + 1);
    const task = [...baton.internals.informers.tasks.values()]
      .map((e) => e.object)
      .find((t) => t.taskArn.endsWith(`/${id}`) && t.taskArn.includes(`:task/${cluster}/`));
    if (!task) throw new WireError('InvalidParameterException', 400, `The referenced task was not found.`);
    const since = param('since');
    const sinceMs = since === undefined ? undefined : Number(since);
    if (sinceMs !== undefined && !Number.isFinite(sinceMs))
      throw new WireError(
        'InvalidParameterException',
        400,
        `since: must be epoch milliseconds (got '${since}').`,
      );
    const wanted = param('container');
    const containers = task.containers.filter((c) => wanted === undefined || c.name === wanted);
    if (wanted !== undefined && containers.length === 0)
      throw new WireError(
        'InvalidParameterException',
        400,
        `container: task ${id} has containers ${task.containers.map((c) => c.name).join(', ')}.`,
      );
    const engine = task.containerInstanceArn ? baton.agent(task.containerInstanceArn)?.engine : undefined;
    if (!engine)
      throw new WireError(
        'InvalidParameterException',
        400,
        `Task ${id} runs on an instance whose agent this Baton does not run: read its log on that host.`,
      );
    const follow = param('follow') === '1' || param('follow') === 'true';
    const started = containers.filter((c) => c.runtimeId);
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    // A followed answer outlives the server's request timeout; the client ends it by going away.
    req.socket.setTimeout(0);
    const lines = merge(
      ...started.map((c) =>
        engineLogLines(engine, c.runtimeId!, c.name, {
          ...(sinceMs !== undefined ? { sinceMs } : {}),
          follow,
          ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
        }),
      ),
    );
    await new Promise<void>((resolve, reject) => {
      const sub: Subscription = lines.subscribe({
        next: (l) => res.write(`${JSON.stringify(l)}\n`),
        error: (e: unknown) => reject(e),
        complete: () => {
          res.end();
          resolve();
        },
      });
      res.on('close', () => {
        sub.unsubscribe();
        resolve();
      });
    });
  }
}
