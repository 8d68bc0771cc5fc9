import type { LoadBalancer, TargetGroup, Task } from '@baton/model';
import { describe, expect, it } from 'vitest';
import { planTargetGroup, targetKey } from '../../src/index.js';

const arn = 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/web/0123456789abcdef';
const lb: LoadBalancer = { targetGroupArn: arn, containerName: 'web', containerPort: 80 };
const tg = (over: Partial<TargetGroup> = {}): TargetGroup =>
  ({
    TargetGroupName: 'web',
    TargetGroupArn: arn,
    Protocol: 'HTTP',
    Port: 80,
    TargetType: 'ip',
    HealthCheckEnabled: true,
    HealthCheckPort: 'traffic-port',
    HealthCheckPath: '/',
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    Matcher: { HttpCode: '200' },
    Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }],
    LoadBalancerArns: [],
    Targets: [],
    ...over,
  }) as TargetGroup;
const task = (over: Partial<Task> = {}): Task =>
  ({
    taskArn: 'arn:aws:ecs:local:000000000000:task/c/t1',
    clusterArn: 'arn:aws:ecs:local:000000000000:cluster/c',
    taskDefinitionArn: 'td',
    desiredStatus: 'RUNNING',
    lastStatus: 'ACTIVATING',
    activationHolds: [arn],
    containers: [
      {
        name: 'web',
        lastStatus: 'RUNNING',
        healthStatus: 'UNKNOWN',
        networkBindings: [{ bindIP: '127.0.0.1', containerPort: 80, hostPort: 32768, protocol: 'tcp' }],
      },
    ],
    ...over,
  }) as Task;
const none = () => undefined;

describe('planTargetGroup', () => {
  it('registers an ACTIVATING task at its published port, swapping its activation hold for a deactivation hold', () => {
    const plan = planTargetGroup({
      targetGroup: tg(),
      members: [{ task: task(), loadBalancer: lb }],
      health: none,
      idle: none,
      now: 1000,
    });
    expect(plan.targets).toEqual([
      expect.objectContaining({
        Id: '127.0.0.1',
        Port: 32768,
        State: 'initial',
        Reason: 'Elb.InitialHealthChecking',
        RegisteredAt: 1000,
      }),
    ]);
    expect(plan.holds).toEqual([
      { taskArn: task().taskArn, releaseActivation: true, addDeactivation: true, releaseDeactivation: false },
    ]);
  });

  it('drains a stopping task for the deregistration delay, or until every balancer is idle', () => {
    const registered = planTargetGroup({
      targetGroup: tg(),
      members: [{ task: task(), loadBalancer: lb }],
      health: none,
      idle: none,
      now: 0,
    }).targets;
    const stopping = task({
      desiredStatus: 'STOPPED',
      lastStatus: 'DEACTIVATING',
      activationHolds: [],
      deactivationHolds: [arn],
    });
    const p1 = planTargetGroup({
      targetGroup: tg({ Targets: [...registered] }),
      members: [{ task: stopping, loadBalancer: lb }],
      health: none,
      idle: none,
      now: 5000,
    });
    expect(p1.targets[0]).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      DrainingSince: 5000,
    });
    expect(p1.holds).toEqual([]);
    expect(p1.requeueAfterMs).toBe(10_000);
    const draining = tg({ Targets: [...p1.targets] });
    const p2 = planTargetGroup({
      targetGroup: draining,
      members: [{ task: stopping, loadBalancer: lb }],
      health: none,
      idle: () => false,
      now: 9000,
    });
    expect(p2.targets).toBe(draining.Targets);
    expect(p2.requeueAfterMs).toBe(200);
    const p3 = planTargetGroup({
      targetGroup: draining,
      members: [{ task: stopping, loadBalancer: lb }],
      health: none,
      idle: none,
      now: 15_000,
    });
    expect(p3.targets).toEqual([]);
    expect(p3.holds).toEqual([
      {
        taskArn: stopping.taskArn,
        releaseActivation: false,
        addDeactivation: false,
        releaseDeactivation: true,
      },
    ]);
    const early = planTargetGroup({
      targetGroup: draining,
      members: [{ task: stopping, loadBalancer: lb }],
      health: none,
      idle: () => true,
      now: 6000,
    });
    expect(early.targets).toEqual([]);
  });

  it('applies the monitor verdict; releases the activation hold of a task that will never register', () => {
    const registered = planTargetGroup({
      targetGroup: tg(),
      members: [{ task: task(), loadBalancer: lb }],
      health: none,
      idle: none,
      now: 0,
    }).targets;
    const running = task({ lastStatus: 'RUNNING', activationHolds: [], deactivationHolds: [arn] });
    const key = targetKey(registered[0]!);
    const p = planTargetGroup({
      targetGroup: tg({ Targets: [...registered] }),
      members: [{ task: running, loadBalancer: lb }],
      health: (k) => (k === key ? { state: 'healthy', successes: 5, failures: 0 } : undefined),
      idle: none,
      now: 1,
    });
    expect(p.targets[0]).toMatchObject({ State: 'healthy' });
    expect(p.targets[0]!.Reason).toBeUndefined();
    const stoppedEarly = task({ desiredStatus: 'STOPPED', lastStatus: 'PENDING' });
    expect(
      planTargetGroup({
        targetGroup: tg(),
        members: [{ task: stoppedEarly, loadBalancer: lb }],
        health: none,
        idle: none,
        now: 1,
      }).holds,
    ).toEqual([
      {
        taskArn: stoppedEarly.taskArn,
        releaseActivation: true,
        addDeactivation: false,
        releaseDeactivation: false,
      },
    ]);
  });
});
