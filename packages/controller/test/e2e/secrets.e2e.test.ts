import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton, LogRecord, ServiceEventNotice } from '../../src/index.js';
import {
  clusterContainers,
  containerIdOf,
  docker,
  engine1,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('e2e-secrets');
const dir = mkdtempSync(join(tmpdir(), 'baton-e2e-secrets-'));
// Values that appear nowhere else, so any leak is found by a plain substring search.
const token = `tok-${randomBytes(12).toString('hex')}`;
const dbPassword = `pw-${randomBytes(12).toString('hex')}`;
const fileValue = `envfile-${randomBytes(8).toString('hex')}`;
const values = [token, dbPassword, fileValue];
const logs: LogRecord[] = [];
const events: ServiceEventNotice[] = [];
let baton: Baton;

const md5 = (s: string) => createHash('md5').update(s).digest('hex').slice(0, 8);

beforeAll(async () => {
  await requireEngine(engine1);
  writeFileSync(join(dir, 'app.env'), `# app settings\nFROM_FILE=${fileValue}\nPLAIN=from-file\n`);
  baton = await testBaton({
    cluster,
    engines: [{ endpoint: engine1, instanceId: 'engine-1' }],
    logger: (r) => {
      logs.push(r);
    },
    secrets: { encryptionKey: randomBytes(32), fileRoots: [dir] },
  });
  baton.serviceEvents$.subscribe((e) => events.push(e));
  await baton.secrets.putParameter({ Name: '/e2e/token', Value: token, Type: 'SecureString' });
  await baton.secrets.createSecret({
    Name: 'e2e-db',
    SecretString: JSON.stringify({ password: dbPassword }),
  });
}, 60_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  rmSync(dir, { recursive: true, force: true });
});

/** The container's output so far (stdout and stderr). */
async function containerOutput(id: string): Promise<string> {
  const buf = (await docker(engine1).getContainer(id).logs({ stdout: true, stderr: true })) as Buffer;
  return buf.toString('latin1');
}

describe('secrets and environment files on a real engine', () => {
  it('injects a secret, a JSON key of a secret and an env file, and writes none of them anywhere else', async () => {
    const {
      taskDefinition: { taskDefinitionArn },
    } = await baton.registerTaskDefinition({
      family: `${cluster}-app`,
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          environment: [{ name: 'PLAIN', value: 'from-definition' }],
          environmentFiles: [{ value: `file://${join(dir, 'app.env')}`, type: 's3' }],
          secrets: [
            { name: 'TOKEN', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/e2e/token' },
            {
              name: 'DB_PASSWORD',
              valueFrom: 'arn:aws:secretsmanager:local:000000000000:secret:e2e-db:password::',
            },
          ],
          // Derived values only: the length and a hash prove the value arrived without printing it.
          command: [
            'sh',
            '-c',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, expanded in the container
            'echo "token=${#TOKEN}:$(printf %s "$TOKEN" | md5sum | cut -c1-8) db=$(printf %s "$DB_PASSWORD" | md5sum | cut -c1-8) file=$(printf %s "$FROM_FILE" | md5sum | cut -c1-8) plain=$PLAIN region=$AWS_REGION"; sleep 300',
          ],
        },
      ],
    });
    await baton.createService({
      cluster,
      serviceName: 'app',
      taskDefinition: taskDefinitionArn!,
      desiredCount: 1,
    });
    const task = await waitFor('the app task RUNNING', 60_000, async () => {
      const { taskArns } = await baton.listTasks({ cluster, serviceName: 'app' });
      const [t] = (await baton.describeTasks({ cluster, tasks: taskArns })).tasks;
      return t?.lastStatus === 'RUNNING' ? t : undefined;
    });
    const id = containerIdOf(task, 'app');
    const line = await waitFor(
      'the container to print',
      15_000,
      async () => (await containerOutput(id)).match(/token=.*/)?.[0],
    );
    expect(line).toBe(
      `token=${token.length}:${md5(token)} db=${md5(dbPassword)} file=${md5(fileValue)} plain=from-definition region=local`,
    );

    // The moment has passed: the container ran with the values. Now look everywhere Baton writes.
    const where: Record<string, string> = {
      logs: JSON.stringify(logs),
      events: JSON.stringify(events),
      serviceEvents: JSON.stringify((await baton.describeServices({ cluster, services: ['app'] })).services),
      describeTasks: JSON.stringify(await baton.describeTasks({ cluster, tasks: [task.taskArn] })),
      describeTaskDefinition: JSON.stringify(
        await baton.describeTaskDefinition({ taskDefinition: taskDefinitionArn! }),
      ),
      storedTask: JSON.stringify(await baton.store.get('Task', task.taskArn)),
      storedParameter: JSON.stringify(await baton.store.get('Parameter', '/e2e/token')),
      storedSecret: JSON.stringify(await baton.store.get('Secret', 'e2e-db')),
    };
    expect(logs.some((r) => r.msg === 'container action')).toBe(true);
    expect(where.describeTasks).toContain('"lastStatus":"RUNNING"');
    for (const [place, text] of Object.entries(where))
      for (const v of values) expect(text.includes(v), `${place} contains a secret value`).toBe(false);
    // The references themselves are kept, as on ECS.
    expect(where.describeTaskDefinition).toContain('arn:aws:ssm:us-east-1:123456789012:parameter/e2e/token');

    await baton.updateService({ cluster, service: 'app', desiredCount: 0 });
  }, 90_000);

  it("fails a task whose secret is missing with ECS's stopped reason, and the service says why", async () => {
    const {
      taskDefinition: { taskDefinitionArn },
    } = await baton.registerTaskDefinition({
      family: `${cluster}-missing`,
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 32,
          command: ['sleep', '300'],
          secrets: [{ name: 'NOPE', valueFrom: '/e2e/does-not-exist' }],
        },
      ],
    });
    const reason =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: invalid parameters: /e2e/does-not-exist';
    const { tasks } = await baton.runTask({ cluster, taskDefinition: taskDefinitionArn! });
    const stopped = await waitFor('the task STOPPED', 30_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [tasks[0]!.taskArn] })).tasks;
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(stopped.stopCode).toBe('TaskFailedToStart');
    expect(stopped.stoppedReason).toBe(reason);
    // Nothing was created for it on the engine.
    const created = await clusterContainers(engine1, cluster, true);
    expect(created.filter((c) => c.Labels['com.baton.task-arn'] === stopped.taskArn)).toEqual([]);

    await baton.createService({
      cluster,
      serviceName: 'missing',
      taskDefinition: taskDefinitionArn!,
      desiredCount: 1,
    });
    const event = await waitFor('a service event with the reason', 45_000, () =>
      events.find(
        (e) => e.serviceName === 'missing' && e.event.message.includes('ResourceInitializationError'),
      ),
    );
    expect(event.event.message).toContain('invalid parameters: /e2e/does-not-exist');
    await baton.updateService({ cluster, service: 'missing', desiredCount: 0 });
    // Baton carried on: the API still answers and the agent is connected.
    expect((await baton.describeClusters({ clusters: [cluster] })).clusters[0]?.status).toBe('ACTIVE');
  }, 90_000);
});
