import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isRight } from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymous,
  basicCredentials,
  type CredentialProvider,
  type Credentials,
  chainCredentials,
  dockerAuthConfig,
  dockerConfigCredentials,
  ecrCredentials,
  identityTokenCredentials,
  isEcrRegistry,
  registryAuthHeader,
  registryKey,
  registryTokenCredentials,
  staticCredentials,
  tokenCredentialProvider,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-creds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = async (p: CredentialProvider, registry: string): Promise<Credentials | undefined> => {
  const r = await p.credentials(registry)();
  if (!isRight(r)) throw r.left;
  return r.right;
};
const fails = async (p: CredentialProvider, registry: string) => {
  const r = await p.credentials(registry)();
  if (isRight(r)) throw new Error('expected a failure');
  return r.left;
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('static and chained providers', () => {
  it('maps registries (normalising URLs and Docker Hub aliases)', async () => {
    const p = staticCredentials({
      'https://index.docker.io/v1/': basicCredentials('hub', 'h'),
      'http://127.0.0.1:5000': basicCredentials('local', 'l'),
    });
    expect(await get(p, 'docker.io')).toMatchObject({ username: 'hub' });
    expect(await get(p, '127.0.0.1:5000')).toMatchObject({ username: 'local' });
    expect(await get(p, 'quay.io')).toBeUndefined();
    expect(await get(staticCredentials(basicCredentials('any', 'a')), 'quay.io')).toMatchObject({
      username: 'any',
    });
  });

  it('chains: the first provider with credentials wins', async () => {
    const p = chainCredentials(anonymous, staticCredentials({ 'quay.io': basicCredentials('q', 'q') }));
    expect(await get(p, 'quay.io')).toMatchObject({ username: 'q' });
    expect(await get(p, 'docker.io')).toBeUndefined();
  });

  it('credentials built here never print their secret', () => {
    const c = basicCredentials('user', 'hunter2-secret');
    expect(JSON.stringify({ c })).not.toContain('hunter2-secret');
    expect(inspect(c)).not.toContain('hunter2-secret');
    expect(`${inspect(identityTokenCredentials('refresh-secret'))}`).not.toContain('refresh-secret');
    expect(c.password).toBe('hunter2-secret'); // still usable
  });

  it('normalises registry keys', () => {
    expect(registryKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(registryKey('registry-1.docker.io')).toBe('docker.io');
    expect(registryKey('HTTPS://Quay.io/v2/')).toBe('quay.io');
  });
});

describe('Docker config.json', () => {
  it('reads auths: base64 user:password (a password may contain ":"), identitytoken, legacy fields', async () => {
    const path = join(dir, 'auths.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:pa:ss') },
          'ghcr.io': { identitytoken: 'refresh-123' },
          'legacy.example.com': { username: 'old', password: 'school' },
          'broken.example.com': { auth: b64('nocolon') },
        },
      }),
    );
    const p = dockerConfigCredentials({ path });
    expect(await get(p, 'docker.io')).toMatchObject({
      kind: 'basic',
      username: 'hubuser',
      password: 'pa:ss',
    });
    expect(await get(p, 'ghcr.io')).toMatchObject({ kind: 'identityToken', token: 'refresh-123' });
    expect(await get(p, 'legacy.example.com')).toMatchObject({ username: 'old', password: 'school' });
    expect(await get(p, 'quay.io')).toBeUndefined();
    const e = await fails(p, 'broken.example.com');
    expect(e.code).toBe('CREDENTIALS');
  });

  it('a missing file is anonymous; a corrupt one is a CREDENTIALS error', async () => {
    expect(await get(dockerConfigCredentials({ path: join(dir, 'nope.json') }), 'docker.io')).toBeUndefined();
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{not json');
    expect((await fails(dockerConfigCredentials({ path: bad }), 'docker.io')).code).toBe('CREDENTIALS');
  });

  it('uses $DOCKER_CONFIG when no path is given', async () => {
    const cfgDir = join(dir, 'cfgdir');
    await rm(cfgDir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(cfgDir));
    await writeFile(join(cfgDir, 'config.json'), JSON.stringify({ auths: { 'r.io': { auth: b64('a:b') } } }));
    expect(await get(dockerConfigCredentials({ env: { DOCKER_CONFIG: cfgDir } }), 'r.io')).toMatchObject({
      username: 'a',
    });
  });

  it('credHelpers and credsStore run the helper program (a real one on PATH)', async () => {
    const bin = join(dir, 'bin');
    await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
    // A helper speaking the docker-credential-helpers protocol: server URL on stdin, JSON on stdout.
    await writeFile(
      join(bin, 'docker-credential-batontest'),
      [
        '#!/bin/sh',
        '[ "$1" = get ] || exit 2',
        'read -r server',
        'case "$server" in',
        '  "https://index.docker.io/v1/") echo \'{"ServerURL":"x","Username":"hub-helper","Secret":"s1"}\' ;;',
        '  ghcr.io) echo \'{"ServerURL":"ghcr.io","Username":"<token>","Secret":"identity-xyz"}\' ;;',
        '  crash.io) echo "boom secret-ish" >&2; exit 3 ;;',
        '  *) echo "credentials not found in native keychain"; exit 1 ;;',
        'esac',
      ].join('\n'),
    );
    await chmod(join(bin, 'docker-credential-batontest'), 0o755);
    const path = join(dir, 'helpers.json');
    await writeFile(
      path,
      JSON.stringify({
        credsStore: 'batontest',
        credHelpers: { 'private.example.com': 'missing-helper' },
        auths: { 'fallback.io': { auth: b64('fb:pw') } },
      }),
    );
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const p = dockerConfigCredentials({ path });
      expect(await get(p, 'docker.io')).toMatchObject({
        kind: 'basic',
        username: 'hub-helper',
        password: 's1',
      });
      expect(await get(p, 'ghcr.io')).toMatchObject({ kind: 'identityToken', token: 'identity-xyz' });
      expect(await get(p, 'nothing.io')).toBeUndefined();
      expect(await get(p, 'fallback.io')).toMatchObject({ username: 'fb' }); // helper has none: auths
      const crash = await fails(p, 'crash.io');
      expect(crash.message).toBe(
        'credential helper docker-credential-batontest for crash.io exited with code 3',
      );
      const missing = await fails(p, 'private.example.com');
      expect(missing.message).toContain('docker-credential-missing-helper could not run');
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('token providers (ECR)', () => {
  it('caches a token until shortly before it expires, shares concurrent fetches', async () => {
    let now = 1_000_000;
    let fetches = 0;
    const p = ecrCredentials(
      async () => {
        fetches++;
        await new Promise((r) => setTimeout(r, 10));
        return { authorizationToken: b64(`AWS:pw-${fetches}`) };
      },
      { now: () => now },
    );
    const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const [a, b] = await Promise.all([get(p, ecr), get(p, ecr)]);
    expect(fetches).toBe(1);
    expect(a).toMatchObject({
      kind: 'basic',
      username: 'AWS',
      password: 'pw-1',
      expiresAt: 1_000_000 + 12 * 3600_000,
    });
    expect(b).toBe(a);
    now += 11 * 3600_000;
    expect(await get(p, ecr)).toMatchObject({ password: 'pw-1' });
    now += 56 * 60_000; // within 5 min of expiry
    expect(await get(p, ecr)).toMatchObject({ password: 'pw-2' });
    expect(await get(p, 'docker.io')).toBeUndefined();
  });

  it('honours expiresAt and reports failures without the token', async () => {
    const p = tokenCredentialProvider({
      matches: () => true,
      fetchToken: async () => ({ authorizationToken: 'not base64 user pass', expiresAt: new Date(5) }),
    });
    const e = await fails(p, 'r.io');
    expect(e.code).toBe('CREDENTIALS');
    expect(e.message).not.toContain('not base64 user pass');
    const thrower = tokenCredentialProvider({
      matches: () => true,
      fetchToken: async () => {
        throw new Error('AccessDenied for key AKIA-secret');
      },
    });
    const t = await fails(thrower, 'r.io');
    expect(t.message).toBe('token provider for r.io failed');
  });

  it('recognises ECR hosts', () => {
    expect(isEcrRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBe(true);
    expect(isEcrRegistry('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toBe(true);
    expect(isEcrRegistry('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toBe(true);
    expect(isEcrRegistry('public.ecr.aws')).toBe(false);
  });
});

describe('Docker engine auth config', () => {
  it('builds dockerode authconfig and the X-Registry-Auth header', () => {
    expect(dockerAuthConfig('docker.io', basicCredentials('u', 'p'))).toEqual({
      serveraddress: 'https://index.docker.io/v1/',
      username: 'u',
      password: 'p',
    });
    expect(dockerAuthConfig('ghcr.io', identityTokenCredentials('rt'))).toEqual({
      serveraddress: 'ghcr.io',
      identitytoken: 'rt',
    });
    expect(dockerAuthConfig('r.io', registryTokenCredentials('bt'))).toEqual({
      serveraddress: 'r.io',
      registrytoken: 'bt',
    });
    expect(dockerAuthConfig('r.io', undefined)).toBeUndefined();
    const h = registryAuthHeader({ serveraddress: 'r.io', username: 'u?', password: '>>>' });
    expect(h).not.toMatch(/[+/]/);
    expect(h.length % 4).toBe(0); // padded: the engine decodes with Go's padded URL encoding
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({
      serveraddress: 'r.io',
      username: 'u?',
      password: '>>>',
    });
  });
});
