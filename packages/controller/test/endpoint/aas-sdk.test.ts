import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  paginateDescribeScalableTargets,
  paginateDescribeScalingPolicies,
  paginateDescribeScheduledActions,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Baton, waitForCache } from '../../src/index.js';
import { alice, clientConfig, engineLessBaton, errorOf, mount, webTaskDefinition } from './helpers.js';
import { signedCall } from './raw-request.js';

const cluster = 'aas-sdk';
const ns = 'ecs';
const dim = 'ecs:service:DesiredCount';
const rid = (n: number) => `service/${cluster}/svc-${n}`;

describe('Application Auto Scaling JSON protocol through @aws-sdk/client-application-auto-scaling', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  let aas: ApplicationAutoScalingClient;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton);
    aas = new ApplicationAutoScalingClient(clientConfig(endpoint.url));
    await baton.createCluster({ clusterName: cluster });
    await baton.registerTaskDefinition(webTaskDefinition('aas-web'));
    for (let n = 0; n < 5; n++)
      await baton.createService({
        cluster,
        serviceName: `svc-${n}`,
        taskDefinition: 'aas-web',
        desiredCount: 0,
      });
  });
  afterAll(async () => {
    await endpoint.close();
    await baton.stop();
  });

  it('registers scalable targets and pages DescribeScalableTargets with MaxResults/NextToken', async () => {
    const before = Date.now();
    for (let n = 0; n < 5; n++)
      await aas.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: ns,
          ResourceId: rid(n),
          ScalableDimension: dim,
          MinCapacity: 0,
          MaxCapacity: 4 + n,
        }),
      );
    const pages: string[][] = [];
    for await (const p of paginateDescribeScalableTargets(
      { client: aas, pageSize: 2 },
      { ServiceNamespace: ns },
    ))
      pages.push((p.ScalableTargets ?? []).map((t) => t.ResourceId!));
    expect(pages).toEqual([[rid(0), rid(1)], [rid(2), rid(3)], [rid(4)]]);
    const one = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid(3)] }),
    );
    expect(one.ScalableTargets?.[0]).toMatchObject({
      ServiceNamespace: ns,
      ResourceId: rid(3),
      ScalableDimension: dim,
      MinCapacity: 0,
      MaxCapacity: 7,
      SuspendedState: {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
    });
    expect(one.ScalableTargets?.[0]?.CreationTime?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Updating one keeps it (MinCapacity only).
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: ns,
        ResourceId: rid(3),
        ScalableDimension: dim,
        MinCapacity: 1,
      }),
    );
    const updated = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid(3)] }),
    );
    expect([updated.ScalableTargets?.[0]?.MinCapacity, updated.ScalableTargets?.[0]?.MaxCapacity]).toEqual([
      1, 7,
    ]);
    // MinCapacity 1 moved the desired count (0) into range: an activity, newest first, for that service only.
    // The scaling controller records the activity once its write of the desired count has committed.
    const services = baton.internals.informers.services;
    const scaled = () => services.get(`${cluster}/svc-3`)?.object.desiredCount === 1;
    expect(await waitForCache(services, scaled, { timeoutMs: 10_000 })).toBe(true);
    const activities = await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: ns }));
    expect(activities.ScalingActivities?.map((a) => a.ResourceId)).toEqual([rid(3)]);
    expect(activities.ScalingActivities?.[0]).toMatchObject({ ServiceNamespace: ns, ScalableDimension: dim });
    expect(activities.ScalingActivities?.[0]?.Description).toMatch(/desired count to 1/);
    expect(activities.ScalingActivities?.[0]?.StartTime).toBeInstanceOf(Date);
    const other = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'dynamodb' }));
    expect(other.ScalableTargets).toEqual([]);
  });

  it('puts, pages and deletes scaling policies and scheduled actions', async () => {
    for (const name of ['cpu', 'memory', 'requests']) {
      const put = await aas.send(
        new PutScalingPolicyCommand({
          ServiceNamespace: ns,
          ResourceId: rid(0),
          ScalableDimension: dim,
          PolicyName: name,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 50,
            PredefinedMetricSpecification: {
              PredefinedMetricType:
                name === 'memory' ? 'ECSServiceAverageMemoryUtilization' : 'ECSServiceAverageCPUUtilization',
            },
            ScaleInCooldown: 60,
          },
        }),
      );
      expect(put.PolicyARN).toMatch(
        new RegExp(
          `^arn:aws:autoscaling:[^:]+:[^:]+:scalingPolicy:[0-9a-f-]{36}:resource/ecs/${rid(0)}:policyName/${name}$`,
        ),
      );
    }
    const names: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeScalingPolicies(
      { client: aas, pageSize: 2 },
      { ServiceNamespace: ns, ResourceId: rid(0) },
    )) {
      pages++;
      names.push(...(p.ScalingPolicies ?? []).map((x) => x.PolicyName!));
    }
    expect([pages, names]).toEqual([2, ['cpu', 'memory', 'requests']]);
    const cpu = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, PolicyNames: ['cpu'] }),
    );
    expect(cpu.ScalingPolicies?.[0]).toMatchObject({
      PolicyName: 'cpu',
      ResourceId: rid(0),
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, ScaleInCooldown: 60 },
    });
    expect(cpu.ScalingPolicies?.[0]?.CreationTime).toBeInstanceOf(Date);
    await aas.send(
      new DeleteScalingPolicyCommand({
        ServiceNamespace: ns,
        ResourceId: rid(0),
        ScalableDimension: dim,
        PolicyName: 'memory',
      }),
    );
    const left = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, ResourceId: rid(0) }),
    );
    expect(left.ScalingPolicies?.map((p) => p.PolicyName)).toEqual(['cpu', 'requests']);

    for (let n = 0; n < 3; n++)
      await aas.send(
        new PutScheduledActionCommand({
          ServiceNamespace: ns,
          ResourceId: rid(1),
          ScalableDimension: dim,
          ScheduledActionName: `night-${n}`,
          Schedule: `cron(0 ${20 + n} * * ? *)`,
          ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 2 },
        }),
      );
    const actions: string[] = [];
    for await (const p of paginateDescribeScheduledActions(
      { client: aas, pageSize: 2 },
      { ServiceNamespace: ns },
    ))
      actions.push(...(p.ScheduledActions ?? []).map((a) => `${a.ScheduledActionName}:${a.Schedule}`));
    expect(actions).toEqual([
      'night-0:cron(0 20 * * ? *)',
      'night-1:cron(0 21 * * ? *)',
      'night-2:cron(0 22 * * ? *)',
    ]);
    const one = await aas.send(
      new DescribeScheduledActionsCommand({ ServiceNamespace: ns, ScheduledActionNames: ['night-1'] }),
    );
    expect(one.ScheduledActions?.[0]?.ScheduledActionARN).toMatch(
      /:scheduledAction:[0-9a-f-]{36}:resource\/ecs\/service\/aas-sdk\/svc-1:scheduledActionName\/night-1$/,
    );
    expect(one.ScheduledActions?.[0]?.ScalableTargetAction).toEqual({ MinCapacity: 0, MaxCapacity: 2 });
    await aas.send(
      new DeleteScheduledActionCommand({
        ServiceNamespace: ns,
        ResourceId: rid(1),
        ScalableDimension: dim,
        ScheduledActionName: 'night-0',
      }),
    );
    const remaining = await aas.send(
      new DescribeScheduledActionsCommand({ ServiceNamespace: ns, ResourceId: rid(1) }),
    );
    expect(remaining.ScheduledActions?.map((a) => a.ScheduledActionName)).toEqual(['night-1', 'night-2']);

    const activities = await aas.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: ns, ResourceId: rid(1) }),
    );
    expect(Array.isArray(activities.ScalingActivities)).toBe(true);
  });

  it('deregisters; answers ObjectNotFoundException, ValidationException and bad signatures as AAS does', async () => {
    await aas.send(
      new DeregisterScalableTargetCommand({
        ServiceNamespace: ns,
        ResourceId: rid(4),
        ScalableDimension: dim,
      }),
    );
    const gone = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid(4)] }),
    );
    expect(gone.ScalableTargets).toEqual([]);
    const again = await errorOf(
      aas.send(
        new DeregisterScalableTargetCommand({
          ServiceNamespace: ns,
          ResourceId: rid(4),
          ScalableDimension: dim,
        }),
      ),
    );
    expect([again.name, again.$metadata?.httpStatusCode]).toEqual(['ObjectNotFoundException', 400]);
    const noPolicy = await errorOf(
      aas.send(
        new DeleteScalingPolicyCommand({
          ServiceNamespace: ns,
          ResourceId: rid(0),
          ScalableDimension: dim,
          PolicyName: 'nope',
        }),
      ),
    );
    expect(noPolicy.name).toBe('ObjectNotFoundException');
    expect(noPolicy.message).toMatch(/policy name: nope/);
    const noService = await errorOf(
      aas.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: ns,
          ResourceId: `service/${cluster}/none`,
          ScalableDimension: dim,
          MinCapacity: 0,
          MaxCapacity: 1,
        }),
      ),
    );
    expect(noService.name).toBe('ObjectNotFoundException');
    const badRange = await errorOf(
      aas.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: ns,
          ResourceId: rid(2),
          ScalableDimension: dim,
          MinCapacity: 5,
          MaxCapacity: 1,
        }),
      ),
    );
    expect([badRange.name, badRange.$metadata?.httpStatusCode]).toEqual(['ValidationException', 400]);
    const kept = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid(2)] }),
    );
    expect(kept.ScalableTargets?.[0]?.MaxCapacity).toBe(6);
    const badPage = await errorOf(
      aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns, MaxResults: 51 })),
    );
    expect(badPage.name).toBe('ValidationException');
    const badToken = await errorOf(
      aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns, NextToken: 'garbage' })),
    );
    expect(badToken.name).toBe('InvalidNextTokenException');
    const missing = await errorOf(aas.send(new DescribeScalableTargetsCommand({} as never)));
    expect([missing.name, missing.message]).toEqual(['ValidationException', 'ServiceNamespace is required.']);

    const wrong = new ApplicationAutoScalingClient(
      clientConfig(endpoint.url, { accessKeyId: alice.accessKeyId, secretAccessKey: 'not-alices' }),
    );
    const sig = await errorOf(
      wrong.send(
        new DeregisterScalableTargetCommand({
          ServiceNamespace: ns,
          ResourceId: rid(3),
          ScalableDimension: dim,
        }),
      ),
    );
    expect([sig.name, sig.$metadata?.httpStatusCode]).toEqual(['InvalidSignatureException', 403]);
    const still = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid(3)] }),
    );
    expect(still.ScalableTargets).toHaveLength(1);
    const unknown = await signedCall(endpoint.url, {
      key: alice,
      service: 'application-autoscaling',
      target: 'AnyScaleFrontendService.GetPredictiveScalingForecast',
    });
    expect([unknown.status, unknown.json().__type]).toEqual([400, 'UnknownOperationException']);
  });
});
