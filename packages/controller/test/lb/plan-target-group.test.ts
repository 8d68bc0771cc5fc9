import type { LoadBalancer, TargetGroup, Task } from '@baton-ecs/model';
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
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html:
  // Target.DeregistrationInProgress — "the deregistration delay period has not expired".
  it('a target whose draining completed early still shows draining until the delay expires; its task is released at once', () => {
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
    const draining = tg({
      Targets: [
        ...planTargetGroup({
          targetGroup: tg({ Targets: [...registered] }),
          members: [{ task: stopping, loadBalancer: lb }],
          health: none,
          idle: none,
          now: 5000,
        }).targets,
      ],
    });
    const early = planTargetGroup({
      targetGroup: draining,
      members: [{ task: stopping, loadBalancer: lb }],
      health: none,
      idle: () => true,
      now: 6000,
    });
    expect(early.targets).toBe(draining.Targets);
    expect(early.targets[0]).toMatchObject({ State: 'draining', Reason: 'Target.DeregistrationInProgress' });
    expect(early.deregistered).toEqual([]);
    expect(early.holds).toEqual([
      {
        taskArn: stopping.taskArn,
        releaseActivation: false,
        addDeactivation: false,
        releaseDeactivation: true,
      },
    ]);
    expect(early.requeueAfterMs).toBe(9000);
    // The task has stopped and its record is gone: the target still shows draining until 15 000 ms.
    const gone = planTargetGroup({
      targetGroup: draining,
      members: [],
      health: none,
      idle: () => true,
      now: 14_999,
    });
    expect(gone.targets[0]).toMatchObject({ State: 'draining' });
    expect(gone.requeueAfterMs).toBe(1);
    const expired = planTargetGroup({
      targetGroup: draining,
      members: [],
      health: none,
      idle: () => true,
      now: 15_000,
    });
    expect(expired.targets).toEqual([]);
    expect(expired.deregistered).toHaveLength(1);
  });

  it("keeps ELB's description and puts Baton's detail in its own field", () => {
    const registered = planTargetGroup({
      targetGroup: tg(),
      members: [{ task: task(), loadBalancer: lb }],
      health: none,
      idle: none,
      now: 0,
    }).targets;
    const running = task({ lastStatus: 'RUNNING', activationHolds: [], deactivationHolds: [arn] });
    const p = planTargetGroup({
      targetGroup: tg({ Targets: [...registered] }),
      members: [{ task: running, loadBalancer: lb }],
      health: () => ({
        state: 'unhealthy',
        reason: 'Target.FailedHealthChecks',
        description: 'Health checks failed',
        detail: 'ECONNREFUSED',
        successes: 0,
        failures: 2,
      }),
      idle: none,
      now: 1,
    });
    expect(p.targets[0]).toMatchObject({
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed',
      Detail: 'ECONNREFUSED',
    });
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

  it('registers targets by hand (StaticTargets) without holds, and drains them for the whole delay', () => {
    const registered = planTargetGroup({
      targetGroup: tg({ StaticTargets: [{ Id: '127.0.0.1', Port: 9000 }] }),
      members: [],
      health: none,
      idle: none,
      now: 1000,
    });
    expect(registered.targets).toEqual([
      expect.objectContaining({ Id: '127.0.0.1', Port: 9000, State: 'initial', RegisteredAt: 1000 }),
    ]);
    expect(registered.targets[0]!.TaskArn).toBeUndefined();
    expect(registered.holds).toEqual([]);
    // Deregistered: draining, even though no task is behind it and the balancer says it is idle.
    const draining = planTargetGroup({
      targetGroup: tg({ StaticTargets: [], Targets: [...registered.targets] }),
      members: [],
      health: none,
      idle: () => true,
      now: 2000,
    });
    expect(draining.targets).toEqual([expect.objectContaining({ State: 'draining', DrainingSince: 2000 })]);
    const still = planTargetGroup({
      targetGroup: tg({ StaticTargets: [], Targets: [...draining.targets] }),
      members: [],
      health: none,
      idle: () => true,
      now: 11_999,
    });
    expect(still.targets).toEqual(draining.targets);
    const gone = planTargetGroup({
      targetGroup: tg({ StaticTargets: [], Targets: [...draining.targets] }),
      members: [],
      health: none,
      idle: () => true,
      now: 12_000,
    });
    expect(gone.targets).toEqual([]);
    expect(gone.deregistered.map(targetKey)).toEqual(['127.0.0.1:9000']);
  });
});
