import { createServer, request, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

export interface Backend {
  readonly port: number;
  readonly server: Server;
  hits: number;
  /** Resolves once a `/slow` request is held here (at once when one is). */
  slowInFlight(): Promise<void>;
  /** Answers every `/slow` request held so far. */
  releaseSlow(): void;
  close(): Promise<void>;
}

/** A local HTTP server answering its own name; `/slow` is held until the test calls `releaseSlow()`. */
export async function backend(name: string): Promise<Backend> {
  const held: (() => void)[] = [];
  let arrived: (() => void)[] = [];
  const b: Backend & { port: number } = {
    hits: 0,
    port: 0,
    server: createServer((req, res) => {
      b.hits++;
      const answer = () => res.end(name);
      if (req.url !== '/slow') return answer();
      held.push(answer);
      for (const resolve of arrived) resolve();
      arrived = [];
    }),
    slowInFlight: () =>
      held.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => arrived.push(resolve)),
    releaseSlow: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: async () => {
      b.releaseSlow();
      b.server.closeAllConnections();
      await new Promise((r) => b.server.close(r));
    },
  };
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', r));
  b.port = (b.server.address() as { port: number }).port;
  return b;
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
