import { parseCluster, parseService, parseTask, parseTaskDefinition } from '@baton-ecs/model';
import { StoreError } from '@baton-ecs/store';
import fc from 'fast-check';
import { type Either, isRight } from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Baton,
  BatonApiError,
  createBaton,
  ElbApiError,
  silentLogger,
  waitForCache,
} from '../src/index.js';

/**
 * Every public ECS-API method of Baton, called with malformed inputs (seeded, bounded): each answer
 * is a typed error (BatonApiError or a StoreError) or a valid result, nothing stored fails its own
 * schema, and the store and the controllers still work afterwards. No engines: registering one
 * would dial it, so registerContainerInstance is exercised by limits.test.ts's shape checks only.
 */
const td = { family: 'fz', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }] };
const valid: Record<string, unknown> = {
  createCluster: { clusterName: 'fz2' },
  describeClusters: { clusters: ['fuzz'] },
  listContainerInstances: { cluster: 'fuzz' },
  describeContainerInstances: { cluster: 'fuzz', containerInstances: ['i-1'] },
  updateContainerInstancesState: { containerInstances: ['i-1'], status: 'DRAINING' },
  deregisterContainerInstance: { containerInstance: 'i-1' },
  registerTaskDefinition: td,
  deregisterTaskDefinition: { taskDefinition: 'fz:1' },
  describeTaskDefinition: { taskDefinition: 'fz' },
  createService: { cluster: 'fuzz', serviceName: 's', taskDefinition: 'fz', desiredCount: 1 },
  updateService: { service: 'base', desiredCount: 2 },
  deleteService: { service: 'base', force: true },
  describeServices: { services: ['base'] },
  listServices: {},
  runTask: { taskDefinition: 'fz', count: 1, startedBy: 'me' },
  stopTask: { task: 'abc' },
  describeTasks: { tasks: ['abc'] },
  listTasks: { startedBy: 'me' },
};
const methods = Object.keys(valid);

const hostileKey = fc.constantFrom(
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'then',
);
const hostile = fc.oneof(
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withNullPrototype: true,
    withMap: true,
    withSet: true,
    withDate: true,
  }),
  fc.constantFrom(
    10n,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    2 ** 53,
    1e9,
    '',
    'x'.repeat(300_000),
    Symbol('s'),
  ),
  fc.constant(null),
  fc.dictionary(hostileKey, fc.anything({ maxDepth: 2 }), { maxKeys: 3 }),
);

/** A valid request with one field replaced, removed or added, or something else entirely. */
const request = (method: string, requests: Record<string, unknown> = valid) => {
  const base = requests[method] as Record<string, unknown>;
  const keys = [...Object.keys(base), 'containerDefinitions', 'extra', '__proto__', 'constructor'];
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...keys), hostile).map(([k, v]) => withField(base, k, v)),
    },
    { weight: 1, arbitrary: hostile },
    { weight: 1, arbitrary: fc.constant(withField(base, '__proto__', { clusterName: 'p', family: 'p' })) },
  );
};

function withField(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...base };
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

let baton: Baton;
beforeAll(async () => {
  baton = await createBaton({ cluster: 'fuzz', seed: 7, logger: silentLogger, resyncMs: 200 });
  await baton.start();
  await baton.registerTaskDefinition(td);
  await baton.createService({ cluster: 'fuzz', serviceName: 'base', taskDefinition: 'fz', desiredCount: 0 });
});
afterAll(async () => baton.stop());

describe('fuzzing the ECS API with malformed inputs', () => {
  it('answers every call with a typed error or a valid result', async () => {
    const call = baton as unknown as Record<string, (input: unknown) => Promise<unknown>>;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods).chain((m) => fc.tuple(fc.constant(m), request(m))),
        async ([method, input]) => {
          const started = performance.now();
          try {
            const result = await call[method]!.call(baton, input);
            expect(result).toBeTypeOf('object');
          } catch (error) {
            if (!(error instanceof BatonApiError || error instanceof StoreError)) {
              throw new Error(`${method} threw ${String(error)}`, { cause: error });
            }
          }
          // Nothing a caller sends takes long to answer.
          expect(performance.now() - started).toBeLessThan(1_000);
        },
      ),
      { seed: 21, numRuns: 600, interruptAfterTimeLimit: 60_000 },
    );
  }, 120_000);

  it('stored nothing that fails its own schema, and the store and controllers still work', async () => {
    const kinds: [string, (json: unknown) => Either<{ message: string }, unknown>][] = [
      ['TaskDefinition', parseTaskDefinition],
      ['Service', parseService],
      ['Cluster', parseCluster],
      ['Task', parseTask],
    ];
    for (const [kind, parse] of kinds) {
      for (const e of (await baton.store.list(kind as 'Task')).items) {
        const parsed = parse(JSON.parse(JSON.stringify(e.object)));
        expect(isRight(parsed), `${kind} ${e.key}: ${isRight(parsed) ? '' : parsed.left.message}`).toBe(true);
      }
    }
    await baton.registerTaskDefinition({ ...td, family: 'after' });
    await baton.createService({
      cluster: 'fuzz',
      serviceName: 'after',
      taskDefinition: 'after',
      desiredCount: 1,
    });
    // The service controller still runs: with no engine it says it cannot place the task.
    const services = baton.internals.informers.services;
    const placementEvent = () =>
      services.get('fuzz/after')?.object.events.some((e) => e.message.includes('unable to place')) === true;
    expect(await waitForCache(services, placementEvent, { timeoutMs: 10_000 })).toBe(true);
    expect(baton.health().ready).toBe(true);
  }, 30_000);
});

