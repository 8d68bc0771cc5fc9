import { createServer, request, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';

export interface Backend {
  readonly port: number;
  readonly server: Server;
  hits: number;
  close(): Promise<void>;
}

/** A local HTTP server answering its own name; `/slow` answers after 300 ms. */
export async function backend(name: string): Promise<Backend> {
  const b = {
    hits: 0,
    port: 0,
    server: createServer((req, res) => {
      b.hits++;
      const answer = () => res.end(name);
      if (req.url === '/slow') setTimeout(answer, 300);
      else answer();
    }),
    close: async () => {
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
