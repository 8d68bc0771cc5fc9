import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  waitUntilLoadBalancerAvailable,
  waitUntilTargetDeregistered,
  waitUntilTargetInService,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import { clientConfig, engineLessBaton, errorOf, freePort, mount } from './helpers.js';

/** GET 127.0.0.1:port: status and body. */
async function get(port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

describe('ELBv2 RegisterTargets and DeregisterTargets through the SDK, with a listener in front', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let elb: ElasticLoadBalancingV2Client;
  let backend: Server;
  let backendPort: number;
  let tgArn: string;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton);
    elb = new ElasticLoadBalancingV2Client(clientConfig(endpoint.url));
    // A real HTTP server on loopback stands in for an address registered by hand.
    backend = createServer((_req, res) => res.end('registered-by-hand'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendPort = (backend.address() as AddressInfo).port;
    tgArn = (
      await elb.send(new CreateTargetGroupCommand({ Name: 'reg-http', Protocol: 'HTTP', Port: backendPort }))
    ).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [
          { Key: 'baton.health_check.short_timings', Value: 'true' },
          { Key: 'deregistration_delay.timeout_seconds', Value: '1' },
        ],
      }),
    );
    await elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: tgArn,
        HealthCheckIntervalSeconds: 2,
        HealthCheckTimeoutSeconds: 1,
      }),
    );
  });
  afterAll(async () => {
    await endpoint?.close();
    await baton?.stop();
    backend?.closeAllConnections();
    await new Promise<void>((r) => backend?.close(() => r()));
  });

  it('registers an ip target that is probed, becomes healthy and receives the listener’s traffic', async () => {
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1' }] }));
    // Again: no change, as in ELB.
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tgArn,
        Targets: [{ Id: '127.0.0.1', Port: backendPort }],
      }),
    );
    const first = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(first.TargetHealthDescriptions).toHaveLength(1);
    expect(first.TargetHealthDescriptions![0]!.Target).toEqual({ Id: '127.0.0.1', Port: backendPort });
    await waitUntilTargetInService(
      { client: elb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: backendPort }] },
    );

    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'reg-lb' }))).LoadBalancers![0]!;
    await waitUntilLoadBalancerAvailable(
      { client: elb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { LoadBalancerArns: [lb.LoadBalancerArn!] },
    );
    const port = await freePort();
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn!,
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    expect(await get(port)).toEqual({ status: 200, body: 'registered-by-hand' });

    // Deregistering drains it for the delay, then it is unused and the listener has nothing to send to.
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1' }] }));
    const draining = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(['draining', 'healthy']).toContain(draining.TargetHealthDescriptions![0]?.TargetHealth?.State);
    await waitUntilTargetDeregistered(
      { client: elb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TargetGroupArn: tgArn, Targets: [{ Id: '127.0.0.1', Port: backendPort }] },
    );
    expect(
      (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions,
    ).toEqual([]);
    expect((await get(port)).status).toBe(503);
    // A target that is not registered: no error and no change, as in ELB.
    await elb.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '10.0.0.9', Port: 81 }] }),
    );
  });

  it('answers ELB’s errors for targets Baton cannot register', async () => {
    const publicIp = await errorOf(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: '8.8.8.8', Port: 80 }] })),
    );
    expect(publicIp.name).toBe('InvalidTargetException');
    expect(publicIp.message).toContain('Targets[0].Id');
    const notIp = await errorOf(
      elb.send(
        new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: 'i-0123456789abcdef0' }] }),
      ),
    );
    expect(notIp.name).toBe('InvalidTargetException');
    const instance = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: 'reg-instance',
          Protocol: 'HTTP',
          Port: 80,
          TargetType: 'instance',
        }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
    const byInstance = await errorOf(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: instance, Targets: [{ Id: '127.0.0.1' }] })),
    );
    expect(byInstance.name).toBe('InvalidTargetException');
    const missing = await errorOf(
      elb.send(
        new RegisterTargetsCommand({
          TargetGroupArn: tgArn.replace(/\/[0-9a-f]+$/, '/0000000000000000'),
          Targets: [{ Id: '127.0.0.1' }],
        }),
      ),
    );
    expect(missing.name).toBe('TargetGroupNotFoundException');
    const empty = await errorOf(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [] })));
    expect(empty.name).toBe('ValidationError');
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(health.TargetHealthDescriptions).toEqual([]);

    // Registered targets are not settings: CreateTargetGroup again with the same ones is the same group.
    const same = { Name: 'reg-same', Protocol: 'HTTP' as const, Port: 80 };
    const created = (await elb.send(new CreateTargetGroupCommand(same))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: created,
        Targets: [{ Id: '127.0.0.1', Port: await freePort() }],
      }),
    );
    const again = await elb.send(new CreateTargetGroupCommand(same));
    expect(again.TargetGroups![0]!.TargetGroupArn).toBe(created);
  });
});
