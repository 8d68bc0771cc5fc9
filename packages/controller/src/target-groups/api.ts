import { randomBytes } from 'node:crypto';
import { createListener, type Listener, NginxAdapter, upstreamName } from '@baton-ecs/load-balancer';
import type { Clock, Logger } from '@baton-ecs/loop';
import {
  type ArnContext,
  attributeOf,
  forwardTargetOf,
  type ListenerRecord,
  type LoadBalancerRecord,
  parseTargetGroup,
  type RegisteredTarget,
  type StaticTarget,
  type TargetGroup,
  type TargetGroupSettings,
  targetGroupArn,
  targetGroupAttributes,
  targetGroupDefaults,
  targetGroupNameOf,
  targetGroupSettings,
  type UnhealthyStateRouting,
} from '@baton-ecs/model';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import { concat, defer, distinctUntilChanged, filter, map, type Observable, of } from 'rxjs';
import type { Informer } from '../informer.js';
import type { TargetGroupController } from './controller.js';
import { ElbApiError } from './errors.js';
import { ListenerRuntime } from './listener-runtime.js';
import {
  type CreateListenerRequest,
  type CreateLoadBalancerRequest,
  LoadBalancerApi,
  listenerHost,
  type ModifyListenerRequest,
} from './load-balancers.js';
import { targetKey } from './plan.js';
import { type TargetDescription, withDeregistered, withRegistered } from './registrations.js';
import { checkElbRequest } from './requests.js';

export { ElbApiError, type ElbErrorCode } from './errors.js';

export interface TargetHealthDescription {
  readonly Target: { readonly Id: string; readonly Port: number; readonly AvailabilityZone?: string };
  readonly HealthCheckPort: string;
  readonly TargetHealth: { readonly State: string; readonly Reason?: string; readonly Description?: string };
  /** Baton: the task behind the target. */
  readonly TaskArn?: string;
  /**
   * Baton: what the last failed check saw (`ECONNREFUSED`, …). TargetHealth.Description stays ELB's
   * own wording ("Health checks failed"), so scripts matching AWS's text keep working.
   */
  readonly HealthCheckDetail?: string;
}

export interface OpenListenerRequest {
  readonly TargetGroupArn: string;
  /** Default 0: any free port (read it from the listener). */
  readonly Port?: number;
  /** Default 127.0.0.1. */
  readonly Host?: string;
  /** Default: the target group's protocol. */
  readonly Protocol?: 'HTTP' | 'TCP';
  /**
   * Baton only: `false` never routes to unhealthy targets (503 instead). Otherwise the listener follows
   * the group's `target_group_health.unhealthy_state_routing.*` attributes (ELB's default: fail open).
   */
  readonly failOpen?: boolean;
}

export interface AttachNginxRequest {
  readonly TargetGroupArn: string;
  /** The file the adapter writes (your nginx.conf includes it at http level). */
  readonly upstreamFile: string;
  /** Default `baton_<target group name>`. */
  readonly upstreamName?: string;
  /** Validates and reloads your nginx (e.g. NginxProcess.reload, or `nginx -t && nginx -s reload`). */
  readonly reload: () => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

/**
 * ELBv2's target group API over Baton's store (PascalCase requests and responses, ELB's exception
 * names), plus Baton's embedded listeners and nginx adapters for a group.
 */
export class ElbV2Api {
  private readonly listeners = new Set<Listener>();
  private readonly adapters = new Set<NginxAdapter>();
  /** The embedded balancers of the stored listeners, on this replica. */
  private readonly runtime: ListenerRuntime;
  private readonly lbs: LoadBalancerApi;

  constructor(
    private readonly store: Store<BatonKinds>,
    private readonly cache: Informer<BatonKinds, 'TargetGroup'>,
    private readonly controller: () => TargetGroupController,
    private readonly clock: Clock,
    private readonly arn: ArnContext,
    private readonly inUse: (targetGroupArn: string) => string | undefined,
    stored: {
      readonly loadBalancers: Informer<BatonKinds, 'LoadBalancer'>;
      readonly listeners: Informer<BatonKinds, 'Listener'>;
      readonly logger: Logger;
    },
  ) {
    this.runtime = new ListenerRuntime({
      listeners: stored.listeners,
      logger: stored.logger,
      clock,
      open: (r) =>
        this.openListener({
          TargetGroupArn: forwardTargetOf(r),
          Port: r.Port,
          Host: listenerHost,
          Protocol: r.Protocol,
        }),
    });
    this.lbs = new LoadBalancerApi({
      store,
      loadBalancers: stored.loadBalancers,
      listeners: stored.listeners,
      runtime: this.runtime,
      clock,
      arn,
      targetGroup: (ref) => this.require(ref),
    });
  }

