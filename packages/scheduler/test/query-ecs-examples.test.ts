import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, compileClusterQuery } from '../src/index.js';
import { instance, snapshot, task, taskDefinition } from './fixtures.js';

/**
 * Every example expression of ECS's developer guide pages "Cluster query
 * language" (cluster-query-language.html, "Example expressions") and "Amazon
 * ECS task placement constraints" (task-placement-constraints.html, "Filtering
 * by attribute" and "Example constraints"), evaluated against a cluster built
 * so that each example selects what the page says it selects.
 */
const production = taskDefinition('production');
const database = taskDefinition('database');
const databases = taskDefinition('databases');

const state = ClusterState.fromSnapshot(
  snapshot(
    [
      instance('i-abcd1234', {
        type: 't2.small',
        zone: 'us-east-1a',
        attributes: { stack: 'prod' },
        agentVersion: '1.14.4',
        registeredAt: '2018-02-01T00:00:00Z',
      }),
      instance('i-wxyx7890', {
        type: 'g2.2xlarge',
        zone: 'us-east-1b',
        attributes: { stack: 'dev' },
        agentVersion: '1.20.0',
        registeredAt: '2018-03-01T00:00:00Z',
      }),
      instance('i-c0ffee00', {
        type: 'g2.2xlarge',
        zone: 'us-east-1d',
        agentVersion: '1.14.5',
        registeredAt: '2018-02-13T12:00:00Z',
      }),
      instance('i-t2medium', {
        type: 't2.medium',
        zone: 'us-east-1a',
        agentVersion: '1.30.0',
        registeredAt: '2019-01-01T00:00:00Z',
      }),
    ],
    [
      task(production, 'i-abcd1234', { group: 'service:production' }),
      task(database, 'i-wxyx7890', { group: 'database' }),
      task(production, 'i-wxyx7890', { group: 'service:web' }),
      task(databases, 'i-c0ffee00', { group: 'databases' }),
    ],
    [production, database, databases],
  ),
);

function members(expression: string): string[] {
  const compiled = compileClusterQuery(expression);
  if (isLeft(compiled)) throw compiled.left;
  return state.records.filter((r) => compiled.right.matches(r)).map((r) => r.id);
}

describe('cluster query language: every example of the ECS developer guide', () => {
  it.each([
    // cluster-query-language.html, "Example expressions"
    ['attribute:ecs.instance-type == t2.small', ['i-abcd1234']],
    [
      'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]',
      ['i-abcd1234', 'i-wxyx7890', 'i-t2medium'],
    ],
    ['attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d', ['i-wxyx7890']],
    ['task:group == service:production', ['i-abcd1234']],
    ['not(task:group == database)', ['i-abcd1234', 'i-c0ffee00', 'i-t2medium']],
    ['runningTasksCount == 1', ['i-abcd1234', 'i-c0ffee00']],
    ['agentVersion < 1.14.5', ['i-abcd1234']],
    ['registeredAt < 2018-02-13', ['i-abcd1234']],
    ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", ['i-abcd1234', 'i-wxyx7890']],
    // its compound-expression form: (expression1 or expression2) and expression3
    [
      '(attribute:ecs.instance-type == t2.small or attribute:ecs.instance-type == t2.medium) and attribute:ecs.availability-zone == us-east-1a',
      ['i-abcd1234', 'i-t2medium'],
    ],
    // its valid registeredAt formats, all UTC
    ['registeredAt == 2018-02-13T12:00:00+00:00', ['i-c0ffee00']],
    ['registeredAt == 2018-02-13T12:00:00Z', ['i-c0ffee00']],
    ['registeredAt == 2018-02-13T12:00:00', ['i-c0ffee00']],
    ['registeredAt greater_than_equal 2018-02-13', ['i-wxyx7890', 'i-c0ffee00', 'i-t2medium']],
    // task-placement-constraints.html, "Filtering by attribute"
    ['attribute:ecs.instance-type == g2.2xlarge', ['i-wxyx7890', 'i-c0ffee00']],
    ['attribute:stack == prod', ['i-abcd1234']],
    // "lists the instances with the custom attribute stack unless the attribute value is prod"
    ['attribute:stack != prod', ['i-wxyx7890']],
    ['attribute:ecs.instance-type in [t2.small, t2.medium]', ['i-abcd1234', 'i-t2medium']],
    [
      'attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a',
      ['i-abcd1234', 'i-t2medium'],
    ],
    // task-placement-constraints.html, "Example constraints"
    ['attribute:ecs.instance-type =~ t2.*', ['i-abcd1234', 'i-t2medium']],
    ['task:group == databases', ['i-c0ffee00']],
  ])('%s → %j', (expression, expected) => {
    expect(members(expression)).toEqual(expected);
  });

  it.each([
    ['==', 'equals'],
    ['!=', 'not_equals'],
    ['>', 'greater_than'],
    ['>=', 'greater_than_equal'],
    ['<', 'less_than'],
    ['<=', 'less_than_equal'],
  ])('the word operator %s and %s select the same instances', (symbol, word) => {
    for (const [subject, value] of [
      ['agentVersion', '1.14.5'],
      ['registeredAt', '2018-02-13'],
      ['runningTasksCount', '1'],
      ['attribute:stack', 'dev'],
    ] as const) {
      expect(members(`${subject} ${word} ${value}`)).toEqual(members(`${subject} ${symbol} ${value}`));
    }
  });
});
