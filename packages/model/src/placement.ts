import { isLeft } from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { parseClusterQuery } from './cluster-query/parse.js';
import { ecsObject, show } from './fields.js';

/**
 * Placement constraints and strategies, as ECS spells them. A `memberOf`
 * expression is parsed here, so a bad one is rejected with the task
 * definition or service that carries it, not at placement time.
 */
export const PlacementConstraintType = z.enum(['distinctInstance', 'memberOf']);

export const PlacementConstraint = ecsObject({
  type: PlacementConstraintType,
  expression: z.string().max(2000).optional(),
}).superRefine((c, ctx) => {
  if (c.type === 'memberOf') {
    if (c.expression === undefined || c.expression.trim() === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['expression'],
        message: 'memberOf needs an expression',
        params: { rule: 'member-of' },
      });
      return;
    }
    const parsed = parseClusterQuery(c.expression);
    if (isLeft(parsed)) {
      ctx.addIssue({
        code: 'custom',
        path: ['expression'],
        message: parsed.left.message,
        params: { rule: 'member-of' },
      });
    }
  } else if (c.expression !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['expression'],
      message: 'distinctInstance takes no expression',
      params: { rule: 'member-of' },
    });
  }
});
export type PlacementConstraint = z.output<typeof PlacementConstraint>;

/** Task definitions allow only memberOf (ECS rejects distinctInstance there). */
export const TaskDefinitionPlacementConstraint = PlacementConstraint.refine((c) => c.type === 'memberOf', {
  error: (iss) =>
    `a task definition allows only memberOf constraints (got ${show((iss.input as { type?: unknown }).type)})`,
  path: ['type'],
  params: { rule: 'member-of' },
});

export const PlacementStrategyType = z.enum(['random', 'spread', 'binpack']);

export const PlacementStrategy = ecsObject({
  type: PlacementStrategyType,
  field: z.string().optional(),
}).superRefine((s, ctx) => {
  const bad = (message: string) =>
    ctx.addIssue({ code: 'custom', path: ['field'], message, params: { rule: 'placement-strategy' } });
  if (s.type === 'binpack') {
    if (s.field === undefined) bad('binpack needs a field: cpu or memory');
    else if (!/^(cpu|memory)$/i.test(s.field))
      bad(`binpack field must be cpu or memory (got ${show(s.field)})`);
  } else if (s.type === 'spread') {
    if (s.field === undefined) bad('spread needs a field: instanceId, host or attribute:<name>');
    else if (!/^(instanceId|host|attribute:[A-Za-z0-9_.\-/]{1,128})$/.test(s.field)) {
      bad(`spread field must be instanceId, host or attribute:<name> (got ${show(s.field)})`);
    }
  } else if (s.field !== undefined) {
    bad('random takes no field');
  }
});
export type PlacementStrategy = z.output<typeof PlacementStrategy>;
