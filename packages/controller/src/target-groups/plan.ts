import { drainComplete, drainingTarget, registeredTarget, type TargetHealthState } from '@baton-ecs/health';
import type { LoadBalancer, RegisteredTarget, TargetGroup, Task } from '@baton-ecs/model';
import { targetGroupSettings } from '@baton-ecs/model';

/** A task that may belong in the target group: its service names the group, or the task still holds it. */
export interface TargetGroupMember {
  readonly task: Task;
  /** The service's load balancer entry for this group; absent once the service no longer names it. */
  readonly loadBalancer?: LoadBalancer;
}

export interface TargetGroupPlanInput {
  readonly targetGroup: TargetGroup;
  readonly members: readonly TargetGroupMember[];
  /** The health monitor's verdict on a registered target, by target key. */
  readonly health: (key: string) => TargetHealthState | undefined;
  /**
   * Whether every load balancer in front of the group has stopped using a draining target and has
   * nothing in flight to it; undefined when no balancer can tell (then only the delay counts).
   */
  readonly idle: (key: string) => boolean | undefined;
  readonly now: number;
}

/** The hold changes one task needs (see Task.activationHolds / deactivationHolds). */
export interface HoldChange {
  readonly taskArn: string;
  readonly releaseActivation: boolean;
  readonly addDeactivation: boolean;
  readonly releaseDeactivation: boolean;
}

export interface TargetGroupPlan {
  /** The group's targets after this pass (the same array when nothing changed). */
  readonly targets: readonly RegisteredTarget[];
  readonly holds: readonly HoldChange[];
  readonly registered: readonly RegisteredTarget[];
  readonly deregistered: readonly RegisteredTarget[];
  readonly requeueAfterMs?: number;
}

/** While draining with a balancer that can report idleness, look this often. */
export const drainPollMs = 200;

/** A target's identity in its group: the task and the container port. */
export function targetKey(t: Pick<RegisteredTarget, 'Id' | 'Port' | 'TaskArn' | 'ContainerPort'>): string {
  return t.TaskArn ? `${t.TaskArn}|${t.ContainerPort ?? t.Port}` : `${t.Id}:${t.Port}`;
}

/** The host address and port a task's container publishes for a load balancer entry. */
export function publishedTarget(task: Task, lb: LoadBalancer): { host: string; port: number } | undefined {
  const container = task.containers.find((c) => c.name === lb.containerName);
  const b = container?.networkBindings.find(
    (n) => n.containerPort === lb.containerPort && n.protocol === 'tcp' && n.hostPort !== undefined,
  );
  if (!b || b.hostPort === undefined) return undefined;
  const host = !b.bindIP || b.bindIP === '0.0.0.0' || b.bindIP === '::' ? '127.0.0.1' : b.bindIP;
  return { host, port: b.hostPort };
}

/**
 * One pass of the target-group controller (ELB's registration side of ECS), as a pure function:
 * - a service task whose container port is published and that is ACTIVATING or RUNNING is
 *   registered (`initial`); its activation hold is released and a deactivation hold added, in the
 *   same write, so a target that ever receives traffic always drains before its task is signalled;
 * - the health monitor's verdicts move registered targets between initial, healthy and unhealthy;
 * - a target whose task is stopping (or whose service no longer names the group) starts draining;
 *   once every balancer reports it idle (or the deregistration delay has passed) its task's
 *   deactivation hold is released (the task then goes on to STOPPING and SIGTERM); the target itself
 *   stays `draining` until the delay has passed, as ELB shows it, and is then removed.
 */
