import { ecsLimits } from '@baton-ecs/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Baton, BatonApiError, createBaton, silentLogger } from '../src/index.js';

const td = { family: 'lim', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }] };
let baton: Baton;

beforeEach(async () => {
  baton = await createBaton({ cluster: 'limits', seed: 1, logger: silentLogger });
  await baton.start();
  await baton.registerTaskDefinition(td);
});
afterEach(async () => baton.stop());

async function error(p: Promise<unknown>): Promise<BatonApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BatonApiError) return e;
    throw e;
  }
  throw new Error('expected a BatonApiError');
}

describe('ECS quotas at the edge', () => {
  it('desiredCount over the tasks-per-service quota is LimitExceededException naming the field and the limit', async () => {
    const create = await error(
      baton.createService({
        cluster: 'limits',
        serviceName: 'big',
        taskDefinition: 'lim',
        desiredCount: 10_000_000,
      }),
    );
    expect(create.code).toBe('LimitExceededException');
    expect(create.issues).toEqual([
      expect.objectContaining({
        path: 'desiredCount',
        rule: 'quota',
        message: expect.stringContaining('5000'),
      }),
    ]);
    await baton.createService({
      cluster: 'limits',
      serviceName: 'big',
      taskDefinition: 'lim',
      desiredCount: 0,
    });
    const update = await error(
      baton.updateService({ service: 'big', desiredCount: ecsLimits.tasksPerService + 1 }),
    );
    expect(update.code).toBe('LimitExceededException');
    expect(update.message).toContain('desiredCount: must be at most 5000');
    const ok = await baton.updateService({ service: 'big', desiredCount: ecsLimits.tasksPerService });
    expect(ok.desiredCount).toBe(5000);
  });

  it('RunTask: count ≤ 10, startedBy and group validated', async () => {
    const count = await error(baton.runTask({ taskDefinition: 'lim', count: 11 }));
    expect(count.code).toBe('LimitExceededException');
    expect(count.issues[0]).toMatchObject({ path: 'count', rule: 'quota' });
    expect((await error(baton.runTask({ taskDefinition: 'lim', count: 0 }))).code).toBe(
      'InvalidParameterException',
    );
    const startedBy = await error(baton.runTask({ taskDefinition: 'lim', startedBy: 'x'.repeat(37) }));
    expect(startedBy.code).toBe('InvalidParameterException');
    expect(startedBy.issues[0]?.path).toBe('startedBy');
    expect((await error(baton.runTask({ taskDefinition: 'lim', startedBy: 'a b' }))).issues[0]?.path).toBe(
      'startedBy',
    );
    const bigint = await error(baton.runTask({ taskDefinition: 'lim', startedBy: 10n as unknown as string }));
    expect(bigint.issues[0]).toMatchObject({ path: 'startedBy', rule: 'type' });
    expect((await error(baton.runTask({ taskDefinition: 'lim', group: 'a\nb' }))).issues[0]?.path).toBe(
      'group',
    );
    // Valid values pass (no instances: the task is reported as a failure, not an error).
    const run = await baton.runTask({
      taskDefinition: 'lim',
      startedBy: 'ecs-svc/job_1-A',
      group: 'family:lim',
    });
    expect(run.tasks).toEqual([]);
  });

  it('a task definition over 64 KiB is LimitExceededException', async () => {
    const e = await error(
      baton.registerTaskDefinition({
        ...td,
        containerDefinitions: [
          { ...td.containerDefinitions[0], environment: [{ name: 'A', value: 'x'.repeat(66_000) }] },
        ],
      }),
    );
    expect(e.code).toBe('LimitExceededException');
    expect(e.message).toContain('larger than the limit of 64 KiB');
  });

  it('a 1 MB string where a list is expected is refused at once, not walked', async () => {
    const started = performance.now();
    const e = await error(baton.describeServices({ services: 'x'.repeat(1 << 20) as unknown as string[] }));
    expect(performance.now() - started).toBeLessThan(100);
    expect(e.code).toBe('LimitExceededException');
    expect(e.issues[0]).toMatchObject({ path: 'services', rule: 'quota' });
    const short = await error(baton.describeServices({ services: 'web' as unknown as string[] }));
    expect(short.code).toBe('InvalidParameterException');
    expect(short.message).toContain('services: must be a list');
  });

  it('list parameters are bounded as ECS bounds them', async () => {
    const e = await error(
      baton.describeServices({ services: Array.from({ length: 11 }, (_, i) => `s${i}`) }),
    );
    expect(e.message).toContain('services: must have at most 10 items');
    expect((await error(baton.describeTasks({ tasks: new Array(101).fill('t') }))).issues[0]?.path).toBe(
      'tasks',
    );
  });

  it('a request that is not an object is InvalidParameterException, not a TypeError', async () => {
    for (const bad of [null, 'x', 1, []]) {
      const e = await error(baton.describeTasks(bad as unknown as { tasks: string[] }));
      expect(e.code).toBe('InvalidParameterException');
    }
  });
});
