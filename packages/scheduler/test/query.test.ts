import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, compareVersions, compileClusterQuery } from '../src/index.js';
import { instance, snapshot, task, taskDefinition } from './fixtures.js';

const web = taskDefinition('web');
const worker = taskDefinition('worker');

/** i-1: t3.small in us-east-1a with a web task; i-2: m5.large in us-east-1b, no tasks, agent 1.20.0. */
const state = ClusterState.fromSnapshot(
  snapshot(
    [
      instance('i-1', {
        zone: 'us-east-1a',
        type: 't3.small',
        attributes: { stack: 'prod', weight: '10' },
        registeredAt: '2024-01-15T00:00:00Z',
        agentVersion: '1.9.0',
      }),
      instance('i-2', {
        zone: 'us-east-1b',
        type: 'm5.large',
        attributes: { weight: '9' },
        registeredAt: '2024-03-01T00:00:00Z',
        agentVersion: '1.20.0',
        agentConnected: false,
      }),
    ],
    [
      task(web, 'i-1', { group: 'service:web' }),
      task(worker, 'i-1', { group: 'service:worker', desiredStatus: 'STOPPED' }),
    ],
    [web, worker],
  ),
);

function members(expression: string): string[] {
  const compiled = compileClusterQuery(expression);
  if (isLeft(compiled)) throw compiled.left;
  return state.records.filter((r) => compiled.right.matches(r)).map((r) => r.id);
}

