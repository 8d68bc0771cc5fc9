import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryClient,
  MediaType,
  type RegistryClientOptions,
  type RegistryError,
  type RegistryLogEvent,
  registryTokenCredentials,
  sha256,
  staticCredentials,
} from '../src/index.js';
import { type FakeRegistry, startFakeRegistry } from './helpers/fake-registry.js';

// A local server that misbehaves on purpose: the client must notice, fail typed, and never hang.
let fake: FakeRegistry;
beforeAll(async () => {
  fake = await startFakeRegistry();
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.handlesPing = false;
  fake.seen.length = 0;
});

const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 }, timeoutMs: 2000 } satisfies RegistryClientOptions;
const client = (o: RegistryClientOptions = {}) => createRegistryClient({ ...fast, ...o });

const failure = async (p: Promise<unknown>): Promise<RegistryError> => {
  try {
    await p;
  } catch (e) {
    return e as RegistryError;
  }
  throw new Error('expected a failure');
};

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha256('{}'), size: 2 },
    layers: [],
  }),
);
const digest = sha256(manifest);

describe('a registry that lies about content', () => {
  it('GET by digest: a body that hashes differently is a DIGEST_MISMATCH', async () => {
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.OciManifest, 'docker-content-digest': digest });
      res.end(Buffer.concat([manifest, Buffer.from(' ')]));
    };
    const e = await failure(client().promises.getManifest(`${fake.addr}/app@${digest}`));
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(e.expected).toBe(digest);
  });

  it('GET by tag: a Docker-Content-Digest the body does not match is a DIGEST_MISMATCH (the content wins)', async () => {
    const other = sha256('something else');
    fake.handle = (_req, res) => {
      res
        .writeHead(200, { 'content-type': MediaType.OciManifest, 'docker-content-digest': other })
        .end(manifest);
    };
    const e = await failure(client().promises.getManifest(`${fake.addr}/app:1`));
    expect(e.code).toBe('DIGEST_MISMATCH');
    expect(e.actual).toBe(digest);
  });

  it('HEAD by digest answering another digest is a DIGEST_MISMATCH', async () => {
    fake.handle = (_req, res) => {
      res
        .writeHead(200, { 'content-type': MediaType.OciManifest, 'docker-content-digest': sha256('x') })
        .end();
    };
    expect((await failure(client().promises.resolve(`${fake.addr}/app@${digest}`))).code).toBe(
      'DIGEST_MISMATCH',
    );
  });

  it('HEAD without Docker-Content-Digest falls back to GET and hashes the body', async () => {
    fake.handle = (req, res) => {
      res.writeHead(200, { 'content-type': MediaType.OciManifest, 'content-length': manifest.length });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    };
    const r = await client().promises.resolve(`${fake.addr}/app:1`);
    expect(r.digest).toBe(digest);
    expect(fake.seen.map((s) => s.method)).toEqual(['GET', 'HEAD', 'GET']);
  });

  it('a blob with wrong content fails the stream at its end', async () => {
    const blob = Buffer.alloc(50_000, 1);
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': blob.length }).end(Buffer.alloc(50_000, 2));
    };
    const stream = await client().promises.getBlob(`${fake.addr}/app`, sha256(blob));
    const e = await failure(
      (async () => {
        for await (const _ of stream);
      })(),
    );
    expect(e.code).toBe('DIGEST_MISMATCH');
  });

  it('a truncated blob fails with TRUNCATED (streamed and buffered)', async () => {
    const blob = Buffer.alloc(100_000, 3);
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 40_000), () => res.socket?.destroy());
    };
    const stream = await client().promises.getBlob(`${fake.addr}/app`, sha256(blob));
    const e = await failure(
      (async () => {
        for await (const _ of stream);
      })(),
    );
    expect(e.code).toBe('TRUNCATED');
    expect((await failure(client().promises.fetchBlob(`${fake.addr}/app`, sha256(blob)))).code).toBe(
      'TRUNCATED',
    );
  });

  it('a huge manifest is refused (declared length, or counted while streaming)', async () => {
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.OciManifest, 'content-length': 50 * 1024 * 1024 });
      res.write(Buffer.alloc(1024));
    };
    const c = client();
    expect((await failure(c.promises.getManifest(`${fake.addr}/app:big`))).code).toBe('TOO_LARGE');
    // No Content-Length: chunked bytes that never stop.
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': MediaType.OciManifest });
      const chunk = Buffer.alloc(64 * 1024, 32);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    };
    const small = client({ maxManifestBytes: 256 * 1024 });
    const e = await failure(small.promises.getManifest(`${fake.addr}/app:endless`));
    expect(e.code).toBe('TOO_LARGE');
    expect(e.message).toContain('262144');
  });

  it('an invalid manifest is INVALID_RESPONSE; a schema 1 manifest is UNSUPPORTED_MEDIA', async () => {
    fake.handle = (_req, res) => {
      res
        .writeHead(200, { 'content-type': MediaType.OciManifest })
        .end('{"schemaVersion":2,"layers":"nope"}');
    };
    expect((await failure(client().promises.getManifest(`${fake.addr}/app:1`))).code).toBe(
      'INVALID_RESPONSE',
    );
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      res.end('{"schemaVersion":1,"name":"app","tag":"1","fsLayers":[]}');
    };
    expect((await failure(client().promises.getManifest(`${fake.addr}/app:1`))).code).toBe(
      'UNSUPPORTED_MEDIA',
    );
  });
});

