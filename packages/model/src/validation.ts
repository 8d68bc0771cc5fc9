import type { z } from 'zod';
import { type IgnoredReason, ignoredReason, show } from './fields.js';

/** One broken rule, located by a field path such as `containerDefinitions[1].healthCheck.interval`. */
export interface ValidationIssue {
  readonly path: string;
  /** What is wrong, in words a user can act on. */
  readonly message: string;
  /** A stable rule name (`range`, `type`, `essential-container`, …) for programs. */
  readonly rule: string;
}

/** A field Baton kept but ignores, or did not recognise. */
export interface ParseWarning {
  readonly path: string;
  readonly reason: IgnoredReason | 'unknown-field';
  readonly message: string;
}

/** Every issue of one input, reported at once. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code = 'ValidationError';
  constructor(
    readonly resource: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `invalid ${resource} (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n` +
        issues.map((i) => `  ${formatIssue(i)}`).join('\n'),
    );
  }
}

/** The value of a successful parse, with the warnings it produced. */
export interface Parsed<T> {
  readonly value: T;
  readonly warnings: readonly ParseWarning[];
}

export function formatIssue(issue: ValidationIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** `['containerDefinitions', 1, 'name']` → `containerDefinitions[1].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Turns zod's issues into Baton's, with messages that name the rule and the value found. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The first branch is the one Baton documents; report its issues.
      out.push(...fromZodIssues(issue.errors[0]!, [...prefix, ...issue.path]));
      continue;
    }
    out.push({
      path: formatPath([...prefix, ...issue.path]),
      message: messageOf(issue),
      rule: ruleOf(issue),
    });
  }
  return out;
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : 'type';
    case 'too_big':
    case 'too_small':
      return 'range';
    case 'invalid_value':
      return 'enum';
    case 'invalid_format':
      return 'format';
    case 'custom': {
      const rule = (issue.params as { rule?: unknown } | undefined)?.rule;
      return typeof rule === 'string' ? rule : 'range';
    }
    default:
      return issue.code;
  }
}

function messageOf(issue: z.core.$ZodIssue): string {
  const got = 'input' in issue ? ` (got ${show(issue.input)})` : '';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${article(issue.expected)}${got}`;
    case 'too_small':
      if (issue.origin === 'array')
        return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `must be at least ${issue.minimum} characters long${got}`;
      return `must be at least ${issue.minimum}${got}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return `must be at most ${issue.maximum}${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}${got}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'an object';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * Walks a parsed value beside its schema and reports the fields Baton keeps
 * but ignores (AWS-only, not implemented) and keys it does not know.
 */
export function collectWarnings(schema: z.ZodType, value: unknown, path: PropertyKey[] = []): ParseWarning[] {
  const out: ParseWarning[] = [];
  walk(schema, value, path, out);
  return out;
}

type Def = { type: string; [k: string]: unknown };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (ignoredReason(s)) return s;
    if (
      def.type === 'optional' ||
      def.type === 'default' ||
      def.type === 'nullable' ||
      def.type === 'prefault'
    ) {
      s = def.innerType as z.ZodType;
    } else if (def.type === 'pipe') {
      // A preprocess is a pipe from a transform: the shape is on the way out.
      const into = def.in as z.ZodType;
      s = defOf(into).type === 'transform' ? (def.out as z.ZodType) : into;
    } else {
      return s;
    }
  }
}

function walk(schema: z.ZodType, value: unknown, path: PropertyKey[], out: ParseWarning[]): void {
  if (value === undefined || value === null) return;
  const s = unwrap(schema);
  const reason = ignoredReason(s);
  if (reason) {
    // An empty list or object asks for nothing, so ignoring it changes nothing.
    if (reason !== 'output-only' && !isEmpty(value))
      out.push({ path: formatPath(path), reason, message: ignoredMessage(reason) });
    return;
  }
  const def = defOf(s);
  if (def.type === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    const shape = def.shape as Record<string, z.ZodType>;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      // Own keys only: `constructor` or `toString` in the input must not find Object.prototype's.
      const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (child) walk(child, v, [...path, key], out);
      else
        out.push({
          path: formatPath([...path, key]),
          reason: 'unknown-field',
          message: 'is not a field Baton knows; kept and ignored',
        });
    }
  } else if (def.type === 'array' && Array.isArray(value)) {
    const element = def.element as z.ZodType;
    value.forEach((v, i) => {
      walk(element, v, [...path, i], out);
    });
  }
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function ignoredMessage(reason: IgnoredReason): string {
  return reason === 'aws-only'
    ? 'is an AWS-only field; kept and ignored'
    : 'is not implemented by Baton yet; kept and ignored';
}
