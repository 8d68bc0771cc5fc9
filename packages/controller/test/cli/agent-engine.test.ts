import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AgentConfig, agentConfig } from '../../src/cli/agent-config.js';
import { type ServeConfig, serveConfig } from '../../src/cli/serve-config.js';
import { UsageError } from '../../src/cli/usage-error.js';

const config = (args: string[], env: NodeJS.ProcessEnv = {}) => serveConfig(args, env) as ServeConfig;

describe('baton serve: secure engines', () => {
  it('--engine-ca/--engine-cert/--engine-key give tcp:// engines mutual TLS; ssh flags go to ssh:// engines', () => {
    const c = config([
      '--engine',
      'tcp://127.0.0.1:2376',
      '--engine',
      'ssh://ops@127.0.0.1:2222',
      '--engine-ca',
      '/certs/ca.pem',
      '--engine-cert',
      '/certs/cert.pem',
      '--engine-key',
      '/certs/key.pem',
      '--engine-ssh-key',
      '/keys/id_ed25519',
      '--engine-known-hosts',
      '/keys/known_hosts',
    ]);
    expect(c.engines[0]).toMatchObject({
      endpoint: 'tcp://127.0.0.1:2376',
      tls: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' },
    });
    expect(c.engines[0]).not.toHaveProperty('ssh');
    expect(c.engines[1]).toMatchObject({
      endpoint: 'ssh://ops@127.0.0.1:2222',
      ssh: { privateKey: '/keys/id_ed25519', knownHosts: '/keys/known_hosts' },
    });
    expect(c.engines[1]).not.toHaveProperty('tls');
  });

  it('without --engine, DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the Docker CLI reads them', () => {
    const c = config([], {
      DOCKER_HOST: 'tcp://127.0.0.1:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/c',
    });
    expect(c.engines).toEqual([
      expect.objectContaining({ endpoint: 'tcp://127.0.0.1:2376', tls: { certPath: '/c' } }),
    ]);
    expect(config(['--engine', 'unix:///e.sock'], { DOCKER_HOST: 'tcp://h:2376' }).engines[0]?.endpoint).toBe(
      'unix:///e.sock',
    );
  });

  it('a config file entry carries its own tls, ssh and allowInsecure; a wrong field is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-agent-engine-'));
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        engines: [
          { endpoint: 'tcp://10.0.0.9:2376', tls: { certPath: '/etc/baton/engine' } },
          { endpoint: 'tcp://10.0.0.8:2375', allowInsecure: true },
        ],
      }),
    );
    const c = config(['--config', file]);
    expect(c.engines[0]).toMatchObject({ tls: { certPath: '/etc/baton/engine' } });
    expect(c.engines[1]).toMatchObject({ allowInsecure: true });
    writeFileSync(file, JSON.stringify({ engines: [{ endpoint: 'tcp://h', tls: { cafile: 'x' } }] }));
    expect(() => config(['--config', file])).toThrow(UsageError);
    expect(() => config(['--config', file])).toThrow(/engines\.0\.tls/);
    expect(() => config(['--engine', 'tcp://h:2376', '--engine-cert', '/c'])).toThrow(
      /--engine-cert: needs --engine-key too/,
    );
  });
});

describe('baton serve --engine none, baton agent flags', () => {
  it('--engine none: a control plane with no engine of its own', () => {
    expect(config(['--engine', 'none'], { DOCKER_HOST: 'tcp://127.0.0.1:2376' }).engines).toEqual([]);
  });

  it('baton agent: needs --etcd, keeps its identity in --state-dir, refuses another cluster', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'baton-agent-state-'));
    const args = ['--etcd', 'http://127.0.0.1:2379', '--state-dir', stateDir, '--engine', 'unix:///e.sock'];
    expect(() => agentConfig(args.slice(2), {})).toThrow(/--etcd: needed/);
    const first = agentConfig([...args, '--cluster', 'a', '--attribute', 'zone=z1', '--lease', '3s'], {
      ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod"}',
    }) as AgentConfig;
    expect(first.engine.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(first.engine.attributes).toEqual({ stack: 'prod', zone: 'z1' });
    expect(first.election).toEqual({ leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400 });
    const again = agentConfig([...args, '--cluster', 'a'], {}) as AgentConfig;
    expect(again.engine.instanceId).toBe(first.engine.instanceId);
    expect(() => agentConfig([...args, '--cluster', 'b'], {})).toThrow(/registered in cluster "a", not "b"/);
    expect(() => agentConfig([...args, '--cluster', 'a', '--etcd-user', 'u'], {})).toThrow(
      /--etcd-user: set BATON_ETCD_PASSWORD too/,
    );
    expect(() =>
      agentConfig(['--etcd', 'https://127.0.0.1:2379', '--state-dir', stateDir, '--cluster', 'a'], {}),
    ).toThrow(/--etcd-ca: needed for https/);
  });
  it('baton agent: secrets file roots, the local stores key (file or BATON_SECRETS_KEY), registries to pin', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'baton-agent-secrets-'));
    const args = ['--etcd', 'http://127.0.0.1:2379', '--state-dir', stateDir, '--engine', 'unix:///e.sock'];
    const hex = 'ab'.repeat(32);
    const keyFile = join(stateDir, 'key');
    writeFileSync(keyFile, `${hex}\n`);
    expect((agentConfig(args, {}) as AgentConfig).secrets).toEqual({
      fileRoots: [],
      registries: [],
      insecureRegistries: [],
    });
    const c = agentConfig(
      [
        ...args,
        '--secrets-file-root',
        '/run/secrets',
        '--secrets-key-file',
        keyFile,
        '--registry',
        'registry.internal:5000',
        '--insecure-registry',
        'registry.internal:5000',
        '--registry-config',
        '/etc/baton/docker.json',
      ],
      { AWS_REGION: 'eu-west-3' },
    ) as AgentConfig;
    expect(c.secrets).toEqual({
      encryptionKey: Buffer.from(hex, 'hex'),
      fileRoots: ['/run/secrets'],
      registries: ['registry.internal:5000'],
      insecureRegistries: ['registry.internal:5000'],
      registryConfig: '/etc/baton/docker.json',
    });
    expect(c.region).toBe('eu-west-3');
    expect((agentConfig(args, { BATON_SECRETS_KEY: hex }) as AgentConfig).secrets.encryptionKey).toEqual(
      Buffer.from(hex, 'hex'),
    );
    const refusal = (extra: string[], env: NodeJS.ProcessEnv = {}) => {
      try {
        agentConfig([...args, ...extra], env);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('expected a UsageError');
    };
    expect(refusal(['--secrets-file-root', 'run/secrets'])).toBe(
      '--secrets-file-root: "run/secrets" must be an absolute path',
    );
    const wrong = refusal([], { BATON_SECRETS_KEY: 'not-a-key-but-a-secret' });
    expect(wrong).toMatch(/^BATON_SECRETS_KEY: must be 32 bytes/);
    expect(wrong).not.toContain('not-a-key-but-a-secret');
    expect(refusal(['--secrets-key-file', keyFile], { BATON_SECRETS_KEY: hex })).toMatch(
      /^--secrets-key-file: give the key once/,
    );
    expect(refusal(['--secrets-key-file', join(stateDir, 'missing')])).toMatch(
      /^--secrets-key-file .*missing: ENOENT$/,
    );
    expect(refusal(['--registry', 'https://registry.internal'])).toMatch(
      /^--registry: "https:\/\/registry\.internal" must be a registry host/,
    );
  });
});
