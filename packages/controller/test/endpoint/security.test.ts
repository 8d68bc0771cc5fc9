import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import { alice, bob, ecsClient, engineLessBaton, mount } from './helpers.js';
import { signedCall } from './raw-request.js';

const target = 'AmazonEC2ContainerServiceV20141113.CreateCluster';

describe('SigV4 and request limits on the endpoint (ECS JSON protocol)', () => {
  let baton: Baton;
  let endpoint: Awaited<ReturnType<typeof mount>>;
  beforeAll(async () => {
    baton = await engineLessBaton();
    endpoint = await mount(baton, { credentials: [alice, bob], maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await endpoint.close();
    await baton.stop();
  });

  /** After the answer arrived, the cluster the request named must not exist. */
  async function expectNoCluster(name: string): Promise<void> {
    expect(await baton.store.get('Cluster', name)).toBeUndefined();
    const d = await ecsClient(endpoint.url).send(new DescribeClustersCommand({ clusters: [name] }));
    expect(d.failures?.[0]?.reason).toBe('MISSING');
  }

  it('accepts a header-signed request from each configured key, and a presigned one', async () => {
    for (const [i, key] of [alice, bob].entries()) {
      const r = await signedCall(endpoint.url, {
        key,
        target,
        body: JSON.stringify({ clusterName: `sec-ok-${i}` }),
      });
      expect(r.status).toBe(200);
      expect((r.json().cluster as { status: string }).status).toBe('ACTIVE');
    }
    const p = await signedCall(endpoint.url, {
      key: alice,
      target,
      body: JSON.stringify({ clusterName: 'sec-presigned' }),
      presign: { expiresIn: 300 },
    });
    expect(p.status).toBe(200);
    expect(await baton.store.get('Cluster', 'sec-presigned')).toBeDefined();
  });

  it('a wrong secret: InvalidSignatureException 403, nothing created', async () => {
    const r = await signedCall(endpoint.url, {
      key: { accessKeyId: alice.accessKeyId, secretAccessKey: 'not-alices-secret' },
      target,
      body: JSON.stringify({ clusterName: 'sec-bad-sig' }),
    });
    expect(r.status).toBe(403);
    expect(r.json().__type).toBe('InvalidSignatureException');
    expect(String(r.json().message)).toMatch(/signature we calculated does not match/);
    await expectNoCluster('sec-bad-sig');
  });

  it('a body changed after signing: InvalidSignatureException, nothing created', async () => {
    const r = await signedCall(endpoint.url, {
      key: alice,
      target,
      body: JSON.stringify({ clusterName: 'sec-signed' }),
      tamper: () => JSON.stringify({ clusterName: 'sec-tamper' }),
    });
    expect(r.status).toBe(403);
    expect(r.json().__type).toBe('InvalidSignatureException');
    await expectNoCluster('sec-tamper');
    await expectNoCluster('sec-signed');
  });

  it('an unknown access key: UnrecognizedClientException, nothing created', async () => {
    const r = await signedCall(endpoint.url, {
      key: { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' },
      target,
      body: JSON.stringify({ clusterName: 'sec-unknown-key' }),
    });
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({
      __type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    await expectNoCluster('sec-unknown-key');
  });

  it('a signature older than 15 minutes, or from the future, or a lapsed presigned URL: refused', async () => {
    const old = await signedCall(endpoint.url, {
      key: alice,
      target,
      body: JSON.stringify({ clusterName: 'sec-expired' }),
      date: new Date(Date.now() - 16 * 60_000),
    });
    expect(old.status).toBe(403);
    expect(old.json().__type).toBe('InvalidSignatureException');
    expect(String(old.json().message)).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const future = await signedCall(endpoint.url, {
      key: alice,
      target,
      body: JSON.stringify({ clusterName: 'sec-future' }),
      date: new Date(Date.now() + 16 * 60_000),
    });
    expect(String(future.json().message)).toMatch(/^Signature not yet current/);
    const lapsed = await signedCall(endpoint.url, {
      key: alice,
      target,
      body: JSON.stringify({ clusterName: 'sec-lapsed' }),
      date: new Date(Date.now() - 120_000),
      presign: { expiresIn: 60 },
    });
    expect(lapsed.status).toBe(403);
    expect(lapsed.json().message).toBe('Request has expired.');
    // Inside the window still works (14 minutes old).
    const recent = await signedCall(endpoint.url, {
      key: alice,
      target,
      body: JSON.stringify({ clusterName: 'sec-recent' }),
      date: new Date(Date.now() - 14 * 60_000),
    });
    expect(recent.status).toBe(200);
    for (const n of ['sec-expired', 'sec-future', 'sec-lapsed']) await expectNoCluster(n);
  });

  it('no signature at all: MissingAuthenticationTokenException', async () => {
    const r = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ clusterName: 'sec-unsigned' }),
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
    await expectNoCluster('sec-unsigned');
  });

  it('malformed bodies: SerializationException 400, nothing created', async () => {
    for (const body of ['{"clusterName": "sec-malformed"', '[1,2]', '{"clusterName": 42}', 'null']) {
      const r = await signedCall(endpoint.url, { key: alice, target, body });
      expect(r.status).toBe(400);
      expect(r.json().__type).toBe('SerializationException');
      expect(r.headers.get('x-amzn-errortype')).toBe('SerializationException');
    }
    await expectNoCluster('sec-malformed');
  });

  it('an unknown operation: UnknownOperationException naming it', async () => {
    const r = await signedCall(endpoint.url, {
      key: alice,
      target: 'AmazonEC2ContainerServiceV20141113.CreateCapacityProvider',
      body: JSON.stringify({ name: 'cp' }),
    });
    expect(r.status).toBe(400);
    expect(r.json().__type).toBe('UnknownOperationException');
    expect(String(r.json().message)).toContain('CreateCapacityProvider');
  });

  it('an oversized request: 413 before the body is read, nothing created', async () => {
    const body = JSON.stringify({
      clusterName: 'sec-huge',
      tags: [{ key: 'pad', value: 'x'.repeat(70 * 1024) }],
    });
    const r = await signedCall(endpoint.url, { key: alice, target, body });
    expect(r.status).toBe(413);
    expect(r.json().__type).toBe('RequestEntityTooLargeException');
    await expectNoCluster('sec-huge');
  });

  it('the SDK signs with one key and works; with a wrong secret it gets the typed exception', async () => {
    const ok = await ecsClient(endpoint.url, bob).send(new CreateClusterCommand({ clusterName: 'sec-sdk' }));
    expect(ok.cluster?.clusterName).toBe('sec-sdk');
    const wrong = new ECSClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: bob.accessKeyId, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    await expect(
      wrong.send(new CreateClusterCommand({ clusterName: 'sec-sdk-wrong' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    await expectNoCluster('sec-sdk-wrong');
  });
});
