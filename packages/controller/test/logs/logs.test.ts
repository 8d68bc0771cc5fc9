import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultArnContext } from '@baton-ecs/model';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BatonApiError,
  LogStore,
  LogsApi,
  linesAfter,
  MultilineAssembler,
  matchesFilter,
  parseFilterPattern,
} from '../../src/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'baton-logs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const day = 86_400_000;
function setup(options: { dir?: string; maxBytes?: number; segmentBytes?: number } = {}) {
  let now = 1_700_000_000_000;
  const store = new LogStore({ ...options, now: () => now });
  const api = new LogsApi(store, defaultArnContext);
  return { store, api, tick: (ms: number) => (now += ms), now: () => now };
}
const msgs = (events: readonly { message: string }[]) => events.map((e) => e.message);

describe('GetLogEvents tokens (CloudWatch semantics)', () => {
  const { store, api } = setup();
  store.createGroup('g');
  store.ensureStream('g', 's');
  store.append(
    'g',
    's',
    Array.from({ length: 5 }, (_, i) => ({ timestamp: 1000 + i, message: `m${i}` })),
  );

  it('reads the newest events without a token, the oldest with startFromHead', async () => {
    expect(
      msgs((await api.getLogEvents({ logGroupName: 'g', logStreamName: 's', limit: 2 })).events),
    ).toEqual(['m3', 'm4']);
    const head = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      limit: 2,
      startFromHead: true,
    });
    expect(msgs(head.events)).toEqual(['m0', 'm1']);
  });

  it('pages forward and backward, and hands back the same token at either end', async () => {
    const p1 = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      limit: 2,
      startFromHead: true,
    });
    const p2 = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      limit: 2,
      nextToken: p1.nextForwardToken,
    });
    const p3 = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      limit: 2,
      nextToken: p2.nextForwardToken,
    });
    expect([msgs(p2.events), msgs(p3.events)]).toEqual([['m2', 'm3'], ['m4']]);
    const end = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      nextToken: p3.nextForwardToken,
    });
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(p3.nextForwardToken);
    const back = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      limit: 2,
      nextToken: p3.nextBackwardToken,
    });
    expect(msgs(back.events)).toEqual(['m2', 'm3']);
    const start = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      nextToken: p1.nextBackwardToken,
    });
    expect([start.events, start.nextBackwardToken]).toEqual([[], p1.nextBackwardToken]);
    // A new event shows up from the token a caught-up reader holds.
    store.append('g', 's', [{ timestamp: 2000, message: 'm5' }]);
    const more = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      nextToken: end.nextForwardToken,
    });
    expect(msgs(more.events)).toEqual(['m5']);
  });

  it('filters by time and refuses a foreign token', async () => {
    const r = await api.getLogEvents({
      logGroupName: 'g',
      logStreamName: 's',
      startTime: 1001,
      endTime: 1003,
      startFromHead: true,
    });
    expect(msgs(r.events)).toEqual(['m1', 'm2']);
    await expect(
      api.getLogEvents({ logGroupName: 'g', logStreamName: 's', nextToken: 'nope' }),
    ).rejects.toThrow('InvalidParameterException: The specified nextToken is invalid.');
  });
});

