import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BatonKinds, type EtcdStore, etcdStore } from '@baton-ecs/store';
import type Docker from 'dockerode';
import {
  type CertificateAuthority,
  newCertificateAuthority,
} from '../../../runtime-docker/test/integration/certificates.js';

/**
 * What the multi-host tests share: an etcd of their own with TLS client certificates and etcd auth
 * (users and roles), the role an agent gets, and `baton agent` as a child process.
 */

const ETCD_BIN = process.env.BATON_ETCD_BIN ?? '/usr/bin/etcd';
const ETCDCTL_BIN = process.env.BATON_ETCDCTL_BIN ?? '/usr/bin/etcdctl';
const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface Pki {
  readonly ca: CertificateAuthority;
  /** etcd's server certificate. */
  readonly server: { cert: string; key: string };
  /** The control plane's client certificate (it authenticates as root with a password). */
  readonly control: { cert: string; key: string };
  /** The agents' client certificate: CN baton-agent, which etcd takes as the user name. */
  readonly agent: { cert: string; key: string };
}

/** Certificates for etcd (serving on 127.0.0.1 and `extraIps`), the control plane and the agents. */
export function newPki(extraIps: readonly string[] = []): Pki {
  const ca = newCertificateAuthority('baton-mh-etcd');
  return {
    ca,
    server: ca.issue('etcd', {
      commonName: 'etcd',
      altNames: ['IP:127.0.0.1', ...extraIps.map((ip) => `IP:${ip}`)],
      usage: 'server',
    }),
    control: ca.issue('control', { commonName: 'baton-control', usage: 'client' }),
    agent: ca.issue('agent', { commonName: 'baton-agent', usage: 'client' }),
  };
}

export const rootPassword = 'root-test-password';

