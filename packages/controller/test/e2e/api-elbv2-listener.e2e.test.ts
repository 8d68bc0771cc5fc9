import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../endpoint/helpers.js';
import { awsJson, serveForAwsCli } from './awscli.js';
import { httpdTaskDefinition, uniqueCluster, waitFor } from './harness.js';

const key = { id: 'AKIDAWSCLIELB000001', secret: 'awscli-elbv2-listener-secret' };
const cluster = uniqueCluster('api-lst');
const dir = mkdtempSync(join(tmpdir(), 'baton-api-elbv2-'));

/** GET 127.0.0.1:port: status and body, or the connection error's code. */
async function get(port: number): Promise<{ status: number; body: string } | string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return (e as { cause?: { code?: string } }).cause?.code ?? String(e);
  }
}

describe('an ELBv2 listener made with the AWS CLI forwards to an ECS service on a real engine', () => {
  const serve = serveForAwsCli(cluster, key, dir);
  const aws = (args: string[]) => awsJson(serve.url, args, key, dir);

  it('create-load-balancer, create-listener, a service behind it answering on 127.0.0.1, modify and delete', async () => {
    const tg = await aws([
      'elbv2',
      'create-target-group',
      '--name',
      `${cluster}-tg`,
      '--protocol',
      'HTTP',
      '--port',
      '8080',
      '--target-type',
      'ip',
      '--vpc-id',
      'vpc-local',
      '--health-check-interval-seconds',
      '5',
      '--health-check-timeout-seconds',
      '2',
      '--healthy-threshold-count',
      '2',
    ]);
    expect(tg.code, tg.stderr).toBe(0);
    const tgArn = (tg.json.TargetGroups as { TargetGroupArn: string }[])[0]!.TargetGroupArn;
    const delay = await aws([
      'elbv2',
      'modify-target-group-attributes',
      '--target-group-arn',
      tgArn,
      '--attributes',
      'Key=deregistration_delay.timeout_seconds,Value=1',
    ]);
    expect(delay.code, delay.stderr).toBe(0);
    const lb = await aws([
      'elbv2',
      'create-load-balancer',
      '--name',
      `${cluster}-lb`,
      '--subnets',
      'subnet-a',
    ]);
    expect(lb.code, lb.stderr).toBe(0);
    const lbArn = (lb.json.LoadBalancers as { LoadBalancerArn: string; DNSName: string }[])[0]!;
    expect(lbArn.DNSName).toBe('127.0.0.1');
    const port = await freePort();
    const created = await aws([
      'elbv2',
      'create-listener',
      '--load-balancer-arn',
      lbArn.LoadBalancerArn,
      '--protocol',
      'HTTP',
      '--port',
      String(port),
      '--default-actions',
      `Type=forward,TargetGroupArn=${tgArn}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const listener = (created.json.Listeners as { ListenerArn: string; Port: number }[])[0]!;
    expect(listener.Port).toBe(port);
    // Nothing behind it yet: ELB's 503.
    expect(await get(port)).toMatchObject({ status: 503 });

    const tdFile = join(dir, 'td.json');
    writeFileSync(tdFile, JSON.stringify(httpdTaskDefinition(`${cluster}-web`)));
    expect(
      (await aws(['ecs', 'register-task-definition', '--cli-input-json', `file://${tdFile}`])).code,
    ).toBe(0);
    const svc = await aws([
      'ecs',
      'create-service',
      '--cluster',
      cluster,
      '--service-name',
      'web',
      '--task-definition',
      `${cluster}-web`,
      '--desired-count',
      '1',
      '--load-balancers',
      `targetGroupArn=${tgArn},containerName=httpd,containerPort=8080`,
    ]);
    expect(svc.code, svc.stderr).toBe(0);
    const stable = await aws(['ecs', 'wait', 'services-stable', '--cluster', cluster, '--services', 'web']);
    expect(stable.code, stable.stderr).toBe(0);
    const health = await aws(['elbv2', 'describe-target-health', '--target-group-arn', tgArn]);
    const targets = health.json.TargetHealthDescriptions as { TargetHealth: { State: string } }[];
    expect(targets.map((t) => t.TargetHealth.State)).toEqual(['healthy']);

    // The container's page, through Baton's balancer on the listener's port.
    for (let i = 0; i < 3; i++) {
      const r = await get(port);
      expect(r).toMatchObject({ status: 200 });
      expect((r as { body: string }).body.length).toBeGreaterThan(0);
    }
    const described = await aws([
      'elbv2',
      'describe-listeners',
      '--load-balancer-arn',
      lbArn.LoadBalancerArn,
    ]);
    expect(described.json.Listeners).toMatchObject([
      {
        ListenerArn: listener.ListenerArn,
        Port: port,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      },
    ]);
    const groups = await aws(['elbv2', 'describe-target-groups', '--target-group-arns', tgArn]);
    expect((groups.json.TargetGroups as { LoadBalancerArns: string[] }[])[0]!.LoadBalancerArns).toEqual([
      lbArn.LoadBalancerArn,
    ]);

    const moved = await freePort();
    const modified = await aws([
      'elbv2',
      'modify-listener',
      '--listener-arn',
      listener.ListenerArn,
      '--port',
      String(moved),
    ]);
    expect(modified.code, modified.stderr).toBe(0);
    expect(await get(moved)).toMatchObject({ status: 200 });
    expect(await get(port)).toBe('ECONNREFUSED');

    const inUse = await aws(['elbv2', 'delete-target-group', '--target-group-arn', tgArn]);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toMatch(/ResourceInUse/);

    expect((await aws(['elbv2', 'delete-listener', '--listener-arn', listener.ListenerArn])).code).toBe(0);
    expect(await get(moved)).toBe('ECONNREFUSED');
    const missing = await aws(['elbv2', 'describe-listeners', '--listener-arns', listener.ListenerArn]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ListenerNotFound/);
    expect(
      (await aws(['elbv2', 'delete-load-balancer', '--load-balancer-arn', lbArn.LoadBalancerArn])).code,
    ).toBe(0);

    expect(
      (await aws(['ecs', 'delete-service', '--cluster', cluster, '--service', 'web', '--force'])).code,
    ).toBe(0);
    await waitFor('the service gone', 60_000, async () => {
      const d = await aws(['ecs', 'describe-services', '--cluster', cluster, '--services', 'web']);
      return (d.json.services as { status: string }[] | undefined)?.[0]?.status === 'INACTIVE'
        ? true
        : undefined;
    });
    const deleted = await aws(['elbv2', 'delete-target-group', '--target-group-arn', tgArn]);
    expect(deleted.code, deleted.stderr).toBe(0);
  }, 240_000);
});
