import { describe, expect, it } from 'vitest';
import { classify, type Declared } from '../../src/cli/documents.js';
import { type Live, plan } from '../../src/cli/plan.js';
import { planText } from '../../src/cli/plan-text.js';
import { scalingKey } from '../../src/cli/scaling-docs.js';

const doc = (value: object): Declared => {
  const d = classify(value, { file: 'scaling.yaml' });
  if (typeof d === 'string') throw new Error(d);
  return d;
};
const target = {
  ServiceNamespace: 'ecs',
  ResourceId: 'service/prod/web',
  ScalableDimension: 'ecs:service:DesiredCount',
  MinCapacity: 1,
  MaxCapacity: 4,
};
const policy = {
  PolicyName: 'cpu50',
  ServiceNamespace: 'ecs',
  ResourceId: 'service/prod/web',
  ScalableDimension: 'ecs:service:DesiredCount',
  PolicyType: 'TargetTrackingScaling',
  TargetTrackingScalingPolicyConfiguration: {
    TargetValue: 50,
    PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
  },
};
const live = (scaling: [string, object][]): Live => ({
  clusters: new Set(['prod']),
  latest: new Map(),
  services: new Map(),
  scaling: new Map(scaling as [string, Record<string, unknown>][]),
});

describe('apply plan: Application Auto Scaling documents', () => {
  it('creates a missing scalable target and policy, changes one that differs, leaves an equal one alone', async () => {
    const created = plan([doc(target), doc(policy)], live([]), { cluster: 'prod', prune: false });
    expect(created.errors).toEqual([]);
    expect(created.changes.map((c) => `${c.kind}:${'create' in c && c.create}`)).toEqual([
      'scalableTarget:true',
      'scalingPolicy:true',
    ]);
    const described = {
      ...target,
      MaxCapacity: 3,
      ScalableTargetARN: 'arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/x',
      CreationTime: 1_700_000_000,
    };
    const p = plan(
      [doc(target), doc(policy)],
      live([
        [scalingKey('scalableTarget', target), described],
        [scalingKey('scalingPolicy', policy), { ...policy, PolicyARN: 'arn:x', Alarms: [], CreationTime: 1 }],
      ]),
      { cluster: 'prod', prune: false },
    );
    expect(p.unchanged).toEqual(['scaling policy "cpu50" (service/prod/web)']);
    expect(await planText(p)).toEqual([
      '~ scalable target "service/prod/web": update',
      '    ~ MaxCapacity: 3 → 4',
      '0 to create, 1 to update, 0 to delete, 1 unchanged',
    ]);
  });

  it('a scaling document with errors is named with its field', () => {
    const r = classify({ ...target, MinCapacity: -1 }, { file: 'scaling.yaml' });
    expect(r).toMatch(/^scaling\.yaml: scalable target "service\/prod\/web": MinCapacity: /);
  });
});