  /** Starts the stored listeners' balancers on this replica (Baton's start does). */
  startListeners(): void {
    this.runtime.start();
  }

  /** CreateLoadBalancer (see load-balancers.ts): a name listeners belong to. */
  createLoadBalancer(request: CreateLoadBalancerRequest): Promise<{ LoadBalancers: LoadBalancerRecord[] }> {
    return this.lbs.createLoadBalancer(request);
  }

  describeLoadBalancers(
    request: { readonly LoadBalancerArns?: readonly string[]; readonly Names?: readonly string[] } = {},
  ): Promise<{ LoadBalancers: LoadBalancerRecord[] }> {
    return this.lbs.describeLoadBalancers(request);
  }

  /** DeleteLoadBalancer: its listeners stop and go with it. */
  deleteLoadBalancer(request: { readonly LoadBalancerArn: string }): Promise<void> {
    return this.lbs.deleteLoadBalancer(request);
  }

  /** CreateListener: forwards 127.0.0.1:Port to a target group, durably, before it answers. */
  createListener(request: CreateListenerRequest): Promise<{ Listeners: ListenerRecord[] }> {
    return this.lbs.createListener(request);
  }

  describeListeners(request: {
    readonly LoadBalancerArn?: string;
    readonly ListenerArns?: readonly string[];
  }): Promise<{ Listeners: ListenerRecord[] }> {
    return this.lbs.describeListeners(request);
  }

  modifyListener(request: ModifyListenerRequest): Promise<{ Listeners: ListenerRecord[] }> {
    return this.lbs.modifyListener(request);
  }

  deleteListener(request: { readonly ListenerArn: string }): Promise<void> {
    return this.lbs.deleteListener(request);
  }

  /** The running balancer of a stored listener on this replica (its port, its stats). */
  runningListener(listenerArn: string): Listener | undefined {
    return this.runtime.listener(listenerArn);
  }

  /** CreateTargetGroup (Baton also takes `Attributes` here). Idempotent for the same name and settings. */
  async createTargetGroup(request: unknown): Promise<{ TargetGroups: TargetGroup[] }> {
    // Targets are registered with RegisterTargets (or by services), never at creation.
    const { StaticTargets: _static, ...input } =
      typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
    const parsed = parseTargetGroup(typeof request === 'object' && request !== null ? input : request);
    if (isLeft(parsed)) throw new ElbApiError('ValidationError', parsed.left.message);
    const tg = parsed.right.value;
    const existing = await this.byName(tg.TargetGroupName);
    if (existing) {
      const same =
        JSON.stringify(spec(existing)) ===
        JSON.stringify(spec({ ...tg, TargetGroupArn: existing.TargetGroupArn }));
      if (same) return { TargetGroups: [existing] };
      throw new ElbApiError(
        'DuplicateTargetGroupNameException',
        `A target group with the same name '${tg.TargetGroupName}' exists, but with different settings`,
      );
    }
    const created: TargetGroup = {
      ...tg,
      TargetGroupArn: targetGroupArn(tg.TargetGroupName, randomBytes(8).toString('hex'), this.arn),
      Targets: [],
      CreatedAt: this.clock.now(),
    };
    return { TargetGroups: [(await this.store.create('TargetGroup', created)).object] };
  }

  async describeTargetGroups(
    request: { readonly TargetGroupArns?: readonly string[]; readonly Names?: readonly string[] } = {},
  ): Promise<{ TargetGroups: TargetGroup[] }> {
    checkElbRequest('describeTargetGroups', request);
    const withLbs = (tg: TargetGroup): TargetGroup => {
      const lbs = this.lbs.loadBalancersOf(tg.TargetGroupArn!);
      return lbs.length === 0 ? tg : { ...tg, LoadBalancerArns: lbs };
    };
    if (!request.TargetGroupArns && !request.Names)
      return { TargetGroups: [...this.cache.values()].map((e) => withLbs(e.object)) };
    const out: TargetGroup[] = [];
    for (const ref of [...(request.TargetGroupArns ?? []), ...(request.Names ?? [])])
      out.push(withLbs(await this.require(ref)));
    return { TargetGroups: out };
  }

