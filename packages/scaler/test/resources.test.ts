import { describe, expect, it } from 'vitest';
import {
  parseCapacityProvider,
  parseMetricAlarm,
  parseScalableTarget,
  parseScalingConfiguration,
  parseScalingPolicy,
  parseScheduledAction,
  scheduledActionLimitIssues,
  utcMillis,
} from '../src/index.js';
import { alarm, bad, cpuPolicy, lines, ok, scheduled, stepPolicy, target } from './helpers.js';

describe('scalable target', () => {
  it('parses RegisterScalableTarget input with defaults and keeps AWS-only fields as warnings', () => {
    const parsed = ok(
      parseScalableTarget({
        ...target({ MinCapacity: 2, MaxCapacity: 8 }),
        RoleARN: 'arn:aws:iam::1:role/x',
      }),
    );
    expect(parsed.value.SuspendedState).toEqual({
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: false,
    });
    expect(parsed.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'RoleARN: is an AWS-only field; kept and ignored',
    ]);
  });

  it('unwraps DescribeScalableTargets output', () => {
    expect(ok(parseScalableTarget({ ScalableTargets: [target()] })).value.ResourceId).toBe(
      'service/default/web',
    );
  });

  it('names every problem by field path', () => {
    expect(
      lines(
        bad(
          parseScalableTarget({
            ServiceNamespace: 'dynamodb',
            ResourceId: 'table/x',
            ScalableDimension: 'ecs:service:Count',
            MinCapacity: 5,
            MaxCapacity: 2,
          }),
        ),
      ),
    ).toEqual([
      'ServiceNamespace: Baton scales ECS services only: must be "ecs" (got "dynamodb")',
      'ResourceId: must be service/<cluster>/<service> (got "table/x")',
      'ScalableDimension: must be "ecs:service:DesiredCount" (got "ecs:service:Count")',
      'MaxCapacity: must be at least MinCapacity (got 2 < 5)',
    ]);
    expect(lines(bad(parseScalableTarget({ ...target(), MinCapacity: -1, MaxCapacity: 1.5 })))).toEqual([
      'MinCapacity: must be at least 0 (got -1)',
      'MaxCapacity: must be a whole number (got 1.5)',
    ]);
  });
});

describe('scaling policy', () => {
  it('fills target tracking defaults: 300 s cooldowns, scale-in enabled', () => {
    const p = ok(parseScalingPolicy(cpuPolicy())).value;
    expect(p.TargetTrackingScalingPolicyConfiguration).toMatchObject({
      TargetValue: 50,
      ScaleOutCooldown: 300,
      ScaleInCooldown: 300,
      DisableScaleIn: false,
    });
  });

  it('needs the configuration that matches its type, and exactly one metric', () => {
    expect(
      lines(bad(parseScalingPolicy({ ...cpuPolicy(), TargetTrackingScalingPolicyConfiguration: undefined }))),
    ).toEqual(['TargetTrackingScalingPolicyConfiguration: is required for TargetTrackingScaling']);
    expect(
      lines(
        bad(
          parseScalingPolicy(
            cpuPolicy('x', {
              CustomizedMetricSpecification: { MetricName: 'm', Namespace: 'n', Statistic: 'Average' },
            }),
          ),
        ),
      ),
    ).toEqual([
      'TargetTrackingScalingPolicyConfiguration: needs exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification',
    ]);
    expect(
      lines(
        bad(
          parseScalingPolicy(
            cpuPolicy('x', {
              PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
            }),
          ),
        ),
      ),
    ).toEqual([
      'TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel: is required for ALBRequestCountPerTarget (app/<lb>/<id>/targetgroup/<tg>/<id>)',
    ]);
    expect(lines(bad(parseScalingPolicy(cpuPolicy('x', { TargetValue: 0 }))))).toEqual([
      'TargetTrackingScalingPolicyConfiguration.TargetValue: must be a positive number',
    ]);
  });

  it('rejects metric math and other namespaces by name', () => {
    expect(
      lines(
        bad(
          parseScalingPolicy(
            cpuPolicy('x', {
              PredefinedMetricSpecification: undefined,
              CustomizedMetricSpecification: { Metrics: [{ Id: 'm1' }] },
            }),
          ),
        ),
      ),
    ).toEqual([
      'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics: metric math is not implemented by Baton; name one metric with MetricName and Namespace',
    ]);
  });

  it('validates step policies: MinAdjustmentMagnitude only with percentages, steps without gaps', () => {
    expect(
      lines(
        bad(
          parseScalingPolicy(
            stepPolicy('s', {
              AdjustmentType: 'ChangeInCapacity',
              MinAdjustmentMagnitude: 2,
              StepAdjustments: [
                { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
                { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
              ],
            }),
          ),
        ),
      ),
    ).toEqual([
      'StepScalingPolicyConfiguration.MinAdjustmentMagnitude: applies only to PercentChangeInCapacity (AdjustmentType is "ChangeInCapacity")',
      'StepScalingPolicyConfiguration.StepAdjustments: steps 0 and 1 leave a gap between 10 and 20',
    ]);
    expect(
      ok(
        parseScalingPolicy(
          stepPolicy('s', {
            AdjustmentType: 'PercentChangeInCapacity',
            MinAdjustmentMagnitude: 2,
            StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 50 }],
          }),
        ),
      ).value.StepScalingPolicyConfiguration,
    ).toMatchObject({ Cooldown: 300, MetricAggregationType: 'Average' });
  });
});

