import fc from 'fast-check';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  type MetricDatapoint,
  nextFireTime,
  parseSchedule,
  type ScalingActivity,
  type ScalingConfiguration,
  ScalingEngine,
  wallTimeAt,
} from '../src/index.js';
import {
  alarm,
  configuration,
  cpuPolicy,
  memoryPolicy,
  minutes,
  scheduled,
  stepPolicy,
  target,
} from './helpers.js';

interface World {
  readonly config: ScalingConfiguration;
  readonly desired: number;
  /** Per minute: cpu, memory, backlog (undefined = no sample), and an optional scheduled action to fire. */
  readonly minutes: readonly {
    readonly cpu: number | undefined;
    readonly memory: number | undefined;
    readonly backlog: number | undefined;
    readonly fire: 'a' | 'b' | undefined;
  }[];
}

const cooldownSeconds = fc.integer({ min: 0, max: 600 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 40 });

const worlds: fc.Arbitrary<World> = fc
  .record({
    min: fc.integer({ min: 0, max: 5 }),
    span: fc.integer({ min: 0, max: 15 }),
    desired: fc.integer({ min: 0, max: 25 }),
    /** A quiet world keeps utilisation low, so target tracking gets to scale in. */
    quiet: fc.boolean(),
    cpuTarget: fc.integer({ min: 10, max: 90 }),
    memTarget: fc.option(fc.integer({ min: 10, max: 90 }), { nil: undefined }),
    cpuCooldowns: fc.tuple(cooldownSeconds, cooldownSeconds, fc.boolean()),
    step: fc.option(
      fc.record({
        type: fc.constantFrom('ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity'),
        adjustment: fc.integer({ min: -5, max: 5 }),
        cooldown: cooldownSeconds,
        comparison: fc.constantFrom('GreaterThanOrEqualToThreshold', 'LessThanThreshold'),
        n: fc.integer({ min: 1, max: 4 }),
        m: fc.integer({ min: 1, max: 4 }),
        missing: fc.constantFrom('missing', 'breaching', 'notBreaching', 'ignore'),
      }),
      { nil: undefined },
    ),
    actions: fc.tuple(
      fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 10 })),
      fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 10 })),
    ),
    minutes: fc.array(
      fc.record({
        cpu: maybe(fc.double({ min: 0, max: 300, noNaN: true })),
        memory: maybe(fc.double({ min: 0, max: 300, noNaN: true })),
        backlog: maybe(fc.double({ min: 0, max: 200, noNaN: true })),
        fire: fc.option(fc.constantFrom('a' as const, 'b' as const), { nil: undefined, freq: 20 }),
      }),
      { minLength: 10, maxLength: 120 },
    ),
  })
  .map((w) => {
    const [outCd, inCd, disableIn] = w.cpuCooldowns;
    const policies = [
      cpuPolicy('cpu', {
        TargetValue: w.cpuTarget,
        ScaleOutCooldown: outCd,
        ScaleInCooldown: inCd,
        DisableScaleIn: disableIn,
      }),
      ...(w.memTarget === undefined ? [] : [memoryPolicy('mem', w.memTarget)]),
    ];
    const alarms = [];
    if (w.step) {
      const s = w.step;
      const exact = s.type === 'ExactCapacity';
      const above = s.comparison.startsWith('Greater');
      policies.push(
        stepPolicy('step', {
          AdjustmentType: s.type,
          Cooldown: s.cooldown,
          StepAdjustments: [
            above
              ? {
                  MetricIntervalLowerBound: 0,
                  ScalingAdjustment: exact ? Math.abs(s.adjustment) : s.adjustment,
                }
              : {
                  MetricIntervalUpperBound: 0,
                  ScalingAdjustment: exact ? Math.abs(s.adjustment) : s.adjustment,
                },
          ],
        }),
      );
      alarms.push(
        alarm({
          AlarmName: 'backlog',
          AlarmActions: ['step'],
          Threshold: 100,
          ComparisonOperator: s.comparison,
          EvaluationPeriods: Math.max(s.n, s.m),
          DatapointsToAlarm: Math.min(s.n, s.m),
          TreatMissingData: s.missing,
        }),
      );
    }
    const action = ([lo, span]: [number, number]) => ({ MinCapacity: lo, MaxCapacity: lo + span });
    const config = configuration({
      target: target({ MinCapacity: w.min, MaxCapacity: w.min + w.span }),
      policies,
      alarms,
      scheduledActions: [
        scheduled('a', 'rate(1 day)', action(w.actions[0])),
        scheduled('b', 'rate(1 day)', action(w.actions[1])),
      ],
    });
    const scale = (v: number | undefined) => (v === undefined || !w.quiet ? v : v / 30);
    const samples = w.minutes.map((m) => ({ ...m, cpu: scale(m.cpu), memory: scale(m.memory) }));
    return { config, desired: w.desired, minutes: samples };
  });

interface Step {
  readonly activity: ScalingActivity;
  readonly min: number;
  readonly max: number;
}

