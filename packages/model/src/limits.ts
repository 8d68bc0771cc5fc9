import { z } from 'zod';
import { formatPath, type ValidationIssue } from './validation.js';

/**
 * ECS's documented quotas and request limits that Baton enforces at its
 * edge, before any work proportional to the input. Rule `quota` issues are
 * answered with LimitExceededException, the others with InvalidParameterException.
 */
export const ecsLimits = {
  /** Service quota "Tasks per service". */
  tasksPerService: 5_000,
  /** RunTask: "The maximum number of tasks that can be launched per RunTask API action". */
  tasksPerRunTask: 10,
  /** "The maximum size (in KiB) of a task definition": 64 KiB, as JSON. */
  taskDefinitionBytes: 64 * 1024,
  /** RunTask/StartTask `startedBy`: up to 36 letters, numbers, hyphens, forward slashes and underscores. */
  startedByLength: 36,
  /** RunTask `group`: Baton's bound (ECS documents none); a name and a prefix, like `service:<name>`. */
  groupLength: 255,
  /** DescribeServices: up to 10 services per call. */
  describeServices: 10,
  /** DescribeTasks, DescribeContainerInstances, DescribeClusters: up to 100 per call. */
  describeTasks: 100,
  describeContainerInstances: 100,
  describeClusters: 100,
} as const;

/** How big a JSON value Baton reads at all, whatever its schema says. */
export interface JsonBounds {
  /** Its size as JSON, in bytes. */
  readonly maxBytes: number;
  /** Nesting of objects and lists. */
  readonly maxDepth: number;
  /** Characters in any one string (keys included). */
  readonly maxStringLength: number;
  /** Items in any one list, keys in any one object. */
  readonly maxListLength: number;
}

/** Bounds of an API request or a resource other than a task definition. */
export const requestBounds: JsonBounds = {
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxStringLength: 64 * 1024,
  maxListLength: 10_000,
};

/** A task definition: ECS's 64 KiB, and what fits in it. */
export const taskDefinitionBounds: JsonBounds = {
  ...requestBounds,
  maxBytes: ecsLimits.taskDefinitionBytes,
};

const maxIssues = 10;

/**
 * Checks that `input` is plain JSON (finite numbers, no BigInt, functions,
 * symbols or class instances other than Date) within `bounds`. Walks at most
 * about maxBytes worth of input: a value too large stops the walk at once, so
 * the cost of a rejection never grows with the input. Keys are read as own
 * properties only, so `__proto__`, `constructor` and `toString` are ordinary names.
 */
export function checkJsonBounds(input: unknown, bounds: JsonBounds = requestBounds): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: readonly PropertyKey[], rule: string, message: string) =>
    issues.push({ path: formatPath(path), rule, message });
  // A lower bound of the JSON size so far: the walk stops as soon as even that is too large.
  let bytes = 0;
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: input, path: [] }];
  try {
    while (stack.length > 0 && issues.length < maxIssues) {
      const { value, path } = stack.pop()!;
      const depth = path.length;
      switch (typeof value) {
        case 'undefined':
          continue;
        case 'boolean':
          bytes += 4;
          break;
        case 'number':
          if (!Number.isFinite(value)) add(path, 'type', `must be a finite number (got ${String(value)})`);
          bytes += 1;
          break;
        case 'string':
          // Past the size limit, the size is the issue to report (below), not this string's length.
          if (bytes + value.length <= bounds.maxBytes && value.length > bounds.maxStringLength) {
            add(path, 'length', `must be at most ${bounds.maxStringLength} characters long`);
            continue;
          }
          bytes += value.length + 2;
          break;
        case 'object': {
          if (value === null) {
            bytes += 4;
            break;
          }
          if (value instanceof Date) {
            bytes += 24;
            break;
          }
          if (depth >= bounds.maxDepth) {
            add(path, 'depth', `is nested more than ${bounds.maxDepth} levels deep`);
            continue;
          }
          if (Array.isArray(value)) {
            if (value.length > bounds.maxListLength) {
              add(path, 'length', `must have at most ${bounds.maxListLength} items (got ${value.length})`);
              continue;
            }
            bytes += 1 + value.length;
            for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
            break;
          }
          const proto = Object.getPrototypeOf(value);
          if (proto !== Object.prototype && proto !== null) {
            add(path, 'type', 'must be plain JSON (got an instance of a class)');
            continue;
          }
          const keys = Object.keys(value);
          if (keys.length > bounds.maxListLength) {
            add(path, 'length', `must have at most ${bounds.maxListLength} keys (got ${keys.length})`);
            continue;
          }
          bytes += 2;
          for (let i = keys.length - 1; i >= 0; i--) {
            const key = keys[i]!;
            if (key.length > bounds.maxStringLength) {
              add(path, 'length', `has a key longer than ${bounds.maxStringLength} characters`);
              break;
            }
            bytes += key.length + 3;
            stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
          }
          break;
        }
        default:
          add(path, 'type', `must be plain JSON (got a ${typeof value})`);
          continue;
      }
      if (bytes > bounds.maxBytes) {
        // Named where the input crossed the limit: usually the field that is too large.
        add(path, 'quota', `makes the input larger than the limit of ${formatBytes(bounds.maxBytes)}`);
        break;
      }
    }
  } catch (error) {
    add([], 'type', `could not be read as JSON: ${(error as Error).message}`);
  }
  return issues;
}

/** The exact JSON size check, once checkJsonBounds has bounded the work: strings count as UTF-8. */
export function checkJsonSize(input: unknown, maxBytes: number): ValidationIssue[] {
  const size = Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  return size > maxBytes
    ? [
        {
          path: '',
          rule: 'quota',
          message: `is ${formatBytes(size)} as JSON; the limit is ${formatBytes(maxBytes)}`,
        },
      ]
    : [];
}

function formatBytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

/** An integer in [0, max] where max is an ECS quota: going over it is a LimitExceededException. */
export function countWithinQuota(max: number, quota: string) {
  return z
    .number()
    .int({ error: (iss) => `must be a whole number (got ${String(iss.input)})` })
    .refine((v) => v >= 0, { error: (iss) => `must be at least 0 (got ${String(iss.input)})` })
    .refine((v) => v <= max, {
      error: (iss) => `must be at most ${max}, the ECS quota of ${quota} (got ${String(iss.input)})`,
      params: { rule: 'quota' },
    });
}

/** RunTask's `startedBy`: up to 36 letters, numbers, hyphens, forward slashes and underscores. */
export const StartedBy = z.string().regex(/^[A-Za-z0-9_/-]{1,36}$/, {
  error: `must be 1–${ecsLimits.startedByLength} letters, numbers, hyphens, forward slashes or underscores`,
});

/** A task's `group`: `service:<name>`, `family:<name>` or a name of the caller's own. */
export const TaskGroup = z.string().regex(/^[A-Za-z0-9_:/.-]{1,255}$/, {
  error: `must be 1–${ecsLimits.groupLength} letters, numbers, hyphens, underscores, colons, periods or forward slashes`,
});
