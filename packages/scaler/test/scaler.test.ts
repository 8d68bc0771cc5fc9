import { map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { activityEventMessage, activitySucceeded, atEpoch, createScaler } from '../src/index.js';
import { run } from './harness.js';
import {
  alarm,
  configuration,
  cpu,
  cpuPolicy,
  memoryPolicy,
  minutes,
  scheduled,
  stepPolicy,
  target,
} from './helpers.js';

/** CPU as a fixed load shared by the tasks: percent of one task's reservation each. */
const load = (total: (t: number) => number) => (t: number, desired: number) => [cpu(total(t) / desired)];

describe('target tracking', () => {
  it('scales out to ceil(current × metric / target) once AlarmHigh has 3 of 3 datapoints', () => {
    const r = run({
      configuration: configuration({ policies: [cpuPolicy()] }),
      desired: 2,
      metrics: load(() => 300),
      runForMs: minutes(20),
    });
    expect(r.changes).toEqual([[3, 6]]);
    const a = r.activities[0]!;
    expect(a).toMatchObject({
      Description: 'Setting desired count to 6.',
      Cause:
        'monitor alarm TargetTracking-service/default/web-AlarmHigh-cpu50 in state ALARM triggered policy cpu50',
      Details: 'metric 150 above target 50: ceil(2 × 150 / 50) = 6',
      StatusCode: 'InProgress',
      PreviousDesiredCount: 2,
      Trigger: { type: 'policy', PolicyName: 'cpu50', Direction: 'out' },
    });
    expect(activityEventMessage(activitySucceeded(a, a.StartTime + 1))).toBe(
      'Successfully set desired count to 6. Change successfully fulfilled by ecs. Cause: monitor alarm TargetTracking-service/default/web-AlarmHigh-cpu50 in state ALARM triggered policy cpu50',
    );
  });

  it('during the scale-out cooldown counts the capacity already added, then scales again', () => {
    // The metric ignores capacity here (as if new tasks were still starting).
    const r = run({
      configuration: configuration({ policies: [cpuPolicy()] }),
      desired: 2,
      metrics: () => [cpu(150)],
      runForMs: minutes(9),
    });
    expect(r.changes).toEqual([
      [3, 6],
      [8, 18],
    ]);
    expect(r.engine.snapshot().notes).toEqual([]);
  });

  it('scales out further within the cooldown when the metric asks for more than was added', () => {
    const r = run({
      configuration: configuration({ target: target({ MaxCapacity: 100 }), policies: [cpuPolicy()] }),
      desired: 2,
      metrics: (t) => [cpu(t < minutes(5) ? 150 : 300)],
      runForMs: minutes(6.5),
    });
    expect(r.changes).toEqual([
      [3, 6],
      // From the 2 tasks before the cooldown's scale-out: ceil(2 × 300 / 50) = 12 > 6.
      [6, 12],
    ]);
  });

  it('scales in gradually after AlarmLow has 15 of 15 datapoints, one cooldown apart', () => {
    const r = run({
      configuration: configuration({ target: target({ MaxCapacity: 50 }), policies: [cpuPolicy()] }),
      desired: 20,
      metrics: load(() => 200),
      runForMs: minutes(26),
    });
    expect(r.changes).toEqual([
      [15, 18],
      [20, 17],
      [25, 16],
    ]);
    expect(r.activities[0]!.Details).toBe(
      'metric 10 below 45 (90 % of target 50): ceil(20 × 10 / 50) = 4, removing at most 10 % (at least 1) at a time',
    );
  });

  it('a scale-out during the scale-in cooldown proceeds and ends it', () => {
    const r = run({
      configuration: configuration({ target: target({ MaxCapacity: 50 }), policies: [cpuPolicy()] }),
      desired: 20,
      metrics: load((t) => (t < minutes(16) ? 200 : 2000)),
      runForMs: minutes(21),
    });
    expect(r.changes).toEqual([
      [15, 18],
      [19, 40],
    ]);
    expect(r.engine.snapshot().cooldowns.lastScaleIn).toBeUndefined();
  });

  it('DisableScaleIn keeps the capacity', () => {
    const r = run({
      configuration: configuration({ policies: [cpuPolicy('cpu50', { DisableScaleIn: true })] }),
      desired: 10,
      metrics: load(() => 100),
      runForMs: minutes(30),
    });
    expect(r.changes).toEqual([]);
    expect(r.engine.snapshot().alarms.map((a) => a.name)).toEqual([
      'TargetTracking-service/default/web-AlarmHigh-cpu50',
    ]);
  });

  it('does not act on missing data', () => {
    expect(
      run({ configuration: configuration({ policies: [cpuPolicy()] }), desired: 2, runForMs: minutes(30) })
        .changes,
    ).toEqual([]);
  });

  it('clamps to the maximum and says so', () => {
    const r = run({
      configuration: configuration({ target: target({ MaxCapacity: 5 }), policies: [cpuPolicy()] }),
      desired: 2,
      metrics: load(() => 600),
      runForMs: minutes(10),
    });
    expect(r.changes).toEqual([[3, 5]]);
    expect(r.activities[0]!.Details).toBe(
      'metric 300 above target 50: ceil(2 × 300 / 50) = 12; limited by the maximum capacity 5',
    );
  });

  it('honours DynamicScalingOutSuspended and a deployment in progress (no scale-in)', () => {
    const suspended = run({
      configuration: configuration({
        target: target({ SuspendedState: { DynamicScalingOutSuspended: true } }),
        policies: [cpuPolicy()],
      }),
      desired: 2,
      metrics: load(() => 300),
      runForMs: minutes(10),
    });
    expect(suspended.changes).toEqual([]);
    expect(suspended.engine.snapshot().notes).toContain('cpu50: dynamic scale-out is suspended');
    const deploying = run({
      configuration: configuration({ policies: [cpuPolicy()] }),
      desired: 10,
      metrics: load(() => 100),
      serviceUpdates: [[1, { desiredCount: 10, deploymentInProgress: true }]],
      runForMs: minutes(20),
    });
    expect(deploying.changes).toEqual([]);
    expect(deploying.engine.snapshot().notes).toContain(
      'scale-in is suspended while a deployment is in progress',
    );
  });
});

describe('several policies on one target', () => {
  it('the largest capacity wins a scale-out', () => {
    const r = run({
      configuration: configuration({ policies: [cpuPolicy(), memoryPolicy()] }),
      desired: 2,
      metrics: () => [cpu(60), { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', value: 140 }],
      runForMs: minutes(4),
    });
    expect(r.changes).toEqual([[3, 4]]);
    expect(r.activities[0]!.Cause).toContain('triggered policy mem70');
  });

  it('target tracking scales in only when every policy agrees', () => {
    const r = run({
      configuration: configuration({ policies: [cpuPolicy(), memoryPolicy()] }),
      desired: 10,
      metrics: () => [cpu(10), { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', value: 68 }],
      runForMs: minutes(20),
    });
    expect(r.changes).toEqual([]);
    expect(r.engine.snapshot().notes).toContain(
      'cpu50: scale-in waits until every target tracking policy agrees',
    );
  });

  it('a step scale-out beats a target tracking scale-in', () => {
    const r = run({
      configuration: configuration({
        target: target({ MaxCapacity: 50 }),
        policies: [
          cpuPolicy(),
          stepPolicy('backlog', {
            AdjustmentType: 'ChangeInCapacity',
            StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 5 }],
          }),
        ],
        alarms: [alarm({ AlarmName: 'backlog-high', AlarmActions: ['backlog'] })],
      }),
      desired: 10,
      metrics: (t) => [
        cpu(10),
        { namespace: 'Custom/Queue', metricName: 'Backlog', value: t > minutes(14) ? 500 : 0 },
      ],
      runForMs: minutes(15.5),
    });
    expect(r.changes).toEqual([[15, 15]]);
    expect(r.activities[0]!.Cause).toBe('monitor alarm backlog-high in state ALARM triggered policy backlog');
  });
});

describe('step scaling', () => {
  const backlog = (values: (minute: number) => number) => (t: number) => [
    { namespace: 'Custom/Queue', metricName: 'Backlog', value: values(Math.floor(t / 60_000)) },
  ];

  it('waits for DatapointsToAlarm of EvaluationPeriods and aggregates by MetricAggregationType', () => {
    const r = run({
      configuration: configuration({
        policies: [
          stepPolicy('out', {
            AdjustmentType: 'ChangeInCapacity',
            MetricAggregationType: 'Maximum',
            StepAdjustments: [
              { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 1 },
              { MetricIntervalLowerBound: 50, ScalingAdjustment: 3 },
            ],
          }),
        ],
        alarms: [
          alarm({
            AlarmName: 'backlog',
            AlarmActions: ['out'],
            EvaluationPeriods: 5,
            DatapointsToAlarm: 3,
            TreatMissingData: 'notBreaching',
          }),
        ],
      }),
      desired: 2,
      metrics: backlog((m) => (m < 5 && m % 2 === 0 ? 150 : 10)),
      runForMs: minutes(8),
    });
    // Breaching in minutes 0, 2 and 4: the third arrives with the period ending at minute 5.
    expect(r.changes).toEqual([[5, 5]]);
    expect(r.activities[0]!.Details).toBe(
      'metric 150 (Maximum), 50 from threshold 100: step [50, +infinity] ChangeInCapacity 3 from 2 = 5',
    );
  });

  it('re-invokes the policy while the alarm stays in ALARM, one cooldown apart', () => {
    const r = run({
      configuration: configuration({
        policies: [
          stepPolicy('out', {
            AdjustmentType: 'ChangeInCapacity',
            Cooldown: 120,
            StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
          }),
        ],
        alarms: [
          alarm({
            AlarmName: 'backlog',
            AlarmActions: ['out'],
            EvaluationPeriods: 3,
            TreatMissingData: 'notBreaching',
          }),
        ],
      }),
      desired: 2,
      metrics: backlog(() => 150),
      runForMs: minutes(7.5),
    });
    expect(r.changes).toEqual([
      [3, 3],
      [5, 4],
      [7, 5],
    ]);
  });

  it('scales in step by step, blocked by its cooldown, down to the minimum', () => {
    const r = run({
      configuration: configuration({
        target: target({ MinCapacity: 2 }),
        policies: [
          stepPolicy('in', {
            AdjustmentType: 'PercentChangeInCapacity',
            Cooldown: 180,
            StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -10 }],
          }),
        ],
        alarms: [
          alarm({
            AlarmName: 'idle',
            AlarmActions: ['in'],
            Threshold: 20,
            ComparisonOperator: 'LessThanThreshold',
          }),
        ],
      }),
      desired: 5,
      metrics: backlog(() => 5),
      runForMs: minutes(20),
    });
    // 10 % of 5 is 0.5 tasks, which rounds to one.
    expect(r.changes).toEqual([
      [1, 4],
      [4, 3],
      [7, 2],
    ]);
  });
});

describe('scheduled actions', () => {
  const epoch = Date.parse('2024-03-30T00:00:00Z');
  const hours = (t: number) => (t - epoch) / 3_600_000;

  it('set min/max at 08:00 and 20:00 Berlin time across the spring-forward change, moving the capacity', () => {
    const r = run({
      configuration: configuration({
        target: target({ MinCapacity: 1, MaxCapacity: 2 }),
        scheduledActions: [
          scheduled(
            'morning',
            'cron(0 8 * * ? *)',
            { MinCapacity: 4, MaxCapacity: 10 },
            { Timezone: 'Europe/Berlin' },
          ),
          scheduled(
            'night',
            'cron(0 20 * * ? *)',
            { MinCapacity: 1, MaxCapacity: 2 },
            { Timezone: 'Europe/Berlin' },
          ),
        ],
      }),
      desired: 2,
      epoch,
      scheduler: (ts) => atEpoch(ts, epoch),
      runForMs: 50 * 3_600_000,
    });
    expect(r.activities.map((a) => [hours(a.StartTime), a.Description])).toEqual([
      [7, 'Setting min capacity to 4 and max capacity to 10.'],
      [7, 'Setting desired count to 4.'],
      [19, 'Setting min capacity to 1 and max capacity to 2.'],
      [19, 'Setting desired count to 2.'],
      // Sunday 31 March: clocks went forward at 02:00, so 08:00 is 06:00 UTC.
      [30, 'Setting min capacity to 4 and max capacity to 10.'],
      [30, 'Setting desired count to 4.'],
      [42, 'Setting min capacity to 1 and max capacity to 2.'],
      [42, 'Setting desired count to 2.'],
    ]);
    expect(r.activities[1]).toMatchObject({
      Cause: 'scheduled action name morning was triggered',
      Details: 'the desired count 2 was below the new minimum capacity 4',
      Trigger: { type: 'scheduled-action', ScheduledActionName: 'morning' },
    });
  });

  it('is skipped while scheduled scaling is suspended', () => {
    const r = run({
      configuration: configuration({
        target: target({ SuspendedState: { ScheduledScalingSuspended: true } }),
        scheduledActions: [scheduled('soon', 'rate(10 minutes)', { MinCapacity: 5 })],
      }),
      desired: 2,
      runForMs: minutes(25),
    });
    expect(r.activities).toEqual([]);
  });
});

describe('the scalable target', () => {
  it('moves the capacity into new limits when the target is re-registered', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, expectObservable }) => {
      const configurations = cold('a 59999ms b', {
        a: configuration({ target: target({ MinCapacity: 1, MaxCapacity: 10 }) }),
        b: configuration({ target: target({ MinCapacity: 1, MaxCapacity: 3 }) }),
      });
      const scaler = createScaler({
        configuration: configurations,
        service: of(5),
        metrics: of(),
        scheduler: ts,
      });
      expectObservable(scaler.pipe(map((a) => `${a.DesiredCount} ${a.Cause}`)), '^ 2m !').toBe('60s a', {
        a: "3 the scalable target's capacity limits changed to min 1 and max 3",
      });
    });
  });
});

