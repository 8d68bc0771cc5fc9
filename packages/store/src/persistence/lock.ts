import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { StoreLockedError } from '../errors.js';

export interface DirLock {
  release(): Promise<void>;
  /** Set when the lock was lost while held (its holder process died): writes must stop. */
  onLost: (err: Error) => void;
}

const held = new Set<string>();
const CONFLICT = 75;

/**
 * One live store per directory: two writers appending to one log would corrupt it. The lock is an
 * OS lock — flock(2) on `<dir>/LOCK` — so it is exclusive across processes, containers and PID
 * namespaces sharing the directory, and released by the kernel when its holder dies: a stale LOCK
 * file never blocks a start, and no pid is ever compared.
 *
 * Node has no flock, so the lock is held by a child `flock(1)` (util-linux, present on every Linux
 * that has a shell) that takes it and then waits on a pipe from this process. When this process
 * exits or is killed the pipe closes, the child exits and the kernel releases the lock. (A native
 * addon such as `fs-ext` would need a compiler at install time and install scripts allowed; see
 * docs/reliability.md.) The file's text — pid and host of the holder — is informational only.
 */
export async function acquireLock(dir: string): Promise<DirLock> {
  const path = join(resolve(dir), 'LOCK');
  if (held.has(path)) throw new StoreLockedError(`${dir} is already open by another store in this process`);
  held.add(path);
  let child: ChildProcess;
  try {
    // Created here, not by flock(1), so that it is private (0600) like everything in the directory.
    await writeFile(path, '', { flag: 'a', mode: 0o600 });
    child = await holdFlock(path, dir);
  } catch (err) {
    held.delete(path);
    throw err;
  }
  await writeFile(path, `${process.pid}@${hostname()}\n`, { mode: 0o600 }).catch(() => {});
  let released = false;
  const lock: DirLock = {
    onLost: () => {},
    async release() {
      if (released) return;
      released = true;
      held.delete(path);
      const exited = new Promise<void>((r) =>
        child.exitCode !== null ? r() : child.once('exit', () => r()),
      );
      // Waiting for it must keep this process alive (it was unref'd while held).
      child.ref();
      child.stdin?.end();
      await exited;
    },
  };
  child.once('exit', (code, signal) => {
    if (released) return;
    released = true;
    held.delete(path);
    lock.onLost(new StoreLockedError(`lost the lock on ${dir}: its holder exited (${signal ?? code})`));
  });
  return lock;
}

function holdFlock(path: string, dir: string): Promise<ChildProcess> {
  return new Promise((resolveLock, reject) => {
    // -x exclusive; -w 1: wait up to a second (a holder that just died needs a moment to let go); -E: the exit code for "held by someone else".
    const child = spawn(
      'flock',
      ['-x', '-w', '1', '-E', String(CONFLICT), path, 'sh', '-c', 'echo locked; exec cat >/dev/null'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let errText = '';
    const fail = (err: Error) => {
      child.kill('SIGKILL');
      reject(err);
    };
    child.on('error', (err) =>
      fail(
        new StoreLockedError(`cannot lock ${dir}: flock(1) from util-linux is needed (${err.message})`, {
          cause: err,
        }),
      ),
    );
    child.stderr?.on('data', (d) => {
      errText += String(d);
    });
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (!out.includes('locked\n')) return;
      child.stdout?.removeAllListeners('data');
      child.stdout?.destroy();
      child.stderr?.destroy();
      // The child must not keep this process alive; it ends with us.
      child.unref();
      (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      resolveLock(child);
    });
    child.once('exit', async (code) => {
      if (out.includes('locked\n')) return;
      if (code === CONFLICT) {
        const holder = (await readFile(path, 'utf8').catch(() => '')).trim();
        reject(new StoreLockedError(`${dir} is locked by another live store${holder ? ` (${holder})` : ''}`));
      } else reject(new StoreLockedError(`cannot lock ${dir}: flock exited ${code}: ${errText.trim()}`));
    });
  });
}
