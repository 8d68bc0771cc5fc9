import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { RegistryError } from '../errors.js';

/** An ECR lifecycle policy, as `aws ecr put-lifecycle-policy` takes it. */
export const LifecycleRuleSchema = z.object({
  rulePriority: z.number().int().min(1),
  description: z.string().optional(),
  selection: z.object({
    tagStatus: z.enum(['tagged', 'untagged', 'any']),
    tagPrefixList: z.array(z.string().min(1)).optional(),
    tagPatternList: z.array(z.string().min(1)).optional(),
    countType: z.enum(['imageCountMoreThan', 'sinceImagePushed']),
    countUnit: z.literal('days').optional(),
    countNumber: z.number().int().min(1),
  }),
  action: z.object({ type: z.literal('expire') }),
});
export const LifecyclePolicySchema = z.object({ rules: z.array(LifecycleRuleSchema).min(1) });
export type LifecycleRule = z.infer<typeof LifecycleRuleSchema>;
export type LifecyclePolicy = z.infer<typeof LifecyclePolicySchema>;

/** An image as the policy sees it: a digest, its tags (none: untagged) and when it was pushed. */
export interface ImageRecord {
  readonly digest: string;
  readonly tags: readonly string[];
  /** Epoch ms or Date. */
  readonly pushedAt: number | Date;
}

export interface ExpiredImage {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: number;
  /** The rule that expires it. */
  readonly rulePriority: number;
  readonly description?: string;
}

export interface LifecycleReport {
  /** Images to expire, oldest first. */
  readonly expired: readonly ExpiredImage[];
  /** Images kept; `rulePriority` is the rule whose selection claimed them (undefined: no rule matched). */
  readonly kept: readonly {
    digest: string;
    tags: readonly string[];
    pushedAt: number;
    rulePriority?: number;
  }[];
  /** Per rule, in evaluation order: images it selected (after higher-priority rules) and expired. */
  readonly rules: readonly { rulePriority: number; selected: number; expired: number }[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_WILDCARDS = 4;

/** Parses and validates a policy (JSON text or object) with ECR's rules; errors name the rule. */
export function parseLifecyclePolicy(input: unknown): Either<RegistryError, LifecyclePolicy> {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      return left(new RegistryError('INVALID_POLICY', 'lifecycle policy is not valid JSON'));
    }
  }
  const parsed = LifecyclePolicySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    return left(
      new RegistryError('INVALID_POLICY', `lifecycle policy${path}: ${issue?.message ?? 'invalid'}`),
    );
  }
  const problems = validateRules(parsed.data.rules);
  return problems.length > 0
    ? left(new RegistryError('INVALID_POLICY', `lifecycle policy: ${problems.join('; ')}`))
    : right(parsed.data);
}

/** ECR's cross-field rules, each problem naming its rule. */
export function validateRules(rules: readonly LifecycleRule[]): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  const highest = Math.max(...rules.map((r) => r.rulePriority));
  let anyRules = 0;
  rules.forEach((r, i) => {
    const at = `rules[${i}] (rulePriority ${r.rulePriority})`;
    const s = r.selection;
    if (seen.has(r.rulePriority)) problems.push(`${at}: rulePriority must be unique`);
    seen.add(r.rulePriority);
    const prefixes = s.tagPrefixList ?? [];
    const patterns = s.tagPatternList ?? [];
    if (s.tagStatus === 'tagged') {
      if (prefixes.length === 0 && patterns.length === 0)
        problems.push(`${at}: tagStatus "tagged" needs a tagPrefixList or a tagPatternList`);
      if (prefixes.length > 0 && patterns.length > 0)
        problems.push(`${at}: tagPrefixList and tagPatternList cannot both be given`);
    } else if (s.tagPrefixList !== undefined || s.tagPatternList !== undefined) {
      problems.push(`${at}: tagPrefixList/tagPatternList are only allowed with tagStatus "tagged"`);
    }
    for (const p of patterns)
      if ((p.match(/\*/g)?.length ?? 0) > MAX_WILDCARDS)
        problems.push(`${at}: tag pattern "${p}" has more than ${MAX_WILDCARDS} wildcards`);
    if (s.countType === 'sinceImagePushed' && s.countUnit !== 'days')
      problems.push(`${at}: countType "sinceImagePushed" needs countUnit "days"`);
    if (s.countType === 'imageCountMoreThan' && s.countUnit !== undefined)
      problems.push(`${at}: countUnit is only allowed with countType "sinceImagePushed"`);
    if (s.tagStatus === 'any') {
      anyRules++;
      if (r.rulePriority !== highest)
        problems.push(
          `${at}: a rule with tagStatus "any" must have the highest rulePriority (${highest} is higher)`,
        );
    }
  });
  if (anyRules > 1) problems.push('only one rule may have tagStatus "any"');
  return problems;
}

