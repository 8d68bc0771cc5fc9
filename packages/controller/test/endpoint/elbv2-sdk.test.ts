import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import { alice, clientConfig, engineLessBaton, errorOf, mount } from './helpers.js';
import { signedCall } from './raw-request.js';

const xml = new XMLParser();
const form = 'application/x-www-form-urlencoded; charset=utf-8';

describe('ELBv2 query protocol through @aws-sdk/client-elastic-load-balancing-v2 (handler on node:http)', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let elb: ElasticLoadBalancingV2Client;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton);
    elb = new ElasticLoadBalancingV2Client(clientConfig(endpoint.url));
  });
  afterAll(async () => {
    await endpoint.close();
    await baton.stop();
  });

  it('creates target groups (idempotently), describes them by name and ARN, pages with Marker/PageSize', async () => {
    const arns: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await elb.send(
        new CreateTargetGroupCommand({
          Name: `tg-page-${i}`,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: 'vpc-local',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 10,
          Matcher: { HttpCode: '200-299' },
          TargetType: 'ip',
        }),
      );
      expect(r.TargetGroups?.[0]).toMatchObject({
        TargetGroupName: `tg-page-${i}`,
        Protocol: 'HTTP',
        Port: 8080,
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        Matcher: { HttpCode: '200-299' },
        HealthCheckEnabled: true,
      });
      expect(r.TargetGroups?.[0]?.TargetGroupArn).toMatch(
        new RegExp(`^arn:aws:elasticloadbalancing:[^:]+:[^:]+:targetgroup/tg-page-${i}/[0-9a-f]+$`),
      );
      arns.push(r.TargetGroups![0]!.TargetGroupArn!);
    }
    const again = await elb.send(
      new CreateTargetGroupCommand({
        Name: 'tg-page-0',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: 'vpc-local',
        TargetType: 'ip',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        Matcher: { HttpCode: '200-299' },
      }),
    );
    expect(again.TargetGroups?.[0]?.TargetGroupArn).toBe(arns[0]);

    const pages: string[][] = [];
    for await (const p of paginateDescribeTargetGroups({ client: elb }, { PageSize: 3 }))
      pages.push((p.TargetGroups ?? []).map((t) => t.TargetGroupName!));
    expect(pages).toEqual([
      ['tg-page-0', 'tg-page-1', 'tg-page-2'],
      ['tg-page-3', 'tg-page-4', 'tg-page-5'],
      ['tg-page-6'],
    ]);
    const byRef = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arns[2]!] }));
    expect(byRef.TargetGroups?.map((t) => t.TargetGroupName)).toEqual(['tg-page-2']);
    const byName = await elb.send(new DescribeTargetGroupsCommand({ Names: ['tg-page-4', 'tg-page-5'] }));
    expect(byName.TargetGroups?.map((t) => t.TargetGroupArn)).toEqual([arns[4], arns[5]]);
  });

  it('modifies health checks and attributes, describes target health, deletes', async () => {
    const created = await elb.send(
      new CreateTargetGroupCommand({ Name: 'tg-mod', Protocol: 'HTTP', Port: 80 }),
    );
    const arn = created.TargetGroups![0]!.TargetGroupArn!;
    const modified = await elb.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: arn,
        HealthCheckPath: '/ready',
        HealthyThresholdCount: 3,
      }),
    );
    expect(modified.TargetGroups?.[0]).toMatchObject({ HealthCheckPath: '/ready', HealthyThresholdCount: 3 });
    const attrs = await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: '5' },
          { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
        ],
      }),
    );
    const map = (a: { Key?: string; Value?: string }[] | undefined) =>
      Object.fromEntries((a ?? []).map((x) => [x.Key, x.Value]));
    expect(map(attrs.Attributes)).toMatchObject({
      'deregistration_delay.timeout_seconds': '5',
      'load_balancing.algorithm.type': 'least_outstanding_requests',
    });
    const described = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
    expect(map(described.Attributes)['deregistration_delay.timeout_seconds']).toBe('5');

    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    expect(health.TargetHealthDescriptions).toEqual([]);
    const unknown = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.0.9', Port: 8080 }] }),
    );
    expect(unknown.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: '10.0.0.9', Port: 8080 },
        HealthCheckPort: '8080',
        TargetHealth: {
          State: 'unused',
          Reason: 'Target.NotRegistered',
          Description: 'Target is not registered to the target group',
        },
      },
    ]);

    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    const gone = await errorOf(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })));
    expect([gone.name, gone.$metadata?.httpStatusCode]).toEqual(['TargetGroupNotFoundException', 400]);
  });

  it("answers ELB's errors in <ErrorResponse> with the model's codes and statuses; nothing changes", async () => {
    const dup = await errorOf(
      elb.send(new CreateTargetGroupCommand({ Name: 'tg-page-1', Protocol: 'HTTP', Port: 9999 })),
    );
    expect([dup.name, dup.$metadata?.httpStatusCode]).toEqual(['DuplicateTargetGroupNameException', 400]);
    const bad = await errorOf(
      elb.send(new CreateTargetGroupCommand({ Name: '-bad-', Protocol: 'HTTP', Port: 80 })),
    );
    expect(bad.name).toBe('ValidationError');
    expect(bad.message).toMatch(/TargetGroupName/);
    const page = await errorOf(elb.send(new DescribeTargetGroupsCommand({ PageSize: 401 })));
    expect([page.name, page.message]).toEqual([
      'ValidationError',
      'PageSize must be between 1 and 400 (got 401).',
    ]);
    const wrong = new ElasticLoadBalancingV2Client(
      clientConfig(endpoint.url, { accessKeyId: alice.accessKeyId, secretAccessKey: 'not-alices' }),
    );
    const sig = await errorOf(wrong.send(new CreateTargetGroupCommand({ Name: 'tg-denied', Port: 80 })));
    expect([sig.name, sig.$metadata?.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    const nobody = new ElasticLoadBalancingV2Client(
      clientConfig(endpoint.url, { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }),
    );
    const unknownKey = await errorOf(
      nobody.send(new CreateTargetGroupCommand({ Name: 'tg-denied', Port: 80 })),
    );
    expect([unknownKey.name, unknownKey.$metadata?.httpStatusCode]).toEqual(['InvalidClientTokenId', 403]);
    const none = await errorOf(elb.send(new DescribeTargetGroupsCommand({ Names: ['tg-denied'] })));
    expect(none.name).toBe('TargetGroupNotFoundException');

    const unknown = await signedCall(endpoint.url, {
      key: alice,
      service: 'elasticloadbalancing',
      contentType: form,
      body: 'Action=CreateRule&Version=2015-12-01&ListenerArn=x',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('text/xml');
    expect(xml.parse(unknown.text).ErrorResponse.Error).toEqual({
      Type: 'Sender',
      Code: 'InvalidAction',
      Message: 'The action CreateRule is not valid for this web service.',
    });
    const malformed = await signedCall(endpoint.url, {
      key: alice,
      service: 'elasticloadbalancing',
      contentType: form,
      body: 'Action=DescribeTargetGroups&Version=2015-12-01&PageSize=ten',
    });
    expect([malformed.status, xml.parse(malformed.text).ErrorResponse.Error.Code]).toEqual([
      400,
      'ValidationError',
    ]);
    const missing = await signedCall(endpoint.url, {
      key: alice,
      service: 'elasticloadbalancing',
      contentType: form,
      body: 'Action=DeleteTargetGroup&Version=2015-12-01',
    });
    expect(xml.parse(missing.text).ErrorResponse.Error).toMatchObject({
      Code: 'ValidationError',
      Message: 'TargetGroupArn is required.',
    });
    const unsigned = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': form },
      body: 'Action=DescribeTargetGroups&Version=2015-12-01',
    });
    expect(unsigned.status).toBe(403);
    expect(xml.parse(await unsigned.text()).ErrorResponse.Error.Code).toBe('MissingAuthenticationToken');
  });
});
