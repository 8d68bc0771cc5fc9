import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicCredentials,
  createRegistryClient,
  dockerConfigCredentials,
  formatLifecycleReport,
  MediaType,
  type RegistryError,
  type RegistryLogEvent,
  registryAuthHeader,
  sha256,
  staticCredentials,
} from '../src/index.js';
import { docker, enginePull, requireEngine, TEST_IMAGE } from './helpers/docker.js';
import { BASIC_PASSWORD, BASIC_REGISTRY, BASIC_USER, requireBasicRegistry, runId } from './helpers/env.js';

// The htpasswd registry started by scripts/services/registry.sh, fed by `docker push` from engine 1.
const id = runId();
const busybox = `${BASIC_REGISTRY}/baton-test/busybox-${id}`;
let dockerConfig: string;
let pushedDigest: string;

const creds = staticCredentials({ [BASIC_REGISTRY]: basicCredentials(BASIC_USER, BASIC_PASSWORD) });
const client = () => createRegistryClient({ credentials: creds });

const failure = async (p: Promise<unknown>): Promise<RegistryError> => {
  try {
    await p;
  } catch (e) {
    return e as RegistryError;
  }
  throw new Error('expected a failure');
};

const image = (tag: string, created: string) => {
  const layer = Buffer.from(`layer ${tag} ${id}`);
  return {
    config: {
      architecture: 'amd64',
      os: 'linux',
      created,
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    },
    layers: [{ data: layer }],
  };
};

beforeAll(async () => {
  await requireBasicRegistry();
  await requireEngine();
  dockerConfig = await mkdtemp(join(tmpdir(), 'baton-docker-config-'));
  await docker(['login', '-u', BASIC_USER, '--password-stdin', BASIC_REGISTRY], {
    config: dockerConfig,
    input: BASIC_PASSWORD,
  });
  await docker(['tag', TEST_IMAGE, `${busybox}:1`]);
  const out = await docker(['push', `${busybox}:1`], { config: dockerConfig });
  pushedDigest = /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1] ?? '';
  await docker(['tag', TEST_IMAGE, `${busybox}:latest`]);
  await docker(['push', `${busybox}:latest`], { config: dockerConfig });
  await docker(['rmi', `${busybox}:1`, `${busybox}:latest`]).catch(() => '');
});
afterAll(async () => {
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
});

