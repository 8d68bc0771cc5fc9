import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import { afterAll, beforeAll } from 'vitest';
import { docker, engine1, requireEngine, testImage, waitFor } from '../../../runtime-docker/test/support.js';
import { type Baton, type BatonOptions, createBaton, silentLogger } from '../../src/index.js';

// Engines, the test image, the Docker client, requireEngine, uniqueCluster and waitFor: the one
// shared test-support module (packages/runtime-docker/test/support.ts).
export {
  docker,
  engine1,
  engine2,
  requireEngine,
  testImage,
  uniqueCluster,
  waitFor,
} from '../../../runtime-docker/test/support.js';

/** Test-speed settings: quick heartbeats and resyncs, never pull the local test image. */
export async function testBaton(options: BatonOptions): Promise<Baton> {
  const baton = await createBaton({
    seed: 7,
    logger: process.env.BATON_TEST_LOG ? undefined : silentLogger,
    resyncMs: 2_000,
    agent: {
      heartbeatIntervalMs: 300,
      heartbeatTimeoutMs: 1_500,
      resyncIntervalMs: 2_000,
      settings: { imagePullBehavior: 'prefer-cached', taskCleanupWaitMs: 30_000 },
    },
    ...options,
  });
  await baton.start();
  return baton;
}

export interface EngineBatonOptions {
  /** Engine 1's container-instance fields beyond its endpoint and instance id `engine-1` (e.g. taskNetworkPool). */
  readonly engine?: Omit<Partial<EngineSpec>, 'endpoint'>;
  /** createBaton options over testBaton's (agent settings, dataDir…). */
  readonly baton?: Omit<BatonOptions, 'cluster' | 'engines'>;
  /** Runs after the engine check and before Baton starts: the file's fixtures. */
  readonly before?: () => Promise<void>;
  /** Runs after Baton stopped and the cluster's containers are removed: the file's own leftovers. */
  readonly cleanup?: () => Promise<void>;
}

/** The file's Baton (calls go to the one running now), and a way to replace it with a new one. */
export type EngineBaton = Baton & {
  /** Stops this Baton and starts another with the same options (the same store with a dataDir). */
  restart(): Promise<void>;
};

/**
 * The setup every single-engine e2e file shares: in beforeAll, fail clearly without engine 1, then
 * start a test-speed Baton with engine 1 as its one instance in `cluster`; in afterAll, stop it,
 * remove the cluster's containers from the engine and run `cleanup`. Call at the top of the file.
 */
export function batonOnEngine1(cluster: string, options: EngineBatonOptions = {}): EngineBaton {
  let current: Baton | undefined;
  const start = () =>
    testBaton({
      ...options.baton,
      cluster,
      engines: [{ ...options.engine, endpoint: engine1, instanceId: 'engine-1' }],
    });
  beforeAll(async () => {
    await requireEngine(engine1);
    await options.before?.();
    current = await start();
  }, 60_000);
  afterAll(async () => {
    await current?.stop();
    await removeClusterContainers(engine1, cluster);
    await options.cleanup?.();
  }, 60_000);
  const restart = async () => {
    await current?.stop();
    current = undefined;
    current = await start();
  };
  return new Proxy({} as EngineBaton, {
    get(_, prop) {
      if (prop === 'restart') return restart;
      if (!current) throw new Error(`the e2e Baton of ${cluster} is not running (used outside its tests?)`);
      const value = Reflect.get(current, prop, current) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}

/** A busybox httpd web service task definition (ECS JSON). */
export function httpdTaskDefinition(
  family: string,
  options: { healthCheck?: boolean; command?: string[]; page?: string } = {},
) {
  return {
    family,
    containerDefinitions: [
      {
        name: 'httpd',
        image: testImage,
        memory: 32,
        command: options.command ?? ['httpd', '-f', '-p', '8080', '-h', '/www'],
        portMappings: [{ containerPort: 8080 }],
        stopTimeout: 2,
        ...(options.healthCheck
          ? {
              healthCheck: {
                command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
                interval: 5,
                timeout: 2,
                retries: 2,
              },
            }
          : {}),
      },
    ],
  };
}

/** GET http://127.0.0.1:port/ → status code. */
export function httpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The service's tasks with desiredStatus RUNNING. */
export async function liveTasks(baton: Baton, cluster: string, service: string) {
  const { taskArns } = await baton.listTasks({ cluster, serviceName: service });
  return (await baton.describeTasks({ cluster, tasks: taskArns })).tasks;
}

/** Containers of a cluster on an engine (by Baton's labels). */
export async function clusterContainers(endpoint: string, cluster: string, all = false) {
  return docker(endpoint).listContainers({ all, filters: { label: [`com.baton.cluster=${cluster}`] } });
}

/**
 * Removes every container of a cluster on an engine (a test's cleanup). A container the engine is
 * already removing (409, "removal … already in progress": Baton's agent got there first) or has removed
 * (404) is fine; the call returns once none is left.
 */
export async function removeClusterContainers(endpoint: string, cluster: string): Promise<void> {
  for (const c of await clusterContainers(endpoint, cluster, true)) {
    await docker(endpoint)
      .getContainer(c.Id)
      .remove({ force: true })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
      });
  }
  await waitFor('the cluster’s containers removed', 30_000, async () =>
    (await clusterContainers(endpoint, cluster, true)).length === 0 ? true : undefined,
  );
}

const engineScriptPath = fileURLToPath(new URL('../../../../scripts/docker-engine.sh', import.meta.url));

/** scripts/docker-engine.sh COMMAND N: an engine of the test's own (needs root, as CI runs). */
export async function engineScript(command: 'start' | 'stop' | 'destroy', n: number): Promise<void> {
  await promisify(execFile)('bash', [engineScriptPath, command, String(n)], { timeout: 90_000 }).catch(
    (err: Error & { stderr?: string }) => {
      throw new Error(
        `scripts/docker-engine.sh ${command} ${n} failed (needs root): ${err.stderr ?? err.message}`,
      );
    },
  );
}

/** Runs `cmd` in a running container; resolves its exit code and output (stdout and stderr together). */
export async function execIn(
  endpoint: string,
  containerId: string,
  cmd: string[],
): Promise<{ exitCode: number; output: string }> {
  const d = docker(endpoint);
  const exec = await d.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const sink = { write: (c: Buffer) => chunks.push(c) } as unknown as NodeJS.WritableStream;
  d.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString() };
}