  /** ModifyTargetGroup: the health check settings. */
  async modifyTargetGroup(request: {
    readonly TargetGroupArn: string;
    readonly [k: string]: unknown;
  }): Promise<{ TargetGroups: TargetGroup[] }> {
    checkElbRequest('modifyTargetGroup', request);
    const current = await this.require(request.TargetGroupArn);
    const { TargetGroupArn: _arn, ...changes } = request;
    const next = await this.validated({ ...current, ...changes });
    return { TargetGroups: [(await this.store.update('TargetGroup', current.TargetGroupArn!, next)).object] };
  }

  async modifyTargetGroupAttributes(request: {
    readonly TargetGroupArn: string;
    readonly Attributes: readonly { readonly Key: string; readonly Value: string }[];
  }): Promise<{ Attributes: { Key: string; Value: string }[] }> {
    checkElbRequest('modifyTargetGroupAttributes', request);
    const current = await this.require(request.TargetGroupArn);
    const keys = new Set(request.Attributes.map((a) => a.Key));
    const next = await this.validated({
      ...current,
      Attributes: [...current.Attributes.filter((a) => !keys.has(a.Key)), ...request.Attributes],
    });
    const saved = (await this.store.update('TargetGroup', current.TargetGroupArn!, next)).object;
    return this.describeTargetGroupAttributes({ TargetGroupArn: saved.TargetGroupArn! });
  }

  /** ELB's attributes with their defaults filled in. */
  async describeTargetGroupAttributes(request: {
    readonly TargetGroupArn: string;
  }): Promise<{ Attributes: { Key: string; Value: string }[] }> {
    checkElbRequest('describeTargetGroupAttributes', request);
    const tg = await this.require(request.TargetGroupArn);
    const s = targetGroupSettings(tg);
    const base = [
      { Key: targetGroupAttributes.deregistrationDelay, Value: String(s.deregistrationDelaySeconds) },
      { Key: targetGroupAttributes.algorithm, Value: s.algorithm },
      {
        Key: targetGroupAttributes.minimumHealthyTargetsCount,
        Value: String(s.unhealthyStateRouting.minimumHealthyTargetsCount),
      },
      {
        Key: targetGroupAttributes.minimumHealthyTargetsPercentage,
        Value: String(s.unhealthyStateRouting.minimumHealthyTargetsPercentage),
      },
      { Key: targetGroupAttributes.slowStart, Value: String(s.slowStartSeconds) },
    ];
    const rest = tg.Attributes.filter((a) => !base.some((b) => b.Key === a.Key)).map((a) => ({
      Key: a.Key,
      Value: a.Value,
    }));
    return { Attributes: [...base, ...rest] };
  }

  /** DeleteTargetGroup: refused while an ACTIVE service names it. */
  async deleteTargetGroup(request: { readonly TargetGroupArn: string }): Promise<void> {
    checkElbRequest('deleteTargetGroup', request);
    const tg = await this.require(request.TargetGroupArn);
    const user = this.inUse(tg.TargetGroupArn!) ?? this.lbs.listenerUsing(tg.TargetGroupArn!);
    if (user)
      throw new ElbApiError(
        'ResourceInUseException',
        `Target group '${tg.TargetGroupArn}' is currently in use by ${user}`,
      );
    await this.store.delete('TargetGroup', tg.TargetGroupArn!);
  }

  /** RegisterTargets: `ip` targets by hand (rules in registrations.ts); probed and routed to like a task's. */
  async registerTargets(request: {
    readonly TargetGroupArn: string;
    readonly Targets: readonly TargetDescription[];
  }): Promise<void> {
    checkElbRequest('registerTargets', request);
    await this.editStaticTargets(request.TargetGroupArn, (tg) => withRegistered(tg, request.Targets));
  }

