import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type ClusterQuery, formatClusterQuery, parseClusterQuery } from '../src/index.js';

function parse(text: string): ClusterQuery {
  const r = parseClusterQuery(text);
  if (isLeft(r)) throw r.left;
  return r.right;
}
function error(text: string): string {
  const r = parseClusterQuery(text);
  if (isRight(r)) throw new Error(`expected a syntax error for ${text}`);
  return r.left.message;
}

describe('cluster query language: parsing', () => {
  it.each([
    ['attribute:ecs.instance-type == t2.small', 'compare', 'eq'],
    ['attribute:ecs.instance-type equals t2.small', 'compare', 'eq'],
    ['attribute:ecs.instance-type != t2.small', 'compare', 'ne'],
    ['attribute:ecs.instance-type not_equals t2.small', 'compare', 'ne'],
    ['runningTasksCount > 2', 'compare', 'gt'],
    ['runningTasksCount >= 2', 'compare', 'ge'],
    ['runningTasksCount < 2', 'compare', 'lt'],
    ['runningTasksCount <= 2', 'compare', 'le'],
    // the word spellings of ECS's operator table (cluster-query-language.html)
    ['runningTasksCount greater_than 2', 'compare', 'gt'],
    ['runningTasksCount greater_than_equal 2', 'compare', 'ge'],
    ['runningTasksCount less_than 2', 'compare', 'lt'],
    ['runningTasksCount less_than_equal 2', 'compare', 'le'],
    ['agentVersion greater_than_equal 1.14.5', 'compare', 'ge'],
    ['registeredAt less_than 2018-02-13', 'compare', 'lt'],
  ])('%s', (text, type, operator) => {
    expect(parse(text)).toMatchObject({ type, operator });
  });

  it.each([
    ['attribute:ecs.instance-type =~ t2.*', false],
    ['attribute:ecs.instance-type matches t2.*', false],
    ['attribute:ecs.instance-type !~ t2.*', true],
    ['attribute:ecs.instance-type not_matches t2.*', true],
  ])('%s is a pattern match', (text, negated) => {
    expect(parse(text)).toEqual({
      type: 'match',
      subject: { type: 'attribute', name: 'ecs.instance-type' },
      negated,
      pattern: 't2.*',
    });
  });

  it.each([
    ['attribute:gpu exists', false],
    ['attribute:gpu !exists', true],
    ['attribute:gpu not_exists', true],
  ])('%s', (text, negated) => {
    expect(parse(text)).toEqual({ type: 'exists', subject: { type: 'attribute', name: 'gpu' }, negated });
  });

  it.each([
    ['attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', false],
    ['attribute:ecs.availability-zone !in [us-east-1a,us-east-1b]', true],
    ['attribute:ecs.availability-zone not_in [ us-east-1a , us-east-1b ]', true],
  ])('%s', (text, negated) => {
    expect(parse(text)).toEqual({
      type: 'in',
      subject: { type: 'attribute', name: 'ecs.availability-zone' },
      negated,
      values: ['us-east-1a', 'us-east-1b'],
    });
  });

  it('knows every subject', () => {
    const subjects = [
      'agentConnected == true',
      'agentVersion == 1.0',
      'ec2InstanceId == i-1',
      'registeredAt < 2024-01-01',
      'runningTasksCount == 0',
      'task:group == service:web',
    ];
    expect(subjects.map((s) => (parse(s) as { subject: { type: string } }).subject.type)).toEqual([
      'agentConnected',
      'agentVersion',
      'ec2InstanceId',
      'registeredAt',
      'runningTasksCount',
      'taskGroup',
    ]);
  });

  it('and binds tighter than or; not binds tightest; parentheses override', () => {
    expect(formatClusterQuery(parse('attribute:a == 1 or attribute:b == 2 and attribute:c == 3'))).toBe(
      'attribute:a == 1 or attribute:b == 2 and attribute:c == 3',
    );
    expect(parse('attribute:a == 1 || attribute:b == 2 && attribute:c == 3')).toMatchObject({
      type: 'or',
      right: { type: 'and' },
    });
    expect(parse('(attribute:a == 1 or attribute:b == 2) and attribute:c == 3')).toMatchObject({
      type: 'and',
      left: { type: 'or' },
    });
    expect(parse('not attribute:a == 1 and attribute:b == 2')).toMatchObject({
      type: 'and',
      left: { type: 'not' },
    });
    expect(parse('!(attribute:a == 1 and attribute:b == 2)')).toMatchObject({
      type: 'not',
      operand: { type: 'and' },
    });
  });

  it('accepts quoted values', () => {
    expect(parse('attribute:team == "data science"')).toMatchObject({ value: 'data science' });
  });

  it('round-trips through the formatter', () => {
    for (const text of [
      'attribute:a == 1 and (attribute:b == 2 or not attribute:c exists)',
      'attribute:z in [a, b, "c d"]',
      'not (attribute:a == 1 or attribute:b =~ x.*)',
    ]) {
      const once = parse(text);
      expect(parse(formatClusterQuery(once))).toEqual(once);
    }
  });
});