describe('marbles', () => {
  it('emits the scale-out when the third high period ends (10 s periods)', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, expectObservable }) => {
      const metrics = cold('5s a 9999ms a 9999ms a 9999ms b', { a: cpu(150), b: cpu(40) });
      const scaler = createScaler({
        configuration: configuration({ policies: [cpuPolicy()] }),
        service: of(2),
        metrics,
        scheduler: ts,
        options: { targetTracking: { periodSeconds: 10 } },
      });
      expectObservable(scaler.pipe(map((a) => a.DesiredCount)), '^ 2m !').toBe('30s a', { a: 6 });
    });
  });

  it('two of three breaching periods do not alarm with DatapointsToAlarm 3', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, expectObservable }) => {
      const metrics = cold('5s a 9999ms b 9999ms a 9999ms a 9999ms a', { a: cpu(150), b: cpu(40) });
      const scaler = createScaler({
        configuration: configuration({ policies: [cpuPolicy()] }),
        service: of(2),
        metrics,
        scheduler: ts,
        options: { targetTracking: { periodSeconds: 10 } },
      });
      expectObservable(scaler.pipe(map((a) => a.DesiredCount)), '^ 2m !').toBe('50s a', { a: 6 });
    });
  });
});

// RegisterScalableTarget "changes the resource's current capacity to a value that is inside of this
// range" https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
describe('registering a scalable target', () => {
  it.each([
    [5, 1, 3, 3],
    [0, 2, 10, 2],
    [4, 1, 10, undefined],
  ])('desired %i, registered [%i, %i]: moved to %s at once', (desired, min, max, expected) => {
    const r = run({
      configuration: configuration({ target: target({ MinCapacity: min, MaxCapacity: max }) }),
      desired,
      runForMs: minutes(2),
    });
    expect(r.changes).toEqual(expected === undefined ? [] : [[0, expected]]);
    if (expected !== undefined)
      expect(r.activities[0]).toMatchObject({
        Cause: `the scalable target's capacity limits changed to min ${min} and max ${max}`,
        Trigger: { type: 'target-limits' },
        PreviousDesiredCount: desired,
      });
  });
});

