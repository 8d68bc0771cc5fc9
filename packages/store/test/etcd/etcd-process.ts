import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

/**
 * Test helpers for etcd: the shared member that `scripts/provision.sh etcd` starts on 127.0.0.1:2379,
 * and private members (Debian's etcd-server, on free loopback ports, data on tmpfs) for tests that
 * stop, pause or restart etcd, or need an etcd of their own. A test that needs etcd and cannot reach
 * it fails with what to do.
 */

export const ETCD_BIN = process.env.BATON_ETCD_BIN ?? '/usr/bin/etcd';
export const sharedEndpoints = process.env.BATON_ETCD_ENDPOINTS ?? 'http://127.0.0.1:2379';

/** Fails (never skips) when the shared etcd does not answer. */
export async function requireSharedEtcd(endpoints = sharedEndpoints): Promise<string> {
  const client = new Etcd3({ hosts: endpoints.split(','), dialTimeout: 2_000 });
  try {
    await client.get('/baton-health').options({ deadline: Date.now() + 3_000 });
  } catch (err) {
    throw new Error(
      `etcd at ${endpoints} is not reachable (${(err as Error).message}). ` +
        'Start it with `bash scripts/provision.sh etcd` (as root), or point BATON_ETCD_ENDPOINTS at one.',
    );
  } finally {
    client.close();
  }
  return endpoints;
}

async function freePort(): Promise<number> {
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

async function answers(endpoint: string): Promise<boolean> {
  const client = new Etcd3({ hosts: endpoint, dialTimeout: 500 });
  try {
    await client.get('/baton-health').options({ deadline: Date.now() + 1_000 });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** A private etcd member: started, stopped, paused and restarted by the test that owns it. */
export class EtcdProcess {
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(
    readonly dataDir: string,
    readonly clientPort: number,
    readonly peerPort: number,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.clientPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(): Promise<EtcdProcess> {
    if (!existsSync(ETCD_BIN)) {
      throw new Error(
        `${ETCD_BIN} not found: install Debian's etcd-server (\`bash scripts/provision.sh etcd\`, as root)`,
      );
    }
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const dir = await mkdtemp(join(base, 'baton-etcd-'));
    const p = new EtcdProcess(dir, await freePort(), await freePort());
    await p.resume();
    return p;
  }

  /** Starts the member again on the same data and ports (after stop or kill). */
  async resume(timeoutMs = 20_000): Promise<void> {
    if (this.child) return;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    const child = spawn(
      ETCD_BIN,
      [
        '--name=baton-test',
        `--data-dir=${join(this.dataDir, 'data')}`,
        `--listen-client-urls=${this.endpoint}`,
        `--advertise-client-urls=${this.endpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=baton-test=${peer}`,
        '--max-txn-ops=10000',
        '--max-request-bytes=10485760',
        '--log-level=warn',
        '--logger=zap',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    child.stderr?.on('data', (d) => {
      this.log = (this.log + d).slice(-4_000);
    });
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await answers(this.endpoint))) {
      if (!this.child) throw new Error(`etcd exited at start: ${this.log}`);
      if (Date.now() > deadline)
        throw new Error(`etcd on ${this.endpoint} did not answer in ${timeoutMs} ms: ${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the member (SIGTERM, or SIGKILL for a crash) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** SIGSTOP: the member stops answering but keeps its connections (a hung etcd). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  unpause(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops the member and removes its data. */
  async destroy(): Promise<void> {
    this.unpause();
    await this.stop('SIGKILL');
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Deletes every key under `prefix` (test cleanup). */
export async function deletePrefix(endpoints: string, prefix: string): Promise<void> {
  const client = new Etcd3({ hosts: endpoints.split(','), dialTimeout: 2_000 });
  try {
    await client.delete().prefix(`${prefix}/`);
  } finally {
    client.close();
  }
}
