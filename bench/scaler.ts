// Scaler cost: many services' scalers driven a virtual minute at a time, as a controller would
// run them — each with CPU and memory target tracking and a step policy on a custom metric,
// fed 6 samples a minute per metric. Reports datapoint ingestion and evaluation throughput, and
// the heap each scaler holds. Then a capacity estimate: pending tasks bin-packed onto a
// cluster and onto new template instances.
//
//   npm run bench -- scaler [--quick]
import { parseTaskDefinition } from '@baton-ecs/model';
import {
  estimateCapacity,
  parseScalingConfiguration,
  type ScalingConfiguration,
  ScalingEngine,
} from '@baton-ecs/scaler';
import type { SchedulerInstance, SchedulerTask } from '@baton-ecs/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import { machine } from './_machine.js';

const quick = process.argv.includes('--quick');
const services = quick ? 1_000 : 10_000;
const simulatedMinutes = 20;
const samplesPerMinute = 6;

function config(i: number): ScalingConfiguration {
  const id = {
    ServiceNamespace: 'ecs',
    ResourceId: `service/default/s${i}`,
    ScalableDimension: 'ecs:service:DesiredCount',
  };
  const tt = (name: string, type: string, target: number) => ({
    ...id,
    PolicyName: name,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: target,
      PredefinedMetricSpecification: { PredefinedMetricType: type },
    },
  });
  const parsed = parseScalingConfiguration({
    ScalableTarget: { ...id, MinCapacity: 1, MaxCapacity: 100 },
    ScalingPolicies: [
      tt('cpu', 'ECSServiceAverageCPUUtilization', 60),
      tt('mem', 'ECSServiceAverageMemoryUtilization', 70),
      {
        ...id,
        PolicyName: 'backlog',
        PolicyType: 'StepScaling',
        StepScalingPolicyConfiguration: {
          AdjustmentType: 'ChangeInCapacity',
          StepAdjustments: [
            { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 100, ScalingAdjustment: 1 },
            { MetricIntervalLowerBound: 100, ScalingAdjustment: 3 },
          ],
        },
      },
    ],
    MetricAlarms: [
      {
        AlarmName: `backlog-${i}`,
        Namespace: 'App',
        MetricName: 'Backlog',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: ['backlog'],
      },
    ],
  });
  if (isLeft(parsed)) throw new Error(parsed.left.message);
  return parsed.right.value;
}

function benchScalers() {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const engines = Array.from({ length: services }, (_, i) => {
    const e = new ScalingEngine();
    e.handle({ type: 'configuration', at: 0, configuration: config(i) });
    e.handle({ type: 'service', at: 0, service: { desiredCount: 4 } });
    return e;
  });
  let ingestMs = 0;
  let evaluateMs = 0;
  let datapoints = 0;
  let evaluations = 0;
  let activities = 0;
  for (let m = 0; m < simulatedMinutes; m++) {
    let t0 = performance.now();
    for (let s = 0; s < samplesPerMinute; s++) {
      const at = m * 60_000 + s * 10_000 + 5_000;
      for (let i = 0; i < engines.length; i++) {
        const load = 30 + ((i * 7 + m * 13) % 70);
        const e = engines[i]!;
        e.handle({
          type: 'datapoint',
          at,
          datapoint: { namespace: 'AWS/ECS', metricName: 'CPUUtilization', value: load },
        });
        e.handle({
          type: 'datapoint',
          at,
          datapoint: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', value: load * 0.8 },
        });
        e.handle({
          type: 'datapoint',
          at,
          datapoint: { namespace: 'App', metricName: 'Backlog', value: load * 2 },
        });
        datapoints += 3;
      }
    }
    ingestMs += performance.now() - t0;
    t0 = performance.now();
    for (const e of engines) {
      for (const a of e.handle({ type: 'evaluate', at: (m + 1) * 60_000 })) {
        activities++;
        if (a.DesiredCount !== undefined)
          e.handle({ type: 'service', at: a.StartTime, service: { desiredCount: a.DesiredCount } });
      }
      evaluations++;
    }
    evaluateMs += performance.now() - t0;
  }
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const result = {
    services,
    datapointsPerSecond: Math.round(datapoints / (ingestMs / 1000)),
    evaluationsPerSecond: Math.round(evaluations / (evaluateMs / 1000)),
    evaluationPassMs: +(evaluateMs / simulatedMinutes).toFixed(1),
    activities,
    heapKiBPerScaler: +((heapAfter - heapBefore) / 1024 / services).toFixed(1),
  };
  engines.length = 0;
  return result;
}

function benchCapacity() {
  const instances = quick ? 200 : 1_000;
  const pendingTasks = quick ? 2_000 : 10_000;
  const td = parseTaskDefinition({
    family: 'web',
    taskDefinitionArn: 'arn:td/web:1',
    containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 256, memory: 512 }],
  });
  if (isLeft(td)) throw new Error(td.left.message);
  const resources = [
    { name: 'CPU', type: 'INTEGER' as const, integerValue: 4096 },
    { name: 'MEMORY', type: 'INTEGER' as const, integerValue: 8192 },
  ];
  const list: SchedulerInstance[] = Array.from({ length: instances }, (_, i) => ({
    containerInstanceArn: `arn:ci/${i}`,
    ec2InstanceId: `i-${i}`,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: resources,
    attributes: [{ name: 'ecs.availability-zone', value: `az-${i % 3}` }],
  }));
  const tasks: SchedulerTask[] = Array.from({ length: instances * 8 }, (_, i) => ({
    taskArn: `arn:task/${i}`,
    taskDefinitionArn: 'arn:td/web:1',
    containerInstanceArn: `arn:ci/${i % instances}`,
    group: 'service:web',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
  }));
  const t0 = performance.now();
  const estimate = estimateCapacity({
    instances: list,
    tasks,
    taskDefinitions: new Map([['arn:td/web:1', td.right.value]]),
    pending: [{ taskDefinition: td.right.value, count: pendingTasks, group: 'service:web' }],
    template: { registeredResources: resources },
  });
  return {
    instances,
    pendingTasks,
    required: estimate.required,
    estimateMs: +(performance.now() - t0).toFixed(1),
  };
}

const scalers = benchScalers();
console.log('scalers', scalers);
const capacity = benchCapacity();
console.log('capacity estimate', capacity);
console.log(JSON.stringify({ benchmark: 'scaler', quick, scalers, capacity, machine: machine() }));
