import type { StaticTarget, TargetGroup } from '@baton-ecs/model';
import { ElbApiError } from './errors.js';
import { targetKey } from './plan.js';

/** ELB's TargetDescription as RegisterTargets and DeregisterTargets take it. */
export interface TargetDescription {
  readonly Id: string;
  readonly Port?: number;
  readonly AvailabilityZone?: string;
}

/** ELB's quota of targets in one group (an Application Load Balancer's; Baton applies it to every group). */
export const maxTargetsPerGroup = 1000;

/**
 * The addresses an `ip` target may have: as ELB allows private ranges only (RFC 1918, RFC 6598,
 * IPv6 unique local), plus loopback, where Baton's engines publish their ports.
 */
export function isTargetAddress(id: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(id);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    if ([a, b, c, d].some((n) => n > 255)) return false;
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = id.toLowerCase();
  if (!/^[0-9a-f:]+$/.test(v6) || !v6.includes(':')) return false;
  return v6 === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(v6);
}

/**
 * RegisterTargets on a group: its hand-registered targets after adding `targets` (each at its own
 * Port or the group's). Registering one again is no change, as in ELB.
 */
export function withRegistered(tg: TargetGroup, targets: readonly TargetDescription[]): StaticTarget[] {
  if (tg.TargetType !== 'ip')
    throw new ElbApiError(
      'InvalidTargetException',
      `Target group '${tg.TargetGroupName}' has target type '${tg.TargetType}': Baton registers instance targets for services' tasks only; register by hand in an 'ip' target group`,
    );
  const out = [...(tg.StaticTargets ?? [])];
  const keys = new Set(out.map(targetKey));
  for (const [i, t] of targets.entries()) {
    if (!isTargetAddress(t.Id))
      throw new ElbApiError(
        'InvalidTargetException',
        `Targets[${i}].Id: '${t.Id}' is not an IP address Baton can target (loopback, or a private range: 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)`,
      );
    const target: StaticTarget = {
      Id: t.Id,
      Port: t.Port ?? tg.Port,
      ...(t.AvailabilityZone ? { AvailabilityZone: t.AvailabilityZone } : {}),
    };
    const key = targetKey(target);
    const task = tg.Targets.find((x) => x.TaskArn && x.Id === target.Id && x.Port === target.Port);
    if (task)
      throw new ElbApiError(
        'InvalidTargetException',
        `Targets[${i}]: ${key} is task '${task.TaskArn}', which Baton registered for its service`,
      );
    if (keys.has(key)) continue;
    keys.add(key);
    out.push(target);
  }
  const taskTargets = tg.Targets.filter((t) => t.TaskArn).length;
  if (out.length + taskTargets > maxTargetsPerGroup)
    throw new ElbApiError(
      'TooManyTargetsException',
      `Target group '${tg.TargetGroupName}' would have ${out.length + taskTargets} targets; the limit is ${maxTargetsPerGroup}`,
    );
  return out;
}

/**
 * DeregisterTargets: the hand-registered targets left. One that is not registered is no error (as
 * in ELB, which answers 200 and changes nothing); a task's target is refused, naming the task.
 */
export function withDeregistered(tg: TargetGroup, targets: readonly TargetDescription[]): StaticTarget[] {
  const drop = new Set<string>();
  for (const [i, t] of targets.entries()) {
    const port = t.Port ?? tg.Port;
    const task = tg.Targets.find((x) => x.TaskArn && x.Id === t.Id && x.Port === port);
    if (task && !(tg.StaticTargets ?? []).some((s) => s.Id === t.Id && s.Port === port))
      throw new ElbApiError(
        'InvalidTargetException',
        `Targets[${i}]: ${t.Id}:${port} is task '${task.TaskArn}', which Baton registered for its service (scale or update the service instead)`,
      );
    drop.add(targetKey({ Id: t.Id, Port: port }));
  }
  return (tg.StaticTargets ?? []).filter((s) => !drop.has(targetKey(s)));
}
