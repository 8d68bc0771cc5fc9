import { parseTaskDefinition, type TaskDefinition } from '@baton-ecs/model';
import type { SchedulerInstance, SchedulerTask } from '@baton-ecs/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import { map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type CapacityProvider,
  type CapacitySnapshot,
  capacityProviderReservation,
  createCapacityScaler,
  decideInstanceScaling,
  estimateCapacity,
  instancesForTarget,
  parseCapacityProvider,
} from '../src/index.js';
import { ok } from './helpers.js';

const resources = (cpu: number, memory: number) => [
  { name: 'CPU', type: 'INTEGER' as const, integerValue: cpu },
  { name: 'MEMORY', type: 'INTEGER' as const, integerValue: memory },
];

function instance(n: number): SchedulerInstance {
  return {
    containerInstanceArn: `arn:ci/${n}`,
    ec2InstanceId: `i-${n}`,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: resources(2048, 4096),
    attributes: [],
  };
}

function def(cpu: number, memory: number, family = 'web'): TaskDefinition {
  const parsed = parseTaskDefinition({
    family,
    taskDefinitionArn: `arn:td/${family}:1`,
    containerDefinitions: [{ name: 'app', image: 'busybox', cpu, memory }],
  });
  if (isLeft(parsed)) throw new Error(parsed.left.message);
  return parsed.right.value;
}

const web = def(1024, 1024);
const agent = def(0, 64, 'agent');
const taskDefinitions = new Map([
  ['arn:td/web:1', web],
  ['arn:td/agent:1', agent],
]);

let taskSeq = 0;
function task(on: number, group = 'service:web', taskDefinitionArn = 'arn:td/web:1'): SchedulerTask {
  return {
    taskArn: `arn:task/${++taskSeq}`,
    taskDefinitionArn,
    containerInstanceArn: `arn:ci/${on}`,
    group,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
  };
}

function snapshot(over: Partial<CapacitySnapshot>): CapacitySnapshot {
  return {
    instances: [],
    tasks: [],
    taskDefinitions,
    pending: [],
    template: { registeredResources: resources(2048, 4096) },
    ...over,
  };
}

const pending = (count: number, taskDefinition = web) => ({ taskDefinition, count, group: 'service:web' });

function provider(
  managedScaling: Record<string, unknown> = {},
  sizes = { minSize: 0, maxSize: 10 },
): CapacityProvider {
  return ok(
    parseCapacityProvider({ name: 'engines', autoScalingGroupProvider: { managedScaling, ...sizes } }),
  ).value;
}

describe('CapacityProviderReservation', () => {
  it.each<[number, number, number]>([
    [0, 0, 100],
    [3, 0, 200],
    [0, 4, 0],
    [3, 2, 150],
    [2, 4, 50],
  ])('M=%d N=%d → %d', (m, n, expected) => {
    expect(capacityProviderReservation(m, n)).toBe(expected);
  });

  it.each<[number, number, number]>([
    [3, 100, 3],
    [3, 75, 4],
    [4, 80, 5],
    [0, 50, 0],
  ])('M=%d at target %d %% wants %d instances', (m, target, expected) => {
    expect(instancesForTarget(m, target)).toBe(expected);
  });
});

describe('estimating M by bin-packing pending tasks', () => {
  it('adds template instances for what does not fit', () => {
    const e = estimateCapacity(
      snapshot({
        instances: [instance(1), instance(2)],
        tasks: [task(1), task(1), task(2), task(2)],
        pending: [pending(3)],
      }),
    );
    expect(e).toMatchObject({
      required: 4,
      current: 2,
      reservation: 200,
      emptyInstances: [],
      unplaceable: 0,
    });
  });

  it('packs onto busy instances first, leaving empty ones removable', () => {
    const e = estimateCapacity(
      snapshot({
        instances: [instance(1), instance(2), instance(3)],
        tasks: [task(2)],
        pending: [pending(1)],
      }),
    );
    expect(e.required).toBe(1);
    expect(e.reservation).toBeCloseTo(33.33, 1);
    expect(e.emptyInstances).toEqual(['arn:ci/1', 'arn:ci/3']);
  });

  it('does not count daemon tasks as keeping an instance busy', () => {
    const e = estimateCapacity(
      snapshot({
        instances: [instance(1), instance(2)],
        tasks: [
          task(1, 'service:agent', 'arn:td/agent:1'),
          task(2, 'service:agent', 'arn:td/agent:1'),
          task(2),
        ],
        daemonGroups: new Set(['service:agent']),
      }),
    );
    expect(e).toMatchObject({ required: 1, current: 2, emptyInstances: ['arn:ci/1'] });
  });

  it('counts launching instances as there, and fills them first', () => {
    const e = estimateCapacity(
      snapshot({ instances: [instance(1)], tasks: [task(1), task(1)], pending: [pending(3)], launching: 1 }),
    );
    expect(e).toMatchObject({ required: 3, current: 2 });
  });

  it('needs an instance from nothing (N = 0 → 200)', () => {
    expect(estimateCapacity(snapshot({ pending: [pending(1)] }))).toMatchObject({
      required: 1,
      current: 0,
      reservation: 200,
    });
    expect(estimateCapacity(snapshot({}))).toMatchObject({ required: 0, current: 0, reservation: 100 });
  });

  it('reports tasks that fit on no instance, not even a new one', () => {
    const e = estimateCapacity(
      snapshot({ instances: [instance(1)], pending: [pending(2, def(4096, 512, 'big'))] }),
    );
    expect(e.unplaceable).toBe(2);
    expect(e.required).toBe(0);
    expect(e.unplaceableReason).toMatch(/CPU/);
  });
});

