import { TargetGroup } from '@baton-ecs/model';
import { batonKinds, createMemoryStore } from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import { Counters, Informer, ManualClock, silentLogger, waitForCache } from '../../src/index.js';
import { TargetGroupController } from '../../src/target-groups/controller.js';

/*
 * The service controller asks for every task's target health on each service reconcile, so the map
 * is kept until the target group cache changes. Planted bug checked: a cache never invalidated
 * (the unhealthy target below is then still reported healthy).
 */
const arn = 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/web/1';
const group = (state: 'healthy' | 'unhealthy') =>
  TargetGroup.parse({
    TargetGroupName: 'web',
    TargetGroupArn: arn,
    Targets: [{ Id: '127.0.0.1', Port: 8080, State: state, TaskArn: 'task-1' }],
  });

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('TargetGroupController.targetHealth', () => {
  it('answers the same map until the target groups change, then the new health', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const clock = new ManualClock();
    const targetGroups = new Informer(store, 'TargetGroup', clock);
    const tasks = new Informer(store, 'Task', clock);
    const services = new Informer(store, 'Service', clock);
    for (const i of [targetGroups, tasks, services]) {
      i.start();
      stops.push(() => i.stop());
    }
    await store.create('TargetGroup', group('healthy'));
    await Promise.all([targetGroups.synced, tasks.synced, services.synced]);
    await waitForCache(targetGroups, () => targetGroups.get(arn) !== undefined, { timeoutMs: 5_000 });
    const controller = new TargetGroupController({
      store,
      targetGroups,
      tasks,
      services,
      clock,
      logger: silentLogger,
      counters: new Counters(),
    });

    const first = controller.targetHealth();
    expect(first.get('task-1')).toMatchObject({ health: 'healthy', targetGroup: arn, port: 8080 });
    expect(controller.targetHealth()).toBe(first);

    const current = targetGroups.get(arn)!;
    await store.update('TargetGroup', arn, group('unhealthy'), { ifVersion: current.version });
    const seen = await waitForCache(
      targetGroups,
      () => targetGroups.get(arn)?.object.Targets[0]?.State === 'unhealthy',
      { timeoutMs: 5_000 },
    );
    expect(seen).toBe(true);
    const second = controller.targetHealth();
    expect(second).not.toBe(first);
    expect(second.get('task-1')?.health).toBe('unhealthy');
  });
});
