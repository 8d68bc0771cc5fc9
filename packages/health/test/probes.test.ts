import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHealthCheck, HealthMonitor, httpProbe, tcpProbe } from '../src/index.js';

let http: Server;
let tcp: TcpServer;
let httpPort = 0;
let tcpPort = 0;
let closedPort = 0;

const listen = (s: Server | TcpServer) =>
  new Promise<number>((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)),
  );

beforeAll(async () => {
  http = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.statusCode = req.url === '/health' ? 200 : req.url === '/created' ? 201 : 404;
    res.end('ok');
  });
  tcp = createTcpServer((s) => s.end());
  httpPort = await listen(http);
  tcpPort = await listen(tcp);
  const spare = createTcpServer();
  closedPort = await listen(spare);
  await new Promise((r) => spare.close(r));
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await new Promise((r) => tcp.close(r));
});

const target = (port: number) => ({ host: '127.0.0.1', port });

describe('probes (real sockets on 127.0.0.1)', () => {
  it('HTTP: the status must match the matcher', async () => {
    const check = { ...defaultHealthCheck, path: '/health' };
    expect(await firstValueFrom(httpProbe(target(httpPort), check))).toEqual({ ok: true });
    expect(await firstValueFrom(httpProbe(target(httpPort), { ...check, path: '/nope' }))).toEqual({
      ok: false,
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [404]',
    });
    expect(
      await firstValueFrom(httpProbe(target(httpPort), { ...check, path: '/created', matcher: '200-299' })),
    ).toEqual({ ok: true });
  });

  it('HTTP and TCP: a refused connection fails the check', async () => {
    expect(await firstValueFrom(httpProbe(target(closedPort), defaultHealthCheck))).toMatchObject({
      ok: false,
      reason: 'Target.FailedHealthChecks',
      description: 'Health checks failed',
      detail: 'ECONNREFUSED',
    });
    expect(await firstValueFrom(tcpProbe(target(closedPort), defaultHealthCheck))).toMatchObject({
      ok: false,
    });
    expect(await firstValueFrom(tcpProbe(target(tcpPort), defaultHealthCheck))).toEqual({ ok: true });
  });

  it('the monitor times out a check that never answers, on the real clock', async () => {
    const monitor = new HealthMonitor();
    const change = firstValueFrom(monitor.changes);
    monitor.upsert('slow', {
      ...target(httpPort),
      check: { ...defaultHealthCheck, path: '/slow', timeoutMs: 100, intervalMs: 200, unhealthyThreshold: 2 },
    });
    const c = await change;
    monitor.stop();
    expect(c.health).toMatchObject({ state: 'unhealthy', reason: 'Target.Timeout' });
  });
});
