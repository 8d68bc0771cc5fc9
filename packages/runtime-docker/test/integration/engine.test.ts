import type { ContainerAction, ContainerSpec } from '@baton-ecs/reconciler';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionExecutor, type ContainerEngine, DockerEngine, EngineError } from '../../src/index.js';
import { engine1, removeClusterContainers, requireEngine, testImage, uniqueCluster } from './harness.js';

const cluster = uniqueCluster('engine');
const engine: ContainerEngine = new DockerEngine(engine1);
const label = `com.baton.cluster=${cluster}`;
const spec = (name: string): ContainerSpec => ({
  name: `baton-${cluster}-${name}`,
  image: testImage,
  command: ['sleep', '600'],
  environment: [],
  cpuShares: 2,
  networkMode: 'bridge',
  portMappings: [],
  labels: { 'com.baton.cluster': cluster, 'com.baton.task-arn': `arn:test:${name}` },
  stopTimeoutSeconds: 1,
});
const options = { publishHostIp: '127.0.0.1' };

beforeAll(() => requireEngine(engine1), 20_000);
afterAll(() => removeClusterContainers(engine1, cluster), 20_000);

describe('DockerEngine and ActionExecutor on a real engine', () => {
  it('a repeated create (a crash before its result was recorded) finds the same container instead of a twin', async () => {
    const a = await engine.create(spec('dup'), options);
    const b = await engine.create(spec('dup'), options);
    expect(b).toBe(a);
    expect(await engine.listContainerIds(label)).toEqual([a]);
    await engine.remove(a);
    await engine.remove(a); // already gone: fine
    expect(await engine.inspect(a)).toBeUndefined();
  }, 15_000);

  it('streams container events for its label', async () => {
    // Replayed from before the create, so the test does not race the stream's connection.
    const since = Date.now() - 1000;
    const id = await engine.create(spec('ev'), options);
    await engine.start(id);
    const got = await firstValueFrom(
      engine.events(label, since).pipe(
        filter((e) => e.id === id),
        take(2),
        toArray(),
      ),
    );
    expect(got.map((e) => [e.id, e.action])).toEqual([
      [id, 'create'],
      [id, 'start'],
    ]);
    await engine.stop(id, 1);
    await engine.stop(id, 1); // already stopped: fine
  }, 15_000);

  it('runs each container’s actions one at a time and drops a repeat while one is in flight', async () => {
    const settled: string[] = [];
    const executor = new ActionExecutor(engine, {
      ...options,
      concurrency: 4,
      clock: Date.now,
      onSettled: (a, err) => settled.push(`${a.type}${err ? ' failed' : ''}`),
    });
    const id = await engine.create(spec('ex'), options);
    const start: ContainerAction = {
      type: 'StartContainer',
      taskArn: 't',
      containerName: 'ex',
      containerId: id,
      restart: false,
    };
    expect(executor.dispatch([start, start])).toBe(1);
    expect(executor.dispatch([start])).toBe(0);
    await executor.idle();
    expect(settled).toEqual(['StartContainer']);
    expect(executor.outcomes()).toMatchObject([
      { action: 'StartContainer', taskArn: 't', containerName: 'ex', ok: true },
    ]);
    const pull: ContainerAction = {
      type: 'PullImage',
      image: '127.0.0.1:1/nope:1',
      for: [{ taskArn: 't', containerName: 'ex' }],
    };
    executor.dispatch([pull]);
    await executor.idle();
    const failed = executor.outcomes().find((o) => o.action === 'PullImage');
    expect(failed).toMatchObject({ ok: false });
    expect(failed?.message).toMatch(/127\.0\.0\.1:1/);
  }, 20_000);

  it('reads what a container wrote to stdout and stderr, in order, with times', async () => {
    const before = Date.now() - 1000;
    const id = await engine.create(
      // Docker copies stdout and stderr on separate goroutines: lines written on both within a moment
      // may be stored in either order, so the writes are spaced.
      {
        ...spec('logs'),
        command: ['sh', '-c', 'echo out-1; sleep 0.2; echo err-1 >&2; sleep 0.2; echo out-2'],
      },
      options,
    );
    await engine.start(id);
    // The container's exit proves everything it will write has been written.
    await firstValueFrom(engine.events(label, before).pipe(filter((e) => e.id === id && e.action === 'die')));
    const lines = await engine.logs(id);
    expect(lines.map((l) => [l.stream, l.message])).toEqual([
      ['stdout', 'out-1'],
      ['stderr', 'err-1'],
      ['stdout', 'out-2'],
    ]);
    for (const l of lines) expect(l.time).toBeGreaterThanOrEqual(before);
    expect((await engine.logs(id, { tail: 1 })).map((l) => l.message)).toEqual(['out-2']);
    await engine.remove(id);
  }, 15_000);

  it("fails with a typed EngineError carrying the engine's status and dockerode's error as cause", async () => {
    const err = await engine.start('baton-no-such-container').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ statusCode: 404, operation: 'start' });
    expect((err as EngineError).cause).toBeInstanceOf(Error);
    const unreachable = new DockerEngine('unix:///var/run/baton/no-such-engine.sock');
    const down = await unreachable.info().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(EngineError);
    expect((down as EngineError).statusCode).toBeUndefined();
  }, 15_000);
});
