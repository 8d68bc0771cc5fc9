import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicCredentials,
  createRegistryClient,
  identityTokenCredentials,
  type RegistryError,
  type RegistryLogEvent,
  sha256,
  staticCredentials,
} from '../src/index.js';
import { runId } from './helpers/env.js';
import { startTokenRegistry, type TokenRegistry } from './helpers/token-registry.js';

// A real distribution registry with token auth, whose realm is a token server this file runs.
let reg: TokenRegistry;
const id = runId();

beforeAll(async () => {
  reg = await startTokenRegistry({
    admin: { password: 'admin-secret-pw', actions: ['pull', 'push', 'delete'], catalog: true },
    reader: { password: 'reader-secret-pw', actions: ['pull'] },
  });
});
afterAll(async () => {
  await reg?.stop();
});

const admin = () =>
  createRegistryClient({
    credentials: staticCredentials({ [reg.addr]: basicCredentials('admin', 'admin-secret-pw') }),
  });

/** A tiny single-platform image: one layer, a config naming the platform. */
const image = (architecture: string, created = '2024-01-01T00:00:00Z') => {
  const layer = Buffer.from(`layer for ${architecture} ${id}`);
  return {
    config: { architecture, os: 'linux', created, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } },
    layers: [{ data: layer }],
  };
};

const failure = async (p: Promise<unknown>): Promise<RegistryError> => {
  try {
    await p;
  } catch (e) {
    return e as RegistryError;
  }
  throw new Error('expected a failure');
};

