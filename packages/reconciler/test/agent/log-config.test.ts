import { describe, expect, it } from 'vitest';
import {
  type CreateContainerAction,
  containerLogSpec,
  type StartContainerAction,
} from '../../src/agent/index.js';
import {
  applyUpdates,
  def,
  observed,
  reconcile,
  running,
  T0,
  task,
  taskDef,
  tdMap,
  types,
} from './helpers.js';

const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/c1/t1';

describe('containers log configuration', () => {
  it('passes Docker drivers and their options to the engine', () => {
    const spec = containerLogSpec(
      taskArn,
      {
        name: 'app',
        logConfiguration: { logDriver: 'syslog', options: { 'syslog-address': 'udp://127.0.0.1:514' } },
      },
      '/data/firelens',
    );
    expect(spec).toEqual({
      logConfig: { type: 'syslog', config: { 'syslog-address': 'udp://127.0.0.1:514' } },
    });
    expect(containerLogSpec(taskArn, { name: 'app' }, '/d')).toEqual({});
  });

  it('runs awslogs on rotated json-file, keeping Docker’s delivery mode', () => {
    const spec = containerLogSpec(
      taskArn,
      {
        name: 'app',
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': 'g', mode: 'non-blocking', 'max-buffer-size': '4m' },
        },
      },
      '/d',
    );
    expect(spec.logConfig).toEqual({
      type: 'json-file',
      config: { 'max-size': '10m', 'max-file': '3', mode: 'non-blocking', 'max-buffer-size': '4m' },
    });
  });

  it("wires awsfirelens to the task's router socket with ECS's tag, and binds the socket directory into the router", () => {
    const app = containerLogSpec(
      taskArn,
      {
        name: 'app',
        logConfiguration: {
          logDriver: 'awsfirelens',
          options: { Name: 'cloudwatch', 'log-driver-buffer-limit': '2097152' },
        },
      },
      '/data/firelens/',
    );
    expect(app.logConfig).toEqual({
      type: 'fluentd',
      config: {
        'fluentd-address': 'unix:///data/firelens/t1/socket/fluent.sock',
        tag: 'app-firelens-t1',
        'fluentd-async': 'true',
        'fluentd-sub-second-precision': 'true',
        'fluentd-buffer-limit': '2097152',
      },
    });
    const router = containerLogSpec(
      taskArn,
      { name: 'log_router', firelensConfiguration: { type: 'fluentbit' } },
      '/data/firelens',
    );
    expect(router).toEqual({
      mounts: [{ type: 'bind', source: '/data/firelens/t1/socket', target: '/var/run', readOnly: false }],
    });
  });

  it('starts the log router before the containers that log through it (implicit START dependency)', () => {
    const td = taskDef([
      def('app', { logConfiguration: { logDriver: 'awsfirelens' } }),
      def('log_router', { firelensConfiguration: { type: 'fluentbit' } }),
    ]);
    const t = task(td);
    const created = [observed(t, 'app'), observed(t, 'log_router')];
    const r1 = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: created });
    expect(r1.actions.map((a) => (a as StartContainerAction).containerName)).toEqual(['log_router']);
    const r2 = reconcile({
      tasks: applyUpdates([t], r1),
      taskDefinitions: tdMap(td),
      observed: [created[0]!, running(t, 'log_router', T0)],
      now: T0 + 100,
    });
    expect(types(r2)).toEqual(['StartContainer']);
    expect((r2.actions[0] as StartContainerAction).containerName).toBe('app');
  });

  it('creates containers with the log spec and the agent’s FireLens directory', () => {
    const td = taskDef([
      def('app', { logConfiguration: { logDriver: 'awsfirelens' } }),
      def('r', { firelensConfiguration: { type: 'fluentd' } }),
    ]);
    const t = task(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      settings: { imagePullBehavior: 'prefer-cached', firelensDir: '/srv/fl' },
    });
    const specs = (r.actions as CreateContainerAction[]).map((a) => a.spec);
    expect(specs[0]?.logConfig?.config['fluentd-address']).toBe('unix:///srv/fl/t1/socket/fluent.sock');
    expect(specs[1]?.mounts).toEqual([
      { type: 'bind', source: '/srv/fl/t1/socket', target: '/var/run', readOnly: false },
    ]);
  });
});
