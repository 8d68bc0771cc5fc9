import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderNginxConf, renderUpstream } from './render.js';

const run = promisify(execFile);

export interface NginxProcessOptions {
  /** A directory of its own: configuration, pid, logs, temp files. */
  readonly dir: string;
  readonly port: number;
  readonly upstreamName: string;
  /** Default `nginx` (Debian's /usr/sbin/nginx). */
  readonly binary?: string;
  readonly workerProcesses?: number;
}

/**
 * An nginx of its own (never the system service): `nginx -p <dir> -c <dir>/nginx.conf` in the
 * foreground, on 127.0.0.1, proxying to the adapter's upstream file. For tests, the benchmark and
 * local development; in production, point the adapter at your own nginx's include file.
 */
export class NginxProcess {
  readonly confFile: string;
  readonly upstreamFile: string;
  private exited: Promise<void>;

  private constructor(
    readonly options: NginxProcessOptions,
    private readonly child: ChildProcess,
  ) {
    this.confFile = join(options.dir, 'nginx.conf');
    this.upstreamFile = join(options.dir, 'upstream.conf');
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(options: NginxProcessOptions): Promise<NginxProcess> {
    const { dir } = options;
    await mkdir(join(dir, 'tmp'), { recursive: true });
    // Workers run as an unprivileged user when nginx is started by root: they must reach the temp dir.
    await chmod(join(dir, 'tmp'), 0o777);
    const upstreamFile = join(dir, 'upstream.conf');
    await writeFile(upstreamFile, renderUpstream(options.upstreamName, []));
    await writeFile(
      join(dir, 'nginx.conf'),
      renderNginxConf({
        prefix: dir,
        listenPort: options.port,
        upstreamFile,
        upstreamName: options.upstreamName,
        ...(options.workerProcesses !== undefined ? { workerProcesses: options.workerProcesses } : {}),
      }),
    );
    const child = spawn(
      options.binary ?? 'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const p = new NginxProcess(options, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`nginx exited at start: ${stderr.trim() || (await p.log())}`);
      if (await accepts(options.port)) return p;
      if (Date.now() > deadline) {
        await p.stop();
        throw new Error(`nginx did not listen on 127.0.0.1:${options.port} within 10 s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Tests the configuration (`nginx -t`), then reloads gracefully (SIGHUP): old workers finish their requests. */
  async reload(): Promise<void> {
    const { dir } = this.options;
    await run(this.options.binary ?? 'nginx', [
      '-t',
      '-q',
      '-p',
      dir,
      '-c',
      this.confFile,
      '-e',
      join(dir, 'error.log'),
    ]);
    const before = new Set(await this.workers());
    this.child.kill('SIGHUP');
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      // New workers run, and the old ones (which still accept until told to quit) are gone.
      const now = await this.workers();
      if (now.some((pid) => !before.has(pid)) && !now.some((pid) => before.has(pid))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The worker processes' pids (children of the master), from /proc. */
  async workers(): Promise<number[]> {
    const master = this.child.pid;
    if (master === undefined) return [];
    const pids: number[] = [];
    for (const name of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(name)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) pids.push(Number(name));
    }
    return pids;
  }

  /** Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGQUIT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }

  async log(): Promise<string> {
    return readFile(join(this.options.dir, 'error.log'), 'utf8').catch(() => '');
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
