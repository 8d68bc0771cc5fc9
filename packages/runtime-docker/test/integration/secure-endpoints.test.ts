import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerEngine,
  type EngineConnection,
  EngineSecurityError,
  engineFromDockerEnvironment,
  InstanceAgent,
} from '../../src/index.js';
import {
  type CertificateAuthority,
  dockerCertPath,
  engineTlsDir,
  newCertificateAuthority,
} from './certificates.js';
import { agentOptions, newStore, waitFor } from './harness.js';
import { destroyEngine, freshEngine, script } from './secure-engines.js';

// Engine 5 serves mutual TLS on 127.0.0.1:23765 (and 127.0.0.2:23765, where its certificate's name
// does not match); engine 6 serves TLS with a certificate that has expired. An sshd of the test's own
// on 127.0.0.1:23722 hands `docker system dial-stdio` to engine 5's socket.
const tlsPort = 23765;
const expiredPort = 23766;
const sshPort = 23722;
const good = `tcp://127.0.0.1:${tlsPort}`;

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let client: { cert: string; key: string };
let sshDir: string;
let engine5: string;

beforeAll(async () => {
  ca = newCertificateAuthority('baton-mh');
  otherCa = newCertificateAuthority('baton-mh-other');
  const server = ca.issue('server', {
    commonName: 'engine-5',
    altNames: ['IP:127.0.0.1', 'DNS:localhost'],
    usage: 'server',
  });
  const expiredServer = ca.issue('expired-server', {
    commonName: 'engine-6',
    altNames: ['IP:127.0.0.1'],
    usage: 'server',
    days: -1,
  });
  client = ca.issue('client', { commonName: 'baton', usage: 'client' });
  engine5 = await freshEngine(5, {
    dir: engineTlsDir(ca, server),
    addrs: [`127.0.0.1:${tlsPort}`, `127.0.0.2:${tlsPort}`],
  });
  await freshEngine(6, { dir: engineTlsDir(ca, expiredServer), addrs: [`127.0.0.1:${expiredPort}`] });

  sshDir = join(ca.dir, 'ssh');
  execFileSync('mkdir', ['-p', sshDir]);
  for (const key of ['host_key', 'client_key', 'stranger_key'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', key, '-f', join(sshDir, key)]);
  writeFileSync(join(sshDir, 'authorized_keys'), readFileSync(join(sshDir, 'client_key.pub')));
  const hostKey = readFileSync(join(sshDir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(sshDir, 'known_hosts'), `[127.0.0.1]:${sshPort} ${hostKey}\n`);
  const strangerKey = readFileSync(join(sshDir, 'stranger_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(sshDir, 'wrong_known_hosts'), `[127.0.0.1]:${sshPort} ${strangerKey}\n`);
  await script('sshd-instance.sh', ['start', sshDir, String(sshPort), engine5]);
}, 60_000);

afterAll(async () => {
  if (sshDir) await script('sshd-instance.sh', ['stop', sshDir]).catch(() => undefined);
  await destroyEngine(5);
  await destroyEngine(6);
  for (const c of [ca, otherCa]) if (c) rmSync(c.dir, { recursive: true, force: true });
}, 60_000);

/** The engine's refusal, as the EngineSecurityError Baton reports. */
async function refusal(endpoint: string, connection: EngineConnection): Promise<EngineSecurityError> {
  const error = await new DockerEngine(endpoint, connection).ping(5_000).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineSecurityError);
  return error as EngineSecurityError;
}

describe('an engine started with --tlsverify', () => {
  it('answers Baton with the right client certificate (files, PEM text, DOCKER_CERT_PATH)', async () => {
    const viaUnix = await new DockerEngine(engine5).info();
    const files = new DockerEngine(good, { tls: { ca: ca.ca, cert: client.cert, key: client.key } });
    await files.ping(5_000);
    expect((await files.info()).id).toBe(viaUnix.id);
    expect(await files.imageRefs()).toContain('baton-test/busybox:1');

    const pem = (p: string) => readFileSync(p, 'utf8');
    const text = new DockerEngine(`https://127.0.0.1:${tlsPort}`, {
      tls: { ca: pem(ca.ca), cert: pem(client.cert), key: pem(client.key) },
    });
    expect((await text.info()).id).toBe(viaUnix.id);

    const fromEnv = engineFromDockerEnvironment({
      DOCKER_HOST: good,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: dockerCertPath(ca, client),
    });
    expect(fromEnv?.tls?.certPath).toBeDefined();
    const { endpoint, ...connection } = fromEnv!;
    expect((await new DockerEngine(endpoint, connection).info()).id).toBe(viaUnix.id);
  });

  it('is refused with a CA that did not sign its certificate: unknown-ca', async () => {
    const e = await refusal(good, { tls: { ca: otherCa.ca, cert: client.cert, key: client.key } });
    expect(e.reason).toBe('unknown-ca');
    expect(e.message).toMatch(/not signed by a trusted CA/);
    expect(e.statusCode).toBeUndefined();
  });

  it('is refused under a name its certificate does not carry: name-mismatch', async () => {
    const e = await refusal(`tcp://127.0.0.2:${tlsPort}`, {
      tls: { ca: ca.ca, cert: client.cert, key: client.key },
    });
    expect(e.reason).toBe('name-mismatch');
    expect(e.message).toMatch(/127\.0\.0\.2/);
  });

  it('is refused when its certificate has expired: expired', async () => {
    const e = await refusal(`tcp://127.0.0.1:${expiredPort}`, {
      tls: { ca: ca.ca, cert: client.cert, key: client.key },
    });
    expect(e.reason).toBe('expired');
  });

  it('refuses Baton without a client certificate, or with an expired one: certificate-rejected', async () => {
    expect((await refusal(good, { tls: { ca: ca.ca } })).reason).toBe('certificate-rejected');
    const expiredClient = ca.issue('expired-client', { commonName: 'baton', usage: 'client', days: -1 });
    expect((await refusal(good, { tls: { ca: ca.ca, ...expiredClient } })).reason).toBe(
      'certificate-rejected',
    );
    const strangerClient = otherCa.issue('client', { commonName: 'baton', usage: 'client' });
    expect((await refusal(good, { tls: { ca: ca.ca, ...strangerClient } })).reason).toBe(
      'certificate-rejected',
    );
  });

  it('an agent reports every refused attempt (never retried silently) and never registers', async () => {
    const { store, agentStore } = await newStore();
    const errors: unknown[] = [];
    const agent = new InstanceAgent(
      agentOptions({
        store: agentStore,
        cluster: 'mh-tls-refused',
        instanceId: 'i-refused',
        endpoint: good,
        tls: { ca: otherCa.ca, cert: client.cert, key: client.key },
        heartbeatIntervalMs: 100,
        onError: (error) => errors.push(error),
      }),
    );
    try {
      await agent.start();
      await waitFor('three reported refusals', 10_000, () => errors.length >= 3);
      expect(errors.every((e) => e instanceof EngineSecurityError && e.reason === 'unknown-ca')).toBe(true);
      expect(agent.connected).toBe(false);
      expect(await store.get('ContainerInstance', agent.containerInstanceArn)).toBeUndefined();
    } finally {
      await agent.stop();
    }
  });
});

describe('an ssh:// engine', () => {
  const ssh = `ssh://root@127.0.0.1:${sshPort}`;

  it('answers through a local sshd with key authentication and a known host key', async () => {
    const engine = new DockerEngine(ssh, {
      ssh: { privateKey: join(sshDir, 'client_key'), knownHosts: join(sshDir, 'known_hosts') },
    });
    await engine.ping(10_000);
    expect((await engine.info()).id).toBe((await new DockerEngine(engine5).info()).id);
  });

  it('is refused when the host key is not the one in known_hosts: ssh-host-key', async () => {
    const e = await refusal(ssh, {
      ssh: { privateKey: join(sshDir, 'client_key'), knownHosts: join(sshDir, 'wrong_known_hosts') },
    });
    expect(e.reason).toBe('ssh-host-key');
  });

  it('is refused with a key the host does not authorize: ssh-authentication', async () => {
    const e = await refusal(ssh, {
      ssh: { privateKey: join(sshDir, 'stranger_key'), knownHosts: join(sshDir, 'known_hosts') },
    });
    expect(e.reason).toBe('ssh-authentication');
  });
});
