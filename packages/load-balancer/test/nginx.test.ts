import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BehaviorSubject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BalancerTarget, NginxAdapter, NginxProcess, renderUpstream } from '../src/index.js';
import { type Backend, backend, closedPort, get } from './helpers.js';

const target = (b: { port: number }, state: BalancerTarget['state'] = 'healthy'): BalancerTarget => ({
  key: `k${b.port}`,
  host: '127.0.0.1',
  port: b.port,
  state,
});

describe('renderUpstream', () => {
  it('lists healthy targets only, least_conn for least outstanding requests, a down server when none', () => {
    const text = renderUpstream(
      'baton_web',
      [
        target({ port: 2 }),
        target({ port: 1 }),
        target({ port: 3 }, 'draining'),
        target({ port: 4 }, 'initial'),
      ],
      { algorithm: 'least_outstanding_requests', keepalive: 8 },
    );
    expect(text.split('\n').slice(1).join('\n')).toBe(
      'upstream baton_web {\n    least_conn;\n    server 127.0.0.1:1;\n    server 127.0.0.1:2;\n    keepalive 8;\n}\n',
    );
    expect(renderUpstream('u', [])).toContain('server 127.0.0.1:9 down;');
  });

  it('fails open as ELB does: with no healthy target every registered one is listed (unless disabled)', () => {
    const targets = [
      target({ port: 1 }, 'unhealthy'),
      target({ port: 2 }, 'initial'),
      target({ port: 3 }, 'draining'),
    ];
    const open = renderUpstream('u', targets);
    expect(open).toContain('server 127.0.0.1:1;');
    expect(open).toContain('server 127.0.0.1:2;');
    expect(open).not.toContain('127.0.0.1:3');
    expect(renderUpstream('u', targets, { unhealthyStateRouting: false })).toContain(
      'server 127.0.0.1:9 down;',
    );
  });
});

describe('nginx adapter against a real nginx (Debian nginx, started by the test)', {
  timeout: 60_000,
}, () => {
  let dir: string;
  let nginx: NginxProcess;
  let backends: Backend[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-nginx-'));
    backends = await Promise.all(['a', 'b', 'c'].map(backend));
    nginx = await NginxProcess.start({ dir, port: await closedPort(), upstreamName: 'baton_web' });
  });
  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(backends.map((b) => b.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the healthy targets, reloading without failing a request under load', async () => {
    const [a, b, c] = backends as [Backend, Backend, Backend];
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([target(a), target(b)]);
    const adapter = new NginxAdapter({
      targets,
      upstreamFile: nginx.upstreamFile,
      upstreamName: 'baton_web',
      reload: () => nginx.reload(),
    });
    await adapter.start();
    const port = nginx.options.port;
    // A steady stream of requests while the target set changes three times.
    let running = true;
    const statuses: number[] = [];
    let window: string[] = [];
    let waiting: { left: number; resolve: () => void } | undefined;
    const load = (async () => {
      while (running) {
        const r = await get(port);
        statuses.push(r.status);
        window.push(r.body);
        if (waiting && --waiting.left === 0) waiting.resolve();
      }
    })();
    const answered = (n: number) => new Promise<void>((resolve) => (waiting = { left: n, resolve }));
    // Which targets answer once the adapter has applied the change: its reload returns when nginx's
    // old workers are gone. The answer in flight then is left out; the next 40 show who serves.
    const seen = async () => {
      await adapter.settled();
      await answered(1);
      window = [];
      await answered(40);
      return [...new Set(window)].sort();
    };
    expect(await seen()).toEqual(['a', 'b']);
    targets.next([target(a, 'draining'), target(b), target(c)]);
    expect(await seen()).toEqual(['b', 'c']);
    targets.next([target(b), target(c, 'unhealthy')]);
    expect(await seen()).toEqual(['b']);
    running = false;
    await load;
    adapter.stop();
    expect(adapter.reloads).toBe(3);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