describe('cluster query language evaluation', () => {
  it.each([
    // equality and its spellings
    ['attribute:ecs.instance-type == t3.small', ['i-1']],
    ['attribute:ecs.instance-type equals m5.large', ['i-2']],
    ['attribute:ecs.instance-type != t3.small', ['i-2']],
    ['attribute:ecs.instance-type not_equals t3.small', ['i-2']],
    // a missing attribute equals nothing and differs from nothing: `!=` needs the attribute
    // (ECS task-placement-constraints.html: "attribute:stack != prod" lists the instances
    // with the custom attribute stack unless its value is prod)
    ['attribute:stack == prod', ['i-1']],
    ['attribute:stack != prod', []],
    ['attribute:stack != dev', ['i-1']],
    ['not (attribute:stack == prod)', ['i-2']],
    // ordering: numeric when both sides are numbers, else as strings
    ['attribute:weight > 9', ['i-1']],
    ['attribute:weight >= 9', ['i-1', 'i-2']],
    ['attribute:weight < 10', ['i-2']],
    ['attribute:weight <= 10', ['i-1', 'i-2']],
    ['attribute:ecs.availability-zone > us-east-1a', ['i-2']],
    ['attribute:stack < zzz', ['i-1']],
    // exists
    ['attribute:stack exists', ['i-1']],
    ['attribute:stack !exists', ['i-2']],
    ['attribute:stack not_exists', ['i-2']],
    // in
    ['attribute:ecs.instance-type in [t3.small, c5.large]', ['i-1']],
    ['attribute:ecs.instance-type !in [t3.small, c5.large]', ['i-2']],
    ['attribute:ecs.instance-type not_in [t3.small, m5.large]', []],
    // patterns match the whole value
    ['attribute:ecs.instance-type =~ t3.*', ['i-1']],
    ['attribute:ecs.instance-type matches m5\\..*', ['i-2']],
    ['attribute:ecs.instance-type =~ t3', []],
    ['attribute:ecs.instance-type =~ .*large', ['i-2']],
    ['attribute:ecs.instance-type !~ t3.*', ['i-2']],
    ['attribute:ecs.instance-type not_matches "(t3|m5).*"', []],
    ['attribute:stack !~ p.*', []],
    ['attribute:stack !~ d.*', ['i-1']],
    ['attribute:stack !in [dev]', ['i-1']],
    ['attribute:weight greater_than 9', ['i-1']],
    ['attribute:weight less_than_equal 9', ['i-2']],
    // other subjects
    ['agentConnected == true', ['i-1']],
    ['agentConnected != true', ['i-2']],
    ['agentVersion >= 1.10.0', ['i-2']],
    ['agentVersion < 1.10', ['i-1']],
    ['agentVersion == 1.20', ['i-2']],
    ['agentVersion in [1.9.0, 2.0.0]', ['i-1']],
    ['agentVersion =~ 1\\.20\\..*', ['i-2']],
    ['ec2InstanceId == i-2', ['i-2']],
    ['ec2InstanceId in [i-1, i-3]', ['i-1']],
    ['ec2InstanceId =~ i-.*', ['i-1', 'i-2']],
    ['registeredAt < 2024-02-01', ['i-1']],
    ['registeredAt >= 2024-02-01', ['i-2']],
    ['registeredAt =~ 2024-03.*', ['i-2']],
    ['registeredAt exists', ['i-1', 'i-2']],
    ['runningTasksCount == 1', ['i-1']],
    ['runningTasksCount > 0', ['i-1']],
    ['runningTasksCount <= 0', ['i-2']],
    ['runningTasksCount in [0, 5]', ['i-2']],
    // task:group: affinity (==) and anti-affinity (!=); desired STOPPED tasks do not count
    ['task:group == service:web', ['i-1']],
    ['task:group != service:web', ['i-2']],
    ['task:group == service:worker', []],
    ['task:group in [service:api, service:web]', ['i-1']],
    ['task:group !in [service:web]', ['i-2']],
    ['task:group exists', ['i-1']],
    ['task:group !exists', ['i-2']],
    ['task:group =~ service:w.*', ['i-1']],
    ['task:group !~ service:.*', ['i-2']],
    // connectives, negation, parentheses, precedence (and binds tighter than or)
    ['attribute:stack exists && agentConnected == true', ['i-1']],
    ['attribute:stack exists and agentConnected == false', []],
    ['attribute:stack exists || ec2InstanceId == i-2', ['i-1', 'i-2']],
    ['attribute:stack exists or agentConnected == true', ['i-1']],
    ['!attribute:stack exists', ['i-2']],
    ['not (attribute:stack exists)', ['i-2']],
    ['ec2InstanceId == i-2 or ec2InstanceId == i-1 and attribute:stack !exists', ['i-2']],
    ['(ec2InstanceId == i-2 or ec2InstanceId == i-1) and attribute:stack !exists', ['i-2']],
    ['not (ec2InstanceId == i-1 or ec2InstanceId == i-2)', []],
    ["attribute:ecs.instance-type == 't3.small'", ['i-1']],
  ])('%s → %j', (expression, expected) => {
    expect(members(expression)).toEqual(expected);
  });

  it('marks queries that read tasks as changing with placements', () => {
    const dynamic = (e: string) => {
      const c = compileClusterQuery(e);
      return isRight(c) && c.right.dependsOnTasks;
    };
    expect(dynamic('attribute:a == b and not (ec2InstanceId == x)')).toBe(false);
    expect(dynamic('attribute:a == b or task:group == service:x')).toBe(true);
    expect(dynamic('not (runningTasksCount < 3)')).toBe(true);
  });

  it('keeps the expression as written and a canonical form for caching', () => {
    const a = compileClusterQuery('  attribute:x =~ t3.* && agentConnected == true ');
    const b = compileClusterQuery('attribute:x matches t3.* and agentConnected equals true');
    if (isLeft(a) || isLeft(b)) throw new Error('parse');
    expect(a.right.expression).toBe('attribute:x =~ t3.* && agentConnected == true');
    expect(a.right.canonical).toBe(b.right.canonical);
  });

  it('reports syntax errors from the model parser', () => {
    const bad = compileClusterQuery('attribute:x ==');
    expect(isLeft(bad) && bad.left.name).toBe('ClusterQuerySyntaxError');
  });

  it('orders dotted versions numerically', () => {
    expect(compareVersions('1.20.0', '1.3.0')).toBeGreaterThan(0);
    expect(compareVersions('1.5', '1.5.0')).toBe(0);
    expect(compareVersions('v2', '1.99')).toBeGreaterThan(0);
  });
});