// ELBv2 and Application Auto Scaling, the same way. Their valid requests name a target group and a
// scalable target that do not exist, so no listener, nginx or scaler is ever started by the fuzz.
const missingTg = 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/none/0000000000000000';
const missingLb = 'arn:aws:elasticloadbalancing:local:000000000000:loadbalancer/app/none/0000000000000000';
const missingListener = `${missingLb.replace(':loadbalancer/', ':listener/')}/0000000000000000`;
const validElb: Record<string, unknown> = {
  createTargetGroup: { Name: 'fz', Protocol: 'HTTP', Port: 80 },
  describeTargetGroups: { TargetGroupArns: [missingTg] },
  modifyTargetGroup: { TargetGroupArn: missingTg, HealthCheckPath: '/x' },
  modifyTargetGroupAttributes: { TargetGroupArn: missingTg, Attributes: [] },
  describeTargetGroupAttributes: { TargetGroupArn: missingTg },
  deleteTargetGroup: { TargetGroupArn: missingTg },
  describeTargetHealth: { TargetGroupArn: missingTg },
  openListener: { TargetGroupArn: missingTg },
  registerTargets: { TargetGroupArn: missingTg, Targets: [{ Id: '127.0.0.1', Port: 80 }] },
  deregisterTargets: { TargetGroupArn: missingTg, Targets: [{ Id: '127.0.0.1', Port: 80 }] },
  createLoadBalancer: { Name: 'fz', Type: 'application' },
  describeLoadBalancers: { LoadBalancerArns: [missingLb] },
  deleteLoadBalancer: { LoadBalancerArn: missingLb },
  createListener: {
    LoadBalancerArn: missingLb,
    DefaultActions: [{ Type: 'forward', TargetGroupArn: missingTg }],
  },
  describeListeners: { ListenerArns: [missingListener] },
  modifyListener: { ListenerArn: missingListener, Port: 8080 },
  deleteListener: { ListenerArn: missingListener },
  attachNginx: { TargetGroupArn: missingTg },
};
const validAas: Record<string, unknown> = {
  putScalingConfiguration: { ScalableTarget: { ResourceId: 'service/fuzz/none' } },
  registerScalableTarget: { ResourceId: 'service/fuzz/none', MinCapacity: 1, MaxCapacity: 2 },
  putScalingPolicy: { ResourceId: 'service/fuzz/none', PolicyName: 'p' },
  putScheduledAction: { ResourceId: 'service/fuzz/none', ScheduledActionName: 'a' },
  deregisterScalableTarget: { ResourceId: 'service/fuzz/none' },
  describeScalingActivities: { ResourceId: 'service/fuzz/none' },
};

describe('fuzzing the ELBv2 and Application Auto Scaling APIs with malformed inputs', () => {
  it('answers every call with a typed error or a valid result, never a TypeError', async () => {
    const surfaces: [string, Record<string, unknown>, () => Record<string, (input: unknown) => unknown>][] = [
      ['elbv2', validElb, () => baton.elbv2 as unknown as Record<string, (input: unknown) => unknown>],
      [
        'autoScaling',
        validAas,
        () => baton.autoScaling as unknown as Record<string, (input: unknown) => unknown>,
      ],
    ];
    const calls = surfaces.flatMap(([surface, requests, api]) =>
      Object.keys(requests).map((method) => ({ surface, requests, api, method })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...calls).chain((c) => fc.tuple(fc.constant(c), request(c.method, c.requests))),
        async ([c, input]) => {
          const api = c.api();
          try {
            const result = await api[c.method]!.call(api, input);
            if (result !== undefined) expect(result).toBeTypeOf('object');
          } catch (error) {
            if (
              !(error instanceof BatonApiError || error instanceof ElbApiError || error instanceof StoreError)
            ) {
              throw new Error(`${c.surface}.${c.method} threw ${String(error)}`, { cause: error });
            }
          }
        },
      ),
      { seed: 21, numRuns: 400, interruptAfterTimeLimit: 60_000 },
    );
  }, 120_000);
});
