import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  checkTagMutability,
  evaluateLifecyclePolicy,
  type ImageRecord,
  type LifecyclePolicy,
  parseLifecyclePolicy,
  ruleSelects,
  tagPatternMatches,
} from '../src/index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1);
const img = (digest: string, tags: string[], daysAgo: number): ImageRecord => ({
  digest,
  tags,
  pushedAt: NOW - daysAgo * DAY,
});

const policy = (rules: unknown[]): LifecyclePolicy => {
  const p = parseLifecyclePolicy({ rules });
  if (isLeft(p)) throw p.left;
  return p.right;
};
const problem = (rules: unknown[]): string => {
  const p = parseLifecyclePolicy({ rules });
  if (isRight(p)) throw new Error('valid');
  return p.left.message;
};
const rule = (rulePriority: number, selection: Record<string, unknown>) => ({
  rulePriority,
  selection,
  action: { type: 'expire' },
});

describe('lifecycle policy validation', () => {
  it('accepts ECR examples and JSON text', () => {
    expect(
      isRight(
        parseLifecyclePolicy(
          JSON.stringify({
            rules: [
              rule(1, {
                tagStatus: 'tagged',
                tagPatternList: ['prod*'],
                countType: 'imageCountMoreThan',
                countNumber: 10,
              }),
              rule(2, {
                tagStatus: 'untagged',
                countType: 'sinceImagePushed',
                countUnit: 'days',
                countNumber: 14,
              }),
              rule(3, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }),
            ],
          }),
        ),
      ),
    ).toBe(true);
  });

  it.each([
    [
      [
        rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(2, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
      ],
      'tagStatus "any" must have the highest rulePriority',
    ],
    [
      [
        rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
        rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 2 }),
      ],
      'rulePriority must be unique',
    ],
    [
      [rule(1, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })],
      'needs a tagPrefixList or a tagPatternList',
    ],
    [
      [
        rule(1, {
          tagStatus: 'tagged',
          tagPrefixList: ['a'],
          tagPatternList: ['b*'],
          countType: 'imageCountMoreThan',
          countNumber: 1,
        }),
      ],
      'cannot both be given',
    ],
    [
      [
        rule(1, {
          tagStatus: 'untagged',
          tagPrefixList: ['a'],
          countType: 'imageCountMoreThan',
          countNumber: 1,
        }),
      ],
      'only allowed with tagStatus "tagged"',
    ],
    [
      [
        rule(1, {
          tagStatus: 'tagged',
          tagPatternList: ['a*b*c*d*e*f'],
          countType: 'imageCountMoreThan',
          countNumber: 1,
        }),
      ],
      'more than 4 wildcards',
    ],
    [
      [rule(1, { tagStatus: 'any', countType: 'sinceImagePushed', countNumber: 1 })],
      'needs countUnit "days"',
    ],
    [
      [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 1 })],
      'countUnit is only allowed',
    ],
    [
      [rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 })],
      'rules[0].selection.countNumber',
    ],
    [
      [rule(0, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 })],
      'rules[0].rulePriority',
    ],
    [[], 'lifecycle policy.rules'],
  ])('rejects invalid policy #%#', (rules, message) => {
    expect(problem(rules)).toContain(message);
  });

  it('names the rule in each problem', () => {
    expect(
      problem([rule(7, { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 })]),
    ).toContain('rules[0] (rulePriority 7)');
  });
});

