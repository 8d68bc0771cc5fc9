import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkKnownHost,
  DockerEngine,
  dockerOptions,
  EngineError,
  EngineSecurityError,
  engineFromDockerEnvironment,
  isInsecureEndpoint,
} from '../src/index.js';

const engine = '/var/run/baton/docker.sock';
/** The modem's resolved connection (docker-modem's fields; not in its typings). */
type Modem = {
  host?: string;
  port?: number;
  protocol?: string;
  socketPath?: string;
  ca?: unknown;
  pathPrefix?: string;
};
const modemOf = (docker: Docker) => docker.modem as unknown as Modem;
const saved = { ...process.env };
afterEach(() => {
  for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_PATH_PREFIX']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('an engine endpoint given explicitly is never overridden by the environment', () => {
  it('DOCKER_HOST does not redirect a configured unix:// engine', async () => {
    if (!existsSync(engine))
      throw new Error(`engine 1 is not running at ${engine}: run bash scripts/provision.sh`);
    // A daemon that does not exist: were it used, the ping would fail.
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    const docker = new Docker(dockerOptions(`unix://${engine}`));
    expect(modemOf(docker).host).toBeUndefined();
    expect(modemOf(docker).socketPath).toBe(engine);
    expect(String(await docker.ping())).toBe('OK');
  });

  it('DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_PATH_PREFIX do not change a tcp:// engine', () => {
    process.env.DOCKER_HOST = 'tcp://10.9.9.9:2376';
    process.env.DOCKER_TLS_VERIFY = '1';
    process.env.DOCKER_PATH_PREFIX = '/elsewhere';
    const modem = modemOf(new Docker(dockerOptions('tcp://127.0.0.1:2375')));
    expect([modem.host, modem.port, modem.protocol, modem.ca, modem.pathPrefix]).toEqual([
      '127.0.0.1',
      2375,
      'http',
      undefined,
      undefined,
    ]);
  });
});

describe('secure endpoints', () => {
  it('refuses plain tcp:// and http:// beyond loopback unless the operator opts in, with a warning', () => {
    for (const endpoint of ['tcp://10.1.2.3:2375', 'http://docker.example:2375', 'tcp://[fd00::1]:2375']) {
      const error = (() => {
        try {
          dockerOptions(endpoint);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(EngineSecurityError);
      expect(error).toMatchObject({ reason: 'insecure-endpoint', operation: 'connect' });
      expect((error as Error).message).toMatch(/anyone who can reach that port is root/);
      expect(isInsecureEndpoint(endpoint)).toBe(true);
    }
    expect(isInsecureEndpoint('tcp://127.0.0.1:2375')).toBe(false);
    expect(isInsecureEndpoint('tcp://10.1.2.3:2376', { tls: {} })).toBe(false);
    const warnings: string[] = [];
    // No traffic: constructing an engine opens no connection.
    new DockerEngine('tcp://10.1.2.3:2375', { allowInsecure: true, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([expect.stringMatching(/plain TCP without TLS.*root on its host/)]);
    new DockerEngine('tcp://127.0.0.1:2375', { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
  });

  it('tcp:// with tls is https on 2376; PEM text is used as is; a missing file is named', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(dockerOptions('tcp://10.1.2.3', { tls: { ca: pem } })).toMatchObject({
      protocol: 'https',
      host: '10.1.2.3',
      port: 2376,
      ca: pem,
    });
    expect(() => dockerOptions('tcp://h:2376', { tls: { ca: '/nonexistent/ca.pem' } })).toThrow(
      /tls\.ca: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
    );
    expect(() => dockerOptions('tcp://h:2376', { tls: { cert: pem } })).toThrow(
      /tls\.cert: needs tls\.key too/,
    );
    expect(() => dockerOptions('unix:///x.sock', { tls: { ca: pem } })).toThrow(
      /tls: settings given for a unix:/,
    );
    expect(() => dockerOptions('tcp://h:2376', { ssh: {} })).toThrow(/ssh: settings given/);
  });

  it("reads the Docker CLI's DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH only when asked", () => {
    expect(engineFromDockerEnvironment({})).toBeUndefined();
    expect(engineFromDockerEnvironment({ DOCKER_HOST: 'tcp://h:2375' })).toEqual({
      endpoint: 'tcp://h:2375',
    });
    expect(
      engineFromDockerEnvironment({
        DOCKER_HOST: 'h:2376',
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: '/certs',
      }),
    ).toEqual({ endpoint: 'tcp://h:2376', tls: { certPath: '/certs' } });
    expect(
      engineFromDockerEnvironment({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' })?.tls?.certPath,
    ).toMatch(/\.docker$/);
  });

  it('classifies certificate failures from their codes, and leaves other failures alone', () => {
    const cases: [string, string][] = [
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown-ca'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown-ca'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'name-mismatch'],
      ['CERT_HAS_EXPIRED', 'expired'],
      ['CERT_NOT_YET_VALID', 'not-yet-valid'],
      ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'certificate-rejected'],
      ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'certificate-rejected'],
    ];
    for (const [code, reason] of cases) {
      const e = EngineError.from(Object.assign(new Error(code), { code }), 'ping', 'tcp://h:2376');
      expect(e).toBeInstanceOf(EngineSecurityError);
      expect((e as EngineSecurityError).reason).toBe(reason);
      expect(e.isVerdict).toBe(false);
    }
    const refused = EngineError.from(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'ping');
    expect(refused).not.toBeInstanceOf(EngineSecurityError);
  });
});

describe('known_hosts', () => {
  const key = Buffer.from('the host key');
  const other = Buffer.from('another key');
  const b64 = key.toString('base64');
  it('matches plain and [host]:port names, comma lists and hashed names; refuses others', () => {
    expect(checkKnownHost(`a,10.0.0.5 ssh-ed25519 ${b64}`, '10.0.0.5', 22, key)).toEqual({ trusted: true });
    expect(checkKnownHost(`[h]:2222 ssh-ed25519 ${b64}`, 'h', 2222, key).trusted).toBe(true);
    expect(checkKnownHost(`h ssh-ed25519 ${b64}`, 'h', 2222, key)).toEqual({
      trusted: false,
      reason: 'unknown-host',
    });
    expect(checkKnownHost(`h ssh-ed25519 ${b64}`, 'h', 22, other)).toEqual({
      trusted: false,
      reason: 'key-mismatch',
    });
    const salt = Buffer.from('0123456789abcdef0123');
    const hash = createHmac('sha1', salt).update('[h]:2222').digest('base64');
    const hashed = `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b64}`;
    expect(checkKnownHost(hashed, 'h', 2222, key).trusted).toBe(true);
    expect(checkKnownHost(hashed, 'g', 2222, key).trusted).toBe(false);
    expect(checkKnownHost(`@revoked h ssh-ed25519 ${b64}\nh ssh-ed25519 ${b64}`, 'h', 22, key)).toEqual({
      trusted: false,
      reason: 'revoked',
    });
  });
});
