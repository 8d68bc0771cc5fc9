import { existsSync } from 'node:fs';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerOptions } from '../src/endpoint.js';

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
