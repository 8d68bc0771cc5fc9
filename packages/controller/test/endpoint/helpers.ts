import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { ECSClient } from '@aws-sdk/client-ecs';
import { arns, defaultArnContext, type Task } from '@baton-ecs/model';
import {
  type AccessKey,
  type ApiHandlerOptions,
  type Baton,
  createBaton,
  silentLogger,
} from '../../src/index.js';

export const alice: AccessKey = {
  accessKeyId: 'AKIDALICE0000000001',
  secretAccessKey: 'alice-secret-key-0001',
};
export const bob: AccessKey = { accessKeyId: 'AKIDBOB00000000002', secretAccessKey: 'bob-secret-key-0002' };

/** A Baton with no engines: its API and controllers run, no container does. */
export async function engineLessBaton(): Promise<Baton> {
  const baton = await createBaton({ seed: 11, logger: silentLogger });
  await baton.start();
  return baton;
}

/** The handler mounted on node:http at 127.0.0.1:<free port>. */
export async function mount(
  baton: Baton,
  options: ApiHandlerOptions = { credentials: [alice, bob] },
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(baton.apiHandler({ logger: silentLogger, ...options }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function ecsClient(url: string, key: AccessKey = alice): ECSClient {
  return new ECSClient({ endpoint: url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
}

/**
 * Task records written straight to the store (standalone tasks, RUNNING as far as the store says):
 * list and describe operations read them as they read any task; no engine runs them.
 */
export async function seedTasks(
  baton: Baton,
  cluster: string,
  taskDefinitionArn: string,
  count: number,
  group = 'family:seed',
  /** The first task's number (tasks are numbered within the cluster; seed again past the last). */
  first = 0,
): Promise<string[]> {
  const tasks: Task[] = [];
  for (let i = first; i < first + count; i++) {
    const id = `${cluster}${String(i).padStart(6, '0')}`.replace(/[^a-z0-9]/gi, '').slice(-32);
    tasks.push({
      taskArn: arns.task(cluster, id, defaultArnContext),
      clusterArn: arns.cluster(cluster, defaultArnContext),
      taskDefinitionArn,
      group,
      launchType: 'EC2',
      overrides: { containerOverrides: [] },
      desiredStatus: 'RUNNING',
      lastStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      containers: [],
      tags: [],
      createdAt: Date.now(),
    } as Task);
  }
  await baton.store.commit(tasks.map((object) => ({ op: 'create' as const, kind: 'Task' as const, object })));
  return tasks.map((t) => t.taskArn);
}

export const webTaskDefinition = (family: string) => ({
  family,
  containerDefinitions: [
    {
      name: 'web',
      image: 'baton-test/busybox:1',
      memory: 32,
      command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
      portMappings: [{ containerPort: 8080, hostPort: 0 }],
    },
  ],
});

/** A client of one of the other services the endpoint speaks, with the endpoint's URL and a key. */
export function clientConfig(url: string, key: AccessKey = alice) {
  return { endpoint: url, region: 'us-east-1', credentials: key, maxAttempts: 1 };
}

/** The error a call failed with (the call must fail). */
export async function errorOf(
  p: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** A port nothing listens on right now on 127.0.0.1 (the kernel's pick, released at once). */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
