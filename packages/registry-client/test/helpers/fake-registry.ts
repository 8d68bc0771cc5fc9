import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** A local HTTP server playing a misbehaving registry; `handle` is swapped per test. */
export interface FakeRegistry {
  readonly addr: string;
  handle: Handler;
  /** When true, GET /v2/ goes to `handle` too (for auth challenges). */
  handlesPing: boolean;
  /** Requests seen: method, path+query, authorization header presence. */
  readonly seen: { method: string; path: string; authorization: string | undefined }[];
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const state: { handle: Handler; handlesPing: boolean } = {
    handlesPing: false,
    handle: (_req, res) => {
      res.writeHead(404).end();
    },
  };
  const seen: FakeRegistry['seen'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    seen.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
    });
    // The ping answers 200 (no auth) unless the test's handler wants /v2/ itself.
    if (url.pathname === '/v2/' && !state.handlesPing) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    state.handle(req, res, url);
  });
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    addr: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    get handle() {
      return state.handle;
    },
    set handle(h: Handler) {
      state.handle = h;
    },
    get handlesPing() {
      return state.handlesPing;
    },
    set handlesPing(v: boolean) {
      state.handlesPing = v;
    },
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
