import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '../entry.js';
import { CorruptDataError } from '../errors.js';
import { crc32 } from './crc32.js';
import { fsyncDir, snapshotName, writeAll } from './files.js';
import { parseEntry } from './log-record.js';

/** The whole store at one version. Entries are immutable, so capturing is O(n) references. */
export interface SnapshotState {
  readonly version: number;
  readonly sequences: readonly (readonly [string, number])[];
  readonly entries: readonly Entry<unknown>[];
}

const FORMAT = 'baton-store-snapshot';
const CHUNK = 1 << 20;

/**
 * Writes a snapshot atomically: to a temp file, fsync, rename, fsync the directory. Lines are
 * JSON (header, one entry per line, trailer with a CRC-32 of everything before it), written in
 * chunks so a 100k-entry snapshot never builds one giant string.
 */
export async function writeSnapshot(dir: string, state: SnapshotState): Promise<string> {
  const path = join(dir, snapshotName(state.version));
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  let crc = 0;
  try {
    let lines: string[] = [];
    let size = 0;
    const flush = async () => {
      const buf = Buffer.from(lines.join(''), 'utf8');
      crc = crc32(buf, crc);
      lines = [];
      size = 0;
      await writeAll(fh, buf);
    };
    const header = { format: FORMAT, formatVersion: 1, version: state.version, sequences: state.sequences };
    lines.push(`${JSON.stringify({ ...header, entries: state.entries.length })}\n`);
    for (const e of state.entries) {
      const line = `${JSON.stringify(e)}\n`;
      lines.push(line);
      size += line.length;
      if (size >= CHUNK) await flush();
    }
    await flush();
    await writeAll(
      fh,
      Buffer.from(`${JSON.stringify({ end: true, entries: state.entries.length, crc32: crc })}\n`),
    );
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
  return path;
}

const corrupt = (path: string, why: string) => new CorruptDataError(`snapshot ${path} is corrupt: ${why}`);

export async function readSnapshot(path: string): Promise<SnapshotState> {
  const buf = await readFile(path);
  if (buf.length < 2 || buf[buf.length - 1] !== 0x0a) throw corrupt(path, 'truncated');
  const trailerStart = buf.lastIndexOf(0x0a, buf.length - 2) + 1;
  if (trailerStart <= 0) throw corrupt(path, 'no trailer');
  let trailer: { end?: unknown; entries?: unknown; crc32?: unknown };
  try {
    trailer = JSON.parse(buf.toString('utf8', trailerStart, buf.length - 1));
  } catch {
    throw corrupt(path, 'unreadable trailer');
  }
  if (trailer.end !== true || crc32(buf.subarray(0, trailerStart)) !== trailer.crc32) {
    throw corrupt(path, 'checksum mismatch');
  }
  let pos = 0;
  const nextLine = (): string => {
    const nl = buf.indexOf(0x0a, pos);
    const line = buf.toString('utf8', pos, nl);
    pos = nl + 1;
    return line;
  };
  const header = JSON.parse(nextLine()) as {
    format?: unknown;
    version?: unknown;
    sequences?: unknown;
    entries?: unknown;
  };
  if (header.format !== FORMAT || typeof header.version !== 'number' || !Array.isArray(header.sequences)) {
    throw corrupt(path, 'bad header');
  }
  const entries: Entry<unknown>[] = [];
  while (pos < trailerStart) entries.push(parseEntry(JSON.parse(nextLine())));
  if (entries.length !== header.entries || entries.length !== trailer.entries) {
    throw corrupt(path, 'entry count mismatch');
  }
  return {
    version: header.version,
    sequences: (header.sequences as [string, number][]).map(([n, v]) => [n, v] as const),
    entries,
  };
}