// "During scaling activities, the actual running task count in a service is the value that Service
// Auto Scaling uses as its starting point, as opposed to the desired count … This prevents excessive
// (runaway) scaling that might not be satisfied" — ECS developer guide, service auto scaling,
// considerations: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html
describe('computations start from the running count', () => {
  it('a scale-out that cannot be placed does not run away', () => {
    const placeable = (desired: number) => Math.min(desired, 3);
    const r = run({
      configuration: configuration({ target: target({ MaxCapacity: 100 }), policies: [cpuPolicy()] }),
      desired: 2,
      running: placeable,
      metrics: () => [cpu(150)],
      runForMs: minutes(30),
    });
    // From 2 running: ceil(2 × 150 / 50) = 6; then only 3 run: ceil(3 × 150 / 50) = 9; then 3 still:
    // 9 again, no more than the desired count already is, so no further activity.
    expect(r.changes).toEqual([
      [3, 6],
      [8, 9],
    ]);
    expect(r.activities[1]!.Details).toBe('metric 150 above target 50: ceil(3 × 150 / 50) = 9');
    // The same load with the desired count as the base keeps multiplying it.
    const unbounded = run({
      configuration: configuration({ target: target({ MaxCapacity: 100 }), policies: [cpuPolicy()] }),
      desired: 2,
      metrics: () => [cpu(150)],
      runForMs: minutes(30),
    });
    expect(unbounded.changes.map(([, d]) => d)).toEqual([6, 18, 54, 100]);
  });

  it('a scale-in starts from the running tasks', () => {
    const r = run({
      configuration: configuration({ target: target({ MaxCapacity: 50 }), policies: [cpuPolicy()] }),
      desired: 20,
      running: (d) => Math.min(d, 10),
      metrics: () => [cpu(10)],
      runForMs: minutes(16),
    });
    // gradual scale-in from the 10 running: at most 10 % (1 task) → 9, not 19.
    expect(r.changes).toEqual([[15, 9]]);
    expect(r.activities[0]).toMatchObject({ PreviousDesiredCount: 20 });
  });
});