/** Drives an engine a minute at a time, writing each desired count back as the store would. */
function simulate(world: World): Step[] {
  const engine = new ScalingEngine();
  const steps: Step[] = [];
  const record = (activities: ScalingActivity[]) => {
    for (const activity of activities) {
      const { minCapacity, maxCapacity } = engine.snapshot();
      steps.push({ activity, min: minCapacity, max: maxCapacity });
      if (activity.DesiredCount !== undefined)
        record(
          engine.handle({
            type: 'service',
            at: activity.StartTime,
            service: { desiredCount: activity.DesiredCount },
          }),
        );
    }
  };
  record(engine.handle({ type: 'configuration', at: 0, configuration: world.config }));
  record(engine.handle({ type: 'service', at: 0, service: { desiredCount: world.desired } }));
  world.minutes.forEach((m, i) => {
    const t = minutes(i) + 30_000;
    const sample = (namespace: string, metricName: string, value: number | undefined): MetricDatapoint[] =>
      value === undefined ? [] : [{ namespace, metricName, value, timestamp: t }];
    for (const d of [
      ...sample('AWS/ECS', 'CPUUtilization', m.cpu),
      ...sample('AWS/ECS', 'MemoryUtilization', m.memory),
      ...sample('Custom/Queue', 'Backlog', m.backlog),
    ])
      record(engine.handle({ type: 'datapoint', at: t, datapoint: d }));
    if (m.fire) record(engine.handle({ type: 'scheduled-action', at: t, scheduledActionName: m.fire }));
    record(engine.handle({ type: 'evaluate', at: minutes(i + 1) }));
  });
  return steps;
}

function cooldownsOf(config: ScalingConfiguration, policyName: string): { out: number; in: number } {
  const p = config.policies.find((x) => x.PolicyName === policyName)!;
  const tt = p.TargetTrackingScalingPolicyConfiguration;
  if (tt) return { out: tt.ScaleOutCooldown * 1000, in: tt.ScaleInCooldown * 1000 };
  const c = p.StepScalingPolicyConfiguration!.Cooldown * 1000;
  return { out: c, in: c };
}

describe('scaler properties', () => {
  it('every desired count it sets lies within [min, max]', () => {
    fc.assert(
      fc.property(worlds, (world) => {
        for (const { activity, min, max } of simulate(world)) {
          if (activity.DesiredCount === undefined) continue;
          expect(activity.DesiredCount).toBeGreaterThanOrEqual(min);
          expect(activity.DesiredCount).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never scales in during a cooldown', () => {
    fc.assert(
      fc.property(worlds, (world) => {
        let lastOut: number | undefined;
        let lastIn: number | undefined;
        for (const { activity } of simulate(world)) {
          const t = activity.Trigger;
          if (t.type !== 'policy') continue;
          if (t.Direction === 'out') {
            lastOut = activity.StartTime;
            lastIn = undefined; // a scale-out ends the scale-in cooldown
            continue;
          }
          const cd = cooldownsOf(world.config, t.PolicyName);
          if (lastIn !== undefined) expect(activity.StartTime - lastIn).toBeGreaterThanOrEqual(cd.in);
          if (lastOut !== undefined) expect(activity.StartTime - lastOut).toBeGreaterThanOrEqual(cd.out);
          lastIn = activity.StartTime;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('moves towards the policy that asked: scale-outs raise, scale-ins lower the count', () => {
    fc.assert(
      fc.property(worlds, (world) => {
        for (const { activity } of simulate(world)) {
          if (activity.Trigger.type !== 'policy') continue;
          const delta = activity.DesiredCount! - activity.PreviousDesiredCount!;
          expect(Math.sign(delta)).toBe(activity.Trigger.Direction === 'out' ? 1 : -1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('cron properties', () => {
  const field = (max: number, min = 0) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min, max }).map(String),
      fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 7 })).map(([a, s]) => `${a}/${s}`),
      fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')),
    );
  const crons = fc
    .tuple(field(59), field(23), fc.boolean(), field(7, 1))
    .map(([m, h, byWeekday, dow]) => `cron(${m} ${h} ${byWeekday ? '?' : '*'} * ${byWeekday ? dow : '?'} *)`);
  const starts = fc.constantFrom(
    Date.parse('2024-03-30T20:00:00Z'),
    Date.parse('2024-10-26T20:00:00Z'),
    Date.parse('2024-06-15T07:13:00Z'),
  );

  it('fires at the first minute after `after` whose Berlin wall time matches, skipping gaps and repeats', () => {
    fc.assert(
      fc.property(crons, starts, (text, after) => {
        const parsed = parseSchedule(text);
        if (isLeft(parsed)) throw new Error(parsed.left);
        const zone = 'Europe/Berlin';
        const got = nextFireTime({ expression: parsed.right, timeZone: zone }, after);
        const e = parsed.right;
        if (e.kind !== 'cron') throw new Error('cron expected');
        // Brute force, minute by minute, over two days.
        let expected: number | undefined;
        for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; t < after + 2 * 86_400_000; t += 60_000) {
          const wall = new Date(wallTimeAt(t, zone));
          const repeated = wallTimeAt(t - 3_600_000, zone) === wall.getTime();
          const dow = wall.getUTCDay() + 1;
          const c = e.cron;
          const dayOk =
            c.days.field === 'day-of-week'
              ? c.days.match.weekdays[dow] === true
              : c.days.match.days[wall.getUTCDate()] === true;
          if (!repeated && c.minutes[wall.getUTCMinutes()] && c.hours[wall.getUTCHours()] && dayOk) {
            expected = t;
            break;
          }
        }
        if (expected !== undefined) expect(got).toBe(expected);
        else expect(got === undefined || got >= after + 2 * 86_400_000).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
