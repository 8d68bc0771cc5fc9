import { show } from './fields.js';
import { asArray, asRecord, asString, type Loose } from './loose.js';
import type { ValidationIssue } from './validation.js';

/**
 * ECS's registration rules for how a task's containers find each other: `links` only in bridge mode,
 * each naming another container of the task (`name` or `name:alias`).
 */
export function networkRules(td: Loose, containers: readonly Loose[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string) => issues.push({ path, rule, message });
  const networkMode = asString(td.networkMode) ?? 'bridge';
  const names = new Set(containers.map((c) => asString(c.name)).filter((n) => n !== undefined));
  containers.forEach((c, i) => {
    const links = asArray(c.links);
    if (links.length === 0) return;
    const at = `containerDefinitions[${i}].links`;
    if (networkMode !== 'bridge') {
      add(
        at,
        'links-network-mode',
        `links are supported only in bridge network mode (got ${show(networkMode)})`,
      );
      return;
    }
    links.forEach((raw, j) => {
      const link = asString(raw);
      if (link === undefined) return;
      const m = /^([A-Za-z0-9_-]{1,255})(?::([A-Za-z0-9_.-]{1,255}))?$/.exec(link);
      if (!m) {
        add(`${at}[${j}]`, 'link-format', `must be "name" or "name:alias" (got ${show(link)})`);
        return;
      }
      if (m[1] === asString(c.name)) add(`${at}[${j}]`, 'link-target', 'a container cannot link to itself');
      else if (!names.has(m[1] as string))
        add(`${at}[${j}]`, 'link-target', `names no container in this task definition (got ${show(m[1])})`);
    });
  });
  asArray(td.containerDefinitions).forEach((raw, i) => {
    asArray(asRecord(raw)?.resourceRequirements).forEach((r, j) => {
      const req = asRecord(r);
      if (asString(req?.type) === 'GPU' && !/^[1-9]\d*$/.test(asString(req?.value) ?? ''))
        add(
          `containerDefinitions[${i}].resourceRequirements[${j}].value`,
          'gpu-count',
          `must be a whole number of GPUs (got ${show(req?.value)})`,
        );
    });
  });
  return issues;
}