  /** DeregisterTargets: hand-registered targets drain for the deregistration delay, then go. */
  async deregisterTargets(request: {
    readonly TargetGroupArn: string;
    readonly Targets: readonly TargetDescription[];
  }): Promise<void> {
    checkElbRequest('deregisterTargets', request);
    await this.editStaticTargets(request.TargetGroupArn, (tg) => withDeregistered(tg, request.Targets));
  }

  /** DescribeTargetHealth: every registered target (or those asked for; unknown ones are `unused`). */
  async describeTargetHealth(request: {
    readonly TargetGroupArn: string;
    readonly Targets?: readonly { readonly Id: string; readonly Port?: number }[];
  }): Promise<{ TargetHealthDescriptions: TargetHealthDescription[] }> {
    checkElbRequest('describeTargetHealth', request);
    const tg = await this.require(request.TargetGroupArn);
    const hcPort = tg.HealthCheckPort;
    const describe = (t: RegisteredTarget): TargetHealthDescription => ({
      Target: {
        Id: t.Id,
        Port: t.Port,
        ...(t.AvailabilityZone ? { AvailabilityZone: t.AvailabilityZone } : {}),
      },
      HealthCheckPort: hcPort === 'traffic-port' ? String(t.Port) : hcPort,
      TargetHealth: {
        State: t.State,
        ...(t.Reason ? { Reason: t.Reason } : {}),
        ...(t.Description ? { Description: t.Description } : {}),
      },
      ...(t.TaskArn ? { TaskArn: t.TaskArn } : {}),
      ...(t.Detail ? { HealthCheckDetail: t.Detail } : {}),
    });
    if (!request.Targets) return { TargetHealthDescriptions: tg.Targets.map(describe) };
    return {
      TargetHealthDescriptions: request.Targets.map((q) => {
        const t = tg.Targets.find((x) => x.Id === q.Id && (q.Port === undefined || x.Port === q.Port));
        return t
          ? describe(t)
          : {
              Target: { Id: q.Id, Port: q.Port ?? tg.Port },
              HealthCheckPort: hcPort === 'traffic-port' ? String(q.Port ?? tg.Port) : hcPort,
              TargetHealth: {
                State: 'unused',
                Reason: 'Target.NotRegistered',
                Description: 'Target is not registered to the target group',
              },
            };
      }),
    };
  }

  /**
   * Baton's embedded load balancer: a listener on 127.0.0.1 balancing over the group's healthy
   * targets with the group's algorithm. It tells the controller when a draining target is idle,
   * which ends draining before the deregistration delay.
   */
  async openListener(request: OpenListenerRequest): Promise<Listener> {
    checkElbRequest('openListener', request);
    const tg = await this.require(request.TargetGroupArn);
    const arn = tg.TargetGroupArn!;
    const listener = await createListener({
      targets: this.controller().targets$(arn),
      protocol: request.Protocol ?? tg.Protocol,
      algorithm: targetGroupSettings(tg).algorithm,
      ...(request.Port !== undefined ? { port: request.Port } : {}),
      ...(request.Host !== undefined ? { host: request.Host } : {}),
      ...(request.failOpen === false ? { failOpen: false } : { unhealthyStateRouting: this.routing$(arn) }),
      slowStartMs: this.setting$(arn, (s) => s.slowStartSeconds * 1000, 0),
      now: () => this.clock.now(),
    });
    const remove = this.controller().addConsumer(arn, { drained: (key) => listener.drained(key) });
    this.listeners.add(listener);
    const close = listener.close.bind(listener);
    return Object.assign(listener, {
      close: async () => {
        remove();
        this.listeners.delete(listener);
        await close();
      },
    });
  }