/** Runs one task and waits until it is RUNNING; resolves it. */
export async function runTaskUntilRunning(
  baton: Baton,
  cluster: string,
  taskDefinition: string,
  timeoutMs = 30_000,
) {
  const { tasks } = await baton.runTask({ cluster, taskDefinition });
  const arn = tasks[0]?.taskArn;
  if (!arn) throw new Error(`runTask ${taskDefinition} placed no task`);
  return waitFor(`task ${taskDefinition} RUNNING`, timeoutMs, async () => {
    const [t] = (await baton.describeTasks({ cluster, tasks: [arn] })).tasks;
    if (t?.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
    return t?.lastStatus === 'RUNNING' ? t : undefined;
  });
}

/** The engine id of a task's container. */
export function containerIdOf(
  task: { containers: readonly { name: string; runtimeId?: string }[] },
  name: string,
) {
  const id = task.containers.find((c) => c.name === name)?.runtimeId;
  if (!id) throw new Error(`task has no engine container ${name}`);
  return id;
}

/** Stops a task and waits until it is STOPPED; resolves it. */
export async function stopTaskUntilStopped(
  baton: Baton,
  cluster: string,
  taskArn: string,
  timeoutMs = 30_000,
) {
  await baton.stopTask({ cluster, task: taskArn });
  return waitFor('task STOPPED', timeoutMs, async () => {
    const [t] = (await baton.describeTasks({ cluster, tasks: [taskArn] })).tasks;
    return t?.lastStatus === 'STOPPED' ? t : undefined;
  });
}

const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ServeProcess {
  /** From the one stdout line `Baton listening on <url>`. */
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends `signal` and resolves with the exit code. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** `baton serve ARGS` as a child process (from source, with tsx); resolves once it says it is listening. */
export async function spawnServe(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, 'serve', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton serve did not start within 60 s; stderr:\n${err}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Baton listening on (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`baton serve exited with ${code} before listening; stderr:\n${err}`));
    });
  });
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `baton serve ARGS` expected to refuse: its exit code and stderr. */
export async function serveRefusal(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', cliPath, 'serve', ...args], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  }).then(
    (ok) => ({ code: 0, stderr: ok.stderr }),
    (e: Error & { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
  );
  return r;
}

/** `baton ARGS` (a client verb, from source) run to completion: its exit code, stdout and stderr. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', cliPath, ...args], {
    env: { ...process.env, ...env },
    timeout: timeoutMs,
  }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (e: Error & { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? e.message,
    }),
  );
}

/** The htpasswd registry scripts/registry-instance.sh starts (provisioned for e2e tests), and its login. */
export const testRegistry = {
  address: process.env.BATON_REGISTRY_ADDR ?? '127.0.0.1:5000',
  username: process.env.BATON_REGISTRY_USER ?? 'baton',
  password: process.env.BATON_REGISTRY_PASSWORD ?? 'baton-registry-test',
};

/**
 * Pushes a new image to `repository:tag` on the test registry (the test image with `marker` in
 * /www/version, committed on engine 1), removes it from the engine so Baton must pull it, and
 * returns its digest. Pushing again under the same tag moves the tag.
 */
export async function pushImageVersion(repository: string, tag: string, marker: string): Promise<string> {
  const d = docker(engine1);
  const c = await d.createContainer({ Image: testImage, Cmd: ['sh', '-c', `echo ${marker} > /www/version`] });
  await c.start();
  await c.wait();
  await c.commit({ repo: repository, tag });
  await c.remove();
  const ref = `${repository}:${tag}`;
  const { address, username, password } = testRegistry;
  const stream = await d.getImage(ref).push({ authconfig: { username, password, serveraddress: address } });
  const output = await new Promise<{ aux?: { Digest?: string }; error?: string }[]>((resolve, reject) =>
    d.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
      err ? reject(err) : resolve(out as never),
    ),
  );
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(`docker push ${ref} failed: ${failed.error} (is the test registry up?)`);
  const digest = output.find((o) => o.aux?.Digest)?.aux?.Digest;
  if (!digest) throw new Error(`docker push ${ref} reported no digest`);
  await d.getImage(ref).remove({ force: true });
  return digest;
}
