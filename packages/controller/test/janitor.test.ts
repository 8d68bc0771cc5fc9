import { type Task, Task as TaskSchema } from '@baton-ecs/model';
import { batonKinds, createMemoryStore } from '@baton-ecs/store';
import { describe, expect, it } from 'vitest';
import { Informer, ManualClock, waitForCache } from '../src/index.js';
import { StoppedTaskJanitor } from '../src/janitor.js';
import { breakableWatches } from './support/store-faults.js';

/*
 * Planted bugs these tests were checked to catch: deleting without `ifVersion` (a task changed since
 * the sweep read it is deleted); `<` for `<=` at the retention boundary (deleted a minute early).
 */
const minute = 60_000;
/** Timestamps are epoch ms (small numbers read as seconds, as ECS JSON's): start at a real date. */
const t0 = Date.UTC(2024, 0, 1);
const task = (id: string, patch: Partial<Task> = {}): Task =>
  TaskSchema.parse({
    taskArn: `arn:aws:ecs:local:000000000000:task/janitor/${id}`,
    clusterArn: 'arn:aws:ecs:local:000000000000:cluster/janitor',
    taskDefinitionArn: 'arn:aws:ecs:local:000000000000:task-definition/web:1',
    ...patch,
  });
const arn = (id: string) => task(id).taskArn;

/** A janitor with a one-hour retention over a memory store, on a manual clock at t0. */
async function setup() {
  const clock = new ManualClock(t0);
  const real = await createMemoryStore({ kinds: batonKinds, clock: () => clock.now() });
  const faults = breakableWatches(real);
  const tasks = new Informer(faults.store, 'Task', clock);
  tasks.start();
  await tasks.synced;
  const janitor = new StoppedTaskJanitor({ tasks, clock, retentionMs: 60 * minute });
  const cached = (holds: () => boolean) => waitForCache(tasks, holds, { timeoutMs: 10_000 });
  return { clock, real, faults, tasks, janitor, cached };
}

/** A sweep ends by setting the next one's timer: resolves once it has (a sweep is a few store calls). */
async function sweepDone(clock: ManualClock): Promise<void> {
  for (let i = 0; i < 1_000 && clock.pendingTimers === 0; i++) await new Promise((r) => setImmediate(r));
  expect(clock.pendingTimers).toBe(1);
}

describe('StoppedTaskJanitor: STOPPED tasks stay visible for the retention, then go', () => {
  it('a sweep deletes exactly the STOPPED tasks stopped longer ago than the retention', async () => {
    const { clock, real, tasks, janitor, cached } = await setup();
    await real.create(
      'Task',
      task('old', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: t0 }),
    );
    await real.create(
      'Task',
      task('young', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: t0 + 30 * minute }),
    );
    await real.create('Task', task('running', { lastStatus: 'RUNNING' }));
    // Stopping but not STOPPED yet (its containers are still being stopped): never deleted.
    await real.create('Task', task('stopping', { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED' }));
    await cached(() => tasks.size === 4);

    clock.advance(60 * minute); // exactly the retention: still visible
    expect(await janitor.sweep(real)).toBe(0);
    clock.advance(1);
    expect(await janitor.sweep(real)).toBe(1);
    expect(await real.get('Task', arn('old'))).toBeUndefined();
    const left = (await real.list('Task')).items.map((e) => e.key).sort();
    expect(left).toEqual([arn('running'), arn('stopping'), arn('young')].sort());

    clock.advance(30 * minute);
    await cached(() => tasks.get(arn('old')) === undefined);
    expect(await janitor.sweep(real)).toBe(1);
    expect(await real.get('Task', arn('young'))).toBeUndefined();
  });

  it('leaves a task that changed since the cache read it for the next sweep (compare-and-set)', async () => {
    const { clock, real, faults, tasks, janitor, cached } = await setup();
    await real.create('Task', task('t', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: t0 }));
    await cached(() => tasks.size === 1);
    faults.breakWatches(); // the cache stays at the version it read
    await real.update('Task', arn('t'), (t) => {
      t.tags = [{ key: 'late', value: 'write' }];
    });
    clock.advance(61 * minute);
    expect(await janitor.sweep(real)).toBe(0);
    expect((await real.get('Task', arn('t')))?.object.tags).toEqual([{ key: 'late', value: 'write' }]);

    clock.advance(200); // the informer resumes and sees the late write
    const current = (await real.get('Task', arn('t')))!.version;
    await cached(() => tasks.get(arn('t'))?.version === current);
    expect(await janitor.sweep(real)).toBe(1);
    expect(await real.get('Task', arn('t'))).toBeUndefined();
  });

  it('sweeps on Baton’s clock every min(1 min, retention) while started, and sets no timer once stopped', async () => {
    const { clock, real, tasks, janitor, cached } = await setup();
    const stop = janitor.start(real);
    expect(clock.pendingTimers).toBe(1);
    await real.create('Task', task('t', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: t0 }));
    await cached(() => tasks.size === 1);

    // Every sweep before minute 61 finds it within its retention; the sweep at minute 61 deletes it.
    for (let m = 1; m <= 60; m++) {
      expect(clock.advance(minute)).toBe(1);
      await sweepDone(clock);
    }
    expect(tasks.get(arn('t'))).toBeDefined();
    clock.advance(minute);
    expect(await cached(() => tasks.get(arn('t')) === undefined)).toBe(true);

    stop();
    expect(clock.pendingTimers).toBe(0);
    await real.create('Task', task('u', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: t0 }));
    await cached(() => tasks.size === 1);
    expect(clock.advance(10 * minute)).toBe(0); // no sweep fires: u stays
    expect(await real.get('Task', arn('u'))).toBeDefined();
    tasks.stop();
  });
});
