import { show } from './fields.js';
import { asArray, asInt, asRecord, asString } from './loose.js';
import type { ValidationIssue } from './validation.js';

/** ECS's limit of port ranges per container (task_definition_parameters, containerPortRange). */
export const maxPortRangesPerContainer = 100;

/** A `containerPortRange` such as `"8000-8010"`: first < last, both 1–65535; undefined when malformed. */
export function parsePortRange(value: string): { readonly first: number; readonly last: number } | undefined {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(value);
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  return first >= 1 && last <= 65535 && first < last ? { first, last } : undefined;
}

/**
 * ECS's rules for `containerPortRange` (developer guide, task_definition_parameters.html): bridge and
 * awsvpc only; a mapping has a containerPort or a range, never both; no hostPort with a range (the host
 * ports are picked for it; hostPortRange is output-only); at most 100 ranges per container; a port is in
 * one mapping per container and protocol.
 */
export function portRangeRules(
  containers: readonly Record<string, unknown>[],
  networkMode: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, rule: 'port-range', message });
  containers.forEach((c, i) => {
    const at = `containerDefinitions[${i}].portMappings`;
    const spans: { j: number; protocol: string; first: number; last: number; range: boolean }[] = [];
    let ranges = 0;
    asArray(c.portMappings).forEach((raw, j) => {
      const pm = asRecord(raw);
      if (!pm) return;
      const here = `${at}[${j}]`;
      const protocol = asString(pm.protocol) ?? 'tcp';
      const port = asInt(pm.containerPort);
      if (pm.hostPortRange !== undefined)
        add(
          `${here}.hostPortRange`,
          'is set by the agent, not in a task definition (give containerPortRange)',
        );
      if (pm.containerPortRange === undefined) {
        if (pm.containerPort === undefined)
          add(`${here}.containerPort`, 'is required unless containerPortRange is set');
        if (port !== undefined) spans.push({ j, protocol, first: port, last: port, range: false });
        return;
      }
      ranges++;
      const text = asString(pm.containerPortRange);
      const range = text === undefined ? undefined : parsePortRange(text);
      if (!range) {
        add(
          `${here}.containerPortRange`,
          `must be "first-last" with 1 ≤ first < last ≤ 65535 (got ${show(pm.containerPortRange)})`,
        );
        return;
      }
      if (pm.containerPort !== undefined)
        add(`${here}.containerPort`, 'cannot be set with containerPortRange');
      if (pm.hostPort !== undefined)
        add(
          `${here}.hostPort`,
          'cannot be set with containerPortRange: each port of the range gets its own host port',
        );
      if (networkMode !== 'bridge' && networkMode !== 'awsvpc')
        add(
          `${here}.containerPortRange`,
          `is supported only in bridge and awsvpc network modes (got ${show(networkMode)})`,
        );
      spans.push({ j, protocol, ...range, range: true });
    });
    if (ranges > maxPortRangesPerContainer)
      add(at, `at most ${maxPortRangesPerContainer} port ranges per container (got ${ranges})`);
    for (const [k, s] of spans.entries()) {
      const clash = spans
        .slice(0, k)
        .find(
          (o) => (o.range || s.range) && o.protocol === s.protocol && o.first <= s.last && s.first <= o.last,
        );
      if (clash)
        add(
          `${at}[${s.j}]`,
          `ports ${s.first}-${s.last}/${s.protocol} overlap portMappings[${clash.j}]: a port can be in one port mapping per container`,
        );
    }
  });
  return issues;
}