describe('pagination guards', () => {
  it('follows Link headers (relative and absolute) to the end', async () => {
    fake.handle = (_req, res, url) => {
      const last = url.searchParams.get('last');
      if (!last) {
        res.writeHead(200, { link: '</v2/app/tags/list?n=2&last=b>; rel="next"' }).end('{"tags":["a","b"]}');
      } else if (last === 'b') {
        res
          .writeHead(200, { link: `<http://${fake.addr}/v2/app/tags/list?n=2&last=d>; rel="next"` })
          .end('{"tags":["c","d"]}');
      } else res.writeHead(200).end('{"tags":["e"]}');
    };
    expect(await client().promises.listTags(`${fake.addr}/app`, { pageSize: 2 })).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect(fake.seen.filter((s) => s.path.startsWith('/v2/app'))[0]?.path).toBe('/v2/app/tags/list?n=2');
  });

  it('a next link that points back to itself is a PAGINATION_LOOP', async () => {
    fake.handle = (_req, res) => {
      res.writeHead(200, { link: '</v2/app/tags/list?n=2&last=b>; rel="next"' }).end('{"tags":["a","b"]}');
    };
    const e = await failure(client().promises.listTags(`${fake.addr}/app`));
    expect(e.code).toBe('PAGINATION_LOOP');
  });

  it('endless fresh pages stop at maxPages', async () => {
    let page = 0;
    fake.handle = (_req, res) => {
      page++;
      res
        .writeHead(200, { link: `</v2/app/tags/list?last=t${page}>; rel="next"` })
        .end(`{"tags":["t${page}"]}`);
    };
    const e = await failure(client().promises.listTags(`${fake.addr}/app`, { maxPages: 50 }));
    expect(e.code).toBe('PAGINATION_LOOP');
    expect(page).toBe(50);
  });
});