describe('cluster query language: errors point at the offending column', () => {
  it.each([
    ['attribute:ecs.instance-type in', "memberOf expression, column 31: expected a value after 'in'"],
    [
      'attribute:zone in us-east-1a',
      "memberOf expression, column 19: expected '[' to start the list after 'in'",
    ],
    [
      'attribute:zone in [a, b',
      "memberOf expression, column 24: expected ',' or ']' in the list, found the end of the expression",
    ],
    ['attribute:a ==', "memberOf expression, column 15: expected a value after '=='"],
    [
      'color == red',
      "memberOf expression, column 1: unknown subject 'color'; expected one of attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount, task:group",
    ],
    [
      'attribute:a == 1 and',
      'memberOf expression, column 21: expected a subject (attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount, task:group), found the end of the expression',
    ],
    ['(attribute:a == 1', "memberOf expression, column 18: expected ')' to close the '(' at column 1"],
    [
      'attribute:a == 1 attribute:b == 2',
      "memberOf expression, column 18: unexpected 'attribute:b'; expected 'and', 'or' or the end",
    ],
    [
      'attribute:a like b',
      "memberOf expression, column 13: expected an operator after 'attribute:a' (==, !=, >, >=, <, <=, =~, !~, exists, !exists, in, !in, or their words: equals, not_equals, greater_than, …), found 'like'",
    ],
    [
      'runningTasksCount > many',
      "memberOf expression, column 21: runningTasksCount compares with a whole number, not 'many'",
    ],
    [
      'registeredAt < yesterday',
      "memberOf expression, column 16: registeredAt compares with a date such as 2024-01-31, not 'yesterday'",
    ],
    ['attribute:a =~ (', "memberOf expression, column 16: expected a pattern after '=~'"],
    ['attribute:a =~ "a("', `memberOf expression, column 16: 'a(' is not a valid pattern`],
    ['', 'memberOf expression, column 1: expected an expression'],
    ['attribute:a == "x', 'memberOf expression, column 16: unterminated quoted value'],
    ['task:group > a', 'memberOf expression, column 14: task:group cannot be ordered; use == or !='],
  ])('%s', (text, message) => {
    expect(error(text)).toBe(message);
  });

  it('does not take inherited object keys for operators', () => {
    expect(error('attribute:a constructor b')).toMatch(/expected an operator after 'attribute:a'/);
    expect(error('attribute:a toString b')).toMatch(/expected an operator after 'attribute:a'/);
  });

  it('exposes the column and reason separately', () => {
    const r = parseClusterQuery('attribute:a in');
    expect(isLeft(r) && { column: r.left.column, reason: r.left.reason }).toEqual({
      column: 15,
      reason: "expected a value after 'in'",
    });
  });
});