describe('metric alarm', () => {
  it('defaults DatapointsToAlarm to EvaluationPeriods and TreatMissingData to missing', () => {
    const a = ok(parseMetricAlarm(alarm({ AlarmName: 'a', EvaluationPeriods: 3 }))).value;
    expect(a.DatapointsToAlarm).toBeUndefined();
    expect(a.TreatMissingData).toBe('missing');
    expect(a.ActionsEnabled).toBe(true);
  });

  it('checks periods, M of N and the evaluation range', () => {
    expect(
      lines(
        bad(
          parseMetricAlarm(alarm({ AlarmName: 'a', Period: 45, EvaluationPeriods: 2, DatapointsToAlarm: 3 })),
        ),
      ),
    ).toEqual([
      'Period: must be 10, 20, 30 or a multiple of 60 seconds (got 45)',
      'DatapointsToAlarm: must be at most EvaluationPeriods (got 3 > 2)',
    ]);
    expect(
      lines(bad(parseMetricAlarm(alarm({ AlarmName: 'a', Period: 60, EvaluationPeriods: 1441 })))),
    ).toEqual(['EvaluationPeriods: Period × EvaluationPeriods must be at most one day (got 86460 s)']);
    expect(lines(bad(parseMetricAlarm({ ...alarm({ AlarmName: 'a' }), MetricName: undefined })))).toEqual([
      'MetricName: is required',
    ]);
  });
});

describe('scheduled action', () => {
  it('parses at, rate and cron schedules with a time zone', () => {
    ok(
      parseScheduledAction(
        scheduled('once', 'at(2024-03-31T02:30:00)', { MinCapacity: 2 }, { Timezone: 'Europe/Berlin' }),
      ),
    );
    ok(parseScheduledAction(scheduled('often', 'rate(5 minutes)', { MaxCapacity: 4 })));
    ok(
      parseScheduledAction(
        scheduled('weekdays', 'cron(0 8 ? * MON-FRI *)', { MinCapacity: 4, MaxCapacity: 10 }),
      ),
    );
  });

  it('explains what is wrong with a schedule, a zone or the action', () => {
    expect(
      lines(
        bad(
          parseScheduledAction(
            scheduled(
              'x',
              'cron(0 8 * * MON *)',
              {},
              { Timezone: 'Mars/Olympus', StartTime: 2000, EndTime: 1000 },
            ),
          ),
        ),
      ),
    ).toEqual([
      'Schedule: cron(...): one of Day-of-month and Day-of-week must be "?" and the other not (use "?" in the one you do not restrict)',
      'Timezone: must be an IANA time zone such as Europe/Berlin or Etc/GMT+9 (got "Mars/Olympus")',
      'ScalableTargetAction: needs MinCapacity, MaxCapacity or both',
      'EndTime: must be after StartTime',
    ]);
    expect(
      lines(
        bad(parseScheduledAction(scheduled('a:b', 'rate(0 minutes)', { MinCapacity: 3, MaxCapacity: 1 }))),
      ),
    ).toEqual([
      `ScheduledActionName: ScheduledActionName must be 1–256 printable characters without ':', '/', '|' or surrounding spaces (got "a:b")`,
      'Schedule: rate(...) needs a positive whole number and minute(s), hour(s) or day(s) (got "0 minutes")',
      'ScalableTargetAction.MaxCapacity: must be at least MinCapacity (got 1 < 3)',
    ]);
    expect(
      lines(bad(parseScheduledAction(scheduled('x', 'at(2024-02-30T00:00:00)', { MinCapacity: 1 })))),
    ).toEqual(['Schedule: at(...) needs a date and time yyyy-mm-ddThh:mm:ss (got "2024-02-30T00:00:00")']);
  });
});

