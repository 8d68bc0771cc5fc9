import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@baton-ecs/loop';
import { defaultArnContext } from '@baton-ecs/model';
import { type BatonKinds, batonKinds, createMemoryStore, type Store } from '@baton-ecs/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseEnvironmentFile,
  SecretCipher,
  type SecretRequest,
  SecretResolutionError,
  SecretResolver,
  SecretsApi,
} from '../../src/secrets/index.js';

let store: Store<BatonKinds>;
let api: SecretsApi;
let dir: string;
let secretArn: string;
const task = 'arn:aws:ecs:local:000000000000:task/c/1';

beforeAll(async () => {
  store = await createMemoryStore({ kinds: batonKinds });
  api = new SecretsApi(store, new SecretCipher(randomBytes(32)), systemClock, defaultArnContext);
  await api.putParameter({ Name: '/app/token', Value: 'tok-123' });
  secretArn = (
    await api.createSecret({ Name: 'db', SecretString: '{"user":"admin","password":"pw-1","port":5432}' })
  ).ARN;
  await api.putSecretValue({ SecretId: 'db', SecretString: '{"user":"admin","password":"pw-2"}' });
  dir = await mkdtemp(join(tmpdir(), 'baton-secrets-'));
  await mkdir(join(dir, 'allowed'));
  await writeFile(join(dir, 'allowed', 'key'), 'file-secret\n');
  await writeFile(
    join(dir, 'allowed', 'a.env'),
    '# comment\nA=from-a\nSHARED=a\n\nEMPTY=\nB=x=y\nnot a var\n',
  );
  await writeFile(join(dir, 'allowed', 'b.env'), 'SHARED=b\nC=from-b\n');
  await writeFile(join(dir, 'outside'), 'nope');
  await symlink(join(dir, 'outside'), join(dir, 'allowed', 'escape'));
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const resolver = (extra: Partial<ConstructorParameters<typeof SecretResolver>[0]> = {}) =>
  new SecretResolver({ local: api, fileRoots: [join(dir, 'allowed')], ...extra });

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SecretResolutionError) return e.message;
    throw e;
  }
  throw new Error('expected a SecretResolutionError');
}

