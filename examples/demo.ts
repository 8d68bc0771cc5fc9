/**
 * npm run demo — Baton running real containers on a local Docker engine:
 * a 3-replica busybox web service starts, a killed container is replaced,
 * the service scales to 5 and rolls out a new revision, then everything is
 * cleaned up. With a terminal it shows a live status table; without one (CI)
 * it prints plain progress lines. It prints the URL of a read-only web console
 * (docs/console.md) that shows the same story live; `npm run demo -- --console` waits for Enter
 * before cleaning up, so there is time to look. Exits 0 only if every step succeeded.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Baton, createBaton, createConsoleHandler, silentLogger } from 'baton-ecs';
import Docker from 'dockerode';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const endpoint = process.env.BATON_DOCKER_HOST ?? 'unix:///var/run/baton/docker.sock';
const image = process.env.BATON_TEST_IMAGE ?? 'baton-test/busybox:1';
const cluster = `demo-${randomBytes(2).toString('hex')}`;
const tty = process.stdout.isTTY === true;
const docker = new Docker({ socketPath: endpoint.replace(/^unix:\/\//, ''), timeout: 10_000 });

let failures = 0;
let status = '';
const log = (line: string) => {
  if (tty) process.stdout.write('\x1b[2K\r');
  console.log(line);
};

async function engineReady(): Promise<boolean> {
  try {
    await docker.ping();
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

async function ensureEngine(): Promise<void> {
  if (await engineReady()) return;
  log('No local Baton engine yet: provisioning one (scripts/provision.sh docker)…');
  const r = spawnSync('bash', [join(root, 'scripts/provision.sh'), 'docker'], { stdio: 'inherit' });
  if (r.status === 0 && (await engineReady())) return;
  console.error(
    `\nBaton's demo needs a Docker engine at ${endpoint} with the image ${image}, and could not start one.\n` +
      'Run `sudo bash scripts/provision.sh docker` (it installs Debian docker.io and busybox-static and\n' +
      'starts an engine of its own), then `npm run demo` again.',
  );
  process.exit(1);
}

const webRevision = (page: string) => ({
  family: 'demo-web',
  containerDefinitions: [
    {
      name: 'httpd',
      image,
      memory: 32,
      command: ['sh', '-c', `echo '${page}' > /www/index.html && exec httpd -f -p 8080 -h /www`],
      portMappings: [{ containerPort: 8080 }],
      stopTimeout: 2,
      healthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
        interval: 5,
        timeout: 2,
        retries: 2,
      },
    },
  ],
});

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function tasksOf(baton: Baton) {
  const { taskArns } = await baton.listTasks({ cluster, serviceName: 'web' });
  return (await baton.describeTasks({ cluster, tasks: taskArns })).tasks;
}

async function drawTable(baton: Baton): Promise<void> {
  const tasks = await tasksOf(baton);
  const [service] = (await baton.describeServices({ cluster, services: ['web'] })).services;
  const lines = [
    `\x1b[1m${status}\x1b[0m`,
    'TASK      REV  STATE         HEALTH     PORT',
    ...tasks.map((t) => {
      const port = t.containers[0]?.networkBindings[0]?.hostPort ?? '';
      return `${t.taskArn.split('/').pop()!.slice(0, 8)}  ${t.taskDefinitionArn.split(':').pop()!.padEnd(3)}  ${t.lastStatus.padEnd(12)}  ${t.healthStatus.padEnd(9)}  ${port}`;
    }),
    '',
    ...(service?.events.slice(0, 4).map((e) => `  ${e.message.slice(0, 110)}`) ?? []),
  ];
  process.stdout.write(`\x1b[2J\x1b[H${lines.join('\n')}\n`);
}

async function step(title: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  status = title;
  if (!tty) log(`… ${title}`);
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await done().catch(() => false)) {
      log(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  failures++;
  log(`✘ ${title}: not done after ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  await ensureEngine();
  const baton = await createBaton({
    cluster,
    engines: [{ endpoint, instanceId: 'local-engine', attributes: { 'ecs.availability-zone': 'local' } }],
    logger: silentLogger,
    agent: { settings: { imagePullBehavior: 'prefer-cached' } },
  });
  await baton.start();
  // The web console (docs/console.md), read-only, for as long as the demo runs.
  const ui = await createConsoleHandler(baton, { metricsIntervalMs: 2_000 });
  const server = createServer((req, res) => ui(req, res));
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.BATON_DEMO_CONSOLE_PORT ?? 0), '127.0.0.1', resolve),
  );
  log(`watch it live: http://127.0.0.1:${(server.address() as AddressInfo).port}/console/`);
  const table = tty ? setInterval(() => void drawTable(baton).catch(() => undefined), 300) : undefined;
  const running = async (n: number, revision?: string) => {
    const tasks = await tasksOf(baton);
    return (
      tasks.length === n &&
      tasks.every(
        (t) => t.lastStatus === 'RUNNING' && (!revision || t.taskDefinitionArn.endsWith(`:${revision}`)),
      )
    );
  };
  try {
    await baton.registerTaskDefinition(webRevision('hello from revision 1'));
    await baton.createService({ cluster, serviceName: 'web', taskDefinition: 'demo-web', desiredCount: 3 });
    await step('3 web tasks RUNNING and answering on 127.0.0.1', 60_000, async () => {
      if (!(await running(3))) return false;
      const ports = (await tasksOf(baton)).map((t) => t.containers[0]!.networkBindings[0]!.hostPort!);
      return (await Promise.all(ports.map(get))).every((b) => b === 'hello from revision 1');
    });

    const [victim] = await tasksOf(baton);
    await docker.getContainer(victim!.containers[0]!.runtimeId!).kill();
    status = 'killed a container';
    log(`  killed the container of task ${victim!.taskArn.split('/').pop()!.slice(0, 8)}`);
    await step(
      'the killed task is replaced',
      60_000,
      async () => (await running(3)) && !(await tasksOf(baton)).some((t) => t.taskArn === victim!.taskArn),
    );

    await baton.updateService({ cluster, service: 'web', desiredCount: 5 });
    await step('scaled to 5 tasks', 60_000, () => running(5));

    await baton.registerTaskDefinition(webRevision('hello from revision 2'));
    await baton.updateService({ cluster, service: 'web', taskDefinition: 'demo-web:2' });
    await step('rolled out revision 2', 120_000, async () => {
      const [s] = (await baton.describeServices({ cluster, services: ['web'] })).services;
      return (
        s!.deployments.every((d) => d.status !== 'ACTIVE') &&
        s!.deployments[0]?.rolloutState === 'COMPLETED' &&
        (await running(5, '2'))
      );
    });

    if (process.argv.includes('--console')) {
      log('the console shows the service now; press Enter to clean up and exit');
      await new Promise((resolve) => process.stdin.once('data', resolve));
      process.stdin.pause();
    }
    await baton.updateService({ cluster, service: 'web', desiredCount: 0 });
    await baton.deleteService({ cluster, service: 'web' });
    await step('cleaned up: the service drained to INACTIVE', 60_000, async () => {
      const [s] = (await baton.describeServices({ cluster, services: ['web'] })).services;
      return s?.status === 'INACTIVE';
    });
  } finally {
    if (table) clearInterval(table);
    ui.close();
    server.close();
    server.closeAllConnections();
    await baton.stop();
    for (const c of await docker.listContainers({
      all: true,
      filters: { label: [`com.baton.cluster=${cluster}`] },
    })) {
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
  log(failures === 0 ? '\nall steps succeeded' : `\n${failures} step(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
