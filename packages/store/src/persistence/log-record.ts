import type { Entry } from '../entry.js';
import { CorruptDataError, UnencodableRecordError } from '../errors.js';
import { deepFreeze } from '../immer.js';
import { crc32 } from './crc32.js';

/**
 * One commit as logged: its effect (a redo record), not its ops — recipes cannot be serialised,
 * and replaying effects is deterministic regardless of code changes to recipes.
 */
export interface LogRecord {
  readonly version: number;
  /** `entry: null` = deleted. */
  readonly changes: readonly {
    readonly kind: string;
    readonly key: string;
    readonly entry: Entry<unknown> | null;
  }[];
  readonly sequences: readonly (readonly [string, number])[];
}

/** Each segment file starts with this; records follow. */
export const WAL_MAGIC = Buffer.from('BTNWAL01', 'latin1');
const HEADER = 8; // u32 LE payload length, u32 LE crc32(payload)
const MAX_RECORD = 1 << 30;

export function encodeRecord(record: LogRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER);
  return out;
}

/**
 * Encodes a commit for the log, or throws UnencodableRecordError naming the object at fault (a
 * BigInt, a cycle, nesting too deep to encode, a record over the log's size limit).
 */
export function encodeCommit(record: LogRecord): Buffer {
  let encoded: Buffer;
  try {
    encoded = encodeRecord(record);
  } catch (err) {
    for (const c of record.changes) {
      try {
        JSON.stringify(c.entry);
      } catch (inner) {
        throw new UnencodableRecordError(c.kind, c.key, inner);
      }
    }
    const first = record.changes[0];
    throw new UnencodableRecordError(first?.kind ?? 'commit', first?.key ?? String(record.version), err);
  }
  if (encoded.length - HEADER > MAX_RECORD) {
    const first = record.changes[0];
    throw new UnencodableRecordError(
      first?.kind ?? 'commit',
      first?.key ?? String(record.version),
      new Error(`the commit is ${encoded.length} bytes; the log takes at most ${MAX_RECORD}`),
    );
  }
  return encoded;
}

export interface DecodedSegment {
  readonly records: LogRecord[];
  /** Byte offset just past the last intact record. */
  readonly validLength: number;
  /** Why decoding stopped before the end of the buffer, if it did. */
  readonly damage: string | undefined;
}

/** Decodes records after the magic, stopping at the first torn or corrupt one. */
export function decodeSegment(buf: Buffer): DecodedSegment {
  if (buf.length < WAL_MAGIC.length || !buf.subarray(0, WAL_MAGIC.length).equals(WAL_MAGIC)) {
    return { records: [], validLength: 0, damage: 'missing or damaged segment header' };
  }
  const records: LogRecord[] = [];
  let off = WAL_MAGIC.length;
  while (off < buf.length) {
    if (buf.length - off < HEADER) return { records, validLength: off, damage: 'torn record header' };
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len > MAX_RECORD || off + HEADER + len > buf.length) {
      return { records, validLength: off, damage: 'torn record' };
    }
    const payload = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(payload) !== crc) return { records, validLength: off, damage: 'checksum mismatch' };
    let record: LogRecord;
    try {
      record = parseRecord(JSON.parse(payload.toString('utf8')));
    } catch (err) {
      return { records, validLength: off, damage: `unreadable record: ${(err as Error).message}` };
    }
    records.push(record);
    off += HEADER + len;
  }
  return { records, validLength: off, damage: undefined };
}

const RECORD_START = Buffer.from('{"version":', 'utf8');

/**
 * The offset of the first intact record after `from`, if any: a bad record followed by intact ones
 * is corruption (a flipped bit), not a torn tail (a crash mid-append leaves nothing intact after
 * it). Every offset is tried, since the bad record's length field may itself be damaged; a cheap
 * prefix test comes before the checksum, so the scan stays linear in practice.
 */
export function findIntactRecord(buf: Buffer, from: number): number | undefined {
  for (
    let off = buf.indexOf(RECORD_START, from + HEADER);
    off !== -1;
    off = buf.indexOf(RECORD_START, off + 1)
  ) {
    const start = off - HEADER;
    if (start < from) continue;
    const len = buf.readUInt32LE(start);
    if (len > MAX_RECORD || off + len > buf.length) continue;
    const payload = buf.subarray(off, off + len);
    if (crc32(payload) !== buf.readUInt32LE(start + 4)) continue;
    try {
      parseRecord(JSON.parse(payload.toString('utf8')));
      return start;
    } catch {}
  }
  return undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Validates an entry read from disk and freezes it. */
export function parseEntry(raw: unknown): Entry<unknown> {
  if (
    !isObj(raw) ||
    typeof raw.kind !== 'string' ||
    typeof raw.key !== 'string' ||
    !isObj(raw.object) ||
    !isCount(raw.version) ||
    !isCount(raw.createVersion) ||
    !isCount(raw.generation) ||
    typeof raw.createdAt !== 'number' ||
    typeof raw.updatedAt !== 'number'
  ) {
    throw new CorruptDataError(`malformed entry ${JSON.stringify(raw)?.slice(0, 200)}`);
  }
  return Object.freeze({
    kind: raw.kind,
    key: raw.key,
    object: deepFreeze(raw.object),
    version: raw.version,
    createVersion: raw.createVersion,
    generation: raw.generation,
    createdAt: raw.createdAt,
    updatedAt: raw.updatedAt,
  });
}

function parseRecord(raw: unknown): LogRecord {
  if (!isObj(raw) || !isCount(raw.version) || !Array.isArray(raw.changes) || !Array.isArray(raw.sequences)) {
    throw new CorruptDataError('malformed log record');
  }
  const changes = raw.changes.map((c: unknown) => {
    if (!isObj(c) || typeof c.kind !== 'string' || typeof c.key !== 'string') {
      throw new CorruptDataError('malformed log change');
    }
    return { kind: c.kind, key: c.key, entry: c.entry === null ? null : parseEntry(c.entry) };
  });
  const sequences = raw.sequences.map((s: unknown) => {
    if (!Array.isArray(s) || typeof s[0] !== 'string' || !isCount(s[1])) {
      throw new CorruptDataError('malformed log sequence');
    }
    return [s[0], s[1]] as const;
  });
  return { version: raw.version, changes, sequences };
}