describe('SecretResolver', () => {
  it('resolves SSM names and ARNs from the local parameter store', async () => {
    const r = resolver();
    expect(await r.secret('/app/token', 'secret', task, 'c')).toBe('tok-123');
    expect(
      await r.secret('arn:aws:ssm:us-east-1:123456789012:parameter/app/token', 'secret', task, 'c'),
    ).toBe('tok-123');
  });

  it('resolves Secrets Manager ARNs with json-key, version-stage and version-id', async () => {
    const r = resolver();
    const partial = secretArn.replace(/-[A-Za-z0-9]{6}$/, '');
    expect(await r.secret(secretArn, 'secret', task, 'c')).toBe('{"user":"admin","password":"pw-2"}');
    expect(await r.secret(`${partial}:password::`, 'secret', task, 'c')).toBe('pw-2');
    expect(await r.secret(`${secretArn}:password:AWSPREVIOUS:`, 'secret', task, 'c')).toBe('pw-1');
    expect(await r.secret(`${secretArn}:port:AWSPREVIOUS:`, 'secret', task, 'c')).toBe('5432');
    const { VersionIdsToStages } = await api.describeSecret({ SecretId: 'db' });
    const previousId = Object.entries(VersionIdsToStages).find(([, s]) => s.includes('AWSPREVIOUS'))![0];
    expect(await r.secret(`${secretArn}:password::${previousId}`, 'secret', task, 'c')).toBe('pw-1');
  });

  it("fails with ECS's stopped reasons, naming the reference and never a value", async () => {
    const r = resolver();
    expect(await reason(r.secret('/app/missing', 'secret', task, 'c'))).toBe(
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: invalid parameters: /app/missing',
    );
    const missing = 'arn:aws:secretsmanager:local:000000000000:secret:nope';
    expect(await reason(r.secret(missing, 'secret', task, 'c'))).toBe(
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to fetch secret ${missing} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    const noKey = await reason(r.secret(`${secretArn}:nokey::`, 'secret', task, 'c'));
    expect(noKey).toMatch(/did not contain json key nokey$/);
    expect(noKey).not.toContain('pw-');
    expect(await reason(r.secret(`${secretArn}::STAGE-X:`, 'secret', task, 'c'))).toMatch(
      /can't find the specified secret value for staging label: STAGE-X$/,
    );
  });

  it('a local store that cannot decrypt (no key, another key) fails the task with why, not a retry', async () => {
    const noKey = resolver({ local: new SecretsApi(store, undefined, systemClock, defaultArnContext) });
    expect(await reason(noKey.secret('/app/token', 'secret', task, 'c'))).toMatch(
      /^ResourceInitializationError: .*unable to retrieve secrets from ssm: InvalidRequestException: decrypt: the local secrets store needs an encryption key/,
    );
    const otherKey = resolver({
      local: new SecretsApi(store, new SecretCipher(randomBytes(32)), systemClock, defaultArnContext),
    });
    const why = await reason(otherKey.secret(secretArn, 'secret', task, 'c'));
    expect(why).toMatch(
      /^ResourceInitializationError: .*unable to retrieve secret from asm: .*DecryptionFailure/,
    );
    expect(why).not.toContain('pw-');
  });

  it('reads file:// references only under the allowed roots, symlinks resolved', async () => {
    const r = resolver();
    expect(await r.secret(`file://${join(dir, 'allowed', 'key')}`, 'secret', task, 'c')).toBe('file-secret');
    expect(await reason(r.secret(`file://${join(dir, 'outside')}`, 'secret', task, 'c'))).toMatch(
      /outside secrets\.fileRoots/,
    );
    expect(await reason(r.secret(`file://${join(dir, 'allowed', 'escape')}`, 'secret', task, 'c'))).toMatch(
      /outside secrets\.fileRoots/,
    );
    expect(
      await reason(
        resolver({ fileRoots: [] }).secret(`file://${join(dir, 'allowed', 'key')}`, 'secret', task, 'c'),
      ),
    ).toMatch(/file:\/\/ references are off/);
  });

  it('merges environment files as ECS does: earlier files win, secrets override', async () => {
    const env = await resolver().environment(
      {
        name: 'c',
        environmentFiles: [
          { value: `file://${join(dir, 'allowed', 'a.env')}`, type: 's3' },
          { value: `file://${join(dir, 'allowed', 'b.env')}`, type: 's3' },
        ],
        secrets: [{ name: 'TOKEN', valueFrom: '/app/token' }],
      },
      task,
    );
    expect(env.defaults).toEqual([
      { name: 'A', value: 'from-a' },
      { name: 'SHARED', value: 'a' },
      { name: 'EMPTY', value: '' },
      { name: 'B', value: 'x=y' },
      { name: 'C', value: 'from-b' },
    ]);
    expect(env.overrides).toEqual([{ name: 'TOKEN', value: 'tok-123' }]);
  });

  it('keeps S3 environment files AWS-only unless a provider answers', async () => {
    const s3 = 'arn:aws:s3:::bucket/app.env';
    expect(
      await reason(
        resolver().environment({ name: 'c', environmentFiles: [{ value: s3, type: 's3' }] }, task),
      ),
    ).toMatch(
      /^ResourceInitializationError: failed to download env files: arn:aws:s3:::bucket\/app.env: S3 is AWS-only/,
    );
    const requests: SecretRequest[] = [];
    const withProvider = resolver({
      provider: (req) => {
        requests.push(req);
        return req.kind === 'environmentFile' ? 'S3VAR=1' : undefined;
      },
    });
    const env = await withProvider.environment(
      { name: 'c', environmentFiles: [{ value: s3, type: 's3' }] },
      task,
    );
    expect(env.defaults).toEqual([{ name: 'S3VAR', value: '1' }]);
    expect(requests[0]).toMatchObject({
      kind: 'environmentFile',
      valueFrom: s3,
      taskArn: task,
      containerName: 'c',
    });
  });

  it("asks the service's provider first, falls through on undefined, applies jsonKey to its answer", async () => {
    const r = resolver({
      provider: ({ reference }) =>
        reference?.source === 'secretsmanager' && reference.secretId === 'vault'
          ? '{"k":"from-vault"}'
          : undefined,
    });
    expect(await r.secret('arn:aws:secretsmanager:us-east-1:1:secret:vault:k::', 'secret', task, 'c')).toBe(
      'from-vault',
    );
    expect(await r.secret('/app/token', 'secret', task, 'c')).toBe('tok-123');
    const failing = resolver({
      provider: () => {
        throw new Error('vault sealed');
      },
    });
    expect(await reason(failing.secret('/app/token', 'secret', task, 'c'))).toMatch(
      /provider failed for \/app\/token: vault sealed$/,
    );
  });

  it('reads repositoryCredentials as a username/password secret', async () => {
    await api.createSecret({ Name: 'registry', SecretString: '{"username":"baton","password":"reg-pw"}' });
    const r = resolver();
    expect(
      await r.registryAuth(
        {
          name: 'c',
          repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:local:0:secret:registry' },
        },
        task,
      ),
    ).toEqual({ username: 'baton', password: 'reg-pw' });
    expect(await r.registryAuth({ name: 'c' }, task)).toBeUndefined();
    const bad = await reason(
      r.registryAuth({ name: 'c', repositoryCredentials: { credentialsParameter: '/app/token' } }, task),
    );
    expect(bad).toMatch(/must be JSON with "username" and "password"/);
    expect(bad).not.toContain('tok-123');
  });
});

describe('parseEnvironmentFile', () => {
  it('skips comments, blanks and lines without "=", keeps values literal, last repeat wins', () => {
    expect(parseEnvironmentFile('# c\n\nA="q"\r\nB = x\nnoeq\n=v\nA=2\n')).toEqual([
      { name: 'A', value: '2' },
      { name: 'B', value: ' x' },
    ]);
  });
});
