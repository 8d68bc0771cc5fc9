import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type ClusterQuery, formatClusterQuery, parseClusterQuery, type QuerySubject } from '../src/index.js';

const word = fc
  .stringMatching(/^[a-z][a-z0-9.\-*]{0,8}$/)
  .filter((w) => !['and', 'or', 'not', 'in'].includes(w));
const subject: fc.Arbitrary<QuerySubject> = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9.-]{0,8}$/).map((name) => ({ type: 'attribute' as const, name })),
  fc.constant({ type: 'agentVersion' as const }),
  fc.constant({ type: 'ec2InstanceId' as const }),
);
const leaf: fc.Arbitrary<ClusterQuery> = fc.oneof(
  fc.record({
    type: fc.constant('compare' as const),
    subject,
    operator: fc.constantFrom('eq' as const, 'ne' as const),
    value: word,
  }),
  fc.record({ type: fc.constant('exists' as const), subject, negated: fc.boolean() }),
  fc.record({
    type: fc.constant('in' as const),
    subject,
    negated: fc.boolean(),
    values: fc.array(word, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('match' as const),
    subject,
    negated: fc.boolean(),
    pattern: fc.constantFrom('t2.*', 'a|b', '[0-9]+'),
  }),
);
const query: fc.Arbitrary<ClusterQuery> = fc.letrec<{ q: ClusterQuery }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ type: fc.constant('and' as const), left: tie('q'), right: tie('q') }),
    fc.record({ type: fc.constant('or' as const), left: tie('q'), right: tie('q') }),
    fc.record({ type: fc.constant('not' as const), operand: tie('q') }),
  ),
})).q;

/** and/or are associative, so compare flattened forms. */
function normalise(q: ClusterQuery): unknown {
  if (q.type === 'and' || q.type === 'or') {
    const parts: unknown[] = [];
    const collect = (x: ClusterQuery): void => {
      if (x.type === q.type) {
        collect(x.left);
        collect(x.right);
      } else parts.push(normalise(x));
    };
    collect(q);
    return { type: q.type, parts };
  }
  if (q.type === 'not') return { type: 'not', operand: normalise(q.operand) };
  return q;
}

describe('cluster query language: properties', () => {
  it('parse(format(q)) is q, for any query', () => {
    fc.assert(
      fc.property(query, (q) => {
        const text = formatClusterQuery(q);
        const parsed = parseClusterQuery(text);
        expect(isRight(parsed)).toBe(true);
        if (isRight(parsed)) expect(normalise(parsed.right)).toEqual(normalise(q));
      }),
      { numRuns: 300 },
    );
  });
});
