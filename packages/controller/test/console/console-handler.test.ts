import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Baton,
  type ConsoleHandler,
  type ConsoleOptions,
  createBaton,
  createConsoleHandler,
  type LogRecord,
} from '../../src/index.js';

const key = { accessKeyId: 'AKIDCONSOLEUNIT00001', secretAccessKey: 'unit-secret-never-logged' };
let baton: Baton;
let server: Server;
let consoleHandler: ConsoleHandler;
let base: string;
let assets: string;
const logs: LogRecord[] = [];

async function serveConsole(options: ConsoleOptions): Promise<void> {
  consoleHandler = await createConsoleHandler(baton, {
    assetsDir: assets,
    logger: (r) => logs.push(r),
    ...options,
  });
  server = createServer((req, res) =>
    consoleHandler(req, res, () => {
      res.writeHead(418).end('next');
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function login(): Promise<{ cookie: string; csrf: string }> {
  const r = await post('/console/api/login', key);
  expect(r.status).toBe(200);
  const body = (await r.json()) as { csrfToken: string };
  return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
}

beforeEach(async () => {
  assets = mkdtempSync(join(tmpdir(), 'baton-console-assets-'));
  logs.length = 0;
  baton = await createBaton({ cluster: 'console-unit', seed: 1, logger: () => {} });
  await baton.start();
  await baton.registerTaskDefinition({
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }],
  });
  await baton.createService({
    cluster: 'console-unit',
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount: 2,
  });
});

afterEach(async () => {
  consoleHandler?.close();
  await new Promise((r) => server?.close(r));
  await baton.stop();
  rmSync(assets, { recursive: true, force: true });
});

describe('the console handler', () => {
  it('hands other paths to next, and says how to build a missing page', async () => {
    await serveConsole({ credentials: [key], readNeedsLogin: false });
    expect((await fetch(`${base}/`)).status).toBe(418);
    expect((await fetch(`${base}/consoleish`)).status).toBe(418);
    const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/console/']);
    const missing = await fetch(`${base}/console/`);
    expect(missing.status).toBe(503);
    expect(((await missing.json()) as { message: string }).message).toMatch(/npm run build/);
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>t</title>');
    consoleHandler.close();
    await new Promise((r) => server.close(r));
    await serveConsole({ credentials: [key], readNeedsLogin: false });
    const page = await fetch(`${base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${base}/console/assets/..%2Fsecret`)).status).toBe(404);
  });

  it('serves a snapshot of the clusters, services and tasks', async () => {
    await serveConsole({ credentials: [key], readNeedsLogin: false });
    const r = await fetch(`${base}/console/api/snapshot`);
    const body = (await r.json()) as {
      snapshot: {
        clusters: { name: string; services: { name: string; desired: number; unplaced: string | null }[] }[];
      };
    };
    const cluster = body.snapshot.clusters.find((c) => c.name === 'console-unit')!;
    expect(cluster.services.map((s) => [s.name, s.desired])).toEqual([['web', 2]]);
  });

  it('needs a login to read when told so, and checks the key pair', async () => {
    await serveConsole({ credentials: [key], readNeedsLogin: true });
    expect((await fetch(`${base}/console/api/snapshot`)).status).toBe(401);
    expect((await fetch(`${base}/console/api/stream`)).status).toBe(401);
    const wrong = await post('/console/api/login', { ...key, secretAccessKey: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const r = await post('/console/api/login', key);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^baton_console=[\w-]{40,}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ authenticated: true, accessKeyId: key.accessKeyId });
    expect(JSON.stringify(body)).not.toContain(key.secretAccessKey);
    const read = await fetch(`${base}/console/api/snapshot`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(read.status).toBe(200);
    expect(JSON.stringify(logs)).not.toContain(key.secretAccessKey);
    expect(logs.map((l) => l.msg)).toEqual(['console login refused', 'console login']);
  });

  it('marks the cookie Secure when asked', async () => {
    await serveConsole({ credentials: [key], secureCookie: true });
    const r = await post('/console/api/login', key);
    expect(r.headers.get('set-cookie')).toContain('; Secure');
  });

  it('acts only with a session and its CSRF token, through the ECS API', async () => {
    await serveConsole({ credentials: [key], readNeedsLogin: false });
    const scale = { kind: 'update-desired-count', cluster: 'console-unit', service: 'web', desiredCount: 5 };
    expect((await post('/console/api/action', scale)).status).toBe(401);
    const { cookie, csrf } = await login();
    expect((await post('/console/api/action', scale, { cookie })).status).toBe(403);
    expect((await post('/console/api/action', scale, { cookie, 'x-csrf-token': 'forged' })).status).toBe(403);
    const svc = async () =>
      (await baton.describeServices({ cluster: 'console-unit', services: ['web'] })).services[0]!;
    expect((await svc()).desiredCount).toBe(2);

    const ok = await post('/console/api/action', scale, { cookie, 'x-csrf-token': csrf });
    expect(await ok.json()).toEqual({ ok: true, message: 'web: desired count set to 5' });
    expect((await svc()).desiredCount).toBe(5);

    const missing = await post(
      '/console/api/action',
      { ...scale, service: 'nope' },
      { cookie, 'x-csrf-token': csrf },
    );
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ ok: false, error: 'ServiceNotFoundException' });
    const bad = await post(
      '/console/api/action',
      { ...scale, desiredCount: -1 },
      { cookie, 'x-csrf-token': csrf },
    );
    expect(((await bad.json()) as { message: string }).message).toMatch(/^desiredCount: /);

    const out = await post('/console/api/logout', {}, { cookie, 'x-csrf-token': csrf });
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await post('/console/api/action', scale, { cookie, 'x-csrf-token': csrf })).status).toBe(401);
  });

  it('forces a new deployment only for a logged-in operator with the CSRF token', async () => {
    await serveConsole({ credentials: [key], readNeedsLogin: false });
    const force = { kind: 'force-new-deployment', cluster: 'console-unit', service: 'web' };
    const svc = async () =>
      (await baton.describeServices({ cluster: 'console-unit', services: ['web'] })).services[0]!;
    expect((await post('/console/api/action', force)).status).toBe(401);
    const { cookie, csrf } = await login();
    expect((await post('/console/api/action', force, { cookie })).status).toBe(403);
    expect((await svc()).forceNewDeploymentRequestedAt).toBeUndefined();

    await expect
      .poll(async () => (await svc()).deployments.find((d) => d.status === 'PRIMARY'))
      .toBeDefined();
    const firstPrimary = (await svc()).deployments.find((d) => d.status === 'PRIMARY')!;
    const ok = await post('/console/api/action', force, { cookie, 'x-csrf-token': csrf });
    expect(await ok.json()).toEqual({ ok: true, message: 'web: new deployment requested' });
    // The service scheduler serves the request: a new PRIMARY of the same revision.
    await expect
      .poll(async () => (await svc()).deployments.find((d) => d.status === 'PRIMARY')?.id, { timeout: 5_000 })
      .not.toBe(firstPrimary.id);
    const after = await svc();
    const primary = after.deployments.find((d) => d.status === 'PRIMARY')!;
    expect(primary.taskDefinition).toBe(firstPrimary.taskDefinition);
    // No engine here: the old deployment had no task to drain, so it is already gone.
    expect(after.deployments.map((d) => d.id)).not.toContain(firstPrimary.id);
    expect(after.forceNewDeploymentRequestedAt).toBeUndefined();
    expect(logs.find((l) => l.msg === 'console action')).toMatchObject({
      kind: 'force-new-deployment',
      service: 'web',
      accessKeyId: key.accessKeyId,
      ok: true,
    });
    const extra = await post(
      '/console/api/action',
      { ...force, taskDefinition: 'web:9' },
      {
        cookie,
        'x-csrf-token': csrf,
      },
    );
    expect(extra.status).toBe(400);
  });

  it('is read-only without credentials', async () => {
    await serveConsole({});
    const session = (await (await fetch(`${base}/console/api/session`)).json()) as Record<string, unknown>;
    expect(session).toMatchObject({ authenticated: false, loginAvailable: false, readNeedsLogin: false });
    const r = await post('/console/api/login', key);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { message: string }).message).toMatch(/no access keys/);
  });
});
