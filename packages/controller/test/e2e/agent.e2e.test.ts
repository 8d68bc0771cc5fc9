import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  clusterContainers,
  containerIdOf,
  docker,
  engineScript,
  execIn,
  httpdTaskDefinition,
  liveTasks,
  runTaskUntilRunning,
  stopTaskUntilStopped,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';
import {
  type AgentProcess,
  agentRefusal,
  freePort,
  holdMultihostEngines,
  newPki,
  type Pki,
  pushTestImage,
  rootPassword,
  SecureEtcd,
  spawnAgent,
  testRegistry,
} from './multihost-harness.js';

// Engine 7 belongs to this file alone; etcd is the test's own (TLS, client certificates, auth).
const endpoint7 = 'unix:///var/run/baton/docker-7.sock';
const cluster = uniqueCluster('mh-agent');
const prefix = `/baton/${cluster}`;

let pki: Pki;
let etcd: SecureEtcd;
let baton: Baton;
let agent: AgentProcess | undefined;
const stateDir = mkdtempSync(join(tmpdir(), 'baton-mh-agent-'));
// What the agent resolves on its host: file:// secrets under secretsDir, the local stores with the
// control plane's key (BATON_SECRETS_KEY), images of the test registry pinned with config.json's login.
const secretsDir = join(stateDir, 'secrets');
const secretsKey = randomBytes(32).toString('hex');
const dockerConfig = join(stateDir, 'docker-config.json');
const agentEnv = { BATON_SECRETS_KEY: secretsKey };

const agentArgs = () => [
  ...etcd.agentFlags(),
  '--cluster',
  cluster,
  '--engine',
  endpoint7,
  '--state-dir',
  stateDir,
  '--attribute',
  'ecs.availability-zone=zone-7',
  '--lease',
  '3s',
  '--secrets-file-root',
  secretsDir,
  '--registry',
  testRegistry.address,
  '--registry-config',
  dockerConfig,
  '--metrics-port',
  String(metricsPort),
];
let metricsPort = 0;

let releaseEngines: (() => void) | undefined;

beforeAll(async () => {
  releaseEngines = await holdMultihostEngines();
  metricsPort = await freePort();
  pki = newPki();
  etcd = await SecureEtcd.start(pki);
  await engineScript('destroy', 7);
  await engineScript('start', 7);
  await etcd.enableAuth(prefix);
  mkdirSync(secretsDir);
  const login = Buffer.from(`${testRegistry.username}:${testRegistry.password}`).toString('base64');
  writeFileSync(dockerConfig, JSON.stringify({ auths: { [testRegistry.address]: { auth: login } } }));
  // The control plane (root) creates the store and the cluster before agents may join.
  baton = await testBaton({
    cluster,
    store: etcd.store(prefix),
    leaderElection: { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 },
    instanceLostAfterMs: 60_000,
    secrets: { encryptionKey: secretsKey },
  });
}, 300_000);

afterAll(async () => {
  try {
    await agent?.stop('SIGKILL');
    await baton?.stop();
    await engineScript('destroy', 7);
    await etcd?.destroy();
    rmSync(stateDir, { recursive: true, force: true });
    if (pki) rmSync(pki.ca.dir, { recursive: true, force: true });
  } finally {
    releaseEngines?.();
  }
}, 60_000);

const instanceOf = async (arn: string) =>
  (await baton.describeContainerInstances({ cluster, containerInstances: [arn] })).containerInstances[0];