describe('token auth against distribution', () => {
  it('pings to a Bearer challenge', async () => {
    const c = admin();
    expect(await c.promises.ping(reg.addr)).toEqual({ auth: 'bearer' });
    c.close();
  });

  it('pushes an OCI index with two platforms and picks each platform from it', async () => {
    const c = admin();
    const repo = `${reg.addr}/multi/app-${id}`;
    const amd = await c.promises.pushImage(`${repo}:amd64`, image('amd64'));
    const arm = await c.promises.pushImage(`${repo}:arm64`, image('arm64'));
    const idx = await c.promises.pushIndex(`${repo}:1.0`, [
      { ...amd, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    const resolved = await c.promises.resolve(`${repo}:1.0`);
    expect(resolved.digest).toBe(idx.digest);
    expect(resolved.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const m = await c.promises.getManifest(`${repo}:1.0`);
    expect(m.kind).toBe('index');
    const onArm = await c.promises.getImage(`${repo}:1.0`, {
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(onArm.config.architecture).toBe('arm64');
    expect(onArm.manifest.digest).toBe(arm.digest);
    expect(onArm.digest).toBe(idx.digest);
    const onAmd = await c.promises.getImage(`${repo}:1.0`, {
      platform: { os: 'linux', architecture: 'x86_64' },
    });
    expect(onAmd.config.architecture).toBe('amd64');
    const none = await failure(
      c.promises.getImage(`${repo}:1.0`, { platform: { os: 'linux', architecture: 's390x' } }),
    );
    expect(none.code).toBe('PLATFORM_NOT_FOUND');
    expect(none.message).toContain('linux/amd64');
    c.close();
  });

  it('caches a token per scope until it expires', async () => {
    let now = Date.now();
    const c = createRegistryClient({
      credentials: staticCredentials(basicCredentials('admin', 'admin-secret-pw')),
      now: () => now,
    });
    const repo = `${reg.addr}/cache/app-${id}`;
    const writer = admin();
    await writer.promises.pushImage(`${repo}:1`, image('amd64'));
    writer.close();
    const before = reg.requests.length;
    for (let i = 0; i < 20; i++) await c.promises.resolve(`${repo}:1`);
    expect(reg.requests.length - before).toBe(1); // one pull token for 20 resolves
    await c.promises.exists(`${reg.addr}/cache/other-${id}:1`);
    expect(reg.requests.length - before).toBe(2); // another repository is another scope
    now += 301_000; // the server said expires_in 300
    await c.promises.resolve(`${repo}:1`);
    expect(reg.requests.length - before).toBe(3);
    c.close();
  });

  it('a read-only user can pull but is DENIED a push', async () => {
    const writer = admin();
    const repo = `${reg.addr}/ro/app-${id}`;
    await writer.promises.pushImage(`${repo}:1`, image('amd64'));
    writer.close();
    const logs: RegistryLogEvent[] = [];
    const c = createRegistryClient({
      credentials: staticCredentials(basicCredentials('reader', 'reader-secret-pw')),
      logger: (e) => logs.push(e),
    });
    expect((await c.promises.resolve(`${repo}:1`)).digest).toMatch(/^sha256:/);
    const e = await failure(c.promises.pushImage(`${repo}:2`, image('arm64')));
    expect(e.code).toBe('DENIED');
    expect(e.status).toBe(401);
    expect(`${e.message} ${JSON.stringify(e)} ${JSON.stringify(logs)}`).not.toContain('reader-secret-pw');
    c.close();
  });

  it('wrong password: UNAUTHORIZED from the token endpoint, password in no message or log', async () => {
    const logs: RegistryLogEvent[] = [];
    const c = createRegistryClient({
      credentials: staticCredentials(basicCredentials('admin', 'not-the-password')),
      logger: (e) => logs.push(e),
    });
    const e = await failure(c.promises.resolve(`${reg.addr}/any/thing:1`));
    expect(e.code).toBe('UNAUTHORIZED');
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)} ${JSON.stringify(logs)}`).not.toContain(
      'not-the-password',
    );
    c.close();
  });

  it('anonymous: pulls public/* and is told to authenticate elsewhere', async () => {
    const writer = admin();
    await writer.promises.pushImage(`${reg.addr}/public/app-${id}:1`, image('amd64'));
    await writer.promises.pushImage(`${reg.addr}/private/app-${id}:1`, image('amd64'));
    writer.close();
    const c = createRegistryClient();
    expect(await c.promises.exists(`${reg.addr}/public/app-${id}:1`)).toBe(true);
    const e = await failure(c.promises.resolve(`${reg.addr}/private/app-${id}:1`));
    expect(e.code).toBe('UNAUTHORIZED');
    c.close();
  });

  it('exchanges an identity token (OAuth2 refresh grant)', async () => {
    const c = createRegistryClient({
      credentials: staticCredentials(identityTokenCredentials('refresh:admin')),
    });
    const repo = `${reg.addr}/idtoken/app-${id}`;
    await c.promises.pushImage(`${repo}:1`, image('amd64'));
    expect(await c.promises.listTags(repo)).toEqual(['1']);
    expect(reg.requests.some((r) => r.grantType === 'refresh_token' && r.account === 'admin')).toBe(true);
    c.close();
  });

  it('lists the catalog, mounts across repositories, uploads in chunks and deletes', async () => {
    const c = admin();
    const a = `${reg.addr}/mount/a-${id}`;
    const b = `${reg.addr}/mount/b-${id}`;
    const blob = Buffer.alloc(200_000, 7);
    const pushed = await c.promises.pushBlob(a, blob, { chunkSize: 64 * 1024 });
    expect(pushed.via).toBe('uploaded');
    expect((await c.promises.fetchBlob(a, pushed.digest)).equals(blob)).toBe(true);
    expect(await c.promises.mountBlob(b, pushed.digest, `${reg.addr}/mount/a-${id}`)).toBe(true);
    expect(await c.promises.headBlob(b, pushed.digest)).toMatchObject({ size: blob.length });
    const c2 = `${reg.addr}/mount/c-${id}`;
    expect((await c.promises.pushBlob(c2, blob, { mountFrom: `mount/a-${id}` })).via).toBe('mounted');
    const repos = await c.promises.listRepositories(reg.addr, { pageSize: 2 });
    expect(repos).toEqual(expect.arrayContaining([`mount/a-${id}`, `mount/b-${id}`]));
    await c.promises.pushImage(`${a}:gone`, image('amd64'));
    await c.promises.deleteManifest(`${a}:gone`);
    expect(await c.promises.exists(`${a}:gone`)).toBe(false);
    c.close();
  });
});
