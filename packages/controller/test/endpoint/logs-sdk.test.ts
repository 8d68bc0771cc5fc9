import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  paginateGetLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import { alice, clientConfig, engineLessBaton, errorOf, mount } from './helpers.js';
import { signedCall } from './raw-request.js';

describe('CloudWatch Logs JSON protocol through @aws-sdk/client-cloudwatch-logs (handler on node:http)', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let logs: CloudWatchLogsClient;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton);
    logs = new CloudWatchLogsClient(clientConfig(endpoint.url));
  });
  afterAll(async () => {
    await endpoint.close();
    await baton.stop();
  });

  it('creates groups, sets and removes retention, pages DescribeLogGroups past its 50-group page', async () => {
    for (let i = 0; i < 57; i++)
      await logs.send(new CreateLogGroupCommand({ logGroupName: `/lg/page-${String(i).padStart(2, '0')}` }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/lg/page-03', retentionInDays: 14 }));
    const pages: number[] = [];
    const names: string[] = [];
    for await (const p of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: '/lg/page-' })) {
      pages.push(p.logGroups?.length ?? 0);
      names.push(...(p.logGroups ?? []).map((g) => g.logGroupName!));
    }
    expect(pages).toEqual([50, 7]);
    expect(names).toEqual(Array.from({ length: 57 }, (_, i) => `/lg/page-${String(i).padStart(2, '0')}`));
    const one = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lg/page-03' }));
    expect(one.logGroups?.[0]).toMatchObject({
      logGroupName: '/lg/page-03',
      retentionInDays: 14,
      arn: `arn:aws:logs:${baton.arnContext.region}:${baton.arnContext.account}:log-group:/lg/page-03:*`,
    });
    expect(typeof one.logGroups?.[0]?.creationTime).toBe('number');
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/lg/page-03' }));
    const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lg/page-03' }));
    expect(after.logGroups?.[0]?.retentionInDays).toBeUndefined();
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/lg/page-56' }));
    const left = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lg/page-5' }));
    expect(left.logGroups?.map((g) => g.logGroupName)).toHaveLength(6);
  });

  it('writes events, pages DescribeLogStreams, GetLogEvents both ways and FilterLogEvents', async () => {
    const group = '/lg/events';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (let s = 0; s < 3; s++)
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `s${s}` }));
    const t0 = Date.now() - 60_000;
    for (let s = 0; s < 3; s++)
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: `s${s}`,
          logEvents: Array.from({ length: 25 }, (_, i) => ({
            timestamp: t0 + i * 10 + s,
            message: `${i % 5 === 0 ? 'ERROR' : 'INFO'} s${s} line ${i}`,
          })),
        }),
      );
    const streams: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeLogStreams({ client: logs }, { logGroupName: group, limit: 2 })) {
      pages++;
      streams.push(...(p.logStreams ?? []).map((s) => s.logStreamName!));
    }
    expect([pages, streams]).toEqual([2, ['s0', 's1', 's2']]);
    const d = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: 's1' }),
    );
    expect(d.logStreams?.[0]).toMatchObject({
      logStreamName: 's1',
      firstEventTimestamp: t0 + 1,
      lastEventTimestamp: t0 + 241,
    });

    // GetLogEvents from the head in pages of 10: the SDK's paginator stops when the token comes back unchanged.
    const forward: string[] = [];
    for await (const p of paginateGetLogEvents(
      { client: logs, pageSize: 10, stopOnSameToken: true },
      { logGroupName: group, logStreamName: 's2', startFromHead: true },
    ))
      forward.push(...(p.events ?? []).map((e) => e.message!));
    expect(forward).toEqual(
      Array.from({ length: 25 }, (_, i) => `${i % 5 === 0 ? 'ERROR' : 'INFO'} s2 line ${i}`),
    );
    const newest = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: 's2', limit: 3 }),
    );
    expect(newest.events?.map((e) => e.message)).toEqual([
      'INFO s2 line 22',
      'INFO s2 line 23',
      'INFO s2 line 24',
    ]);
    const before = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: 's2',
        limit: 2,
        nextToken: newest.nextBackwardToken,
      }),
    );
    expect(before.events?.map((e) => e.message)).toEqual(['ERROR s2 line 20', 'INFO s2 line 21']);

    const errors: string[] = [];
    let filterPages = 0;
    for await (const p of paginateFilterLogEvents(
      { client: logs, pageSize: 4 },
      { logGroupName: group, filterPattern: 'ERROR', startTime: t0 },
    )) {
      filterPages++;
      errors.push(...(p.events ?? []).map((e) => `${e.logStreamName}:${e.message}`));
    }
    expect(filterPages).toBe(4);
    expect(errors).toHaveLength(15);
    expect(errors[0]).toBe('s0:ERROR s0 line 0');
    expect(errors.every((e) => e.includes('ERROR'))).toBe(true);
    const windowed = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: group,
        logStreamNames: ['s1'],
        startTime: t0 + 100,
        endTime: t0 + 150,
      }),
    );
    expect(windowed.events?.map((e) => e.message)).toEqual([
      'ERROR s1 line 10',
      'INFO s1 line 11',
      'INFO s1 line 12',
      'INFO s1 line 13',
      'INFO s1 line 14',
    ]);
  });

  it("answers CloudWatch Logs' exceptions with their HTTP statuses, and nothing changes", async () => {
    const missing = await errorOf(
      logs.send(new GetLogEventsCommand({ logGroupName: '/lg/none', logStreamName: 'x' })),
    );
    expect([missing.name, missing.$metadata?.httpStatusCode, missing.message]).toEqual([
      'ResourceNotFoundException',
      400,
      'The specified log group does not exist.',
    ]);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/lg/dup' }));
    const dup = await errorOf(logs.send(new CreateLogGroupCommand({ logGroupName: '/lg/dup' })));
    expect(dup.name).toBe('ResourceAlreadyExistsException');
    const retention = await errorOf(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: '/lg/dup', retentionInDays: 2 })),
    );
    expect(retention.name).toBe('InvalidParameterException');
    expect(retention.message).toMatch(/retentionInDays/);
    const g = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lg/dup' }));
    expect(g.logGroups?.[0]?.retentionInDays).toBeUndefined();
    const order = await errorOf(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/lg/dup',
          logStreamName: 'nope',
          logEvents: [{ timestamp: 1, message: 'x' }],
        }),
      ),
    );
    expect([order.name, order.message]).toEqual([
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    ]);

    const wrongKey = new CloudWatchLogsClient(
      clientConfig(endpoint.url, { accessKeyId: alice.accessKeyId, secretAccessKey: 'not-alices' }),
    );
    const sig = await errorOf(wrongKey.send(new CreateLogGroupCommand({ logGroupName: '/lg/denied' })));
    expect([sig.name, sig.$metadata?.httpStatusCode]).toEqual(['InvalidSignatureException', 403]);
    const denied = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lg/denied' }));
    expect(denied.logGroups).toEqual([]);

    const unknown = await signedCall(endpoint.url, {
      key: alice,
      service: 'logs',
      target: 'Logs_20140328.PutSubscriptionFilter',
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Operation Logs_20140328.PutSubscriptionFilter is not supported.',
    });
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const malformed = await signedCall(endpoint.url, {
      key: alice,
      service: 'logs',
      target: 'Logs_20140328.CreateLogGroup',
      body: '{"logGroupName":',
    });
    expect([malformed.status, malformed.json().__type]).toEqual([400, 'SerializationException']);
    const scoped = await signedCall(endpoint.url, {
      key: alice,
      service: 'ecs',
      target: 'Logs_20140328.CreateLogGroup',
      body: '{"logGroupName":"/lg/wrong-scope"}',
    });
    expect([scoped.status, scoped.json().__type]).toEqual([403, 'InvalidSignatureException']);
    expect(
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lg/wrong-scope' }))).logGroups,
    ).toEqual([]);
  });
});
