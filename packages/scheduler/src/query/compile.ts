import {
  type ClusterQuery,
  type ClusterQuerySyntaxError,
  type CompareOperator,
  formatClusterQuery,
  parseClusterQuery,
  type QuerySubject,
} from '@baton-ecs/model';
import { type Either, isLeft, right } from 'fp-ts/lib/Either.js';
import type { InstanceRecord } from '../instance-record.js';
import { compareLoose, compareVersions, holds } from './values.js';

/** A `memberOf` expression turned into a predicate over container instances. */
export interface CompiledQuery {
  /** The expression as written (trimmed), for explanations. */
  readonly expression: string;
  /** Canonical text, the cache key: two spellings of one query share it. */
  readonly canonical: string;
  /**
   * True when the verdict depends on the instance's tasks (`task:group`,
   * `runningTasksCount`), so placing a task on the instance can change it.
   * Other queries are decided once per cluster state.
   */
  readonly dependsOnTasks: boolean;
  matches(record: InstanceRecord): boolean;
}

type Predicate = (record: InstanceRecord) => boolean;

/** Parses (when given text) and compiles a cluster query into closures, once. */
export function compileClusterQuery(
  query: string | ClusterQuery,
): Either<ClusterQuerySyntaxError, CompiledQuery> {
  let ast: ClusterQuery;
  let expression: string;
  if (typeof query === 'string') {
    const parsed = parseClusterQuery(query);
    if (isLeft(parsed)) return parsed;
    ast = parsed.right;
    expression = query.trim();
  } else {
    ast = query;
    expression = formatClusterQuery(query);
  }
  return right({
    expression,
    canonical: formatClusterQuery(ast),
    dependsOnTasks: dependsOnTasks(ast),
    matches: compile(ast),
  });
}

function dependsOnTasks(q: ClusterQuery): boolean {
  switch (q.type) {
    case 'or':
    case 'and':
      return dependsOnTasks(q.left) || dependsOnTasks(q.right);
    case 'not':
      return dependsOnTasks(q.operand);
    default:
      return q.subject.type === 'taskGroup' || q.subject.type === 'runningTasksCount';
  }
}

function compile(q: ClusterQuery): Predicate {
  switch (q.type) {
    case 'or': {
      const l = compile(q.left);
      const r = compile(q.right);
      return (x) => l(x) || r(x);
    }
    case 'and': {
      const l = compile(q.left);
      const r = compile(q.right);
      return (x) => l(x) && r(x);
    }
    case 'not': {
      const p = compile(q.operand);
      return (x) => !p(x);
    }
    case 'compare':
      return compileCompare(q.subject, q.operator, q.value);
    case 'match': {
      const p = compileMatch(q.subject, new RegExp(`^(?:${q.pattern})$`));
      return q.negated ? negateValueTest(q.subject, p) : p;
    }
    case 'exists': {
      const p = compileExists(q.subject);
      return q.negated ? (x) => !p(x) : p;
    }
    case 'in': {
      const p = compileIn(q.subject, q.values);
      return q.negated ? negateValueTest(q.subject, p) : p;
    }
  }
}

/**
 * `!~` and `!in` test a value the way `!=` does: an instance without the
 * subject has no value that mismatches, so it is not selected (the
 * `attribute:stack != prod` example of ECS's task-placement-constraints page,
 * applied to the other value operators). `task:group` stays a set.
 */
function negateValueTest(subject: QuerySubject, p: Predicate): Predicate {
  if (subject.type === 'taskGroup') return (x) => !p(x);
  const read = stringReader(subject);
  return (x) => read(x) !== undefined && !p(x);
}

/**
 * ECS's registeredAt formats: 2018-06-18T22:28:28+00:00, …28Z, …28 and
 * 2018-06-18, all UTC when no offset is given (Date.parse would read a
 * date-time without an offset as local time).
 */
export function parseQueryDate(value: string): number {
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(value);
  return Date.parse(/T/.test(value) && !hasZone ? `${value}Z` : value);
}

/**
 * `task:group` is the set of groups of the instance's tasks: `==` holds when
 * any task is in the group (affinity), `!=` when none is (anti-affinity).
 *
 * Every other subject compares a value, so an instance without one satisfies
 * no comparison, `!=` included: ECS's task-placement-constraints page lists
 * `attribute:stack != prod` as "the instances with the custom attribute stack
 * unless the attribute value is prod". (`not (attribute:stack == prod)` also
 * takes the instances without it.)
 */
function compileCompare(subject: QuerySubject, operator: CompareOperator, value: string): Predicate {
  switch (subject.type) {
    case 'taskGroup':
      return operator === 'eq' ? (x) => x.groups.has(value) : (x) => !x.groups.has(value);
    case 'runningTasksCount': {
      const n = Number(value);
      return (x) => holds(operator, x.runningTasksCount - n);
    }
    case 'registeredAt': {
      const t = parseQueryDate(value);
      return (x) => {
        const at = x.instance.registeredAt;
        return at !== undefined && holds(operator, at - t);
      };
    }
    case 'agentVersion':
      return (x) => {
        const v = x.instance.versionInfo?.agentVersion;
        return v !== undefined && holds(operator, compareVersions(v, value));
      };
    default: {
      const read = stringReader(subject);
      if (operator === 'eq') return (x) => read(x) === value;
      if (operator === 'ne') {
        return (x) => {
          const v = read(x);
          return v !== undefined && v !== value;
        };
      }
      return (x) => {
        const v = read(x);
        return v !== undefined && holds(operator, compareLoose(v, value));
      };
    }
  }
}

function compileMatch(subject: QuerySubject, pattern: RegExp): Predicate {
  if (subject.type === 'taskGroup') {
    return (x) => {
      for (const group of x.groups.keys()) if (pattern.test(group)) return true;
      return false;
    };
  }
  const read = stringReader(subject);
  return (x) => {
    const v = read(x);
    return v !== undefined && pattern.test(v);
  };
}

function compileExists(subject: QuerySubject): Predicate {
  if (subject.type === 'taskGroup') return (x) => x.groups.size > 0;
  const read = stringReader(subject);
  return (x) => read(x) !== undefined;
}

function compileIn(subject: QuerySubject, values: readonly string[]): Predicate {
  if (subject.type === 'taskGroup') return (x) => values.some((v) => x.groups.has(v));
  if (
    subject.type === 'runningTasksCount' ||
    subject.type === 'registeredAt' ||
    subject.type === 'agentVersion'
  ) {
    const tests = values.map((v) => compileCompare(subject, 'eq', v));
    return (x) => tests.some((t) => t(x));
  }
  const set = new Set(values);
  const read = stringReader(subject);
  return (x) => {
    const v = read(x);
    return v !== undefined && set.has(v);
  };
}

/** A subject's value as text, as `=~` sees it; undefined when the instance lacks it. */
function stringReader(subject: QuerySubject): (x: InstanceRecord) => string | undefined {
  switch (subject.type) {
    case 'attribute': {
      const name = subject.name;
      return (x) => x.attributes.get(name);
    }
    case 'agentConnected':
      return (x) => String(x.agentConnected);
    case 'agentVersion':
      return (x) => x.instance.versionInfo?.agentVersion;
    case 'ec2InstanceId':
      return (x) => x.id;
    case 'registeredAt':
      return (x) =>
        x.instance.registeredAt === undefined ? undefined : new Date(x.instance.registeredAt).toISOString();
    case 'runningTasksCount':
      return (x) => String(x.runningTasksCount);
    case 'taskGroup':
      return (x) => x.groups.keys().next().value;
  }
}
