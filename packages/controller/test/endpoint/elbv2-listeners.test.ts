import { mkdtempSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  paginateDescribeListeners,
  paginateDescribeLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Baton, createBaton, silentLogger } from '../../src/index.js';
import { clientConfig, errorOf, freePort, mount } from './helpers.js';

/** The HTTP status 127.0.0.1:port answers, or the connection error's code. */
async function get(port: number): Promise<number | string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch (e) {
    return ((e as { cause?: { code?: string } }).cause?.code ?? String(e)) as string;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'baton-elbv2-listeners-'));

describe('ELBv2 load balancers and listeners through @aws-sdk/client-elastic-load-balancing-v2', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let elb: ElasticLoadBalancingV2Client;
  let httpTg: string;
  let tcpTg: string;
  let lbArn: string;
  beforeAll(async () => {
    baton = await createBaton({ seed: 3, logger: silentLogger, dataDir });
    await baton.start();
    endpoint = await mount(baton);
    elb = new ElasticLoadBalancingV2Client(clientConfig(endpoint.url));
    httpTg = (await elb.send(new CreateTargetGroupCommand({ Name: 'lst-http', Protocol: 'HTTP', Port: 80 })))
      .TargetGroups![0]!.TargetGroupArn!;
    tcpTg = (await elb.send(new CreateTargetGroupCommand({ Name: 'lst-tcp', Protocol: 'TCP', Port: 80 })))
      .TargetGroups![0]!.TargetGroupArn!;
  });
  afterAll(async () => {
    await endpoint?.close();
    await baton?.stop();
  });

  it('creates load balancers idempotently, refuses a clashing name, describes and pages them', async () => {
    const created = await elb.send(
      new CreateLoadBalancerCommand({ Name: 'lst-a', Subnets: ['subnet-local'] }),
    );
    const lb = created.LoadBalancers![0]!;
    expect(lb).toMatchObject({
      LoadBalancerName: 'lst-a',
      Type: 'application',
      Scheme: 'internet-facing',
      DNSName: '127.0.0.1',
      State: { Code: 'active' },
    });
    expect(lb.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:[^:]+:[^:]+:loadbalancer\/app\/lst-a\/[0-9a-f]{16}$/,
    );
    expect(lb.CreatedTime).toBeInstanceOf(Date);
    lbArn = lb.LoadBalancerArn!;
    const again = await elb.send(new CreateLoadBalancerCommand({ Name: 'lst-a' }));
    expect(again.LoadBalancers![0]!.LoadBalancerArn).toBe(lbArn);
    const clash = await errorOf(elb.send(new CreateLoadBalancerCommand({ Name: 'lst-a', Type: 'network' })));
    expect(clash.name).toBe('DuplicateLoadBalancerNameException');
    const badName = await errorOf(elb.send(new CreateLoadBalancerCommand({ Name: '-bad' })));
    expect(badName.name).toBe('ValidationError');
    expect(badName.message).toContain('Name');
    const gateway = await errorOf(elb.send(new CreateLoadBalancerCommand({ Name: 'gw', Type: 'gateway' })));
    expect(gateway.name).toBe('ValidationError');

    for (let i = 0; i < 4; i++)
      await elb.send(new CreateLoadBalancerCommand({ Name: `lst-page-${i}`, Type: 'network' }));
    const names: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeLoadBalancers({ client: elb }, { PageSize: 2 })) {
      pages++;
      names.push(...(p.LoadBalancers ?? []).map((l) => l.LoadBalancerName!));
    }
    expect(names).toEqual(['lst-a', 'lst-page-0', 'lst-page-1', 'lst-page-2', 'lst-page-3']);
    expect(pages).toBe(3);
    const byName = await elb.send(new DescribeLoadBalancersCommand({ Names: ['lst-page-2'] }));
    expect(byName.LoadBalancers![0]!.Type).toBe('network');
    const missing = await errorOf(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })));
    expect(missing.name).toBe('LoadBalancerNotFoundException');
    const badPage = await errorOf(elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 })));
    expect(badPage.name).toBe('ValidationError');
  });

  it('CreateListener binds 127.0.0.1:Port before it answers, and DescribeTargetGroups names the load balancer', async () => {
    const port = await freePort();
    const r = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: httpTg }],
      }),
    );
    const listener = r.Listeners![0]!;
    expect(listener).toMatchObject({
      LoadBalancerArn: lbArn,
      Port: port,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: httpTg }],
    });
    expect(listener.ListenerArn).toMatch(/:listener\/app\/lst-a\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    // The group has no targets: Baton's balancer answers 503 as ELB does.
    expect(await get(port)).toBe(503);
    const tg = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [httpTg] }));
    expect(tg.TargetGroups![0]!.LoadBalancerArns).toEqual([lbArn]);
    // The same request again is the same listener; another group on the port is a duplicate.
    const again = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: httpTg }] } }],
      }),
    );
    expect(again.Listeners![0]!.ListenerArn).toBe(listener.ListenerArn);
    const other = (
      await elb.send(new CreateTargetGroupCommand({ Name: 'lst-other', Protocol: 'HTTP', Port: 80 }))
    ).TargetGroups![0]!.TargetGroupArn!;
    const dup = await errorOf(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Port: port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: other }],
        }),
      ),
    );
    expect(dup.name).toBe('DuplicateListenerException');
    // Another load balancer cannot have the port: every listener binds 127.0.0.1.
    const lbB = (await elb.send(new CreateLoadBalancerCommand({ Name: 'lst-b' }))).LoadBalancers![0]!;
    const taken = await errorOf(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbB.LoadBalancerArn!,
          Port: port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: other }],
        }),
      ),
    );
    expect(taken.name).toBe('InvalidConfigurationRequestException');
    expect(taken.message).toContain(String(port));
    const inUse = await errorOf(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: httpTg })));
    expect(inUse.name).toBe('ResourceInUseException');
  });

  it('answers ELB errors for what Baton cannot do, and keeps no listener when the port will not bind', async () => {
    const port = await freePort();
    const send = (over: Record<string, unknown>) =>
      errorOf(
        elb.send(
          new CreateListenerCommand({
            LoadBalancerArn: lbArn,
            Port: port,
            DefaultActions: [{ Type: 'forward', TargetGroupArn: httpTg }],
            ...over,
          }),
        ),
      );
    expect((await send({ DefaultActions: [{ Type: 'forward', TargetGroupArn: tcpTg }] })).name).toBe(
      'IncompatibleProtocolsException',
    );
    expect((await send({ Protocol: 'HTTPS' })).name).toBe('UnsupportedProtocolException');
    expect((await send({ Protocol: 'TCP' })).name).toBe('ValidationError');
    expect(
      (
        await send({
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
        })
      ).name,
    ).toBe('InvalidLoadBalancerActionException');
    const missingTg = httpTg.replace(/\/[0-9a-f]+$/, '/0000000000000000');
    expect((await send({ DefaultActions: [{ Type: 'forward', TargetGroupArn: missingTg }] })).name).toBe(
      'TargetGroupNotFoundException',
    );
    const missingLb = lbArn.replace(/\/[0-9a-f]+$/, '/0000000000000000');
    expect((await send({ LoadBalancerArn: missingLb })).name).toBe('LoadBalancerNotFoundException');
    expect((await send({ Port: undefined })).name).toBe('ValidationError');
    const before = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners!
      .length;
    // Something else holds the port: no listener is kept.
    const squatter = createNetServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      const err = await send({});
      expect(err.name).toBe('InvalidConfigurationRequestException');
      expect(err.message).toContain('EADDRINUSE');
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
    const after = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners!;
    expect(after.length).toBe(before);
    expect(after.some((l) => l.Port === port)).toBe(false);
    expect((await errorOf(elb.send(new DescribeListenersCommand({})))).name).toBe('ValidationError');
  });

  it('ModifyListener moves the port; DescribeListeners pages; DeleteListener stops forwarding', async () => {
    const lbC = (await elb.send(new CreateLoadBalancerCommand({ Name: 'lst-c' }))).LoadBalancers![0]!
      .LoadBalancerArn!;
    const ports: number[] = [];
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) {
      const port = await freePort();
      const l = await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbC,
          Port: port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: httpTg }],
        }),
      );
      ports.push(port);
      arns.push(l.Listeners![0]!.ListenerArn!);
    }
    const seen: number[] = [];
    let pages = 0;
    for await (const p of paginateDescribeListeners({ client: elb }, { LoadBalancerArn: lbC, PageSize: 2 })) {
      pages++;
      seen.push(...(p.Listeners ?? []).map((l) => l.Port!));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ports].sort((a, b) => a - b));

    const moved = await freePort();
    const m = await elb.send(new ModifyListenerCommand({ ListenerArn: arns[0]!, Port: moved }));
    expect(m.Listeners![0]).toMatchObject({ ListenerArn: arns[0], Port: moved, Protocol: 'HTTP' });
    expect(await get(moved)).toBe(503);
    expect(await get(ports[0]!)).toBe('ECONNREFUSED');
    const dupPort = await errorOf(
      elb.send(new ModifyListenerCommand({ ListenerArn: arns[1]!, Port: moved })),
    );
    expect(dupPort.name).toBe('DuplicateListenerException');

    await elb.send(new DeleteListenerCommand({ ListenerArn: arns[1]! }));
    expect(await get(ports[1]!)).toBe('ECONNREFUSED');
    const gone = await errorOf(elb.send(new DescribeListenersCommand({ ListenerArns: [arns[1]!] })));
    expect(gone.name).toBe('ListenerNotFoundException');
    expect((await errorOf(elb.send(new DeleteListenerCommand({ ListenerArn: arns[1]! })))).name).toBe(
      'ListenerNotFoundException',
    );

    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbC }));
    for (const p of ports.slice(2)) expect(await get(p)).toBe('ECONNREFUSED');
    expect(await get(moved)).toBe('ECONNREFUSED');
    // Deleting it again is no error, as in ELB; describing it is.
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbC }));
    expect((await errorOf(elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbC })))).name).toBe(
      'LoadBalancerNotFoundException',
    );
  });

  it('reopens the stored listeners when Baton starts again over the same data', async () => {
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    const port = Listeners![0]!.Port!;
    expect(await get(port)).toBe(503);
    await endpoint.close();
    await baton.stop();
    expect(await get(port)).toBe('ECONNREFUSED');
    baton = await createBaton({ seed: 4, logger: silentLogger, dataDir });
    await baton.start();
    endpoint = await mount(baton);
    expect(await get(port)).toBe(503);
    elb = new ElasticLoadBalancingV2Client(clientConfig(endpoint.url));
    const again = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    expect(again.Listeners!.map((l) => l.Port)).toEqual([port]);
  });
});
