import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';

/** One stored log event. `seq` orders a stream's events and never repeats, even across restarts. */
export interface StoredEvent {
  readonly seq: number;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  /** The collector's position in its source after this event (resumption without loss or duplicates). */
  readonly cursor?: string;
}

export interface LogGroupRecord {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly retentionInDays?: number;
}

export interface LogStreamRecord {
  readonly logStreamName: string;
  readonly creationTime: number;
}

interface Segment {
  readonly firstSeq: number;
  readonly events: StoredEvent[];
  bytes: number;
}

interface StreamState {
  readonly record: LogStreamRecord;
  readonly dir: string | undefined;
  readonly segments: Segment[];
  nextSeq: number;
  lastIngestionTime?: number;
}

interface GroupState {
  record: LogGroupRecord;
  readonly dir: string | undefined;
  readonly streams: Map<string, StreamState>;
}

export interface LogStoreOptions {
  /** Mirror to this directory (one JSON-lines file per segment) and reload from it on open. */
  readonly dir?: string;
  /** Bytes of messages kept across every stream; the oldest segments go first. Default 64 MiB. */
  readonly maxBytes?: number;
  /** A stream's events are kept and dropped in segments of about this size. Default 256 KiB. */
  readonly segmentBytes?: number;
  readonly now?: () => number;
}

/** A newly stored event, for live tails. */
export interface AppendedEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly event: StoredEvent;
}

const perEventOverhead = 26; // CloudWatch's accounting: message bytes + 26 per event.
const dayMs = 86_400_000;

/**
 * Baton's log groups, streams and events: bounded (`maxBytes` in all; whole segments of the oldest
 * events are dropped first) and, with `dir`, durable — every append is written to the stream's
 * current segment file before it is visible, so a restarted Baton reads back exactly what it had.
 * Retention drops segments whose newest event is older than the group's retention.
 */
export class LogStore {
  readonly appended = new Subject<AppendedEvent>();
  private readonly groups = new Map<string, GroupState>();
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly now: () => number;
  private bytes = 0;

  constructor(private readonly options: LogStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.segmentBytes = Math.min(options.segmentBytes ?? 256 * 1024, this.maxBytes);
    this.now = options.now ?? Date.now;
    if (options.dir) this.load(options.dir);
  }

  get storedBytes(): number {
    return this.bytes;
  }

  // --- groups -----------------------------------------------------------------

  listGroups(): LogGroupRecord[] {
    return [...this.groups.values()].map((g) => g.record).sort((a, b) => cmp(a.logGroupName, b.logGroupName));
  }

  group(name: string): LogGroupRecord | undefined {
    return this.groups.get(name)?.record;
  }