describe('the logs API', () => {
  it("answers with CloudWatch's exceptions", async () => {
    const { api } = setup();
    await api.createLogGroup({ logGroupName: 'app' });
    await expect(api.createLogGroup({ logGroupName: 'app' })).rejects.toMatchObject({
      code: 'ResourceAlreadyExistsException',
    });
    await expect(api.describeLogStreams({ logGroupName: 'none' })).rejects.toThrow(
      'ResourceNotFoundException: The specified log group does not exist.',
    );
    await expect(api.getLogEvents({ logGroupName: 'app', logStreamName: 'x' })).rejects.toThrow(
      'ResourceNotFoundException: The specified log stream does not exist.',
    );
    const bad = await api
      .putRetentionPolicy({ logGroupName: 'app', retentionInDays: 2 })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BatonApiError);
    expect((bad as BatonApiError).code).toBe('InvalidParameterException');
    expect((bad as BatonApiError).issues[0]?.path).toBe('retentionInDays');
    await expect(api.createLogGroup({ logGroupName: 'bad name' })).rejects.toThrow(/logGroupName/);
    await expect(api.filterLogEvents({ logGroupName: 'app', filterPattern: '{ $.x = 1 }' })).rejects.toThrow(
      /InvalidParameterException: Invalid filter pattern/,
    );
  });

  it('describes groups and streams in CloudWatch shapes, paged', async () => {
    const { api, store } = setup();
    for (const g of ['a', 'b', 'c']) await api.createLogGroup({ logGroupName: `/app/${g}` });
    await api.putRetentionPolicy({ logGroupName: '/app/b', retentionInDays: 7 });
    const p1 = await api.describeLogGroups({ logGroupNamePrefix: '/app/', limit: 2 });
    expect(p1.logGroups.map((g) => g.logGroupName)).toEqual(['/app/a', '/app/b']);
    expect(p1.logGroups[1]).toMatchObject({
      retentionInDays: 7,
      arn: 'arn:aws:logs:local:000000000000:log-group:/app/b:*',
      logGroupArn: 'arn:aws:logs:local:000000000000:log-group:/app/b',
    });
    const p2 = await api.describeLogGroups({
      logGroupNamePrefix: '/app/',
      limit: 2,
      nextToken: p1.nextToken!,
    });
    expect([p2.logGroups.map((g) => g.logGroupName), p2.nextToken]).toEqual([['/app/c'], undefined]);
    await api.deleteRetentionPolicy({ logGroupName: '/app/b' });
    expect(
      (await api.describeLogGroups({ logGroupNamePrefix: '/app/b' })).logGroups[0]?.retentionInDays,
    ).toBeUndefined();
    store.ensureStream('/app/a', 'x/1');
    store.ensureStream('/app/a', 'x/2');
    store.append('/app/a', 'x/1', [{ timestamp: 5, message: 'hi' }]);
    const { logStreams } = await api.describeLogStreams({
      logGroupName: '/app/a',
      logStreamNamePrefix: 'x/',
    });
    expect(logStreams.map((s) => [s.logStreamName, s.firstEventTimestamp, s.lastEventTimestamp])).toEqual([
      ['x/1', 5, 5],
      ['x/2', undefined, undefined],
    ]);
  });

  it('filterLogEvents merges streams by time, matches terms and phrases, and pages', async () => {
    const { api, store } = setup();
    store.createGroup('g');
    store.ensureStream('g', 'a');
    store.ensureStream('g', 'b');
    store.append('g', 'a', [
      { timestamp: 1, message: 'ERROR disk full' },
      { timestamp: 3, message: 'INFO user not found' },
    ]);
    store.append('g', 'b', [
      { timestamp: 2, message: 'ERROR retrying' },
      { timestamp: 4, message: 'WARN user not found here' },
    ]);
    const all = await api.filterLogEvents({ logGroupName: 'g' });
    expect(msgs(all.events)).toEqual([
      'ERROR disk full',
      'ERROR retrying',
      'INFO user not found',
      'WARN user not found here',
    ]);
    expect(
      msgs((await api.filterLogEvents({ logGroupName: 'g', filterPattern: 'ERROR -retrying' })).events),
    ).toEqual(['ERROR disk full']);
    expect(
      msgs((await api.filterLogEvents({ logGroupName: 'g', filterPattern: '"user not found" WARN' })).events),
    ).toEqual(['WARN user not found here']);
    const p1 = await api.filterLogEvents({ logGroupName: 'g', limit: 3 });
    const p2 = await api.filterLogEvents({ logGroupName: 'g', limit: 3, nextToken: p1.nextToken! });
    expect([msgs(p2.events), p2.nextToken]).toEqual([['WARN user not found here'], undefined]);
    expect(p1.events[1]?.logStreamName).toBe('b');
  });

  it('logs$ follows a group live, by stream and pattern', async () => {
    const { api, store } = setup();
    store.createGroup('g');
    store.ensureStream('g', 'web/1');
    store.ensureStream('g', 'db/1');
    const seen: string[] = [];
    const sub = api
      .logs$({ logGroupName: 'g', logStreamNamePrefix: 'web/', filterPattern: '?GET ?POST' })
      .subscribe((e) => seen.push(`${e.logStreamName} ${e.message}`));
    store.append('g', 'web/1', [
      { timestamp: 1, message: 'GET /' },
      { timestamp: 2, message: 'tick' },
    ]);
    store.append('g', 'db/1', [{ timestamp: 3, message: 'GET key' }]);
    store.append('g', 'web/1', [{ timestamp: 4, message: 'POST /x' }]);
    sub.unsubscribe();
    expect(seen).toEqual(['web/1 GET /', 'web/1 POST /x']);
  });
});

