import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  engine1,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('e2e-scale');
const resourceId = `service/${cluster}/burner`;
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  // Short alarm periods so the test runs in seconds; AAS's defaults are 60 s periods, 3 out / 15 in.
  baton = await testBaton({
    cluster,
    engines: [{ endpoint: engine1, instanceId: 'engine-1' }],
    scaling: {
      scaler: {
        evaluationIntervalMs: 2_000,
        targetTracking: { periodSeconds: 2, scaleOutEvaluationPeriods: 1, scaleInEvaluationPeriods: 3 },
      },
      statsIntervalMs: 1_000,
    },
  });
}, 60_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
});

const desired = async () =>
  (await baton.describeServices({ cluster, services: ['burner'] })).services[0]!.desiredCount!;

describe('target tracking on real CPU', { timeout: 150_000 }, () => {
  it('a CPU-burning task drives a scale-out, and scale-in follows when the load stops', async () => {
    await baton.registerTaskDefinition({
      family: 'burner',
      cpu: '128',
      memory: '64',
      containerDefinitions: [
        {
          name: 'burn',
          image: testImage,
          // Burns a CPU for 8 s after it starts, then idles.
          command: [
            'sh',
            '-c',
            'end=$(( $(date +%s) + 8 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600',
          ],
          stopTimeout: 1,
        },
      ],
    });
    await baton.createService({ cluster, serviceName: 'burner', taskDefinition: 'burner', desiredCount: 1 });
    await baton.autoScaling.putScalingConfiguration({
      ScalableTarget: {
        ServiceNamespace: 'ecs',
        ResourceId: resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 1,
        MaxCapacity: 3,
      },
      ScalingPolicies: [
        {
          PolicyName: 'cpu50',
          ServiceNamespace: 'ecs',
          ResourceId: resourceId,
          ScalableDimension: 'ecs:service:DesiredCount',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 50,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            ScaleOutCooldown: 0,
            ScaleInCooldown: 0,
          },
        },
      ],
    });
    await waitFor('a scale-out', 60_000, async () => (await desired()) > 1);
    const [service] = (await baton.describeServices({ cluster, services: ['burner'] })).services;
    expect(service!.events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /^Successfully set desired count to [23]\. Change successfully fulfilled by ecs\. Cause: monitor alarm .* in state ALARM triggered policy cpu50$/,
      ),
    );
    await waitFor('scale-in back to 1 once the load stops', 90_000, async () => (await desired()) === 1);
    const activities = baton.autoScaling.describeScalingActivities({
      ResourceId: resourceId,
    }).ScalingActivities;
    expect(activities.every((a) => a.StatusCode === 'Successful')).toBe(true);
    expect(activities.some((a) => (a.DesiredCount ?? 0) > (a.PreviousDesiredCount ?? 0))).toBe(true);
    expect(activities[0]!.DesiredCount).toBe(1);
  });
});