describe('capacity provider', () => {
  it('fills ECS managed scaling defaults', () => {
    const cp = ok(
      parseCapacityProvider({ capacityProvider: { name: 'engines', autoScalingGroupProvider: {} } }),
    ).value;
    expect(cp.autoScalingGroupProvider.managedScaling).toEqual({
      status: 'ENABLED',
      targetCapacity: 100,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: 10000,
      instanceWarmupPeriod: 300,
    });
  });

  it('checks ranges and reserved names', () => {
    expect(
      lines(
        bad(
          parseCapacityProvider({
            name: 'ecs-engines',
            autoScalingGroupProvider: {
              managedScaling: { targetCapacity: 0, minimumScalingStepSize: 5, maximumScalingStepSize: 2 },
              minSize: 3,
              maxSize: 1,
            },
          }),
        ),
      ),
    ).toEqual([
      'name: name must be 1–255 letters, digits, hyphens or underscores, not starting with aws, ecs or fargate (got "ecs-engines")',
      'autoScalingGroupProvider.managedScaling.targetCapacity: must be between 1 and 100 (got 0)',
      'autoScalingGroupProvider.managedScaling.maximumScalingStepSize: must be at least minimumScalingStepSize (got 2 < 5)',
      'autoScalingGroupProvider.maxSize: must be at least minSize (got 1 < 3)',
    ]);
  });
});

describe('scaling configuration', () => {
  it('checks that the parts belong to one target and that alarms trigger step policies', () => {
    const result = parseScalingConfiguration({
      ScalableTarget: target(),
      ScalingPolicies: [
        cpuPolicy('cpu'),
        { ...cpuPolicy('cpu'), ResourceId: 'service/default/api' },
        stepPolicy('out', {
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
        }),
      ],
      MetricAlarms: [alarm({ AlarmName: 'hi', AlarmActions: ['out', 'cpu', 'nope'] })],
      ScheduledActions: [scheduled('s', 'rate(1 hour)', { MinCapacity: 1 })],
    });
    expect(lines(bad(result))).toEqual([
      "ScalingPolicies[1].ResourceId: must be the scalable target's service/default/web (got service/default/api)",
      'ScalingPolicies[1].PolicyName: "cpu" is already used by ScalingPolicies[0]',
      'MetricAlarms[0].AlarmActions[1]: names target tracking policy cpu, which makes its own alarms; alarms trigger step scaling policies',
      'MetricAlarms[0].AlarmActions[2]: names no scaling policy of this target (got "nope")',
    ]);
  });

  it('prefixes the issues of each part with its place', () => {
    expect(
      lines(
        bad(parseScalingConfiguration({ ScalableTarget: target({ MaxCapacity: 0 }), ScalingPolicies: [{}] })),
      ),
    ).toEqual([
      'ScalableTarget.MaxCapacity: must be at least MinCapacity (got 0 < 1)',
      'ScalingPolicies[0].PolicyName: is required',
      'ScalingPolicies[0].ServiceNamespace: is required',
      'ScalingPolicies[0].ResourceId: is required',
      'ScalingPolicies[0].ScalableDimension: is required',
      'ScalingPolicies[0].StepScalingPolicyConfiguration: is required for StepScaling',
    ]);
  });

  it('accepts alarm actions that are policy ARNs', () => {
    const arn =
      'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:6d8972f3:resource/ecs/service/default/web:policyName/out';
    const result = parseScalingConfiguration({
      ScalableTarget: target(),
      ScalingPolicies: [
        stepPolicy('out', {
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
        }),
      ],
      MetricAlarms: [alarm({ AlarmName: 'hi', AlarmActions: [arn] })],
    });
    expect(ok(result).value.alarms).toHaveLength(1);
  });
});

describe('scheduled action times and limits (Application Auto Scaling)', () => {
  it('StartTime/EndTime without an offset are UTC, never the host time zone', () => {
    expect(utcMillis('2026-03-01T10:00:00')).toBe(Date.UTC(2026, 2, 1, 10, 0, 0));
    expect(utcMillis('2026-03-01T10:00:00+02:00')).toBe(Date.UTC(2026, 2, 1, 8, 0, 0));
    expect(utcMillis(1_700_000_000)).toBe(1_700_000_000_000);
  });

  // https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-policy-overview.html
  it('an action setting only MinCapacity above the current MaxCapacity is refused (and MaxCapacity below MinCapacity)', () => {
    expect(scheduledActionLimitIssues({ MinCapacity: 8 }, { MinCapacity: 1, MaxCapacity: 5 })[0]?.path).toBe(
      'ScalableTargetAction.MinCapacity',
    );
    expect(scheduledActionLimitIssues({ MaxCapacity: 1 }, { MinCapacity: 2, MaxCapacity: 5 })[0]?.path).toBe(
      'ScalableTargetAction.MaxCapacity',
    );
    expect(
      scheduledActionLimitIssues({ MinCapacity: 8, MaxCapacity: 10 }, { MinCapacity: 1, MaxCapacity: 5 }),
    ).toEqual([]);
  });
});