  /**
   * Keeps an nginx upstream in step with the group (healthy targets only), reloading nginx when they
   * change. nginx cannot tell when a draining target is idle, so the group then always waits the
   * full deregistration delay (keep it above nginx's reload time).
   */
  async attachNginx(request: AttachNginxRequest): Promise<NginxAdapter> {
    checkElbRequest('attachNginx', request);
    const tg = await this.require(request.TargetGroupArn);
    const arn = tg.TargetGroupArn!;
    // Open-source nginx has no slow start (its `slow_start` is NGINX Plus only): refused, not ignored.
    if (targetGroupSettings(tg).slowStartSeconds > 0)
      throw new ElbApiError(
        'ValidationError',
        `Target group '${tg.TargetGroupName}' has slow_start.duration_seconds set; the nginx adapter cannot ramp targets up (use openListener, or set it to 0)`,
      );
    const adapter = new NginxAdapter({
      targets: this.controller().targets$(arn),
      upstreamFile: request.upstreamFile,
      upstreamName: request.upstreamName ?? upstreamName(tg.TargetGroupName),
      reload: request.reload,
      algorithm: targetGroupSettings(tg).algorithm,
      unhealthyStateRouting: targetGroupSettings(tg).unhealthyStateRouting,
      ...(request.onError ? { onError: request.onError } : {}),
    });
    const remove = this.controller().addConsumer(arn, { drained: () => undefined });
    const stop = adapter.stop.bind(adapter);
    adapter.stop = () => {
      remove();
      this.adapters.delete(adapter);
      stop();
    };
    this.adapters.add(adapter);
    await adapter.start();
    return adapter;
  }

  /** A group's unhealthy state routing thresholds, now and whenever its attributes change. */
  private routing$(arn: string): Observable<UnhealthyStateRouting> {
    return this.setting$(arn, (s) => s.unhealthyStateRouting, targetGroupDefaults.unhealthyStateRouting);
  }

  /** One of a group's settings, now and whenever the group changes (distinct values only). */
  private setting$<T>(arn: string, pick: (s: TargetGroupSettings) => T, fallback: T): Observable<T> {
    const of$ = (tg: TargetGroup | undefined) => (tg ? pick(targetGroupSettings(tg)) : fallback);
    return concat(
      defer(() => of(of$(this.cache.get(arn)?.object))),
      this.cache.changes.pipe(
        filter((c) => c.key === arn && c.object !== undefined),
        map((c) => of$(c.object?.object)),
      ),
    ).pipe(distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)));
  }

  /** Closes every listener and stops every adapter this API started. */
  async close(): Promise<void> {
    await this.runtime.stop();
    for (const a of [...this.adapters]) a.stop();
    await Promise.all([...this.listeners].map((l) => l.close()));
  }

  private async editStaticTargets(ref: string, edit: (tg: TargetGroup) => StaticTarget[]): Promise<void> {
    const arn = (await this.require(ref)).TargetGroupArn!;
    // A transaction: the controller rewrites the group's Targets meanwhile; a conflict re-reads.
    await this.store.transaction(async (tx) => {
      const current = await tx.get('TargetGroup', arn);
      if (!current)
        throw new ElbApiError('TargetGroupNotFoundException', `One or more target groups not found: ${ref}`);
      const next = edit(current.object);
      await tx.update('TargetGroup', arn, (tg) => {
        tg.StaticTargets = next;
      });
    });
  }

  /** The key a listener and the controller use for a target (task ARN and container port). */
  static targetKey = targetKey;

  private async validated(candidate: TargetGroup): Promise<TargetGroup> {
    const { Targets, TargetGroupArn, CreatedAt, ...rest } = candidate;
    const parsed = parseTargetGroup(rest);
    if (isLeft(parsed)) throw new ElbApiError('ValidationError', parsed.left.message);
    return {
      ...parsed.right.value,
      Targets,
      ...(TargetGroupArn ? { TargetGroupArn } : {}),
      ...(CreatedAt ? { CreatedAt } : {}),
    };
  }

  private async byName(name: string): Promise<TargetGroup | undefined> {
    for (const e of this.cache.values()) if (e.object.TargetGroupName === name) return e.object;
    const { items } = await this.store.list('TargetGroup', { index: 'byName', value: name });
    return items[0]?.object;
  }

  private async require(ref: string): Promise<TargetGroup> {
    const found = ref.startsWith('arn:')
      ? (this.cache.get(ref)?.object ?? (await this.store.get('TargetGroup', ref))?.object)
      : await this.byName(targetGroupNameOf(ref));
    if (!found)
      throw new ElbApiError('TargetGroupNotFoundException', `One or more target groups not found: ${ref}`);
    return found;
  }
}

/** The settings part of a group, for CreateTargetGroup's idempotence check. */
function spec(tg: TargetGroup): unknown {
  const { Targets: _t, CreatedAt: _c, StaticTargets: _s, ...rest } = tg;
  return { ...rest, deregistrationDelay: attributeOf(tg, targetGroupAttributes.deregistrationDelay) };
}
