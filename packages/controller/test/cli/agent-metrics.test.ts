import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counters } from '@baton-ecs/loop';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentConfig, agentConfig } from '../../src/cli/agent-config.js';
import { agentOperatorRoutes } from '../../src/cli/operator-routes.js';
import { UsageError } from '../../src/cli/usage-error.js';

const base = ['--etcd', 'http://127.0.0.1:2379'];

describe('baton agent --metrics-port', () => {
  it('is off unless given; takes a port number; names the flag when the value is wrong', () => {
    expect((agentConfig(base, {}) as AgentConfig).metricsPort).toBeUndefined();
    expect((agentConfig([...base, '--metrics-port', '9464'], {}) as AgentConfig).metricsPort).toBe(9464);
    for (const bad of ['0', '65536', 'abc', '94.5', '-1']) {
      const attempt = () => agentConfig([...base, `--metrics-port=${bad}`], {});
      expect(attempt).toThrow(UsageError);
      expect(attempt).toThrow(/^--metrics-port: /);
    }
  });
});

describe('agentOperatorRoutes', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('serves the agent counters as Prometheus text at /metrics, ok at /healthz, and nothing else', async () => {
    const counters = new Counters();
    counters.inc('baton_reconcile_total', { controller: 'task-agent', result: 'success' }, 3);
    const routes = agentOperatorRoutes(() => counters.text());
    server = createServer((req, res) => {
      if (!routes(req, res)) {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await metrics.text();
    expect(body).toContain('# TYPE baton_reconcile_total counter\n');
    expect(body).toContain('baton_reconcile_total{controller="task-agent",result="success"} 3\n');
    // Read at each scrape, not once.
    counters.inc('baton_reconcile_total', { controller: 'task-agent', result: 'success' });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('result="success"} 4\n');

    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    expect((await fetch(`${url}/readyz`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
