import type { Service, Task, TaskDefinition } from '@baton-ecs/model';
import { describe, expect, it } from 'vitest';
import { implicitHealthyAfterMs, stoppedReasons, taskHealthForDeployment } from '../../src/index.js';

type T = Pick<Task, 'lastStatus' | 'desiredStatus' | 'healthStatus' | 'startedAt'>;
const running = (over: Partial<T> = {}): T => ({
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  healthStatus: 'UNKNOWN',
  startedAt: 0,
  ...over,
});
const tdWith = (healthCheck: boolean, essential = true): Pick<TaskDefinition, 'containerDefinitions'> => ({
  containerDefinitions: [
    {
      name: 'app',
      image: 'x',
      cpu: 0,
      essential,
      portMappings: [],
      environment: [],
      stopTimeout: 30,
      ...(healthCheck
        ? { healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 } }
        : {}),
    },
  ],
});
const svc = (
  lb: boolean,
  grace?: number,
): Pick<Service, 'loadBalancers' | 'healthCheckGracePeriodSeconds'> => ({
  loadBalancers: lb ? [{ targetGroupArn: 'tg', containerName: 'app', containerPort: 80 }] : [],
  ...(grace === undefined ? {} : { healthCheckGracePeriodSeconds: grace }),
});

describe('when a task counts as healthy', () => {
  it('no health check, no load balancer: 40 s after RUNNING', () => {
    expect(taskHealthForDeployment(running(), tdWith(false), svc(false), implicitHealthyAfterMs - 1)).toEqual(
      {
        state: 'pending',
        recheckAt: implicitHealthyAfterMs,
      },
    );
    expect(taskHealthForDeployment(running(), tdWith(false), svc(false), implicitHealthyAfterMs)).toEqual({
      state: 'healthy',
    });
  });

  it('health check on an essential container: when HEALTHY', () => {
    expect(taskHealthForDeployment(running(), tdWith(true), svc(false), 100_000).state).toBe('pending');
    expect(
      taskHealthForDeployment(running({ healthStatus: 'HEALTHY' }), tdWith(true), svc(false), 1).state,
    ).toBe('healthy');
    expect(
      taskHealthForDeployment(running({ healthStatus: 'UNHEALTHY' }), tdWith(true), svc(false), 1),
    ).toEqual({
      state: 'unhealthy',
      reason: stoppedReasons.containerHealth,
    });
  });

  it('a health check on a non-essential container does not count', () => {
    expect(
      taskHealthForDeployment(running(), tdWith(true, false), svc(false), implicitHealthyAfterMs).state,
    ).toBe('healthy');
  });

  it('load balancer: when the target is healthy', () => {
    const tg = (health: 'initial' | 'healthy' | 'unhealthy') => ({ health, targetGroup: 'web-tg' });
    expect(taskHealthForDeployment(running(), tdWith(false), svc(true), 1e9, tg('initial')).state).toBe(
      'pending',
    );
    expect(taskHealthForDeployment(running(), tdWith(false), svc(true), 1, tg('healthy')).state).toBe(
      'healthy',
    );
    expect(taskHealthForDeployment(running(), tdWith(false), svc(true), 1, tg('unhealthy'))).toEqual({
      state: 'unhealthy',
      reason: 'Task failed ELB health checks in (target-group web-tg)',
    });
  });

  it('health check and load balancer: both must be healthy', () => {
    const healthyTg = { health: 'healthy' as const, targetGroup: 'tg' };
    expect(taskHealthForDeployment(running(), tdWith(true), svc(true), 1, healthyTg).state).toBe('pending');
    expect(
      taskHealthForDeployment(running({ healthStatus: 'HEALTHY' }), tdWith(true), svc(true), 1, healthyTg)
        .state,
    ).toBe('healthy');
  });

  it('the grace period hides failures until it ends', () => {
    const sick = running({ startedAt: 1_000, healthStatus: 'UNHEALTHY' });
    expect(taskHealthForDeployment(sick, tdWith(true), svc(false, 60), 60_999)).toEqual({
      state: 'pending',
      recheckAt: 61_000,
    });
    expect(taskHealthForDeployment(sick, tdWith(true), svc(false, 60), 61_000).state).toBe('unhealthy');
  });

  it('a task that is not RUNNING, or is being stopped, is never healthy', () => {
    expect(
      taskHealthForDeployment(running({ lastStatus: 'PENDING' }), tdWith(false), svc(false), 1e9).state,
    ).toBe('pending');
    expect(
      taskHealthForDeployment(running({ desiredStatus: 'STOPPED' }), tdWith(false), svc(false), 1e9).state,
    ).toBe('pending');
  });
});