describe('retries, rate limits, timeouts and errors', () => {
  it('429 with Retry-After: waits that long, then succeeds', async () => {
    let calls = 0;
    fake.handle = (_req, res) => {
      if (++calls === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
        return;
      }
      res.writeHead(200, { 'docker-content-digest': digest, 'content-type': MediaType.OciManifest }).end();
    };
    const started = Date.now();
    const r = await client().promises.resolve(`${fake.addr}/app:1`);
    expect(r.digest).toBe(digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(calls).toBe(2);
  });

  it('429 asking for longer than the client waits fails at once with TOOMANYREQUESTS and retryAfterSeconds', async () => {
    fake.handle = (_req, res) => {
      res.writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limited"}]}');
    };
    const started = Date.now();
    const e = await failure(client().promises.getManifest(`${fake.addr}/app:1`));
    expect(e.code).toBe('TOOMANYREQUESTS');
    expect(e.retryAfterSeconds).toBe(3600);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('5xx are retried with backoff, then reported with the status', async () => {
    let calls = 0;
    fake.handle = (_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 200, { 'docker-content-digest': digest }).end();
    };
    const logs: RegistryLogEvent[] = [];
    await client({ logger: (e) => logs.push(e) }).promises.resolve(`${fake.addr}/app:1`);
    expect(calls).toBe(3);
    expect(logs.filter((l) => l.type === 'retry').length).toBe(2);
    calls = 0;
    fake.handle = (_req, res) => {
      calls++;
      res.writeHead(500).end();
    };
    const e = await failure(client().promises.getManifest(`${fake.addr}/app:1`));
    expect(e.status).toBe(500);
    expect(calls).toBe(4);
  });

  it('no answer within timeoutMs is a TIMEOUT', async () => {
    fake.handle = () => {}; // never answers
    const e = await failure(
      client({ timeoutMs: 150, retry: { attempts: 2, baseDelayMs: 5 } }).promises.getManifest(
        `${fake.addr}/app:1`,
      ),
    );
    expect(e.code).toBe('TIMEOUT');
  });

  it('a refused connection is a NETWORK error', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const e = await failure(client({ retry: { attempts: 1 } }).promises.resolve(`127.0.0.1:${port}/app:1`));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('registry JSON error codes become the error code', async () => {
    fake.handle = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
    };
    const e = await failure(client().promises.getManifest(`${fake.addr}/app:1`));
    expect(e.code).toBe('NAME_UNKNOWN');
    expect(e.message).toContain('repository name not known');
    fake.handle = (_req, res) => {
      res.writeHead(404).end();
    };
    expect((await failure(client().promises.resolve(`${fake.addr}/app:1`))).code).toBe('MANIFEST_UNKNOWN');
    expect(await client().promises.exists(`${fake.addr}/app:1`)).toBe(false);
    expect(await client().promises.headBlob(`${fake.addr}/app`, digest)).toBeUndefined();
  });
});

describe('auth edge cases', () => {
  it('follows a blob redirect to another origin without the Authorization header', async () => {
    const storage = await startFakeRegistry();
    const blob = Buffer.from('stored elsewhere');
    storage.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': blob.length }).end(blob);
    };
    fake.handlesPing = true;
    fake.handle = (req, res, url) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      } else if (url.pathname === '/v2/') res.writeHead(200).end();
      else res.writeHead(307, { location: `http://${storage.addr}/blobs/x?sig=abc` }).end();
    };
    const c = client({ credentials: staticCredentials(registryTokenCredentials('secret-registry-token')) });
    const got = await c.promises.fetchBlob(`${fake.addr}/app`, sha256(blob));
    expect(got.equals(blob)).toBe(true);
    expect(fake.seen.some((s) => s.authorization === 'Bearer secret-registry-token')).toBe(true);
    expect(storage.seen).toHaveLength(1);
    expect(storage.seen[0]?.authorization).toBeUndefined();
    await storage.close();
  });

  it('several challenges in one header, expires_in absent (60 s default), token re-fetched after a 401', async () => {
    let now = 1_700_000_000_000;
    let tokens = 0;
    let reject = false;
    fake.handlesPing = true;
    fake.handle = (req, res, url) => {
      if (url.pathname === '/token') {
        tokens++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: `t${tokens}` }));
        return;
      }
      const ok = req.headers.authorization?.startsWith('Bearer t') && !reject;
      if (!ok) {
        reject = false;
        res.writeHead(401, {
          'www-authenticate': `Newauth realm="apps", type=1, title="Login", Bearer realm="http://${fake.addr}/token",service="fake",scope="repository:app:pull"`,
        });
        res.end();
        return;
      }
      res.writeHead(200, { 'docker-content-digest': digest }).end();
    };
    const c = client({ now: () => now });
    await c.promises.resolve(`${fake.addr}/app:1`);
    await c.promises.resolve(`${fake.addr}/app:1`);
    expect(tokens).toBe(1);
    now += 61_000;
    await c.promises.resolve(`${fake.addr}/app:1`);
    expect(tokens).toBe(2);
    reject = true; // the registry revokes the token: one 401, a fresh token, success
    await c.promises.resolve(`${fake.addr}/app:1`);
    expect(tokens).toBe(3);
    const tokenRequest = fake.seen.find((s) => s.path.startsWith('/token'));
    expect(tokenRequest?.path).toBe('/token?service=fake&scope=repository%3Aapp%3Apull');
  });
});

describe('the TaskEither API', () => {
  it('answers Right or Left with a typed error and never throws, whatever the input', async () => {
    fake.handle = (_req, res) => {
      res.writeHead(200, { 'docker-content-digest': digest }).end();
    };
    const c = client();
    const ok = await c.resolve(`${fake.addr}/app:1`)();
    expect(isRight(ok) && ok.right.digest).toBe(digest);
    const bad = await c.resolve('Not A Reference')();
    expect(isLeft(bad) && bad.left.code).toBe('INVALID_REFERENCE');
    const badDigest = await c.fetchBlob(`${fake.addr}/app`, 'sha256:nope')();
    expect(isLeft(badDigest) && badDigest.left.code).toBe('INVALID_REFERENCE');
    await expect(c.promises.resolve('Not A Reference')).rejects.toMatchObject({ code: 'INVALID_REFERENCE' });
  });
});
