import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../runtime-docker/test/support.js';
import type { LeaderState } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const fixture = join(here, 'fixtures', 'replica.ts');

/** Short timings for tests: lease 3 s, renew deadline 2 s, retry 0.5 s (defaults stay 15 / 10 / 2). */
export const testTimings = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 } as const;

export interface ReplicaConfig {
  readonly endpoints: string;
  readonly prefix: string;
  readonly cluster: string;
  readonly identity: string;
  readonly engines?: readonly { readonly endpoint: string; readonly instanceId: string }[];
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/** A Baton replica in its own process (test/ha/fixtures/replica.ts), watched through its stdout. */
export class Replica {
  readonly identity: string;
  states: readonly LeaderState[] = [];
  /** Every leadership report, with the time it was printed. */
  readonly history: { readonly t: number; readonly states: readonly LeaderState[] }[] = [];
  exited = false;
  stderr = '';
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly replies = new Map<number, (r: { ok?: boolean; error?: string }) => void>();
  private nextId = 1;

  constructor(config: ReplicaConfig) {
    this.identity = config.identity;
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, JSON.stringify({ ...testTimings, ...config })],
      { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.child.stderr?.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-20_000);
    });
    let buf = '';
    let onReady: () => void = () => {};
    let onExit: (err: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onExit = reject;
    });
    this.child.stdout?.on('data', (d) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as {
          event: string;
          t: number;
          states?: LeaderState[];
          id?: number;
          ok?: boolean;
          error?: string;
        };
        if (msg.event === 'ready') onReady();
        if (msg.event === 'leadership' && msg.states) {
          this.states = msg.states;
          this.history.push({ t: msg.t, states: msg.states });
        }
        if (msg.event === 'reply' && msg.id !== undefined) this.replies.get(msg.id)?.(msg);
      }
    });
    this.child.on('exit', () => {
      this.exited = true;
      onExit(new Error(`replica ${this.identity} exited before it was ready: ${this.stderr.slice(-3_000)}`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  whenReady(timeoutMs = 30_000): Promise<void> {
    return Promise.race([
      this.ready,
      new Promise<void>((_, reject) =>
        setTimeout(
          () => reject(new Error(`replica ${this.identity} not ready in ${timeoutMs} ms`)),
          timeoutMs,
        ),
      ),
    ]);
  }

  /** Whether this replica reports holding `lock` (by name prefix). */
  leads(lock: string): boolean {
    return this.states.some((s) => s.lock.startsWith(lock) && s.leading);
  }

  /** Runs an ECS API call in the replica. */
  call(cmd: string, arg: unknown): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, (r) => (r.ok ? resolve() : reject(new Error(`${cmd} failed: ${r.error}`))));
      this.child.stdin?.write(`${JSON.stringify({ id, cmd, arg })}\n`);
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(sig);
  }

  /** SIGKILL, and wait for the process to be gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM (clean stop, locks released), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }
}

/** Polls until `probe` returns something (not undefined/false): the shared `waitFor`, every 50 ms. */
export function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  everyMs = 50,
): Promise<T> {
  return waitFor(what, timeoutMs, probe, everyMs);
}
