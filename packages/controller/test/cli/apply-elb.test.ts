import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../../src/cli/apply.js';
import { diff } from '../../src/cli/diff.js';
import type { Baton } from '../../src/index.js';
import { alice, engineLessBaton, mount } from '../endpoint/helpers.js';

/** A port free on 127.0.0.1 right now (the listener binds it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('baton apply and diff with ELBv2 target groups, load balancers and listeners', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let dir: string;
  let port: number;
  const run = async (verb: typeof apply, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await verb({
      argv: [...argv, '--endpoint', endpoint.url, '--cluster', 'elb-apply'],
      env: { AWS_ACCESS_KEY_ID: alice.accessKeyId, AWS_SECRET_ACCESS_KEY: alice.secretAccessKey },
      stdout: (l) => out.push(l),
      stderr: (l) => err.push(l),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);

  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(async () => {
    // The SDK's environment provider reads process.env itself.
    process.env.AWS_ACCESS_KEY_ID = alice.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = alice.secretAccessKey;
    baton = await engineLessBaton();
    endpoint = await mount(baton);
    dir = mkdtempSync(join(tmpdir(), 'baton-apply-elb-'));
    port = await freePort();
    write('a-cluster.yaml', 'clusterName: elb-apply\n');
    write(
      'b-web.yaml',
      [
        'family: web',
        'containerDefinitions:',
        '  - name: app',
        '    image: busybox:1',
        '    memory: 32',
        '    portMappings: [{ containerPort: 8080 }]',
        '---',
        'serviceName: web',
        'taskDefinition: web',
        'desiredCount: 1',
        'loadBalancers:',
        '  - targetGroupArn: web-tg',
        '    containerName: app',
        '    containerPort: 8080',
        '',
      ].join('\n'),
    );
    write(
      'c-lb.yaml',
      [
        'Name: web-tg',
        'Protocol: HTTP',
        'Port: 8080',
        'TargetType: instance',
        'HealthCheckPath: /',
        '---',
        'Name: front',
        'Type: application',
        '---',
        'LoadBalancerArn: front',
        'Protocol: HTTP',
        `Port: ${port}`,
        'DefaultActions:',
        '  - Type: forward',
        '    TargetGroupArn: web-tg',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const [k, v] of [
      ['AWS_ACCESS_KEY_ID', savedEnv.id],
      ['AWS_SECRET_ACCESS_KEY', savedEnv.secret],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await endpoint?.close();
    await baton?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the chain with names resolved to ARNs, then changes nothing', async () => {
    const before = await run(diff, '-f', dir);
    expect(before.code, before.err).toBe(1);
    expect(before.out).toContain('+ target group "web-tg": create');
    expect(before.out).toContain(`+ listener "front:${port}": create`);

    const first = await run(apply, '-f', dir);
    expect(first.code, first.err).toBe(0);
    expect(first.out.split('\n')).toEqual(
      expect.arrayContaining([
        'target group "web-tg": created',
        'load balancer "front": created',
        `listener "front:${port}": created`,
      ]),
    );
    const { TargetGroups } = await baton.elbv2.describeTargetGroups({ Names: ['web-tg'] });
    const tgArn = TargetGroups[0]!.TargetGroupArn!;
    expect(TargetGroups[0]).toMatchObject({ Protocol: 'HTTP', Port: 8080, TargetType: 'instance' });
    const { LoadBalancers } = await baton.elbv2.describeLoadBalancers({ Names: ['front'] });
    const { Listeners } = await baton.elbv2.describeListeners({
      LoadBalancerArn: LoadBalancers[0]!.LoadBalancerArn,
    });
    expect(Listeners).toHaveLength(1);
    expect(Listeners[0]).toMatchObject({ Port: port, Protocol: 'HTTP' });
    expect(Listeners[0]!.DefaultActions[0]).toMatchObject({ Type: 'forward', TargetGroupArn: tgArn });
    const svc = (await baton.describeServices({ cluster: 'elb-apply', services: ['web'] })).services[0]!;
    expect(svc.loadBalancers[0]!.targetGroupArn).toBe(tgArn);

    const second = await run(apply, '-f', dir);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain('target group "web-tg": unchanged');
    expect(second.out).toContain('load balancer "front": unchanged');
    expect(second.out).toContain(`listener "front:${port}": unchanged`);
    expect(second.out).toContain('service "web" (cluster elb-apply): unchanged');
    expect(second.out).toContain('nothing to change');
    expect((await run(diff, '-f', dir)).code).toBe(0);
  });

  it('modifies a target group’s health check and attributes and a listener’s target, shown by diff first', async () => {
    write(
      'd-api.yaml',
      [
        'Name: api-tg',
        'Protocol: HTTP',
        'Port: 9090',
        'Attributes:',
        '  - Key: deregistration_delay.timeout_seconds',
        '    Value: "5"',
        '',
      ].join('\n'),
    );
    write(
      'c-lb.yaml',
      [
        'Name: web-tg',
        'Protocol: HTTP',
        'Port: 8080',
        'TargetType: instance',
        'HealthCheckPath: /health',
        'HealthCheckIntervalSeconds: 10',
        'Attributes:',
        '  - Key: deregistration_delay.timeout_seconds',
        '    Value: "7"',
        '---',
        'Name: front',
        'Type: application',
        '---',
        'LoadBalancerArn: front',
        `Port: ${port}`,
        'DefaultActions:',
        '  - Type: forward',
        '    TargetGroupArn: api-tg',
        '',
      ].join('\n'),
    );
    const d = await run(diff, '-f', dir);
    expect(d.code, d.err).toBe(1);
    expect(d.out).toContain('~ target group "web-tg": update');
    expect(d.out).toContain('~ HealthCheckPath: "/" → "/health"');
    expect(d.out).toContain('~ HealthCheckIntervalSeconds: 30 → 10');
    expect(d.out).toContain('~ Attributes.deregistration_delay.timeout_seconds: "300" → "7"');
    expect(d.out).toContain(`~ listener "front:${port}": update`);
    expect(d.out).toContain('~ DefaultActions[0].TargetGroups[0]: "web-tg" → "api-tg"');
    expect(d.out).toContain('+ target group "api-tg": create');

    const applied = await run(apply, '-f', dir);
    expect(applied.code, applied.err).toBe(0);
    const web = (await baton.elbv2.describeTargetGroups({ Names: ['web-tg'] })).TargetGroups[0]!;
    expect(web).toMatchObject({ HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10 });
    const attrs = await baton.elbv2.describeTargetGroupAttributes({ TargetGroupArn: web.TargetGroupArn! });
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '7' });
    const api = (await baton.elbv2.describeTargetGroups({ Names: ['api-tg'] })).TargetGroups[0]!;
    const apiAttrs = await baton.elbv2.describeTargetGroupAttributes({ TargetGroupArn: api.TargetGroupArn! });
    expect(apiAttrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '5' });
    const lb = (await baton.elbv2.describeLoadBalancers({ Names: ['front'] })).LoadBalancers[0]!;
    const listener = (await baton.elbv2.describeListeners({ LoadBalancerArn: lb.LoadBalancerArn }))
      .Listeners[0]!;
    expect(listener.DefaultActions[0]!.TargetGroupArn).toBe(api.TargetGroupArn);
    expect((await run(diff, '-f', dir)).code).toBe(0);
  });

  it('refuses, applying nothing, a fixed field changed, a listener of no load balancer, a bad document', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'baton-apply-elb-bad-'));
    try {
      writeFileSync(join(bad, 'tg.yaml'), 'Name: web-tg\nProtocol: HTTP\nPort: 8081\nTargetType: instance\n');
      writeFileSync(
        join(bad, 'listener.yaml'),
        'LoadBalancerArn: nowhere\nPort: 1\nDefaultActions: [{ Type: forward, TargetGroupArn: fresh-tg }]\n---\nName: fresh-tg\nProtocol: HTTP\nPort: 80\n',
      );
      const r = await run(apply, '-f', bad);
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        `${bad}/tg.yaml: target group "web-tg": Port cannot change on an existing target group (8080 → 8081)`,
      );
      expect(r.err).toContain(
        `${bad}/listener.yaml#1: listener "nowhere:1": LoadBalancerArn: load balancer "nowhere" does not exist`,
      );
      expect(r.err).toContain('nothing applied');
      expect(
        (await baton.elbv2.describeTargetGroups({})).TargetGroups.map((t) => t.TargetGroupName),
      ).not.toContain('fresh-tg');

      writeFileSync(join(bad, 'tg.yaml'), 'Name: web-tg\nProtocol: HTTP\nPort: 70000\n');
      writeFileSync(join(bad, 'listener.yaml'), 'LoadBalancerArn: front\nPort: 80\nDefaultActions: []\n');
      const invalid = await run(apply, '-f', bad);
      expect(invalid.code).toBe(1);
      expect(invalid.err).toMatch(new RegExp(`${bad}/tg.yaml: target group "web-tg": Port: `));
      expect(invalid.err).toContain(
        `${bad}/listener.yaml: listener "front:80": DefaultActions: must be a list of at least one action`,
      );
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
