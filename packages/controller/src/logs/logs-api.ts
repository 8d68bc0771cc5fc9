import { type ArnContext, fromZodIssues } from '@baton-ecs/model';
import { filter, map, type Observable } from 'rxjs';
import { z } from 'zod';
import { BatonApiError } from '../errors.js';
import {
  type FilterPattern,
  FilterPatternError,
  matchesFilter,
  parseFilterPattern,
} from './filter-pattern.js';
import type { LogStore, StoredEvent } from './log-store.js';
import { pageOf, parseToken } from './tokens.js';

/** CloudWatch Logs' retention values, in days. */
export const retentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const GroupName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[.\-_/#A-Za-z0-9]+$/, { error: 'must match [.-_/#A-Za-z0-9]+' });
const StreamName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^:*]*$/, { error: 'must not contain ":" or "*"' });
const Time = z.number().int().min(0);
const Token = z.string().min(1).max(2048);

export const logsRequestSchemas = {
  createLogGroup: z.looseObject({
    logGroupName: GroupName,
    tags: z.record(z.string(), z.string()).optional(),
  }),
  deleteLogGroup: z.looseObject({ logGroupName: GroupName }),
  describeLogGroups: z.looseObject({
    logGroupNamePrefix: GroupName.optional(),
    logGroupNamePattern: z.string().max(512).optional(),
    nextToken: Token.optional(),
    limit: z.number().int().min(1).max(50).optional(),
  }),
  describeLogStreams: z.looseObject({
    logGroupName: GroupName.optional(),
    logGroupIdentifier: z.string().min(1).max(2048).optional(),
    logStreamNamePrefix: StreamName.optional(),
    orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
    descending: z.boolean().optional(),
    nextToken: Token.optional(),
    limit: z.number().int().min(1).max(50).optional(),
  }),
  getLogEvents: z.looseObject({
    logGroupName: GroupName.optional(),
    logGroupIdentifier: z.string().min(1).max(2048).optional(),
    logStreamName: StreamName,
    startTime: Time.optional(),
    endTime: Time.optional(),
    nextToken: Token.optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    startFromHead: z.boolean().optional(),
  }),
  filterLogEvents: z.looseObject({
    logGroupName: GroupName.optional(),
    logGroupIdentifier: z.string().min(1).max(2048).optional(),
    logStreamNames: z.array(StreamName).min(1).max(100).optional(),
    logStreamNamePrefix: StreamName.optional(),
    startTime: Time.optional(),
    endTime: Time.optional(),
    filterPattern: z.string().max(1024).optional(),
    nextToken: Token.optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  putRetentionPolicy: z.looseObject({
    logGroupName: GroupName,
    retentionInDays: z
      .number()
      .int()
      .refine((d) => (retentionDays as readonly number[]).includes(d), {
        error: `Member must satisfy enum value set: [${retentionDays.join(', ')}]`,
      }),
  }),
  deleteRetentionPolicy: z.looseObject({ logGroupName: GroupName }),
  createLogStream: z.looseObject({ logGroupName: GroupName, logStreamName: StreamName }),
  putLogEvents: z.looseObject({
    logGroupName: GroupName,
    logStreamName: StreamName,
    logEvents: z
      .array(z.looseObject({ timestamp: Time, message: z.string().min(1).max(1_048_550) }))
      .min(1)
      .max(10_000),
  }),
};
type Requests = typeof logsRequestSchemas;
export type LogsRequest<K extends keyof Requests> = z.input<Requests[K]>;

export interface LogGroup {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly retentionInDays?: number;
  readonly metricFilterCount: number;
  readonly arn: string;
  readonly logGroupArn: string;
  readonly storedBytes: number;
  readonly logGroupClass: 'STANDARD';
}

export interface LogStream {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly arn: string;
  readonly storedBytes: number;
}

export interface OutputLogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

export interface FilteredLogEvent extends OutputLogEvent {
  readonly logStreamName: string;
  readonly eventId: string;
}

/** What `logs$` follows: a group, optionally some of its streams and a filter pattern. */
export interface LogTailFilter {
  readonly logGroupName: string;
  readonly logStreamNames?: readonly string[];
  readonly logStreamNamePrefix?: string;
  readonly filterPattern?: string;
}

const notFound = {
  group: () => new BatonApiError('ResourceNotFoundException', 'The specified log group does not exist.'),
  stream: () => new BatonApiError('ResourceNotFoundException', 'The specified log stream does not exist.'),
};

/**
 * CloudWatch Logs' API over Baton's log store (`baton.logs`): requests and responses in CloudWatch's
 * shapes (camelCase, epoch-millisecond times), CloudWatch's exception names and messages. Streams are
 * written by Baton's awslogs collector; this API reads them and manages groups and retention.
 */
export class LogsApi {
  constructor(
    private readonly store: LogStore,
    private readonly arn: ArnContext,
  ) {}

  async createLogGroup(request: LogsRequest<'createLogGroup'>): Promise<Record<string, never>> {
    const r = check('createLogGroup', request);
    if (!this.store.createGroup(r.logGroupName))
      throw new BatonApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
    return {};
  }

  async deleteLogGroup(request: LogsRequest<'deleteLogGroup'>): Promise<Record<string, never>> {
    const r = check('deleteLogGroup', request);
    if (!this.store.deleteGroup(r.logGroupName)) throw notFound.group();
    return {};
  }

  async putRetentionPolicy(request: LogsRequest<'putRetentionPolicy'>): Promise<Record<string, never>> {
    const r = check('putRetentionPolicy', request);
    if (!this.store.setRetention(r.logGroupName, r.retentionInDays)) throw notFound.group();
    return {};
  }

  async deleteRetentionPolicy(request: LogsRequest<'deleteRetentionPolicy'>): Promise<Record<string, never>> {
    const r = check('deleteRetentionPolicy', request);
    if (!this.store.setRetention(r.logGroupName, undefined)) throw notFound.group();
    return {};
  }

  async createLogStream(request: LogsRequest<'createLogStream'>): Promise<Record<string, never>> {
    const r = check('createLogStream', request);
    if (!this.store.group(r.logGroupName)) throw notFound.group();
    if (this.store.hasStream(r.logGroupName, r.logStreamName))
      throw new BatonApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    this.store.ensureStream(r.logGroupName, r.logStreamName);
    return {};
  }

  /**
   * PutLogEvents into a stream made with createLogStream (an application writing its own logs next
   * to the ones Baton collects). As CloudWatch: events in chronological order, the stream must exist.
   */
  async putLogEvents(request: LogsRequest<'putLogEvents'>): Promise<Record<string, never>> {
    const r = check('putLogEvents', request);
    if (!this.store.group(r.logGroupName)) throw notFound.group();
    if (!this.store.hasStream(r.logGroupName, r.logStreamName)) throw notFound.stream();
    if (r.logEvents.some((e, i) => i > 0 && e.timestamp < r.logEvents[i - 1]!.timestamp))
      throw new BatonApiError(
        'InvalidParameterException',
        'Log events in a single PutLogEvents request must be in chronological order.',
      );
    this.store.append(
      r.logGroupName,
      r.logStreamName,
      r.logEvents.map((e) => ({ timestamp: e.timestamp, message: e.message })),
    );
    return {};
  }

  async describeLogGroups(
    request: LogsRequest<'describeLogGroups'> = {},
  ): Promise<{ logGroups: LogGroup[]; nextToken?: string }> {
    const r = check('describeLogGroups', request);
    if (r.logGroupNamePrefix !== undefined && r.logGroupNamePattern !== undefined)
      throw new BatonApiError(
        'InvalidParameterException',
        'LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.',
      );
    const groups = this.store
      .listGroups()
      .filter(
        (g) =>
          (r.logGroupNamePrefix === undefined || g.logGroupName.startsWith(r.logGroupNamePrefix)) &&
          (r.logGroupNamePattern === undefined || g.logGroupName.includes(r.logGroupNamePattern)),
      );
    const { items, nextToken } = paginate(groups, r.nextToken, r.limit ?? 50, (g) => g.logGroupName);
    return {
      logGroups: items.map((g) => this.describeGroup(g.logGroupName)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  async describeLogStreams(
    request: LogsRequest<'describeLogStreams'>,
  ): Promise<{ logStreams: LogStream[]; nextToken?: string }> {
    const r = check('describeLogStreams', request);
    const group = this.groupOf(r);
    if (r.orderBy === 'LastEventTime' && r.logStreamNamePrefix !== undefined)
      throw new BatonApiError(
        'InvalidParameterException',
        'Cannot order by LastEventTime with a logStreamNamePrefix.',
      );
    const streams = (this.store.listStreams(group) ?? [])
      .filter((s) => r.logStreamNamePrefix === undefined || s.logStreamName.startsWith(r.logStreamNamePrefix))
      .map((s) => this.describeStream(group, s.logStreamName));
    const key = (s: LogStream) =>
      r.orderBy === 'LastEventTime'
        ? `${String(s.lastEventTimestamp ?? 0).padStart(16, '0')}\u0000${s.logStreamName}`
        : s.logStreamName;
    streams.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    if (r.descending) streams.reverse();
    const { items, nextToken } = paginate(streams, r.nextToken, r.limit ?? 50, key, r.descending);
    return { logStreams: items, ...(nextToken ? { nextToken } : {}) };
  }

  /** GetLogEvents, with CloudWatch's token semantics (see tokens.ts). */
  async getLogEvents(request: LogsRequest<'getLogEvents'>): Promise<{
    events: OutputLogEvent[];
    nextForwardToken: string;
    nextBackwardToken: string;
  }> {
    const r = check('getLogEvents', request);
    const group = this.groupOf(r);
    const all = this.store.events(group, r.logStreamName);
    if (!all) throw notFound.stream();
    const token = r.nextToken === undefined ? undefined : parseToken(r.nextToken);
    if (r.nextToken !== undefined && !token)
      throw new BatonApiError('InvalidParameterException', 'The specified nextToken is invalid.');
    const inWindow = all.filter((e) => inTime(e, r.startTime, r.endTime));
    const page = pageOf(inWindow, {
      ...(token ? { token } : {}),
      startFromHead: r.startFromHead ?? false,
      limit: r.limit ?? 10_000,
      end: this.store.nextSeq(group, r.logStreamName),
    });
    return {
      events: page.events.map(output),
      nextForwardToken: page.nextForwardToken,
      nextBackwardToken: page.nextBackwardToken,
    };
  }

  /** FilterLogEvents: matching events of the group's streams, oldest first, in pages. */
  async filterLogEvents(request: LogsRequest<'filterLogEvents'>): Promise<{
    events: FilteredLogEvent[];
    searchedLogStreams: { logStreamName: string; searchedCompletely: boolean }[];
    nextToken?: string;
  }> {
    const r = check('filterLogEvents', request);
    const group = this.groupOf(r);
    if (r.logStreamNames && r.logStreamNamePrefix !== undefined)
      throw new BatonApiError(
        'InvalidParameterException',
        'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.',
      );
    const pattern = pattern_(r.filterPattern);
    const after = r.nextToken === undefined ? undefined : decodeFilterToken(r.nextToken);
    const streams = this.selectStreams(group, r.logStreamNames, r.logStreamNamePrefix);
    const matches: FilteredLogEvent[] = [];
    for (const name of streams)
      for (const e of this.store.events(group, name) ?? [])
        if (inTime(e, r.startTime, r.endTime) && matchesFilter(pattern, e.message))
          matches.push({ logStreamName: name, eventId: eventId(e), ...output(e) });
    matches.sort(compareFiltered);
    const from = after ? matches.findIndex((m) => compareFiltered(m, after) > 0) : 0;
    const rest = from < 0 ? [] : matches.slice(from);
    const limit = r.limit ?? 10_000;
    const events = rest.slice(0, limit);
    const last = events[events.length - 1];
    return {
      events,
      searchedLogStreams: streams.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
      ...(rest.length > limit && last ? { nextToken: encodeFilterToken(last) } : {}),
    };
  }

  /**
   * Events as they are stored, for a group (and, optionally, some of its streams and a filter
   * pattern): a live tail. It starts with the next event stored; read history with getLogEvents.
   */
  logs$(tail: LogTailFilter): Observable<FilteredLogEvent> {
    const pattern = pattern_(tail.filterPattern);
    const names = tail.logStreamNames ? new Set(tail.logStreamNames) : undefined;
    return this.store.appended.pipe(
      filter(
        (a) =>
          a.logGroupName === tail.logGroupName &&
          (!names || names.has(a.logStreamName)) &&
          (tail.logStreamNamePrefix === undefined || a.logStreamName.startsWith(tail.logStreamNamePrefix)) &&
          matchesFilter(pattern, a.event.message),
      ),
      map((a) => ({ logStreamName: a.logStreamName, eventId: eventId(a.event), ...output(a.event) })),
    );
  }

  private describeGroup(name: string): LogGroup {
    const g = this.store.group(name)!;
    const logGroupArn = `arn:${this.arn.partition}:logs:${this.arn.region}:${this.arn.account}:log-group:${name}`;
    const storedBytes = (this.store.listStreams(name) ?? []).reduce(
      (n, s) => n + (this.store.streamStats(name, s.logStreamName)?.storedBytes ?? 0),
      0,
    );
    return {
      logGroupName: name,
      creationTime: g.creationTime,
      ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
      metricFilterCount: 0,
      arn: `${logGroupArn}:*`,
      logGroupArn,
      storedBytes,
      logGroupClass: 'STANDARD',
    };
  }

  private describeStream(group: string, name: string): LogStream {
    const s = this.store.listStreams(group)!.find((x) => x.logStreamName === name)!;
    const stats = this.store.streamStats(group, name)!;
    return {
      logStreamName: name,
      creationTime: s.creationTime,
      ...stats,
      arn: `arn:${this.arn.partition}:logs:${this.arn.region}:${this.arn.account}:log-group:${group}:log-stream:${name}`,
    };
  }

  /** The group a request names (logGroupName, or logGroupIdentifier: a name or an ARN); it must exist. */
  private groupOf(r: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): string {
    if (r.logGroupName !== undefined && r.logGroupIdentifier !== undefined)
      throw new BatonApiError(
        'InvalidParameterException',
        'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
      );
    const ref = r.logGroupName ?? r.logGroupIdentifier;
    if (ref === undefined)
      throw new BatonApiError(
        'InvalidParameterException',
        'Either logGroupName or logGroupIdentifier must be provided.',
      );
    const name = /^arn:[^:]+:logs:/.test(ref)
      ? ref.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, '').replace(/:\*$/, '')
      : ref;
    if (!this.store.group(name)) throw notFound.group();
    return name;
  }

  private selectStreams(
    group: string,
    names: readonly string[] | undefined,
    prefix: string | undefined,
  ): string[] {
    const all = (this.store.listStreams(group) ?? []).map((s) => s.logStreamName).sort();
    if (names) return all.filter((n) => names.includes(n));
    return prefix === undefined ? all : all.filter((n) => n.startsWith(prefix));
  }
}

function check<K extends keyof Requests>(name: K, request: unknown): z.output<Requests[K]> {
  const result = logsRequestSchemas[name].safeParse(request ?? {}, { reportInput: true });
  if (!result.success) throw BatonApiError.fromIssues(`${name} request`, fromZodIssues(result.error.issues));
  return result.data as z.output<Requests[K]>;
}

function pattern_(text: string | undefined): FilterPattern {
  try {
    return parseFilterPattern(text ?? '');
  } catch (err) {
    if (err instanceof FilterPatternError)
      throw new BatonApiError('InvalidParameterException', `Invalid filter pattern: ${err.message}`, [
        { path: 'filterPattern', message: err.message, rule: 'filter-pattern' },
      ]);
    throw err;
  }
}

function inTime(e: StoredEvent, start: number | undefined, end: number | undefined): boolean {
  return (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp < end);
}

function output(e: StoredEvent): OutputLogEvent {
  return { timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime };
}

function eventId(e: StoredEvent): string {
  return `${String(e.timestamp).padStart(16, '0')}${String(e.seq).padStart(20, '0')}`;
}

function compareFiltered(
  a: Pick<FilteredLogEvent, 'timestamp' | 'logStreamName' | 'eventId'>,
  b: typeof a,
): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (a.logStreamName !== b.logStreamName) return a.logStreamName < b.logStreamName ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

function encodeFilterToken(e: FilteredLogEvent): string {
  return Buffer.from(JSON.stringify([e.timestamp, e.logStreamName, e.eventId])).toString('base64url');
}

function decodeFilterToken(token: string): Pick<FilteredLogEvent, 'timestamp' | 'logStreamName' | 'eventId'> {
  try {
    const [timestamp, logStreamName, eventId] = JSON.parse(Buffer.from(token, 'base64url').toString()) as [
      number,
      string,
      string,
    ];
    if (typeof timestamp === 'number' && typeof logStreamName === 'string' && typeof eventId === 'string')
      return { timestamp, logStreamName, eventId };
  } catch {}
  throw new BatonApiError('InvalidParameterException', 'The specified nextToken is invalid.');
}

/** Name-ordered pages; the token is the key of the last item returned. */
function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  limit: number,
  key: (item: T) => string,
  descending = false,
): { items: T[]; nextToken?: string } {
  let from = 0;
  if (token !== undefined) {
    const after = Buffer.from(token, 'base64url').toString();
    from = items.findIndex((i) => (descending ? key(i) < after : key(i) > after));
    if (from < 0) from = items.length;
  }
  const page = items.slice(from, from + limit);
  const last = page[page.length - 1];
  return {
    items: page,
    ...(from + limit < items.length && last
      ? { nextToken: Buffer.from(key(last)).toString('base64url') }
      : {}),
  };
}