describe('baton agent: a host joined through etcd (TLS, etcd auth)', { timeout: 60_000 }, () => {
  it('registers its engine as a container instance with resources and attributes, and keeps its identity', async () => {
    agent = await spawnAgent(agentArgs(), agentEnv);
    const saved = JSON.parse(readFileSync(join(stateDir, 'instance.json'), 'utf8')) as { instanceId: string };
    expect(agent.instanceArn).toMatch(new RegExp(`container-instance/${cluster}/${saved.instanceId}$`));
    const instance = await waitFor('the instance registered', 20_000, async () => {
      const i = await instanceOf(agent!.instanceArn);
      return i?.agentConnected ? i : undefined;
    });
    expect(instance.status).toBe('ACTIVE');
    expect(instance.registeredResources.find((r) => r.name === 'CPU')?.integerValue).toBeGreaterThanOrEqual(
      1024,
    );
    expect(instance.attributes).toContainEqual({ name: 'ecs.availability-zone', value: 'zone-7' });
    // The control plane runs no agent of its own for it: the agent's lock is held by the agent.
    expect(baton.agent(agent.instanceArn)).toBeUndefined();
  });

  it('runs the tasks placed on its instance and reports their status', async () => {
    await baton.registerTaskDefinition(httpdTaskDefinition('web', { healthCheck: true }));
    await baton.createService({ cluster, serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
    await waitFor('2 RUNNING tasks', 40_000, async () => {
      const running = (await liveTasks(baton, cluster, 'web')).filter((t) => t.lastStatus === 'RUNNING');
      return running.length === 2 && running.every((t) => t.containerInstanceArn === agent!.instanceArn);
    });
    expect(await clusterContainers(endpoint7, cluster)).toHaveLength(2);
    // Its passes are counted on its own /metrics (127.0.0.1 only): they started those two containers.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const passes = /^baton_reconcile_total\{controller="task-agent",result="success"\} (\d+)$/m.exec(metrics);
    expect(Number(passes?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^baton_reconcile_time_seconds_count\{controller="task-agent"\} \d+$/m);
  });

  it('killed and restarted: the same instance, its containers adopted, no duplicates', async () => {
    const before = (await clusterContainers(endpoint7, cluster)).map((c) => c.Id).sort();
    const tasksBefore = (await liveTasks(baton, cluster, 'web')).map((t) => t.taskArn).sort();
    await agent!.stop('SIGKILL');
    // The lease expires (3 s) and the control plane marks the agent disconnected; containers keep running.
    await waitFor(
      'the instance disconnected',
      20_000,
      async () => (await instanceOf(agent!.instanceArn))?.agentConnected === false,
    );
    expect((await clusterContainers(endpoint7, cluster)).map((c) => c.Id).sort()).toEqual(before);

    const arn = agent!.instanceArn;
    agent = await spawnAgent(agentArgs(), agentEnv);
    expect(agent.instanceArn).toBe(arn);
    await waitFor(
      'the instance connected again',
      20_000,
      async () => (await instanceOf(arn))?.agentConnected === true,
    );
    // A full pass of the new agent has happened once it reported the instance's task counts again.
    await waitFor(
      'the agent has reconciled',
      20_000,
      async () => (await instanceOf(arn))?.runningTasksCount === 2,
    );
    expect((await clusterContainers(endpoint7, cluster, true)).map((c) => c.Id).sort()).toEqual(before);
    const tasksAfter = await liveTasks(baton, cluster, 'web');
    expect(tasksAfter.map((t) => t.taskArn).sort()).toEqual(tasksBefore);
    expect(tasksAfter.every((t) => t.lastStatus === 'RUNNING')).toBe(true);
  });

  it("resolves a task's secrets on its own host and pins its image by digest; the values reach only the container", async () => {
    const ssmValue = `ssm-${randomBytes(8).toString('hex')}`;
    const fileValue = `file-${randomBytes(8).toString('hex')}`;
    await baton.secrets.putParameter({ Name: '/mh/db-password', Value: ssmValue, Type: 'SecureString' });
    writeFileSync(join(secretsDir, 'token'), `${fileValue}\n`);
    const repository = `${testRegistry.address}/baton-e2e/mh-${randomBytes(3).toString('hex')}`;
    const digest = await pushTestImage(docker(endpoint7), testImage, repository, 'stable', 'mh');
    await baton.registerTaskDefinition({
      family: 'secretive',
      containerDefinitions: [
        {
          name: 'app',
          image: `${repository}:stable`,
          memory: 32,
          stopTimeout: 1,
          command: ['sleep', '300'],
          secrets: [
            { name: 'DB_PASSWORD', valueFrom: '/mh/db-password' },
            { name: 'TOKEN', valueFrom: `file://${join(secretsDir, 'token')}` },
          ],
        },
      ],
    });
    const task = await runTaskUntilRunning(baton, cluster, 'secretive', 60_000);
    expect(task.containerInstanceArn).toBe(agent!.instanceArn);
    // Pinned: the agent resolved the tag on the registry with config.json's login, pulled by digest.
    expect(task.containers[0]!.imageDigest).toBe(digest);
    const id = containerIdOf(task, 'app');
    expect((await docker(endpoint7).getContainer(id).inspect()).Config.Image).toBe(`${repository}@${digest}`);
    const env = await execIn(endpoint7, id, ['sh', '-c', 'printf "%s|%s" "$DB_PASSWORD" "$TOKEN"']);
    expect(env).toEqual({ exitCode: 0, output: `${ssmValue}|${fileValue}` });

    // The container has run with the values: now look at every record in the cluster's store and at
    // everything the agent logged.
    const asRoot = new Etcd3({
      hosts: etcd.endpoint,
      credentials: {
        rootCertificate: readFileSync(pki.ca.ca),
        certChain: readFileSync(pki.control.cert),
        privateKey: readFileSync(pki.control.key),
      },
      auth: { username: 'root', password: rootPassword },
    });
    try {
      const records = JSON.stringify(await asRoot.getAll().prefix(`${prefix}/`).strings());
      expect(records).toContain(task.taskArn);
      expect(records).toContain('/mh/db-password');
      for (const value of [ssmValue, fileValue]) {
        expect(records.includes(value), 'a stored record holds a secret value').toBe(false);
        expect(agent!.stderr().includes(value), "the agent's log holds a secret value").toBe(false);
      }
    } finally {
      asRoot.close();
    }
    await stopTaskUntilStopped(baton, cluster, task.taskArn);
  });

  it("the agent's etcd user may write tasks and instances but not services or task definitions", async () => {
    const asAgent = new Etcd3({
      hosts: etcd.endpoint,
      credentials: {
        rootCertificate: readFileSync(pki.ca.ca),
        certChain: readFileSync(pki.agent.cert),
        privateKey: readFileSync(pki.agent.key),
      },
    });
    try {
      await expect(asAgent.put(`${prefix}/k/Service/o/intruder`).value('{}')).rejects.toThrow(
        /permission denied/,
      );
      await expect(asAgent.put(`${prefix}/meta`).value('{}')).rejects.toThrow(/permission denied/);
      expect(await asAgent.get(`${prefix}/meta`).string()).toBeTruthy();
    } finally {
      asAgent.close();
    }
  });

  it('refuses to start on an engine it must not use (plain TCP beyond loopback), naming why', async () => {
    const r = await agentRefusal([
      ...etcd.agentFlags(),
      '--cluster',
      cluster,
      '--engine',
      'tcp://10.255.0.1:2375',
      '--state-dir',
      join(stateDir, 'other'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing plain tcp:\/\/ to 10\.255\.0\.1/);
  });
});