describe('managed scaling decisions', () => {
  const estimate = (required: number, current: number, empty: string[] = []) => ({
    required,
    current,
    reservation: capacityProviderReservation(required, current),
    emptyInstances: empty,
    unplaceable: 0,
  });
  const group = (ms: Record<string, unknown> = {}, sizes?: { minSize: number; maxSize: number }) =>
    provider(ms, sizes).autoScalingGroupProvider;

  it('launches what the target capacity asks for, within the step sizes and the maximum size', () => {
    expect(decideInstanceScaling(estimate(4, 2), group()).action).toEqual({ type: 'launch', count: 2 });
    expect(decideInstanceScaling(estimate(4, 2), group({ maximumScalingStepSize: 1 })).action).toEqual({
      type: 'launch',
      count: 1,
    });
    expect(decideInstanceScaling(estimate(3, 2), group({ minimumScalingStepSize: 3 })).action).toEqual({
      type: 'launch',
      count: 3,
    });
    expect(decideInstanceScaling(estimate(6, 2), group({}, { minSize: 0, maxSize: 4 })).action).toEqual({
      type: 'launch',
      count: 2,
    });
    const d = decideInstanceScaling(estimate(3, 2), group({ targetCapacity: 50 }));
    expect(d.message).toBe(
      'CapacityProviderReservation 150 (M=3, N=2), target capacity 50: launching 4 instances',
    );
  });

  it('terminates empty instances only, newest first, never below the minimum size', () => {
    expect(decideInstanceScaling(estimate(1, 4, ['a', 'b', 'c']), group()).action).toEqual({
      type: 'terminate',
      containerInstanceArns: ['c', 'b', 'a'],
    });
    expect(
      decideInstanceScaling(estimate(1, 4, ['a', 'b', 'c']), group({}, { minSize: 3, maxSize: 10 })).action,
    ).toEqual({
      type: 'terminate',
      containerInstanceArns: ['c'],
    });
    expect(decideInstanceScaling(estimate(1, 4, []), group()).message).toBe(
      'CapacityProviderReservation 25 (M=1, N=4), target capacity 100: wants 1 instances but none of the 4 is empty',
    );
  });

  it('does nothing when managed scaling is off or capacity is as wanted', () => {
    expect(decideInstanceScaling(estimate(4, 2), group({ status: 'DISABLED' })).action).toEqual({
      type: 'none',
    });
    expect(decideInstanceScaling(estimate(2, 2), group()).action).toEqual({ type: 'none' });
  });
});

describe('capacity scaler over time', () => {
  it('launches at once, waits out the warm-up, and scales in after 15 low evaluations', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, expectObservable }) => {
      const busy = snapshot({ instances: [instance(1)], tasks: [task(1), task(1)], pending: [pending(1)] });
      const idle = snapshot({ instances: [instance(1), instance(2)], tasks: [task(1)] });
      const snapshots = cold('a 299999ms b', { a: busy, b: idle });
      const decisions = createCapacityScaler({
        snapshots,
        provider: provider({ instanceWarmupPeriod: 180 }),
        scheduler: ts,
      }).pipe(
        map((d) =>
          d.action.type === 'launch'
            ? `+${d.action.count}`
            : `-${d.action.type === 'terminate' ? d.action.containerInstanceArns.join(',') : ''}`,
        ),
      );
      // Launch at 1 min; the same need at 2 and 3 min is warm-up; at 4 min it launches again;
      // from 5 min the cluster is idle, and the 15th idle evaluation (19 min) removes the empty instance.
      expectObservable(decisions, '^ 20m !').toBe('1m a 179999ms b 899999ms c', {
        a: '+1',
        b: '+1',
        c: '-arn:ci/2',
      });
    });
  });

  it('emits nothing without snapshots', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ expectObservable }) => {
      expectObservable(
        createCapacityScaler({ snapshots: of(), provider: provider(), scheduler: ts }),
        '^ 5m !',
      ).toBe('');
    });
  });
});