export function planTargetGroup(input: TargetGroupPlanInput): TargetGroupPlan {
  const { targetGroup: tg, now } = input;
  const arn = tg.TargetGroupArn ?? tg.TargetGroupName;
  const settings = targetGroupSettings(tg);
  const delayMs = settings.deregistrationDelaySeconds * 1000;
  const byKey = new Map(tg.Targets.map((t) => [targetKey(t), t]));
  const next: RegisteredTarget[] = [];
  const registered: RegisteredTarget[] = [];
  const deregistered: RegisteredTarget[] = [];
  const holds = new Map<string, { ra: boolean; ad: boolean; rd: boolean }>();
  const hold = (taskArn: string) => {
    let h = holds.get(taskArn);
    if (!h) {
      h = { ra: false, ad: false, rd: false };
      holds.set(taskArn, h);
    }
    return h;
  };
  let recheckAt: number | undefined;
  const later = (t: number) => {
    if (recheckAt === undefined || t < recheckAt) recheckAt = t;
  };
  let changed = false;

  // Which member tasks (and which targets registered by hand) want a target, by key.
  const wanted = new Map<
    string,
    { task?: Task; lb?: LoadBalancer; host: string; port: number; availabilityZone?: string }
  >();
  for (const s of tg.StaticTargets ?? [])
    wanted.set(targetKey(s), {
      host: s.Id,
      port: s.Port,
      ...(s.AvailabilityZone ? { availabilityZone: s.AvailabilityZone } : {}),
    });
  const memberByTask = new Map<string, TargetGroupMember>();
  for (const m of input.members) {
    memberByTask.set(m.task.taskArn, m);
    const t = m.task;
    const lb = m.loadBalancer;
    const live =
      t.desiredStatus === 'RUNNING' && (t.lastStatus === 'ACTIVATING' || t.lastStatus === 'RUNNING');
    const published = lb && live ? publishedTarget(t, lb) : undefined;
    if (lb && published) {
      wanted.set(`${t.taskArn}|${lb.containerPort}`, { task: t, lb, ...published });
    } else if (t.activationHolds?.includes(arn)) {
      // It will never be registered (stopping, no longer named, or running without the port published).
      const waiting =
        t.desiredStatus === 'RUNNING' && lb !== undefined && !live && t.lastStatus !== 'STOPPED';
      if (!waiting) hold(t.taskArn).ra = true;
    }
  }

  for (const [key, target] of byKey) {
    const want = wanted.get(key);
    const task = target.TaskArn ? memberByTask.get(target.TaskArn)?.task : undefined;
    if (want && target.State !== 'draining') {
      const verdict = input.health(key);
      let t = target;
      if (verdict && (verdict.state !== t.State || verdict.reason !== t.Reason)) {
        t = withHealth(t, verdict);
        changed = true;
      }
      next.push(t);
      if (task && !task.deactivationHolds?.includes(arn)) hold(task.taskArn).ad = true;
      if (task?.activationHolds?.includes(arn)) hold(task.taskArn).ra = true;
      continue;
    }
    // Leaving the group: drain, then remove (a task's target at once if its task is gone; one
    // registered by hand drains for the whole delay, as ELB's DeregisterTargets does).
    const gone = target.TaskArn ? !task || task.lastStatus === 'STOPPED' : false;
    if (target.State !== 'draining') {
      if (!gone) {
        next.push({ ...withHealth(target, drainingTarget()), DrainingSince: now });
        changed = true;
        later(now + delayMs);
        if (input.idle(key) !== undefined) later(now + drainPollMs);
        continue;
      }
    } else {
      const since = target.DrainingSince ?? now;
      if (now < since + delayMs) {
        // ELB shows a target `draining` until the deregistration delay has passed ("the
        // deregistration delay period has not expired" —
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html),
        // even once its connections have finished. Baton's early completion only lets the task go:
        // its deactivation hold is released when every balancer is idle (or the task is gone).
        next.push(target);
        later(since + delayMs);
        const idle = input.idle(key);
        const done =
          gone || drainComplete({ drainingSince: since, deregistrationDelayMs: delayMs, now, idle });
        if (done) {
          if (task?.deactivationHolds?.includes(arn)) hold(task.taskArn).rd = true;
          if (task?.activationHolds?.includes(arn)) hold(task.taskArn).ra = true;
        } else if (idle !== undefined) later(now + drainPollMs);
        continue;
      }
    }
    changed = true;
    deregistered.push(target);
    if (task?.deactivationHolds?.includes(arn)) hold(task.taskArn).rd = true;
    if (task?.activationHolds?.includes(arn)) hold(task.taskArn).ra = true;
  }

  for (const [key, want] of wanted) {
    if (byKey.has(key)) continue;
    const az = want.task?.availabilityZone ?? want.availabilityZone;
    const t: RegisteredTarget = {
      Id: want.host,
      Port: want.port,
      ...(az ? { AvailabilityZone: az } : {}),
      ...stateFields(registeredTarget(settings.healthCheck.enabled)),
      ...(want.task && want.lb
        ? {
            TaskArn: want.task.taskArn,
            ContainerName: want.lb.containerName,
            ContainerPort: want.lb.containerPort,
          }
        : {}),
      RegisteredAt: now,
    };
    next.push(t);
    registered.push(t);
    changed = true;
    if (!want.task) continue;
    const h = hold(want.task.taskArn);
    if (want.task.activationHolds?.includes(arn)) h.ra = true;
    if (!want.task.deactivationHolds?.includes(arn)) h.ad = true;
  }

  // Holds on tasks with no target left in the group.
  const keysNow = new Set(next.map(targetKey));
  for (const m of input.members) {
    const t = m.task;
    if (t.deactivationHolds?.includes(arn) && ![...keysNow].some((k) => k.startsWith(`${t.taskArn}|`)))
      hold(t.taskArn).rd = true;
  }

  const holdChanges: HoldChange[] = [];
  for (const [taskArn, h] of holds) {
    const rd = h.rd && !h.ad;
    if (!h.ra && !h.ad && !rd) continue;
    holdChanges.push({ taskArn, releaseActivation: h.ra, addDeactivation: h.ad, releaseDeactivation: rd });
  }
  return {
    targets: changed ? next : tg.Targets,
    holds: holdChanges,
    registered,
    deregistered,
    ...(recheckAt !== undefined ? { requeueAfterMs: Math.max(0, recheckAt - now) } : {}),
  };
}

function stateFields(
  h: TargetHealthState,
): Pick<RegisteredTarget, 'State' | 'Reason' | 'Description' | 'Detail'> {
  return {
    State: h.state,
    ...(h.reason ? { Reason: h.reason } : {}),
    ...(h.description ? { Description: h.description } : {}),
    ...(h.detail ? { Detail: h.detail } : {}),
  };
}

function withHealth(t: RegisteredTarget, h: TargetHealthState): RegisteredTarget {
  const { State: _s, Reason: _r, Description: _d, Detail: _x, ...rest } = t;
  return { ...rest, ...stateFields(h) };
}
