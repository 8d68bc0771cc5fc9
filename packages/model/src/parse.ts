import { type Either, left, right } from 'fp-ts/lib/Either.js';
import type { z } from 'zod';
import { clusterNameOf } from './arn.js';
import { Cluster } from './cluster.js';
import { ContainerInstance } from './container-instance.js';
import {
  checkJsonBounds,
  checkJsonSize,
  type JsonBounds,
  requestBounds,
  taskDefinitionBounds,
} from './limits.js';
import { asArray, asRecord } from './loose.js';
import { Service } from './service.js';
import { serviceRules } from './service-rules.js';
import { TargetGroup } from './target-group.js';
import { targetGroupRules } from './target-group-rules.js';
import { Task } from './task.js';
import { TaskDefinition } from './task-definition.js';
import { taskDefinitionRules } from './task-definition-rules.js';
import {
  collectWarnings,
  fromZodIssues,
  type Parsed,
  ValidationError,
  type ValidationIssue,
} from './validation.js';

export type ParseResult<T> = Either<ValidationError, Parsed<T>>;

/** How to parse one resource: its schema, the envelopes CLI output wraps it in, its cross-field rules. */
export interface ResourceParser<S extends z.ZodType> {
  readonly resource: string;
  readonly schema: S;
  /** ECS CLI output wraps the object: `{"taskDefinition": {…}}`, `{"services": [{…}]}`. */
  readonly envelopes: readonly string[];
  readonly rules?: (input: unknown) => ValidationIssue[];
  readonly finish?: (value: z.output<S>) => z.output<S>;
  /** How large an input is read at all (default: requestBounds); checked before anything else. */
  readonly bounds?: JsonBounds;
}

/**
 * A parser for one resource: JSON text or object, envelopes unwrapped, every
 * schema and rule issue reported at once, ignored fields listed as warnings.
 * Other packages (the scaler's AAS resources) build theirs with it too.
 */
export function resourceParser<S extends z.ZodType>(p: ResourceParser<S>) {
  return (json: unknown): ParseResult<z.output<S>> => {
    let input = json;
    const bounds = p.bounds ?? requestBounds;
    if (typeof json === 'string') {
      // UTF-8 never takes fewer bytes than UTF-16 code units: a text this long is too large.
      if (json.length > bounds.maxBytes)
        return left(new ValidationError(p.resource, checkJsonSize(json, bounds.maxBytes)));
      try {
        input = JSON.parse(json);
      } catch (e) {
        return left(
          new ValidationError(p.resource, [
            { path: '', rule: 'json', message: `is not JSON: ${(e as Error).message}` },
          ]),
        );
      }
    }
    const tooLarge = checkJsonBounds(input, bounds);
    if (tooLarge.length > 0) return left(new ValidationError(p.resource, tooLarge));
    input = withoutNulls(unwrap(input, p.envelopes));
    const oversize = checkJsonSize(input, bounds.maxBytes);
    if (oversize.length > 0) return left(new ValidationError(p.resource, oversize));
    if (asRecord(input) === undefined) {
      return left(
        new ValidationError(p.resource, [{ path: '', rule: 'type', message: 'must be a JSON object' }]),
      );
    }
    const result = p.schema.safeParse(input, { reportInput: true });
    const issues = dedupe([
      ...(result.success ? [] : fromZodIssues(result.error.issues)),
      ...(p.rules?.(input) ?? []),
    ]);
    if (!result.success || issues.length > 0) return left(new ValidationError(p.resource, issues));
    const value = p.finish ? p.finish(result.data) : result.data;
    return right({ value, warnings: collectWarnings(p.schema, input) });
  };
}

/**
 * ECS treats `null` as absent: describe-task-definition output and generators (CDK, Terraform
 * exports) carry nulls for unset fields. Dropped from objects, at every depth, before parsing.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  const record = asRecord(value);
  if (!record) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    // defineProperty: a key named `__proto__` stays an own field instead of replacing the prototype.
    if (v !== null)
      Object.defineProperty(out, k, {
        value: withoutNulls(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

function unwrap(input: unknown, envelopes: readonly string[]): unknown {
  const record = asRecord(input);
  if (!record) return input;
  for (const key of envelopes) {
    const inner = record[key];
    if (asRecord(inner)) return inner;
    const list = asArray(inner);
    if (list.length === 1 && asRecord(list[0])) return list[0];
  }
  return input;
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Parses a task definition: the body `register-task-definition
 * --cli-input-json` takes, or what `describe-task-definition` prints.
 */
export const parseTaskDefinition = resourceParser({
  resource: 'task definition',
  schema: TaskDefinition,
  envelopes: ['taskDefinition'],
  rules: taskDefinitionRules,
  bounds: taskDefinitionBounds,
});

/** Parses a service: a CreateService request or a DescribeServices entry. */
export const parseService = resourceParser({
  resource: 'service',
  schema: Service,
  envelopes: ['service', 'services'],
  rules: serviceRules,
  finish: (s) => {
    const daemon = s.schedulingStrategy === 'DAEMON';
    return {
      ...s,
      cluster: clusterNameOf(s.cluster),
      deploymentConfiguration: {
        ...s.deploymentConfiguration,
        minimumHealthyPercent: s.deploymentConfiguration.minimumHealthyPercent ?? (daemon ? 0 : 100),
        maximumPercent: s.deploymentConfiguration.maximumPercent ?? (daemon ? 100 : 200),
      },
    };
  },
});

/** Parses a task as DescribeTasks prints it. */
export const parseTask = resourceParser({ resource: 'task', schema: Task, envelopes: ['task', 'tasks'] });

/** Parses a cluster (CreateCluster request or DescribeClusters entry). */
export const parseCluster = resourceParser({
  resource: 'cluster',
  schema: Cluster,
  envelopes: ['cluster', 'clusters'],
});

/** Parses a container instance as DescribeContainerInstances prints it. */
export const parseContainerInstance = resourceParser({
  resource: 'container instance',
  schema: ContainerInstance,
  envelopes: ['containerInstance', 'containerInstances'],
});

/** Parses a target group: a CreateTargetGroup request (`Name`) or a DescribeTargetGroups entry. */
export const parseTargetGroup = resourceParser({
  resource: 'target group',
  schema: TargetGroup,
  envelopes: ['TargetGroup', 'TargetGroups'],
  rules: targetGroupRules,
});