/** A private etcd member on loopback: https with client certificates required (--client-cert-auth). */
export class SecureEtcd {
  private child: ChildProcess | undefined;
  private log = '';
  private constructor(
    readonly pki: Pki,
    readonly dir: string,
    readonly port: number,
    readonly peerPort: number,
  ) {}

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Listens on 127.0.0.1 and on `extraIps` (the host ends of the test's namespaces' links). */
  static async start(pki: Pki, extraIps: readonly string[] = []): Promise<SecureEtcd> {
    const dir = mkdtempSync(join('/dev/shm', 'baton-mh-etcd-'));
    const e = new SecureEtcd(pki, dir, await freePort(), await freePort());
    const peer = `http://127.0.0.1:${e.peerPort}`;
    const listen = [e.endpoint, ...extraIps.map((ip) => `https://${ip}:${e.port}`)].join(',');
    e.child = spawn(
      ETCD_BIN,
      [
        '--name=mh',
        `--data-dir=${join(dir, 'data')}`,
        `--listen-client-urls=${listen}`,
        `--advertise-client-urls=${e.endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=mh=${peer}`,
        '--client-cert-auth',
        `--trusted-ca-file=${pki.ca.ca}`,
        `--cert-file=${pki.server.cert}`,
        `--key-file=${pki.server.key}`,
        '--max-txn-ops=10000',
        '--log-level=info',
        '--logger=zap',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Ready once etcd says it serves client traffic on every address (zap logs a line per address).
    const child = e.child;
    await new Promise<void>((resolve, reject) => {
      let serving = 0;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`etcd on ${e.endpoint} did not serve within 20 s: ${e.log}`));
      }, 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`etcd exited with ${code} at start: ${e.log}`));
      });
      let partial = '';
      child.stderr?.on('data', (d: Buffer) => {
        const text = d.toString();
        e.log = (e.log + text).slice(-4_000);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        serving += lines.filter((line) => line.includes('serving client traffic securely')).length;
        if (serving >= 1 + extraIps.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await e.ctl(['endpoint', 'health']);
    return e;
  }

  /** etcdctl with the control plane's certificate (and root's password once auth is on). */
  async ctl(args: readonly string[], asRoot = false): Promise<string> {
    const { stdout } = await run(
      ETCDCTL_BIN,
      [
        `--endpoints=${this.endpoint}`,
        `--cacert=${this.pki.ca.ca}`,
        `--cert=${this.pki.control.cert}`,
        `--key=${this.pki.control.key}`,
        '--dial-timeout=2s',
        '--command-timeout=5s',
        ...(asRoot ? [`--user=root:${rootPassword}`] : []),
        ...args,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 10_000 },
    );
    return stdout;
  }

  /**
   * Turns on etcd auth: root (the control plane) and the agents' role for cluster store `prefix`, as
   * docs/multi-host.md describes it: read the whole store; write only tasks, container instances,
   * their index markers and the agents' locks.
   */
  async enableAuth(prefix: string): Promise<void> {
    await this.ctl(['user', 'add', `root:${rootPassword}`]);
    await this.ctl(['role', 'add', 'baton-agent']);
    await this.ctl(['role', 'grant-permission', 'baton-agent', 'read', '--prefix=true', `${prefix}/`]);
    for (const p of ['k/Task/', 'k/ContainerInstance/', 'i/Task/', 'i/ContainerInstance/', 'lock/agent/'])
      await this.ctl([
        'role',
        'grant-permission',
        'baton-agent',
        'readwrite',
        '--prefix=true',
        `${prefix}/${p}`,
      ]);
    await this.ctl(['user', 'add', 'baton-agent', '--no-password']);
    await this.ctl(['user', 'grant-role', 'baton-agent', 'baton-agent']);
    await this.ctl(['auth', 'enable']);
  }

  /** The control plane's store: TLS, root once auth is on. */
  store(prefix: string, asRoot = true): EtcdStore<BatonKinds> {
    return etcdStore({ endpoints: [this.endpoint], prefix, ...this.controlAccess(asRoot) });
  }

  /** TLS with the control plane's certificate (PEM text), and root's password when asked. */
  controlAccess(asRoot = true) {
    return {
      tls: { ca: read(this.pki.ca.ca), cert: read(this.pki.control.cert), key: read(this.pki.control.key) },
      ...(asRoot ? { auth: { username: 'root', password: rootPassword } } : {}),
    };
  }

  /** `baton agent`'s etcd flags: TLS with the agents' certificate, which names its etcd user. */
  agentFlags(host = '127.0.0.1'): string[] {
    return [
      '--etcd',
      `https://${host}:${this.port}`,
      '--etcd-ca',
      this.pki.ca.ca,
      '--etcd-cert',
      this.pki.agent.cert,
      '--etcd-key',
      this.pki.agent.key,
    ];
  }

  async destroy(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

export interface AgentProcess {
  readonly instanceArn: string;
  readonly pid: number;
  readonly stderr: () => string;
  /** Sends `signal` and resolves with the exit code (null after a signal kill). */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** `baton agent ARGS` as a child process (from source, with tsx); resolves once it prints its line. */
export async function spawnAgent(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  netns?: string,
): Promise<AgentProcess> {
  const command = [process.execPath, '--import', 'tsx', cliPath, 'agent', ...args];
  // In network namespace `netns` when given: the agent's only way out is the namespace's link.
  const [file, ...argv] = netns ? ['ip', 'netns', 'exec', netns, ...command] : command;
  const child = spawn(file!, argv, {
    env: { ...process.env, ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const instanceArn = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`baton agent did not start within 30 s; stderr:\n${err}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Baton agent (\S+) on /m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`baton agent exited with ${code} before starting; stderr:\n${err}`));
    });
  });
  return {
    instanceArn,
    pid: child.pid!,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `baton agent ARGS` expected to refuse: its exit code and stderr. */
export async function agentRefusal(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, ['--import', 'tsx', cliPath, 'agent', ...args], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  }).then(
    (ok) => ({ code: 0, stderr: ok.stderr }),
    (e: Error & { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
  );
}

/** Runs scripts/netns-instance.sh (as root). */
export async function netns(command: 'create' | 'cut' | 'join' | 'destroy', name: string, n?: number) {
  const script = fileURLToPath(new URL('../../../../scripts/netns-instance.sh', import.meta.url));
  await run('bash', [script, command, name, ...(n === undefined ? [] : [String(n)])], {
    timeout: 20_000,
  }).catch((e: Error & { stderr?: string }) => {
    throw new Error(
      `scripts/netns-instance.sh ${command} ${name} failed (needs root): ${e.stderr ?? e.message}`,
    );
  });
}

const controlPlanePath = fileURLToPath(new URL('./fixtures/control-plane.ts', import.meta.url));

export interface ControlPlaneProcess {
  readonly identity: string;
  readonly stderr: () => string;
  /** The value of counter `series` (e.g. `baton_reconcile_total{controller="service",result="success"}`
   * — every series that starts so, summed); 0 once the process is gone. */
  readonly counter: (series: string) => Promise<number>;
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** A control-plane replica (createBaton on etcd, leader election, no engine) as a child process. */
export async function spawnControlPlane(
  config: Readonly<Record<string, unknown>> & { identity: string },
): Promise<ControlPlaneProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', controlPlanePath, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const metricsPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`control plane ${config.identity} not ready within 40 s; stderr:\n${err}`));
    }, 40_000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /^\{"event":"ready".*\}$/m.exec(out);
      if (ready) {
        clearTimeout(timer);
        resolve((JSON.parse(ready[0]) as { metricsPort: number }).metricsPort);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited with ${code}; stderr:\n${err}`));
    });
  });
  return {
    identity: config.identity,
    stderr: () => err,
    counter: async (series) => {
      if (child.exitCode !== null || child.signalCode !== null) return 0;
      const text = await fetch(`http://127.0.0.1:${metricsPort}/`).then((r) => r.text());
      return text
        .split('\n')
        .filter((line) => line.startsWith(series))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The htpasswd registry started by scripts/registry-instance.sh. */
export const testRegistry = {
  address: process.env.BATON_REGISTRY_ADDR ?? '127.0.0.1:5000',
  username: process.env.BATON_REGISTRY_USER ?? 'baton',
  password: process.env.BATON_REGISTRY_PASSWORD ?? 'baton-registry-test',
};

/**
 * Pushes a fresh image `repository:tag` (the test image with `/www/version` holding `marker`) through
 * the engine at `endpoint`, then removes it there so it must be pulled; resolves its digest.
 */
export async function pushTestImage(
  engine: Docker,
  image: string,
  repository: string,
  tag: string,
  marker: string,
): Promise<string> {
  const { address, username, password } = testRegistry;
  const c = await engine.createContainer({
    Image: image,
    Cmd: ['sh', '-c', `echo ${marker} > /www/version`],
  });
  await c.start();
  await c.wait();
  await c.commit({ repo: repository, tag });
  await c.remove();
  const ref = `${repository}:${tag}`;
  const stream = await engine
    .getImage(ref)
    .push({ authconfig: { username, password, serveraddress: address } });
  const output = await new Promise<{ aux?: { Digest?: string }; error?: string }[]>((resolve, reject) =>
    engine.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
      err ? reject(err) : resolve(out as never),
    ),
  );
  const failed = output.find((o) => o.error);
  if (failed)
    throw new Error(
      `docker push ${ref} failed (is the registry up? bash scripts/provision.sh): ${failed.error}`,
    );
  const digest = output.find((o) => o.aux?.Digest)?.aux?.Digest;
  if (!digest) throw new Error(`docker push ${ref} reported no digest`);
  await engine.getImage(ref).remove({ force: true });
  return digest;
}

const enginesLock = '/var/run/baton/multihost-engines.lock';

/**
 * Holds engines 7 and 8 for one test file: agent.e2e and agent-faults.e2e both destroy and start
 * them, and vitest runs files side by side, so each waits for the other to be done. The lock is a
 * directory (made atomically) naming its holder's pid; a holder that died without releasing it (a
 * killed run) is taken over. Resolves with the release function.
 */
export async function holdMultihostEngines(timeoutMs = 240_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  mkdirSync('/var/run/baton', { recursive: true });
  for (;;) {
    try {
      mkdirSync(enginesLock);
      writeFileSync(join(enginesLock, 'pid'), String(process.pid));
      return () => rmSync(enginesLock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(join(enginesLock, 'pid'), 'utf8'));
    } catch {
      holder = undefined; // being written: its maker is alive
    }
    if (holder !== undefined && !alive(holder)) {
      rmSync(enginesLock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`engines 7 and 8 still held by pid ${holder} after ${timeoutMs} ms (${enginesLock})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