describe('lifecycle policy evaluation', () => {
  it('imageCountMoreThan keeps the newest N, expires the rest oldest first', () => {
    const p = policy([rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 })]);
    const r = evaluateLifecyclePolicy(
      p,
      [img('d1', ['a'], 4), img('d2', ['b'], 3), img('d3', [], 2), img('d4', ['c'], 1)],
      NOW,
    );
    expect(r.expired.map((e) => e.digest)).toEqual(['d1', 'd2']);
    expect(r.kept.map((e) => e.digest)).toEqual(['d3', 'd4']);
  });

  it('sinceImagePushed expires images older than N days', () => {
    const p = policy([
      rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }),
    ]);
    const r = evaluateLifecyclePolicy(
      p,
      [img('old', [], 8), img('edge', [], 7), img('tagged', ['x'], 30)],
      NOW,
    );
    expect(r.expired.map((e) => e.digest)).toEqual(['old']);
  });

  it('an image taken by a higher-priority rule is never expired by a lower one', () => {
    const p = policy([
      rule(1, {
        tagStatus: 'tagged',
        tagPrefixList: ['prod'],
        countType: 'imageCountMoreThan',
        countNumber: 1,
      }),
      rule(2, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
    ]);
    const r = evaluateLifecyclePolicy(
      p,
      [
        img('p-old', ['prod-1'], 50),
        img('p-new', ['prod-2'], 40),
        img('dev', ['dev-1'], 30),
        img('fresh', [], 0),
      ],
      NOW,
    );
    expect(r.expired.map((e) => [e.digest, e.rulePriority])).toEqual([
      ['p-old', 1],
      ['dev', 2],
    ]);
    // p-new is 40 days old but rule 1 claimed it: rule 2 cannot expire it.
    expect(r.kept.find((k) => k.digest === 'p-new')?.rulePriority).toBe(1);
    expect(r.rules).toEqual([
      { rulePriority: 1, selected: 2, expired: 1 },
      { rulePriority: 2, selected: 2, expired: 1 },
    ]);
  });

  it('several prefixes or patterns select only images having them all', () => {
    const p = policy([
      rule(1, {
        tagStatus: 'tagged',
        tagPatternList: ['release-*', '*-stable'],
        countType: 'imageCountMoreThan',
        countNumber: 1,
      }),
    ]);
    const r = evaluateLifecyclePolicy(
      p,
      [
        img('both-old', ['release-1', 'v1-stable'], 3),
        img('both-new', ['release-2', 'v2-stable'], 1),
        img('one', ['release-3'], 5),
      ],
      NOW,
    );
    expect(r.expired.map((e) => e.digest)).toEqual(['both-old']);
    expect(tagPatternMatches('prod*', 'prod')).toBe(true);
    expect(tagPatternMatches('*test*1', 'a-test-x1')).toBe(true);
    expect(tagPatternMatches('v1.0', 'v100')).toBe(false); // '.' is literal
  });

  it('rule order follows rulePriority, not array order', () => {
    const p = policy([
      rule(9, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(3, {
        tagStatus: 'tagged',
        tagPrefixList: ['keep'],
        countType: 'imageCountMoreThan',
        countNumber: 10,
      }),
    ]);
    const r = evaluateLifecyclePolicy(
      p,
      [img('k1', ['keep-a'], 9), img('k2', ['keep-b'], 8), img('x', ['x'], 7), img('y', ['y'], 1)],
      NOW,
    );
    expect(r.expired.map((e) => e.digest)).toEqual(['x']);
  });

  it('properties: each image is expired at most once, by a rule that selects it; expired + kept = all', () => {
    const tagArb = fc.array(fc.constantFrom('prod-1', 'prod-2', 'dev-1', 'rc', 'latest'), { maxLength: 2 });
    const images = fc
      .uniqueArray(fc.tuple(fc.stringMatching(/^[0-9a-f]{4}$/), tagArb, fc.integer({ min: 0, max: 60 })), {
        selector: ([d]) => d,
        maxLength: 30,
      })
      .map((xs) => xs.map(([d, tags, age]) => img(`sha256:${d}`, [...new Set(tags)], age)));
    const selection = fc.oneof(
      fc.record({
        tagStatus: fc.constant('tagged'),
        tagPrefixList: fc.constantFrom(['prod'], ['dev'], ['prod', 'dev']),
      }),
      fc.record({
        tagStatus: fc.constant('tagged'),
        tagPatternList: fc.constantFrom(['*-1'], ['r*'], ['latest']),
      }),
      fc.record({ tagStatus: fc.constant('untagged') }),
    );
    const count = fc.oneof(
      fc.record({
        countType: fc.constant('imageCountMoreThan'),
        countNumber: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({
        countType: fc.constant('sinceImagePushed'),
        countUnit: fc.constant('days'),
        countNumber: fc.integer({ min: 1, max: 30 }),
      }),
    );
    const rulesArb = fc
      .tuple(
        fc.array(fc.tuple(selection, count), { minLength: 1, maxLength: 4 }),
        fc.option(count, { nil: undefined }),
      )
      .map(([rs, anyCount]) => [
        ...rs.map(([s, c], i) => rule(i + 1, { ...s, ...c })),
        ...(anyCount ? [rule(100, { tagStatus: 'any', ...anyCount })] : []),
      ]);
    fc.assert(
      fc.property(images, rulesArb, (imgs, rules) => {
        const r = evaluateLifecyclePolicy(policy(rules), imgs, NOW);
        const expired = r.expired.map((e) => e.digest);
        expect(new Set(expired).size).toBe(expired.length);
        const byPriority = new Map(policy(rules).rules.map((x) => [x.rulePriority, x]));
        for (const e of r.expired) expect(ruleSelects(byPriority.get(e.rulePriority)!, e)).toBe(true);
        expect(expired.length + r.kept.length).toBe(imgs.length);
        for (let i = 1; i < r.expired.length; i++)
          expect(r.expired[i]!.pushedAt).toBeGreaterThanOrEqual(r.expired[i - 1]!.pushedAt);
      }),
    );
  });
});

describe('tag mutability', () => {
  it('IMMUTABLE refuses to move an existing tag, allows a new tag or the same digest', () => {
    expect(isRight(checkTagMutability('IMMUTABLE', 'v1', undefined, 'sha256:a'))).toBe(true);
    expect(isRight(checkTagMutability('IMMUTABLE', 'v1', 'sha256:a', 'sha256:a'))).toBe(true);
    const moved = checkTagMutability('IMMUTABLE', 'v1', 'sha256:a', 'sha256:b');
    expect(isLeft(moved) && moved.left).toContain("the image tag 'v1' already exists");
    expect(isRight(checkTagMutability('MUTABLE', 'v1', 'sha256:a', 'sha256:b'))).toBe(true);
  });
});
