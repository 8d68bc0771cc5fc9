import { describe, expect, it } from 'vitest';
import {
  checkJsonBounds,
  ecsLimits,
  parseCluster,
  parseService,
  parseTaskDefinition,
  requestBounds,
} from '../src/index.js';
import { bad, lines, ok } from './helpers.js';

const container = { name: 'web', image: 'busybox', memory: 64 };
const td = { family: 'web', containerDefinitions: [container] };

/** Milliseconds one call takes. */
function timed(f: () => unknown): number {
  const started = performance.now();
  f();
  return performance.now() - started;
}

describe('keys named like Object.prototype members are ordinary field names', () => {
  for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`"${key}" at the top, in a container and in a nested object`, () => {
      // JSON.parse makes `__proto__` an own key, as a request body would.
      const json = JSON.parse(
        JSON.stringify({
          ...td,
          K: { K: 1 },
          containerDefinitions: [{ ...container, K: 'x', healthCheck: { command: ['CMD', 'true'], K: [1] } }],
        }).replaceAll('"K"', JSON.stringify(key)),
      );
      const parsed = ok(parseTaskDefinition(json));
      expect(parsed.warnings.map((w) => w.path)).toEqual(
        expect.arrayContaining([
          key,
          `containerDefinitions[0].${key}`,
          `containerDefinitions[0].healthCheck.${key}`,
        ]),
      );
      expect(() =>
        ok(
          parseService(JSON.parse(`{"serviceName":"s","taskDefinition":"web","desiredCount":1,"${key}":{}}`)),
        ),
      ).not.toThrow();
      expect(() => ok(parseCluster(JSON.parse(`{"clusterName":"c","${key}":"x"}`)))).not.toThrow();
    });
  }
});

describe('inputs are bounded before any work proportional to them', () => {
  it('a 50 MB string in a task definition is refused at once, as over ECS’s 64 KiB', () => {
    const huge = { ...td, containerDefinitions: [{ ...container, command: ['x'.repeat(50 * 1024 * 1024)] }] };
    let error: ReturnType<typeof bad> | undefined;
    expect(timed(() => (error = bad(parseTaskDefinition(huge))))).toBeLessThan(200);
    expect(error!.issues).toEqual([
      {
        path: 'containerDefinitions[0].command[0]',
        rule: 'quota',
        message: 'makes the input larger than the limit of 64 KiB',
      },
    ]);
    const text = JSON.stringify({ ...td, family: 'x'.repeat(70 * 1024) });
    expect(bad(parseTaskDefinition(text)).issues[0]).toMatchObject({ path: '', rule: 'quota' });
    expect(bad(parseTaskDefinition({ ...td, family: 'x'.repeat(70 * 1024) })).issues[0]).toMatchObject({
      path: 'family',
      rule: 'quota',
    });
  });

  it('a task definition just over 64 KiB as JSON is over the quota; just under is accepted', () => {
    const env = (n: number) => [{ name: 'PAD', value: 'x'.repeat(n) }];
    const base = JSON.stringify({
      ...td,
      containerDefinitions: [{ ...container, environment: env(0) }],
    }).length;
    const fits = {
      ...td,
      containerDefinitions: [{ ...container, environment: env(ecsLimits.taskDefinitionBytes - base) }],
    };
    ok(parseTaskDefinition(fits));
    const over = {
      ...td,
      containerDefinitions: [{ ...container, environment: env(ecsLimits.taskDefinitionBytes - base + 1) }],
    };
    expect(bad(parseTaskDefinition(over)).issues).toEqual([
      { path: '', rule: 'quota', message: 'is 65537 bytes as JSON; the limit is 64 KiB' },
    ]);
    // Multi-byte characters count as their UTF-8 bytes.
    const wide = {
      ...td,
      containerDefinitions: [{ ...container, environment: env(ecsLimits.taskDefinitionBytes / 3) }],
    };
    (wide.containerDefinitions[0]!.environment[0] as { value: string }).value = 'é'.repeat(40_000);
    expect(bad(parseTaskDefinition(wide)).issues[0]?.rule).toBe('quota');
  });

  it('a 1 MB string where a list is expected is refused fast', () => {
    let error: ReturnType<typeof bad> | undefined;
    const ms = timed(
      () => (error = bad(parseTaskDefinition({ ...td, containerDefinitions: 'x'.repeat(1 << 20) }))),
    );
    expect(ms).toBeLessThan(100);
    expect(error!.issues[0]?.path).toBe('containerDefinitions');
  });

  it('an unknown field nested 5,000 levels deep is refused, naming the depth limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = { d: deep };
    const error = bad(parseTaskDefinition({ ...td, extra: deep }));
    expect(error.issues[0]).toMatchObject({ rule: 'depth' });
    expect(error.issues[0]?.message).toBe(`is nested more than ${requestBounds.maxDepth} levels deep`);
  });

  it('values JSON cannot hold are refused, naming the field', () => {
    const cases: [unknown, string][] = [
      [10n, 'must be plain JSON (got a bigint)'],
      [() => 1, 'must be plain JSON (got a function)'],
      [Symbol('s'), 'must be plain JSON (got a symbol)'],
      [Number.NaN, 'must be a finite number (got NaN)'],
      [Number.POSITIVE_INFINITY, 'must be a finite number (got Infinity)'],
      [new Map(), 'must be plain JSON (got an instance of a class)'],
    ];
    for (const [value, message] of cases) {
      expect(lines(bad(parseTaskDefinition({ ...td, tags: [{ key: 'k', value }] })))).toContain(
        `tags[0].value: ${message}`,
      );
    }
  });

  it('a cycle is refused by the depth bound, not followed forever', () => {
    const cyclic: Record<string, unknown> = { family: 'web', containerDefinitions: [container] };
    cyclic.self = cyclic;
    expect(bad(parseTaskDefinition(cyclic)).issues[0]?.rule).toBe('depth');
  });

  it('a string over the per-string bound of a request is refused by length, naming the field', () => {
    const issues = checkJsonBounds({ a: { b: 'x'.repeat(requestBounds.maxStringLength + 1) } });
    expect(issues).toEqual([
      {
        path: 'a.b',
        rule: 'length',
        message: `must be at most ${requestBounds.maxStringLength} characters long`,
      },
    ]);
  });

  it('long lists are refused by length, before their items are read', () => {
    const issues = checkJsonBounds({ list: new Array(requestBounds.maxListLength + 1).fill(0) });
    expect(issues).toEqual([
      {
        path: 'list',
        rule: 'length',
        message: `must have at most ${requestBounds.maxListLength} items (got 10001)`,
      },
    ]);
  });
});

describe('ECS quotas in the schemas', () => {
  it(`desiredCount is at most ${ecsLimits.tasksPerService}, ECS's tasks-per-service quota`, () => {
    ok(parseService({ serviceName: 's', taskDefinition: 'web', desiredCount: ecsLimits.tasksPerService }));
    const error = bad(parseService({ serviceName: 's', taskDefinition: 'web', desiredCount: 10_000_000 }));
    expect(error.issues).toEqual([
      {
        path: 'desiredCount',
        rule: 'quota',
        message: 'must be at most 5000, the ECS quota of tasks per service (got 10000000)',
      },
    ]);
  });
});