  /** Creates the group; false when it exists already. */
  createGroup(name: string, retentionInDays?: number): boolean {
    if (this.groups.has(name)) return false;
    const record: LogGroupRecord = {
      logGroupName: name,
      creationTime: this.now(),
      ...(retentionInDays !== undefined ? { retentionInDays } : {}),
    };
    const dir = this.options.dir ? join(this.options.dir, hashName(name)) : undefined;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeJson(join(dir, 'group.json'), record);
    }
    this.groups.set(name, { record, dir, streams: new Map() });
    return true;
  }

  deleteGroup(name: string): boolean {
    const g = this.groups.get(name);
    if (!g) return false;
    for (const s of g.streams.values()) this.bytes -= s.segments.reduce((n, seg) => n + seg.bytes, 0);
    this.groups.delete(name);
    if (g.dir) rmSync(g.dir, { recursive: true, force: true });
    return true;
  }

  setRetention(name: string, retentionInDays: number | undefined): boolean {
    const g = this.groups.get(name);
    if (!g) return false;
    const { retentionInDays: _, ...rest } = g.record;
    g.record = { ...rest, ...(retentionInDays !== undefined ? { retentionInDays } : {}) };
    if (g.dir) writeJson(join(g.dir, 'group.json'), g.record);
    this.enforceRetention();
    return true;
  }

  // --- streams ----------------------------------------------------------------

  listStreams(group: string): LogStreamRecord[] | undefined {
    const g = this.groups.get(group);
    return g ? [...g.streams.values()].map((s) => s.record) : undefined;
  }

  /** Creates the stream in an existing group; false when the group is missing. Existing: true. */
  ensureStream(group: string, name: string): boolean {
    const g = this.groups.get(group);
    if (!g) return false;
    if (!g.streams.has(name)) {
      const record: LogStreamRecord = { logStreamName: name, creationTime: this.now() };
      const dir = g.dir ? join(g.dir, hashName(name)) : undefined;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        writeJson(join(dir, 'stream.json'), { ...record, nextSeq: 0 });
      }
      g.streams.set(name, { record, dir, segments: [], nextSeq: 0 });
    }
    return true;
  }

  hasStream(group: string, name: string): boolean {
    return this.groups.get(group)?.streams.has(name) ?? false;
  }

  /** A stream's summary: first/last event times, last ingestion, stored bytes. */
  streamStats(
    group: string,
    name: string,
  ):
    | {
        firstEventTimestamp?: number;
        lastEventTimestamp?: number;
        lastIngestionTime?: number;
        storedBytes: number;
      }
    | undefined {
    const s = this.groups.get(group)?.streams.get(name);
    if (!s) return undefined;
    const first = s.segments[0]?.events[0];
    const lastSeg = s.segments[s.segments.length - 1];
    const last = lastSeg?.events[lastSeg.events.length - 1];
    return {
      ...(first ? { firstEventTimestamp: first.timestamp } : {}),
      ...(last ? { lastEventTimestamp: last.timestamp, lastIngestionTime: last.ingestionTime } : {}),
      storedBytes: s.segments.reduce((n, seg) => n + seg.bytes, 0),
    };
  }

  // --- events -----------------------------------------------------------------

  /** The stream's events, oldest first (by seq). */
  events(group: string, stream: string): readonly StoredEvent[] | undefined {
    const s = this.groups.get(group)?.streams.get(stream);
    return s ? s.segments.flatMap((seg) => seg.events) : undefined;
  }

  /** The sequence number the next event of the stream will get. */
  nextSeq(group: string, stream: string): number {
    return this.groups.get(group)?.streams.get(stream)?.nextSeq ?? 0;
  }

  /** The cursor of the stream's newest event that carries one. */
  cursor(group: string, stream: string): string | undefined {
    const s = this.groups.get(group)?.streams.get(stream);
    if (!s) return undefined;
    for (let i = s.segments.length - 1; i >= 0; i--) {
      const evs = s.segments[i]!.events;
      for (let j = evs.length - 1; j >= 0; j--) if (evs[j]!.cursor !== undefined) return evs[j]!.cursor;
    }
    return undefined;
  }

  /** Appends events to an existing stream (durably first, with `dir`); false when the stream is missing. */
  append(
    group: string,
    stream: string,
    events: readonly { timestamp: number; message: string; cursor?: string }[],
  ): boolean {
    const s = this.groups.get(group)?.streams.get(stream);
    if (!s) return false;
    if (events.length === 0) return true;
    const ingestionTime = this.now();
    const stored: StoredEvent[] = events.map((e) => ({
      seq: s.nextSeq++,
      timestamp: e.timestamp,
      ingestionTime,
      message: e.message,
      ...(e.cursor !== undefined ? { cursor: e.cursor } : {}),
    }));
    for (const e of stored) {
      let seg = s.segments[s.segments.length - 1];
      if (!seg || seg.bytes >= this.segmentBytes) {
        seg = { firstSeq: e.seq, events: [], bytes: 0 };
        s.segments.push(seg);
      }
      const size = eventBytes(e);
      if (s.dir) appendFileSync(join(s.dir, segmentFile(seg.firstSeq)), `${JSON.stringify(toLine(e))}\n`);
      seg.events.push(e);
      seg.bytes += size;
      this.bytes += size;
    }
    s.lastIngestionTime = ingestionTime;
    this.evict();
    for (const event of stored) this.appended.next({ logGroupName: group, logStreamName: stream, event });
    return true;
  }

  /** Drops the segments whose newest event is older than its group's retention (CloudWatch deletes in batches too). */
  enforceRetention(now = this.now()): void {
    for (const g of this.groups.values()) {
      const days = g.record.retentionInDays;
      if (days === undefined) continue;
      const cutoff = now - days * dayMs;
      for (const s of g.streams.values()) {
        while (s.segments.length > 0) {
          const seg = s.segments[0]!;
          const newest = seg.events.reduce((m, e) => Math.max(m, e.timestamp), Number.NEGATIVE_INFINITY);
          if (newest >= cutoff) break;
          this.dropOldest(s);
        }
      }
    }
  }

  /** Over the byte budget: drop the oldest segment (by its newest event) across all streams. */
  private evict(): void {
    while (this.bytes > this.maxBytes) {
      let victim: StreamState | undefined;
      let oldest = Number.POSITIVE_INFINITY;
      for (const g of this.groups.values())
        for (const s of g.streams.values()) {
          const seg = s.segments[0];
          if (!seg) continue;
          const t = seg.events.at(-1)?.ingestionTime ?? Number.NEGATIVE_INFINITY;
          if (t < oldest) {
            oldest = t;
            victim = s;
          }
        }
      if (!victim) return;
      this.dropOldest(victim);
    }
  }

  private dropOldest(s: StreamState): void {
    const seg = s.segments.shift();
    if (!seg) return;
    this.bytes -= seg.bytes;
    if (s.dir) rmSync(join(s.dir, segmentFile(seg.firstSeq)), { force: true });
    // The next sequence survives a restart even when every segment is gone.
    if (s.dir && s.segments.length === 0)
      writeJson(join(s.dir, 'stream.json'), { ...s.record, nextSeq: s.nextSeq });
  }

  private load(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const gName of readdirSync(dir)) {
      const gDir = join(dir, gName);
      const record = readJson<LogGroupRecord>(join(gDir, 'group.json'));
      if (!record) continue;
      const g: GroupState = { record, dir: gDir, streams: new Map() };
      this.groups.set(record.logGroupName, g);
      for (const sName of readdirSync(gDir)) {
        const meta = readJson<LogStreamRecord & { nextSeq?: number }>(join(gDir, sName, 'stream.json'));
        if (!meta) continue;
        const sDir = join(gDir, sName);
        const s: StreamState = {
          record: { logStreamName: meta.logStreamName, creationTime: meta.creationTime },
          dir: sDir,
          segments: [],
          nextSeq: meta.nextSeq ?? 0,
        };
        const files = readdirSync(sDir)
          .filter((f) => f.endsWith('.jsonl'))
          .sort();
        for (const f of files) {
          const seg: Segment = { firstSeq: Number.parseInt(f, 10), events: [], bytes: 0 };
          for (const line of readFileSync(join(sDir, f), 'utf8').split('\n')) {
            // A line cut short by a crash mid-write is the only one that may not parse.
            const e = line ? parseLine(line) : undefined;
            if (!e) continue;
            seg.events.push(e);
            seg.bytes += eventBytes(e);
            s.nextSeq = Math.max(s.nextSeq, e.seq + 1);
          }
          if (seg.events.length > 0) {
            s.segments.push(seg);
            this.bytes += seg.bytes;
          }
        }
        g.streams.set(s.record.logStreamName, s);
      }
    }
    this.evict();
    this.enforceRetention();
  }
}

function eventBytes(e: Pick<StoredEvent, 'message'>): number {
  return Buffer.byteLength(e.message) + perEventOverhead;
}

function segmentFile(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.jsonl`;
}

function toLine(e: StoredEvent): Record<string, unknown> {
  return { s: e.seq, t: e.timestamp, i: e.ingestionTime, m: e.message, ...(e.cursor ? { c: e.cursor } : {}) };
}

function parseLine(line: string): StoredEvent | undefined {
  try {
    const o = JSON.parse(line) as { s: number; t: number; i: number; m: string; c?: string };
    if (typeof o.s !== 'number' || typeof o.m !== 'string') return undefined;
    return { seq: o.s, timestamp: o.t, ingestionTime: o.i, message: o.m, ...(o.c ? { cursor: o.c } : {}) };
  } catch {
    return undefined;
  }
}

function hashName(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 32);
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
