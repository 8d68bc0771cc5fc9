import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Baton, BatonApiError, createBaton, silentLogger, waitForCache } from '../../src/index.js';

// Application Auto Scaling's own error names (API reference, each operation's Errors section and
// https://docs.aws.amazon.com/autoscaling/application/APIReference/CommonErrors.html): invalid input
// is ValidationException, a missing target ObjectNotFoundException; AAS has no InvalidParameterException.
const td = { family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }] };
const resourceId = 'service/scaling-api/web';
const ids = {
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
  ScalableDimension: 'ecs:service:DesiredCount',
};
let baton: Baton;

beforeEach(async () => {
  baton = await createBaton({ cluster: 'scaling-api', seed: 1, logger: silentLogger });
  await baton.start();
  await baton.registerTaskDefinition(td);
  await baton.createService({
    cluster: 'scaling-api',
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount: 5,
  });
});
afterEach(async () => baton.stop());

async function error(p: Promise<unknown>): Promise<BatonApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BatonApiError) return e;
    throw e;
  }
  throw new Error('expected a BatonApiError');
}

describe('baton.autoScaling errors, as Application Auto Scaling names them', () => {
  it.each([
    [
      'a malformed request',
      () => baton.autoScaling.registerScalableTarget({ ResourceId: '' }),
      'ValidationException',
    ],
    [
      'MinCapacity above MaxCapacity',
      () => baton.autoScaling.registerScalableTarget({ ...ids, MinCapacity: 4, MaxCapacity: 2 }),
      'ValidationException',
    ],
    [
      'a policy on an unregistered target',
      () =>
        baton.autoScaling.putScalingPolicy({
          ...ids,
          PolicyName: 'p',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 50 },
        }),
      'ObjectNotFoundException',
    ],
    [
      'a target naming no service',
      () =>
        baton.autoScaling.registerScalableTarget({
          ...ids,
          ResourceId: 'service/scaling-api/ghost',
          MinCapacity: 1,
          MaxCapacity: 2,
        }),
      'ObjectNotFoundException',
    ],
  ])('%s: %s', async (_what, call, code) => {
    const e = await error(call());
    expect(e.code).toBe(code);
    expect(e.message.startsWith(`${code}: `)).toBe(true);
  });

  it('a lone MinCapacity above MaxCapacity in a scheduled action: ValidationException naming the field', async () => {
    await baton.autoScaling.registerScalableTarget({ ...ids, MinCapacity: 1, MaxCapacity: 10 });
    const e = await error(
      baton.autoScaling.putScheduledAction({
        ...ids,
        ScheduledActionName: 'peak',
        Schedule: 'rate(1 hour)',
        ScalableTargetAction: { MinCapacity: 11 },
      }),
    );
    expect(e.code).toBe('ValidationException');
    expect(e.issues.map((i) => i.path)).toEqual(['ScalableTargetAction.MinCapacity']);
  });
});

describe('RegisterScalableTarget on a running Baton', () => {
  it('moves the service’s desired count into the new range at once, with a scaling activity', async () => {
    await baton.autoScaling.registerScalableTarget({ ...ids, MinCapacity: 1, MaxCapacity: 3 });
    const services = baton.internals.informers.services;
    const web = () => services.get('scaling-api/web')?.object;
    expect(await waitForCache(services, () => web()?.desiredCount === 3, { timeoutMs: 5_000 })).toBe(true);
    expect(web()?.events.map((e) => e.message)).toContain(
      "Successfully set desired count to 3. Change successfully fulfilled by ecs. Cause: the scalable target's capacity limits changed to min 1 and max 3",
    );
    const { ScalingActivities } = baton.autoScaling.describeScalingActivities({ ResourceId: resourceId });
    expect(ScalingActivities.map((a) => [a.StatusCode, a.PreviousDesiredCount, a.DesiredCount])).toEqual([
      ['Successful', 5, 3],
    ]);
  });
});