describe('htpasswd registry with images pushed by docker', () => {
  it('resolves the tag docker pushed to the digest docker printed (Docker v2 schema 2)', async () => {
    const c = client();
    expect(await c.promises.ping(BASIC_REGISTRY)).toEqual({ auth: 'basic' });
    const r = await c.promises.resolve(`${busybox}:1`);
    expect(r.digest).toBe(pushedDigest);
    expect(r.mediaType).toBe(MediaType.DockerManifest);
    expect(r.pinned).toEqual({
      registry: BASIC_REGISTRY,
      repository: `baton-test/busybox-${id}`,
      digest: pushedDigest,
    });
    expect(await c.promises.exists(`${busybox}@${pushedDigest}`)).toBe(true);
    expect(await c.promises.exists(`${busybox}:nope`)).toBe(false);
    c.close();
  });

  it('fetches the image config and streams a layer with digest verification', async () => {
    const c = client();
    const img = await c.promises.getImage(`${busybox}:1`);
    expect(img.config.os).toBe('linux');
    expect(img.manifest.manifest.layers.length).toBeGreaterThan(0);
    const layer = img.manifest.manifest.layers[0]!;
    const stream = await c.promises.getBlob(busybox, layer.digest, { size: layer.size });
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    expect(`sha256:${hash.digest('hex')}`).toBe(layer.digest);
    c.close();
  });

  it('reads credentials from the config.json that `docker login` wrote', async () => {
    const c = createRegistryClient({
      credentials: dockerConfigCredentials({ path: join(dockerConfig, 'config.json') }),
    });
    expect((await c.promises.resolve(`${busybox}:latest`)).digest).toBe(pushedDigest);
    const auth = JSON.parse(await readFile(join(dockerConfig, 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>;
    };
    expect(Object.keys(auth.auths)).toContain(BASIC_REGISTRY);
    c.close();
  });

  it('prepares a pull by digest that the engine accepts with the client-provided auth', async () => {
    const c = client();
    const pull = await c.promises.preparePull(`${busybox}:1`);
    expect(pull.image).toBe(`${busybox}@${pushedDigest}`);
    expect(pull.authconfig).toEqual({
      serveraddress: BASIC_REGISTRY,
      username: BASIC_USER,
      password: BASIC_PASSWORD,
    });
    await enginePull(pull.image, registryAuthHeader(pull.authconfig!));
    const inspect = JSON.parse(await docker(['image', 'inspect', pull.image])) as { RepoDigests: string[] }[];
    expect(inspect[0]?.RepoDigests).toContain(pull.image);
    await docker(['rmi', pull.image]).catch(() => '');
    c.close();
  });

  it('wrong password: UNAUTHORIZED, and the password is in no message, error or log line', async () => {
    const logs: RegistryLogEvent[] = [];
    const c = createRegistryClient({
      credentials: staticCredentials(basicCredentials(BASIC_USER, 'wrong-password-123')),
      logger: (e) => logs.push(e),
    });
    const e = await failure(c.promises.resolve(`${busybox}:1`));
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.status).toBe(401);
    const text = `${e.message} ${e.stack} ${JSON.stringify(e)} ${JSON.stringify(logs)}`;
    expect(text).not.toContain('wrong-password-123');
    expect(text).not.toContain(Buffer.from(`${BASIC_USER}:wrong-password-123`).toString('base64'));
    c.close();
  });

  it('lists tags (client-side limit; distribution 2.8 ignores n for tags, so paging is tested on the catalog)', async () => {
    const c = client();
    const repo = `${BASIC_REGISTRY}/paged/app-${id}`;
    const tags = ['a1', 'a2', 'b1', 'b2', 'c1'];
    for (const t of tags) await c.promises.pushImage(`${repo}:${t}`, image('same', '2024-01-01T00:00:00Z'));
    expect((await c.promises.listTags(repo, { pageSize: 2 })).sort()).toEqual(tags);
    expect((await c.promises.listTags(repo, { limit: 3 })).length).toBe(3);
    const repos = await c.promises.listRepositories(BASIC_REGISTRY, { pageSize: 100 });
    expect(repos).toEqual(expect.arrayContaining([`paged/app-${id}`, `baton-test/busybox-${id}`]));
    expect(new Set(repos).size).toBe(repos.length);
    const e = await failure(c.promises.listTags(`${BASIC_REGISTRY}/no/such-${id}`));
    expect(e.code).toBe('NAME_UNKNOWN');
    c.close();
  });

  it('uploads monolithically and in chunks, from bytes and from a stream', async () => {
    const c = client();
    const repo = `${BASIC_REGISTRY}/upload/app-${id}`;
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
    const chunked = await c.promises.pushBlob(repo, big, { chunkSize: 64 * 1024 });
    expect(chunked).toMatchObject({ via: 'uploaded', size: big.length, digest: sha256(big) });
    expect((await c.promises.pushBlob(repo, big)).via).toBe('exists');
    const small = Buffer.from(`small ${id}`);
    const { Readable } = await import('node:stream');
    const streamed = await c.promises.pushBlob(
      repo,
      {
        stream: () => Readable.from([small.subarray(0, 3), small.subarray(3)]),
        size: small.length,
        digest: sha256(small),
      },
      { chunkSize: 4 },
    );
    expect(streamed.via).toBe('uploaded');
    expect((await c.promises.fetchBlob(repo, sha256(small))).equals(small)).toBe(true);
    expect((await c.promises.fetchBlob(repo, sha256(big))).equals(big)).toBe(true);
    c.close();
  });

  it('IMMUTABLE repositories refuse to move a tag; MUTABLE ones move it', async () => {
    const c = client();
    const repo = `${BASIC_REGISTRY}/immutable/app-${id}`;
    const first = await c.promises.pushImage(`${repo}:v1`, image('one', '2024-01-01T00:00:00Z'), {
      tagMutability: 'IMMUTABLE',
    });
    // Re-pushing the identical image is allowed; another image under the same tag is not.
    await c.promises.pushImage(`${repo}:v1`, image('one', '2024-01-01T00:00:00Z'), {
      tagMutability: 'IMMUTABLE',
    });
    const e = await failure(
      c.promises.pushImage(`${repo}:v1`, image('two', '2024-01-02T00:00:00Z'), {
        tagMutability: 'IMMUTABLE',
      }),
    );
    expect(e.code).toBe('TAG_IMMUTABLE');
    expect((await c.promises.resolve(`${repo}:v1`)).digest).toBe(first.digest);
    const moved = await c.promises.pushImage(`${repo}:v1`, image('two', '2024-01-02T00:00:00Z'));
    expect((await c.promises.resolve(`${repo}:v1`)).digest).toBe(moved.digest);
    c.close();
  });

  it('lifecycle policy: dry run from the registry inventory, then apply', async () => {
    const c = client();
    const repo = `${BASIC_REGISTRY}/lifecycle/app-${id}`;
    const day = (n: number) => new Date(Date.UTC(2024, 0, n)).toISOString();
    for (let i = 1; i <= 4; i++) await c.promises.pushImage(`${repo}:build-${i}`, image(`b${i}`, day(i)));
    await c.promises.pushImage(`${repo}:prod-1`, image('p1', day(1)));
    const policy = {
      rules: [
        {
          rulePriority: 1,
          description: 'keep every prod image',
          selection: {
            tagStatus: 'tagged',
            tagPrefixList: ['prod'],
            countType: 'imageCountMoreThan',
            countNumber: 100,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: 'keep the 2 newest builds',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 },
          action: { type: 'expire' },
        },
      ],
    };
    const report = await c.promises.planLifecycle(repo, policy);
    expect(report.expired.map((e) => e.tags)).toEqual([['build-1'], ['build-2']]);
    expect(formatLifecycleReport(report)).toContain('2 to expire, 3 kept');
    expect((await c.promises.listTags(repo)).length).toBe(5); // a dry run deletes nothing
    const applied = await c.promises.applyLifecycle(repo, report);
    expect(applied.failed).toEqual([]);
    expect(applied.deleted.length).toBe(2);
    expect((await c.promises.listTags(repo)).sort()).toEqual(['build-3', 'build-4', 'prod-1']);
    c.close();
  });

  it('reuses connections across many requests', async () => {
    const c = client();
    const sockets = new Set<unknown>();
    const { Agent } = await import('node:http');
    const proto = Agent.prototype as unknown as { createConnection: (...a: unknown[]) => unknown };
    const original = proto.createConnection;
    proto.createConnection = function (this: unknown, ...a: unknown[]) {
      const s = original.apply(this, a);
      sockets.add(s);
      return s;
    };
    try {
      for (let i = 0; i < 30; i++) await c.promises.resolve(`${busybox}:1`);
    } finally {
      proto.createConnection = original;
    }
    expect(sockets.size).toBeLessThanOrEqual(2);
    c.close();
  });
});