/** `prod*` style pattern: `*` matches any run of characters, everything else literally; whole tag. */
export function tagPatternMatches(pattern: string, tag: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(tag);
}

/** Does the rule's tag selection take this image? Several prefixes/patterns: the image needs them all. */
export function ruleSelects(rule: LifecycleRule, image: Pick<ImageRecord, 'tags'>): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'any') return true;
  if (s.tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  if (s.tagPrefixList?.length) return s.tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)));
  return (s.tagPatternList ?? []).every((p) => image.tags.some((t) => tagPatternMatches(p, t)));
}

const ms = (t: number | Date): number => (typeof t === 'number' ? t : t.getTime());

/**
 * Evaluates a policy against a repository's images at `now` (pure; a dry run). Rules go by
 * rulePriority, lowest first. An image that a rule's tag selection takes is that rule's to expire
 * or keep: a lower-priority rule never sees it (ECR: "an image that matches the tagging
 * requirements of a rule cannot be expired by a rule with a lower priority"), so each image is
 * expired by one rule at most. imageCountMoreThan keeps the N most recently pushed; sinceImagePushed
 * expires those pushed more than N days before `now`.
 */
export function evaluateLifecyclePolicy(
  policy: LifecyclePolicy,
  images: readonly ImageRecord[],
  now: number | Date,
): LifecycleReport {
  const at = ms(now);
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const claimedBy = new Map<string, LifecycleRule>();
  const expired: ExpiredImage[] = [];
  const perRule: { rulePriority: number; selected: number; expired: number }[] = [];
  const pool = images.map((i) => ({ digest: i.digest, tags: [...i.tags], pushedAt: ms(i.pushedAt) }));
  for (const rule of rules) {
    const selected = pool.filter((i) => !claimedBy.has(i.digest) && ruleSelects(rule, i));
    for (const i of selected) claimedBy.set(i.digest, rule);
    // Newest first; equal push times fall back to the digest so the result is deterministic.
    selected.sort((a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1));
    const n = rule.selection.countNumber;
    const doomed =
      rule.selection.countType === 'imageCountMoreThan'
        ? selected.slice(n)
        : selected.filter((i) => at - i.pushedAt > n * DAY_MS);
    for (const i of doomed)
      expired.push({
        ...i,
        rulePriority: rule.rulePriority,
        ...(rule.description ? { description: rule.description } : {}),
      });
    perRule.push({ rulePriority: rule.rulePriority, selected: selected.length, expired: doomed.length });
  }
  const gone = new Set(expired.map((e) => e.digest));
  expired.sort((a, b) => a.pushedAt - b.pushedAt || (a.digest < b.digest ? -1 : 1));
  const kept = pool
    .filter((i) => !gone.has(i.digest))
    .sort((a, b) => a.pushedAt - b.pushedAt || (a.digest < b.digest ? -1 : 1))
    .map((i) => {
      const r = claimedBy.get(i.digest);
      return r ? { ...i, rulePriority: r.rulePriority } : i;
    });
  return { expired, kept, rules: perRule };
}

/** The report as text, for a dry run printed to a terminal. */
export function formatLifecycleReport(report: LifecycleReport): string {
  const lines = report.expired.map(
    (e) =>
      `expire ${e.digest.slice(0, 19)} [${e.tags.join(', ') || '<untagged>'}] pushed ${new Date(e.pushedAt).toISOString()} by rule ${e.rulePriority}`,
  );
  lines.push(`${report.expired.length} to expire, ${report.kept.length} kept`);
  return lines.join('\n');
}
