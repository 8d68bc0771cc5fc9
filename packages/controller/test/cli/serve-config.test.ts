import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ServeConfig, serveConfig } from '../../src/cli/serve-config.js';
import { UsageError } from '../../src/cli/usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-serve-config-'));
const file = (name: string, json: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
  return p;
};
const refusal = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    serveConfig(args, env);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('baton serve: flags, environment and config file', () => {
  it('defaults: loopback, port 4566, cluster default, no credentials', () => {
    const c = serveConfig(['--engine', 'unix:///tmp/none.sock'], {}) as ServeConfig;
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 4566,
      cluster: 'default',
      region: 'us-east-1',
      logFormat: 'text',
    });
    expect(c.credentials).toEqual([]);
    expect(c.engines[0]?.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    // The same endpoint gets the same instance id on the next start (adoption).
    expect(
      (serveConfig(['--engine', 'unix:///tmp/none.sock'], {}) as ServeConfig).engines[0]?.instanceId,
    ).toBe(c.engines[0]?.instanceId);
  });

  it('flags beat the config file; credentials come from both; ECS agent variables apply', () => {
    const config = file('c.json', {
      port: 9000,
      cluster: 'from-file',
      credentials: [{ accessKeyId: 'A1', secretAccessKey: 's1' }],
      engines: [{ endpoint: 'unix:///tmp/e.sock', instanceId: 'host-a' }],
    });
    const c = serveConfig(['--config', config, '--port', '9100', '--host', '0.0.0.0'], {
      BATON_ACCESS_KEY_ID: 'A2',
      BATON_SECRET_ACCESS_KEY: 's2',
      ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
      ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h30m',
      ECS_RESERVED_PORTS: '[22, 2375]',
      ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod"}',
    }) as ServeConfig;
    expect(c.port).toBe(9100);
    expect(c.cluster).toBe('from-file');
    expect(c.credentials.map((k) => k.accessKeyId)).toEqual(['A1', 'A2']);
    expect(c.agent.settings).toEqual({ imagePullBehavior: 'prefer-cached', taskCleanupWaitMs: 5_400_000 });
    expect(c.engines).toEqual([
      {
        endpoint: 'unix:///tmp/e.sock',
        instanceId: 'host-a',
        attributes: { stack: 'prod' },
        reservedPorts: [22, 2375],
      },
    ]);
  });

  it('refuses, naming the flag, variable or entry', () => {
    expect(refusal(['--port', 'eighty'])).toMatch(/^--port: must be a whole number from 0 to 65535/);
    expect(refusal(['--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(refusal(['--host', '0.0.0.0'])).toMatch(
      /^--host 0\.0\.0\.0: refusing to listen beyond the loopback/,
    );
    expect(refusal(['--log-format', 'xml'])).toMatch(/^--log-format: must be text or json/);
    expect(refusal(['--tls-cert', '/x.pem'])).toMatch(/^--tls-cert: needs --tls-key too/);
    expect(refusal(['--etcd', 'localhost:2379'])).toMatch(/^--etcd: "localhost:2379" is not an http/);
    expect(refusal(['--engine', '/var/run/docker.sock'])).toMatch(
      /^--engine: "\/var\/run\/docker\.sock" must be unix:/,
    );
    expect(refusal(['--account-id', '12'])).toMatch(/^--account-id: must be 12 digits/);
    expect(refusal(['--config', join(dir, 'missing.json')])).toMatch(/^--config .*missing\.json: ENOENT/);
    expect(refusal(['--config', file('bad.json', { port: 'x' })])).toMatch(/^--config .*bad\.json: port: /);
    expect(refusal(['--config', file('unknown.json', { prot: 1 })])).toMatch(
      /^--config .*unknown\.json: .*prot/,
    );
    expect(refusal(['--config', file('broken.json', '{')])).toMatch(
      /^--config .*broken\.json: not valid JSON/,
    );
    expect(refusal([], { BATON_ACCESS_KEY_ID: 'A' })).toMatch(
      /^BATON_ACCESS_KEY_ID and BATON_SECRET_ACCESS_KEY/,
    );
    expect(refusal([], { ECS_IMAGE_PULL_BEHAVIOR: 'sometimes' })).toMatch(
      /^ECS_IMAGE_PULL_BEHAVIOR: must be one of/,
    );
    expect(refusal([], { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: 'soon' })).toMatch(
      /^ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: must be a duration/,
    );
    expect(refusal([], { ECS_RESERVED_PORTS: '22' })).toMatch(/^ECS_RESERVED_PORTS: must be a JSON array/);
  });
  it('--instance-lost-after (or instanceLostAfter in the config file): a duration from 5s to 24h', () => {
    const engine = ['--engine', 'unix:///tmp/none.sock'];
    expect((serveConfig(engine, {}) as ServeConfig).instanceLostAfterMs).toBeUndefined();
    expect(
      (serveConfig([...engine, '--instance-lost-after', '1m30s'], {}) as ServeConfig).instanceLostAfterMs,
    ).toBe(90_000);
    const config = file('lost.json', { instanceLostAfter: '10m' });
    expect((serveConfig([...engine, '--config', config], {}) as ServeConfig).instanceLostAfterMs).toBe(
      600_000,
    );
    // The flag beats the file.
    expect(
      (serveConfig([...engine, '--config', config, '--instance-lost-after', '30s'], {}) as ServeConfig)
        .instanceLostAfterMs,
    ).toBe(30_000);
    expect(refusal([...engine, '--instance-lost-after', 'soon'])).toBe(
      '--instance-lost-after: must be a duration such as 3h, 10m or 30s (got "soon")',
    );
    expect(refusal([...engine, '--instance-lost-after', '2s'])).toBe(
      '--instance-lost-after: must be from 5s to 24h (got "2s")',
    );
    expect(refusal([...engine, '--instance-lost-after', '25h'])).toBe(
      '--instance-lost-after: must be from 5s to 24h (got "25h")',
    );
    expect(refusal([...engine, '--config', file('lost-bad.json', { instanceLostAfter: '1d' })])).toMatch(
      /^--config .*lost-bad\.json: instanceLostAfter: must be a duration such as/,
    );
  });
  it('the local secrets stores key (--secrets-key-file or BATON_SECRETS_KEY) and --secrets-file-root', () => {
    const engine = ['--engine', 'unix:///tmp/none.sock'];
    const hex = 'cd'.repeat(32);
    expect((serveConfig(engine, {}) as ServeConfig).secrets).toBeUndefined();
    expect(
      (
        serveConfig([...engine, '--secrets-file-root', '/run/secrets'], {
          BATON_SECRETS_KEY: hex,
        }) as ServeConfig
      ).secrets,
    ).toEqual({ encryptionKey: Buffer.from(hex, 'hex'), fileRoots: ['/run/secrets'] });
    const keyFile = file('key', `${hex}\n`);
    expect((serveConfig([...engine, '--secrets-key-file', keyFile], {}) as ServeConfig).secrets).toEqual({
      encryptionKey: Buffer.from(hex, 'hex'),
    });
    const wrong = refusal(engine, { BATON_SECRETS_KEY: 'short-and-secret' });
    expect(wrong).toMatch(/^BATON_SECRETS_KEY: must be 32 bytes/);
    expect(wrong).not.toContain('short-and-secret');
    expect(refusal([...engine, '--secrets-file-root', 'relative'])).toBe(
      '--secrets-file-root: "relative" must be an absolute path',
    );
  });
});
