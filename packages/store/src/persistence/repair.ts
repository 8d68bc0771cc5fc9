import { open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, parseSegmentName } from './files.js';
import { acquireLock } from './lock.js';
import { decodeSegment, type LogRecord } from './log-record.js';

export interface RepairReport {
  /** The damaged segment and the byte offset of the damage; undefined when nothing was damaged. */
  readonly segment: string | undefined;
  readonly offset: number | undefined;
  /** The last commit kept: the store reopens at this version. */
  readonly keptThroughVersion: number;
  /** Files the repair wrote what it set aside to (the damaged bytes, later segments), kept for inspection. */
  readonly setAside: readonly string[];
}

/**
 * Repairs a log that recovery refused (a CorruptDataError naming a file and an offset): keeps every
 * commit before the first damaged record, and moves the rest — the damaged segment's bytes from the
 * damage on, and every later segment — to `*.damaged` files beside it, so nothing is deleted.
 * Commits after the damage are lost from the store; run it only when that is acceptable (restore
 * a backup otherwise). Takes the directory's lock: the store must not be open.
 * Command line: `npx baton-store repair <dir>`.
 */
export async function repairDurableLog(dir: string): Promise<RepairReport> {
  const lock = await acquireLock(dir);
  try {
    const segments = (await readdir(dir))
      .map((n) => ({ n, start: parseSegmentName(n) }))
      .filter((s): s is { n: string; start: number } => s.start !== undefined)
      .sort((a, b) => a.start - b.start);
    let kept = 0;
    for (const [i, seg] of segments.entries()) {
      const path = join(dir, seg.n);
      const bytes = await readFile(path);
      const decoded = decodeSegment(bytes);
      const last: LogRecord | undefined = decoded.records.at(-1);
      if (last) kept = last.version;
      if (decoded.damage === undefined) continue;
      const setAside: string[] = [];
      const tail = `${path}.damaged-at-${decoded.validLength}`;
      await writeFile(tail, bytes.subarray(decoded.validLength), { mode: 0o600 });
      setAside.push(tail);
      const fh = await open(path, 'r+');
      try {
        await fh.truncate(decoded.validLength);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      // Later segments continue after commits that are gone: replaying them would skip versions.
      for (const later of segments.slice(i + 1)) {
        const from = join(dir, later.n);
        await rename(from, `${from}.damaged`);
        setAside.push(`${from}.damaged`);
      }
      await fsyncDir(dir);
      return { segment: path, offset: decoded.validLength, keptThroughVersion: kept, setAside };
    }
    return { segment: undefined, offset: undefined, keptThroughVersion: kept, setAside: [] };
  } finally {
    await lock.release();
  }
}