// "If you want your task count to scale to zero when there's no work to be done, set a minimum
// capacity of 0. With target tracking scaling policies, when actual capacity is 0 and the metric
// indicates that there is workload demand, Service Auto Scaling waits for one data point to be sent
// before scaling out. In this case, it scales out by the minimum possible amount as a starting point
// and then resumes scaling based on the actual running task count." — ECS developer guide, service
// auto scaling, considerations: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html
describe('scaling from zero', () => {
  const queuePolicy = {
    ServiceNamespace: 'ecs',
    ResourceId: 'service/default/web',
    ScalableDimension: 'ecs:service:DesiredCount',
    PolicyName: 'backlog',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 10,
      ScaleOutCooldown: 120,
      CustomizedMetricSpecification: {
        Namespace: 'Custom/Queue',
        MetricName: 'Backlog',
        Statistic: 'Average',
      },
    },
  } as const;
  const backlog = (value: number) => ({ namespace: 'Custom/Queue', metricName: 'Backlog', value });

  it('one datapoint above the target takes 0 tasks to 1, then scaling resumes from the running count', () => {
    const r = run({
      configuration: configuration({ target: target({ MinCapacity: 0 }), policies: [queuePolicy] }),
      desired: 0,
      running: (d) => d,
      // 35 messages waiting, the metric is the backlog per task (all of it while none runs).
      metrics: (t, desired) => (t < minutes(1) ? [] : [backlog(35 / Math.max(1, desired))]),
      runForMs: minutes(12),
    });
    // The first period with data ends at minute 2: one datapoint, not AlarmHigh's 3 of 3.
    // Then, the 120 s cooldown over and 3 of 3 datapoints above 10: ceil(1 × 35 / 10) = 4, where
    // the backlog per task (8.75) is under the target.
    expect(r.changes).toEqual([
      [2, 1],
      [4, 4],
    ]);
    expect(r.activities[0]).toMatchObject({
      PreviousDesiredCount: 0,
      Details:
        'no task running and metric 35 above target 10: scaling out from zero by the minimum amount, 1 task',
      Trigger: { type: 'policy', PolicyName: 'backlog', Direction: 'out' },
    });
  });

  it('stays at zero while the metric is at or below the target, or the maximum is 0', () => {
    for (const [value, max] of [
      [10, 5],
      [0, 5],
      [35, 0],
    ] as const) {
      const r = run({
        configuration: configuration({
          target: target({ MinCapacity: 0, MaxCapacity: max }),
          policies: [queuePolicy],
        }),
        desired: 0,
        running: (d) => d,
        metrics: () => [backlog(value)],
        runForMs: minutes(10),
      });
      expect(r.changes, `metric ${value}, max ${max}`).toEqual([]);
    }
  });

  it('a service whose tasks cannot start yet (desired 1, running 0) is not pushed higher', () => {
    const r = run({
      configuration: configuration({ target: target({ MinCapacity: 0 }), policies: [queuePolicy] }),
      desired: 1,
      running: () => 0,
      metrics: () => [backlog(500)],
      runForMs: minutes(10),
    });
    expect(r.changes).toEqual([]);
  });
});