describe('the log store', () => {
  it('survives a reopen from its directory: events, sequence, cursor, retention', () => {
    const dir = tempDir();
    const a = setup({ dir });
    a.store.createGroup('g', 7);
    a.store.ensureStream('g', 's');
    a.store.append('g', 's', [
      { timestamp: a.now() - 2, message: 'one', cursor: '1:1' },
      { timestamp: a.now() - 1, message: 'two', cursor: '2:1' },
    ]);
    const b = new LogStore({ dir, now: a.now });
    expect(msgs(b.events('g', 's') ?? [])).toEqual(['one', 'two']);
    expect([b.cursor('g', 's'), b.nextSeq('g', 's'), b.group('g')?.retentionInDays]).toEqual(['2:1', 2, 7]);
    b.append('g', 's', [{ timestamp: a.now(), message: 'three' }]);
    expect(b.events('g', 's')?.map((e) => e.seq)).toEqual([0, 1, 2]);
  });

  it('stays within maxBytes, dropping the oldest segments first', () => {
    const { store } = setup({ maxBytes: 1000, segmentBytes: 200 });
    store.createGroup('g');
    store.ensureStream('g', 's');
    for (let i = 0; i < 100; i++)
      store.append('g', 's', [
        { timestamp: i, message: `message ${String(i).padStart(3, '0')} ${'x'.repeat(40)}` },
      ]);
    expect(store.storedBytes).toBeLessThanOrEqual(1000);
    const kept = store.events('g', 's') ?? [];
    expect(kept[kept.length - 1]?.seq).toBe(99);
    expect(kept[0]!.seq).toBeGreaterThan(0);
    expect(kept.map((e) => e.seq)).toEqual(kept.map((_, i) => kept[0]!.seq + i));
  });

  it('enforces retention: events older than the group’s days go, newer stay', () => {
    const dir = tempDir();
    const { store, tick, now } = setup({ dir, segmentBytes: 1 });
    store.createGroup('g');
    store.ensureStream('g', 's');
    store.append('g', 's', [{ timestamp: now() - 10 * day, message: 'old' }]);
    store.append('g', 's', [{ timestamp: now() - 2 * day, message: 'recent' }]);
    store.setRetention('g', 3);
    expect(msgs(store.events('g', 's') ?? [])).toEqual(['recent']);
    tick(2 * day);
    store.enforceRetention();
    expect(store.events('g', 's')).toEqual([]);
    // Nothing comes back from disk, and sequence numbers never repeat.
    const reopened = new LogStore({ dir, now });
    expect([reopened.events('g', 's'), reopened.nextSeq('g', 's')]).toEqual([[], 2]);
  });
});

describe('collection helpers', () => {
  it('resumes after a cursor without losing or repeating lines sharing a millisecond', () => {
    const line = (time: number, message: string) => ({ stream: 'stdout' as const, time, message });
    const lines = [line(10, 'a'), line(20, 'b'), line(20, 'c'), line(20, 'd'), line(30, 'e')];
    const first = linesAfter(lines.slice(0, 3), undefined);
    expect(first.map((l) => l.line.message)).toEqual(['a', 'b', 'c']);
    const cursor = first[first.length - 1]!.cursor;
    expect(cursor).toEqual({ time: 20, count: 2 });
    // The engine answers from the cursor's time on.
    expect(linesAfter(lines.slice(1), cursor).map((l) => l.line.message)).toEqual(['d', 'e']);
  });

  it('groups multiline events at the start pattern and flushes the last one', () => {
    const m = new MultilineAssembler(/^\d{4}-/);
    const push = (message: string, i: number) => m.push({ time: i, message, cursor: `${i}:1` });
    const out = [
      ...push('2024-01-01 boom', 1),
      ...push('  at a', 2),
      ...push('  at b', 3),
      ...push('2024-01-01 next', 4),
    ];
    expect(out).toEqual([{ timestamp: 1, message: '2024-01-01 boom\n  at a\n  at b', cursor: '3:1' }]);
    expect(m.flush()).toEqual({ timestamp: 4, message: '2024-01-01 next', cursor: '4:1' });
    expect(new MultilineAssembler(undefined).push({ time: 1, message: 'x', cursor: '1:1' })).toHaveLength(1);
  });

  it('parses filter patterns: terms, phrases, optional and excluded terms', () => {
    const p = parseFilterPattern('ERROR "not found" ?db ?cache -ignored');
    expect(p).toEqual({ all: ['ERROR', 'not found'], any: ['db', 'cache'], none: ['ignored'] });
    expect(matchesFilter(p, 'ERROR db: key not found')).toBe(true);
    expect(matchesFilter(p, 'ERROR db: key not found (ignored)')).toBe(false);
    expect(matchesFilter(p, 'ERROR queue: key not found')).toBe(false);
    expect(matchesFilter(parseFilterPattern('error'), 'ERROR')).toBe(false);
    expect(matchesFilter(parseFilterPattern(''), 'anything')).toBe(true);
  });
});
