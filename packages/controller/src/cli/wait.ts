import type { Client } from './client.js';
import { describeServices, taskDefinitionName, type WireDeployment, type WireService } from './ecs-reads.js';
import { time } from './output.js';

/** A service apply created or updated, and the task definition revision it now runs (`web:3`). */
export interface Followed {
  readonly cluster: string;
  readonly name: string;
  readonly taskDefinition: string;
}

type Outcome =
  | { readonly done: true; readonly failed?: string }
  | { readonly done: false; readonly seen: boolean };

/**
 * Whether a followed service has reached steady state (the deployment of its task definition
 * COMPLETED, the only one left, running = desired) or failed (rolled out FAILED, or no longer
 * PRIMARY: the circuit breaker rolled it back). `seen`: whether that deployment was seen before
 * (UpdateService answers before the controller creates it). Pure.
 */
export function outcome(service: WireService | undefined, taskDefinition: string, seen: boolean): Outcome {
  if (!service) return { done: true, failed: 'the service is gone' };
  const deployments = service.deployments ?? [];
  const ours = deployments
    .filter((d) => taskDefinitionName(d.taskDefinition) === taskDefinition)
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!ours)
    return seen
      ? { done: true, failed: `the deployment of ${taskDefinition} is gone` }
      : { done: false, seen };
  const rolledBack =
    primary && primary !== ours ? `; rolled back to ${taskDefinitionName(primary.taskDefinition)}` : '';
  if (ours.rolloutState === 'FAILED')
    return {
      done: true,
      failed: `deployment ${ours.id} failed${ours.rolloutStateReason ? `: ${ours.rolloutStateReason.replace(/\.$/, '')}` : ''}${rolledBack}`,
    };
  if (ours.status !== 'PRIMARY')
    return { done: true, failed: `deployment ${ours.id} was replaced${rolledBack}` };
  const steady =
    (ours.rolloutState === undefined || ours.rolloutState === 'COMPLETED') &&
    deployments.filter((d) => d.status !== 'INACTIVE').length === 1 &&
    (ours.runningCount ?? 0) === (ours.desiredCount ?? 0) &&
    (ours.pendingCount ?? 0) === 0;
  return steady ? { done: true } : { done: false, seen: true };
}

/** `web  ecs-svc/1 PRIMARY web:2 IN_PROGRESS running 1/3 pending 1 · ACTIVE web:1 running 2/3` */
export function progressLine(name: string, service: WireService | undefined): string {
  const deployments = (service?.deployments ?? []).filter((d) => d.status !== 'INACTIVE');
  const part = (d: WireDeployment) =>
    `${d.status} ${taskDefinitionName(d.taskDefinition)}${d.rolloutState ? ` ${d.rolloutState}` : ''} running ${d.runningCount ?? 0}/${d.desiredCount ?? 0}${d.pendingCount ? ` pending ${d.pendingCount}` : ''}${d.failedTasks ? ` failed ${d.failedTasks}` : ''}`;
  return `${name}: ${deployments.map(part).join(' · ') || 'no deployments'}`;
}

/**
 * Follows each service until it is steady or fails, showing running/desired per deployment and
 * events as they come: redrawn in place on a terminal, a line per change otherwise. Resolves true
 * when every one is steady.
 */
export async function waitForDeployments(
  client: Client,
  followed: readonly Followed[],
  options: {
    readonly timeoutMs: number;
    readonly out: (line: string) => void;
    readonly tty: boolean;
    readonly intervalMs?: number;
  },
): Promise<boolean> {
  const since = Math.floor(Date.now() / 1000) - 1;
  const deadline = Date.now() + options.timeoutMs;
  const seenEvents = new Set<string>();
  const lastLine = new Map<string, string>();
  const finished = new Map<string, Outcome>();
  const seen = new Set<string>();
  let drawn = 0;
  for (;;) {
    const permanent: string[] = [];
    const progress: string[] = [];
    for (const f of followed) {
      const key = `${f.cluster}/${f.name}`;
      if (finished.has(key)) continue;
      const [service] = await describeServices(client, f.cluster, [f.name]);
      for (const e of [...(service?.events ?? [])].reverse()) {
        if (!e.id || seenEvents.has(e.id) || (e.createdAt ?? 0) < since) continue;
        seenEvents.add(e.id);
        permanent.push(`${f.name}: ${time(e.createdAt)} ${e.message}`);
      }
      const line = progressLine(f.name, service);
      const o = outcome(service, f.taskDefinition, seen.has(key));
      if (!o.done && o.seen) seen.add(key);
      if (o.done) {
        finished.set(key, o);
        permanent.push(
          o.failed
            ? `${f.name}: FAILED: ${o.failed}`
            : `${f.name}: steady (${line.slice(f.name.length + 2)})`,
        );
      } else if (options.tty || lastLine.get(key) !== line) progress.push(line);
      lastLine.set(key, line);
    }
    // On a terminal the progress block is redrawn in place (cursor up, clear); events stay above it.
    const lines = [...permanent, ...progress];
    if (options.tty && drawn > 0 && lines.length > 0) lines[0] = `\u001b[${drawn}A\u001b[J${lines[0]}`;
    for (const l of lines) options.out(l);
    drawn = options.tty ? progress.length : 0;
    if (finished.size === followed.length) break;
    if (Date.now() > deadline) {
      const left = followed.filter((f) => !finished.has(`${f.cluster}/${f.name}`)).map((f) => f.name);
      options.out(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${left.join(', ')}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 1000));
  }
  return [...finished.values()].every((o) => o.done && !o.failed);
}
