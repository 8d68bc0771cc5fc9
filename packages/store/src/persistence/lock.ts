import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StoreLockedError } from '../errors.js';

export interface DirLock {
  release(): Promise<void>;
}

const held = new Set<string>();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One live store per directory: two writers appending to one log would corrupt it. The lock
 * file holds the owner's pid, so a lock left by a killed process is taken over on open.
 */
export async function acquireLock(dir: string): Promise<DirLock> {
  const path = join(resolve(dir), 'LOCK');
  if (held.has(path)) throw new StoreLockedError(`${dir} is already open by another store in this process`);
  held.add(path);
  try {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StoreLockedError(`${dir} is locked by running process ${pid}`);
      }
      await writeFile(path, String(process.pid));
    }
  } catch (err) {
    held.delete(path);
    throw err;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      held.delete(path);
      await rm(path, { force: true });
    },
  };
}
