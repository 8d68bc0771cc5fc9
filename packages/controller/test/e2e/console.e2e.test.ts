import { join } from 'node:path';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, buildConsoleUi, launchBrowser } from './browser.js';
import {
  engine1,
  removeClusterContainers,
  requireEngine,
  type ServeProcess,
  spawnServe,
  testImage,
  uniqueCluster,
} from './harness.js';

const cluster = uniqueCluster('console');
const key = { accessKeyId: 'AKIDCONSOLE000000001', secretAccessKey: 'console-secret-never-shown' };
let serve: ServeProcess;
let ecs: ECSClient;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;
let page: Page;

const service = (name: string) => page.locator(`[data-service="${name}"]`);
const shot = (name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });

async function desiredOf(name: string): Promise<number | undefined> {
  const r = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  return r.services?.[0]?.desiredCount;
}

beforeAll(async () => {
  await requireEngine(engine1);
  await buildConsoleUi();
  browser = await launchBrowser();
  context = browser.context;
  serve = await spawnServe(['--port', '0', '--engine', engine1, '--cluster', cluster], {
    BATON_ACCESS_KEY_ID: key.accessKeyId,
    BATON_SECRET_ACCESS_KEY: key.secretAccessKey,
  });
  // Retries cover a keep-alive socket the server closed between two calls (socket hang up).
  ecs = new ECSClient({ endpoint: serve.url, region: 'us-east-1', credentials: key, maxAttempts: 3 });
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${cluster}-web`,
      containerDefinitions: [
        {
          name: 'httpd',
          image: testImage,
          memory: 32,
          cpu: 64,
          command: ['sh', '-c', 'echo console-log-line; exec httpd -f -p 8080 -h /www'],
          portMappings: [{ containerPort: 8080 }],
          stopTimeout: 2,
          // Each new task healthy within seconds; without a health check a deployment waits ECS's
          // implicit 40 s before it counts a task as healthy (the forced deployment below).
          healthCheck: {
            command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
            interval: 5,
            timeout: 2,
            retries: 2,
          },
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'web',
      taskDefinition: `${cluster}-web`,
      desiredCount: 2,
    }),
  );
  page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  // Baton leaves containers running when it stops: the test removes the ones of its cluster.
  await serve?.stop();
  await removeClusterContainers(engine1, cluster);
}, 60_000);

describe('the web console in a real browser', () => {
  it('renders the services, instances and tasks of a running Baton', { timeout: 60_000 }, async () => {
    await page.goto(`${serve.url}/console/`);
    await expect
      .poll(() => service('web').locator('[data-running]').textContent(), { timeout: 40_000 })
      .toBe('2');
    expect(await service('web').locator('[data-desired]').textContent()).toBe('2');
    await expect.poll(() => page.locator('[data-connection]').textContent()).toBe('live');
    // The instance card with its resource bars, and two RUNNING tasks with their published ports.
    expect(await page.locator('.instance').count()).toBe(1);
    expect(await page.locator('.instance .bar').count()).toBe(2);
    await expect
      .poll(() => page.locator('tr[data-task]').filter({ hasText: 'RUNNING' }).count(), { timeout: 20_000 })
      .toBe(2);
    expect(await page.locator('tr[data-task]').first().textContent()).toMatch(/127\.0\.0\.1:\d+→8080\/tcp/);
    // The charts draw once two samples (5 s apart) have arrived.
    await page.locator('.chart canvas').first().waitFor({ timeout: 20_000 });
    await page.locator('header.top').getByText('read-only').waitFor();
    await shot('overview');
  });

  it('shows scaling done through the API without a reload', { timeout: 60_000 }, async () => {
    // Page code runs in the browser: given as text (the tests compile without the DOM's types).
    await page.evaluate('window.notReloaded = true');
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 3 }));
    await expect
      .poll(() => service('web').locator('[data-desired]').textContent(), { timeout: 10_000 })
      .toBe('3');
    await expect
      .poll(() => service('web').locator('[data-running]').textContent(), { timeout: 40_000 })
      .toBe('3');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    // The service's event for the third task reached the live feed.
    await expect
      .poll(() => page.locator('.events li').filter({ hasText: 'has started 1 task' }).count(), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
  });

  it("shows a stopped task's reason", { timeout: 60_000 }, async () => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }));
    const victim = taskArns![0]!;
    await ecs.send(new StopTaskCommand({ cluster, task: victim, reason: 'console e2e: stopped on purpose' }));
    const id = victim.slice(victim.lastIndexOf('/') + 1);
    const row = page.locator(`tr[data-task="${id}"]`);
    await expect
      .poll(() => row.locator('[data-stopped-reason]').textContent(), { timeout: 30_000 })
      .toContain('console e2e: stopped on purpose');
    await expect.poll(() => row.textContent(), { timeout: 30_000 }).toContain('STOPPED');
    await shot('stopped-task');
  });

  it('explains why a task cannot be placed', { timeout: 60_000 }, async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `${cluster}-huge`,
        containerDefinitions: [
          { name: 'big', image: testImage, memory: 4_000_000, command: ['sleep', '600'] },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'huge',
        taskDefinition: `${cluster}-huge`,
        desiredCount: 1,
      }),
    );
    await expect
      .poll(() => service('huge').locator('[data-unplaced]').textContent(), { timeout: 30_000 })
      .toMatch(/unable to place a task because no container instance met all of its requirements.*memory/is);
    await shot('unplaced');
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'huge', desiredCount: 0 }));
  });

  it('tails a task log live', { timeout: 60_000 }, async () => {
    await page
      .locator('tr[data-task]')
      .filter({ hasText: 'RUNNING' })
      .first()
      .getByRole('button', { name: 'Logs' })
      .click();
    await expect
      .poll(() => page.locator('[data-log-lines]').textContent(), { timeout: 20_000 })
      .toContain('console-log-line');
    await page.locator('.logs-panel').getByRole('button', { name: 'Close' }).click();
  });

  it('refuses an action without a login and does it after one', { timeout: 90_000 }, async () => {
    const scale = async (n: number) => {
      await service('web').getByRole('button', { name: 'Scale…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('input[name=number]').fill(String(n));
      await dialog.getByRole('button', { name: 'Set desired count' }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    await scale(1);
    await expect
      .poll(() => page.locator('[data-notice]').textContent())
      .toContain('Log in with an access key to act');
    // The refusal has been answered: nothing changed.
    expect(await desiredOf('web')).toBe(3);

    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('button', { name: 'Log in' }).click();
    const login = page.getByRole('dialog');
    await login.locator('input[name=accessKeyId]').fill(key.accessKeyId);
    await login.locator('input[name=secretAccessKey]').fill('not-the-secret');
    await login.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => login.getByRole('alert').textContent()).toContain('not one this Baton accepts');
    await login.locator('input[name=secretAccessKey]').fill(key.secretAccessKey);
    await login.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('[data-operator]').textContent()).toBe(key.accessKeyId);
    // The session cookie is HttpOnly and SameSite=Strict; the page's script cannot read it.
    const cookies = await context.cookies(`${serve.url}/console/`);
    expect(cookies.find((c) => c.name === 'baton_console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await page.evaluate('document.cookie')).not.toContain('baton_console');

    await scale(1);
    await expect.poll(() => page.locator('[data-notice]').textContent()).toContain('desired count set to 1');
    expect(await desiredOf('web')).toBe(1);
    await expect
      .poll(() => service('web').locator('[data-running]').textContent(), { timeout: 40_000 })
      .toBe('1');
    // The secret never reached the server's log.
    expect(serve.stderr()).not.toContain(key.secretAccessKey);
    expect(serve.stderr()).toContain('console action');
  });

  it('forces a new deployment after a confirmation, as the logged-in operator', {
    timeout: 90_000,
  }, async () => {
    const primaryOf = async () =>
      (
        await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }))
      ).services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY');
    const before = (await primaryOf())!;
    await service('web').getByRole('button', { name: 'Force new deployment…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('same task definition');
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await primaryOf())?.id).toBe(before.id);

    await service('web').getByRole('button', { name: 'Force new deployment…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Force new deployment' }).click();
    await expect
      .poll(() => page.locator('[data-notice]').textContent())
      .toContain('web: new deployment requested');
    const next = await expect
      .poll(async () => (await primaryOf())?.id, { timeout: 20_000 })
      .not.toBe(before.id)
      .then(primaryOf);
    expect(next!.taskDefinition).toBe(before.taskDefinition);
    // The new PRIMARY shows up in the service's card without a reload, and completes.
    const row = service('web').locator(`[data-deployment="${next!.id}"]`);
    await expect.poll(() => row.locator('.pill').first().textContent(), { timeout: 20_000 }).toBe('PRIMARY');
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('COMPLETED');
    // The old deployment drained: INACTIVE (kept as the rollback target) or gone.
    const old = service('web').locator(`[data-deployment="${before.id}"]`);
    await expect
      .poll(
        async () => ((await old.count()) === 0 ? 'gone' : await old.locator('.pill').first().textContent()),
        {
          timeout: 30_000,
        },
      )
      .toMatch(/^(gone|INACTIVE)$/);
    await shot('force-new-deployment');
  });

  it('refuses an action whose CSRF token is missing, even with the session cookie', {
    timeout: 30_000,
  }, async () => {
    const status = await page.evaluate(async () => {
      const r = await fetch('api/action', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'update-desired-count', cluster: 'x', service: 'web', desiredCount: 5 }),
      });
      return r.status;
    });
    expect(status).toBe(403);
    expect(await desiredOf('web')).toBe(1);
  });

  it('stops a task and drains the instance as the logged-in operator', { timeout: 60_000 }, async () => {
    const row = page.locator('tr[data-task]').filter({ hasText: 'RUNNING' }).first();
    const id = await row.getAttribute('data-task');
    await row.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop task' }).click();
    await expect.poll(() => page.locator('[data-notice]').textContent()).toContain(`task ${id} stopping`);
    await expect
      .poll(() => page.locator(`tr[data-task="${id}"] [data-stopped-reason]`).textContent(), {
        timeout: 30_000,
      })
      .toContain(`Stopped from the console by ${key.accessKeyId}`);

    await page.locator('.instance').getByRole('button', { name: 'Drain' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Drain' }).click();
    await expect.poll(() => page.locator('[data-notice]').textContent()).toContain('draining');
    await expect
      .poll(() => page.locator('.instance .pill').first().textContent(), { timeout: 10_000 })
      .toBe('DRAINING');
    await shot('operator');
  });

  it('fits a phone screen', { timeout: 30_000 }, async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await service('web').waitFor();
    // Charts follow their box's width as the layout settles.
    await expect
      .poll(() => page.evaluate('document.documentElement.scrollWidth - window.innerWidth'))
      .toBeLessThanOrEqual(0);
    await shot('phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
