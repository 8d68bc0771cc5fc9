import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicCredentials,
  createRegistryClient,
  ImageResolver,
  MediaType,
  sha256,
  staticCredentials,
} from '../src/index.js';
import { type FakeRegistry, startFakeRegistry } from './helpers/fake-registry.js';

let fake: FakeRegistry;
beforeAll(async () => {
  fake = await startFakeRegistry();
});
afterAll(async () => {
  await fake.close();
});

describe('ImageResolver pins a tag once per deployment', () => {
  it('keeps a deployment on its digest while the tag moves; a new deployment sees the new digest', async () => {
    let current = sha256('v1');
    let heads = 0;
    fake.handle = (_req, res) => {
      heads++;
      res.writeHead(200, { 'docker-content-digest': current, 'content-type': MediaType.OciManifest }).end();
    };
    const client = createRegistryClient({
      credentials: staticCredentials({ [fake.addr]: basicCredentials('deployer', 'pw') }),
    });
    const resolver = new ImageResolver(client);
    const [a, b] = await Promise.all([
      resolver.prepare(`${fake.addr}/web:prod`, 'deployment-1'),
      resolver.prepare(`${fake.addr}/web:prod`, 'deployment-1'),
    ]);
    expect(heads).toBe(1);
    expect(a).toBe(b);
    expect(a.image).toBe(`${fake.addr}/web@${sha256('v1')}`);
    expect(a.authconfig).toEqual({ serveraddress: fake.addr, username: 'deployer', password: 'pw' });
    current = sha256('v2'); // someone pushes :prod again
    expect((await resolver.prepare(`${fake.addr}/web:prod`, 'deployment-1')).digest).toBe(sha256('v1'));
    expect((await resolver.prepare(`${fake.addr}/web:prod`, 'deployment-2')).digest).toBe(sha256('v2'));
    resolver.release('deployment-1');
    expect((await resolver.prepare(`${fake.addr}/web:prod`, 'deployment-1')).digest).toBe(sha256('v2'));
    client.close();
  });

  it('does not remember failures, and needs no request for a digest reference', async () => {
    let fail = true;
    fake.handle = (_req, res) => {
      if (fail) res.writeHead(404).end();
      else res.writeHead(200, { 'docker-content-digest': sha256('ok') }).end();
    };
    const client = createRegistryClient();
    const resolver = new ImageResolver(client);
    await expect(resolver.prepare(`${fake.addr}/api:1`, 'd')).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
    fail = false;
    expect((await resolver.prepare(`${fake.addr}/api:1`, 'd')).digest).toBe(sha256('ok'));
    fake.seen.length = 0;
    const pinned = await client.promises.preparePull(`${fake.addr}/api@${sha256('x')}`);
    expect(pinned.image).toBe(`${fake.addr}/api@${sha256('x')}`);
    expect(pinned.authconfig).toBeUndefined();
    expect(fake.seen.filter((s) => s.path.includes('/manifests/'))).toEqual([]);
    client.close();
  });
});
