/**
 * npm run demo:simulated — Baton's decisions on a simulated cluster (no Docker needed):
 * a 3-replica service starts, survives a crash, scales, rolls out a new
 * revision, and a broken revision trips the circuit breaker and rolls back.
 * Exits 0 only if every step did what it should.
 */
import { Simulation } from '@baton-ecs/testing';

const interactive = process.stdout.isTTY === true;
const sim = new Simulation({
  seed: 2024,
  instances: [
    { id: 'engine-a', zone: 'zone-1', cpu: 4096, memory: 8192 },
    { id: 'engine-b', zone: 'zone-2', cpu: 4096, memory: 8192 },
    { id: 'engine-c', zone: 'zone-3', cpu: 4096, memory: 8192 },
  ],
});

const web = (tag: string) => ({
  family: 'web',
  containerDefinitions: [
    {
      name: 'httpd',
      image: `busybox:${tag}`,
      memory: 128,
      command: ['httpd', '-f', '-p', '8080'],
      portMappings: [{ containerPort: 8080, hostPort: 0 }],
      healthCheck: {
        command: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:8080/ || exit 1'],
        interval: 5,
        retries: 2,
      },
    },
  ],
});

let failures = 0;
function step(title: string, ok: boolean): void {
  console.log(`${ok ? '✔' : '✘'} ${title}`);
  if (!ok) failures++;
}

function table(): void {
  const rows = sim.tasks('web').map((t) => ({
    task: t.taskArn.split('/').pop()!.slice(0, 8),
    revision: t.taskDefinitionArn.split(':').pop(),
    instance: t.containerInstanceArn?.split('/').pop(),
    zone: t.availabilityZone,
    status: t.lastStatus,
    desired: t.desiredStatus,
    health: t.healthStatus,
  }));
  if (interactive) console.table(rows);
  else for (const r of rows) console.log(`  ${Object.values(r).join('  ')}`);
}

function latestEvents(n = 3): void {
  for (const e of sim.events('web').slice(0, n)) console.log(`    event: ${e}`);
}

await sim.registerTaskDefinition(web('1.36'));
await sim.createService({
  serviceName: 'web',
  taskDefinition: 'web',
  desiredCount: 3,
  deploymentConfiguration: {
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    deploymentCircuitBreaker: { enable: true, rollback: true },
  },
});
step('a 3-replica service reaches a steady state', await sim.runUntilSteady('web', 5 * 60_000));
table();
latestEvents();

const victim = sim.tasks('web')[0]!;
await sim.killTask(victim.taskArn);
step(
  'a crashed task is replaced',
  await sim.runUntil(
    (s) => s.healthyTasks('web').length === 3 && !s.tasks('web').some((t) => t.taskArn === victim.taskArn),
    5 * 60_000,
  ),
);
latestEvents(2);

await sim.updateService('web', { desiredCount: 5 });
step('scaled to 5', await sim.runUntil((s) => s.healthyTasks('web').length === 5, 5 * 60_000));

let fewest = Infinity;
const off = sim.onStep((s) => {
  fewest = Math.min(fewest, s.healthyTasks('web').length);
});
await sim.registerTaskDefinition(web('1.37'));
await sim.updateService('web', { taskDefinition: 'web:2' });
step('rolled out revision 2', await sim.runUntilSteady('web', 10 * 60_000));
step(`never fewer than 5 healthy tasks during the rollout (fewest: ${fewest})`, fewest >= 5);
off();
table();

sim.setBehaviour('web:3', { exitAfterMs: 2_000, exitCode: 1 });
await sim.registerTaskDefinition(web('broken'));
await sim.updateService('web', { taskDefinition: 'web:3' });
step(
  'a crashing revision trips the circuit breaker',
  await sim.runUntil((s) => s.events('web').some((m) => m.includes('rolling back')), 30 * 60_000),
);
latestEvents(3);
step(
  'and the service rolls back to revision 2',
  (await sim.runUntilSteady('web', 10 * 60_000)) &&
    sim.tasks('web').every((t) => t.taskDefinitionArn.endsWith(':2')),
);
table();

console.log(failures === 0 ? '\nall steps succeeded' : `\n${failures} step(s) failed`);
process.exit(failures === 0 ? 0 : 1);
