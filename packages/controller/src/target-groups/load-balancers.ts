import { randomBytes } from 'node:crypto';
import type { Clock } from '@baton-ecs/loop';
import {
  type ArnContext,
  type ForwardAction,
  forwardTargetOf,
  type ListenerProtocol,
  type ListenerRecord,
  LoadBalancerName,
  type LoadBalancerRecord,
  type LoadBalancerType,
  listenerArn,
  loadBalancerArn,
  type TargetGroup,
} from '@baton-ecs/model';
import type { BatonKinds, Store } from '@baton-ecs/store';
import type { Informer } from '../informer.js';
import { ElbApiError } from './errors.js';
import type { ListenerRuntime } from './listener-runtime.js';
import { checkElbRequest } from './requests.js';

/** Where Baton's listeners bind, and the DNS name its load balancers report. */
export const listenerHost = '127.0.0.1';

/** ELB's Action as a request carries it (a forward to one group, or ForwardConfig's list). */
export interface ActionRequest {
  readonly Type: string;
  readonly TargetGroupArn?: string;
  readonly Order?: number;
  readonly ForwardConfig?: {
    readonly TargetGroups?: readonly { readonly TargetGroupArn?: string; readonly Weight?: number }[];
  };
}

export interface CreateLoadBalancerRequest {
  readonly Name: string;
  /** Default `application` (HTTP listeners); `network` for TCP listeners. */
  readonly Type?: string;
  readonly Scheme?: 'internet-facing' | 'internal';
  readonly IpAddressType?: 'ipv4' | 'dualstack';
  readonly [aws: string]: unknown;
}

export interface CreateListenerRequest {
  readonly LoadBalancerArn: string;
  /** Default: HTTP on an application load balancer, TCP on a network one. */
  readonly Protocol?: string;
  readonly Port?: number;
  readonly DefaultActions: readonly ActionRequest[];
  readonly [aws: string]: unknown;
}

export interface ModifyListenerRequest {
  readonly ListenerArn: string;
  readonly Protocol?: string;
  readonly Port?: number;
  readonly DefaultActions?: readonly ActionRequest[];
  readonly [aws: string]: unknown;
}

export interface LoadBalancerApiOptions {
  readonly store: Store<BatonKinds>;
  readonly loadBalancers: Informer<BatonKinds, 'LoadBalancer'>;
  readonly listeners: Informer<BatonKinds, 'Listener'>;
  readonly runtime: ListenerRuntime;
  readonly clock: Clock;
  readonly arn: ArnContext;
  /** The target group a reference names (TargetGroupNotFoundException otherwise). */
  readonly targetGroup: (ref: string) => Promise<TargetGroup>;
}

const protocolsOf: Record<LoadBalancerType, readonly string[]> = {
  application: ['HTTP', 'HTTPS'],
  network: ['TCP', 'TLS', 'UDP', 'TCP_UDP'],
};

/**
 * ELBv2's load balancers and listeners over Baton's store: a load balancer is a name listeners
 * belong to; a listener is Baton's embedded balancer on 127.0.0.1:Port forwarding to one target
 * group (ListenerRuntime runs it). ELB's rules as its API states them, ELB's exception names.
 */
export class LoadBalancerApi {
  constructor(private readonly o: LoadBalancerApiOptions) {}

  /** CreateLoadBalancer: idempotent for the same name and settings (as ELB is). */
  async createLoadBalancer(
    request: CreateLoadBalancerRequest,
  ): Promise<{ LoadBalancers: LoadBalancerRecord[] }> {
    checkElbRequest('createLoadBalancer', request);
    const name = LoadBalancerName.safeParse(request.Name);
    if (!name.success)
      throw new ElbApiError(
        'ValidationError',
        `Name: ${name.error.issues[0]?.message} (got '${request.Name}')`,
      );
    const type = request.Type ?? 'application';
    if (type !== 'application' && type !== 'network')
      throw new ElbApiError(
        'ValidationError',
        `Type: Baton's load balancers are 'application' (HTTP) or 'network' (TCP), not '${type}'`,
      );
    const scheme = request.Scheme ?? 'internet-facing';
    const existing = await this.byName(request.Name);
    if (existing) {
      if (existing.Type === type && existing.Scheme === scheme) return { LoadBalancers: [existing] };
      throw new ElbApiError(
        'DuplicateLoadBalancerNameException',
        `A load balancer with the same name '${request.Name}' exists, but with different settings`,
      );
    }
    const lb: LoadBalancerRecord = {
      LoadBalancerArn: loadBalancerArn(type, request.Name, randomBytes(8).toString('hex'), this.o.arn),
      LoadBalancerName: request.Name,
      Type: type,
      Scheme: scheme,
      DNSName: listenerHost,
      CreatedTime: this.o.clock.now(),
      State: { Code: 'active' },
      IpAddressType: request.IpAddressType ?? 'ipv4',
    };
    return { LoadBalancers: [(await this.o.store.create('LoadBalancer', lb)).object] };
  }

  /** DescribeLoadBalancers: by ARN or name (each must exist), or all, sorted by name. */
  async describeLoadBalancers(
    request: { readonly LoadBalancerArns?: readonly string[]; readonly Names?: readonly string[] } = {},
  ): Promise<{ LoadBalancers: LoadBalancerRecord[] }> {
    checkElbRequest('describeLoadBalancers', request);
    if (!request.LoadBalancerArns && !request.Names) {
      const all = [...this.o.loadBalancers.values()].map((e) => e.object);
      return { LoadBalancers: all.sort((a, b) => cmp(a.LoadBalancerName, b.LoadBalancerName)) };
    }
    const out: LoadBalancerRecord[] = [];
    for (const arn of request.LoadBalancerArns ?? []) out.push(await this.requireLoadBalancer(arn));
    for (const name of request.Names ?? []) {
      const lb = await this.byName(name);
      if (!lb) throw new ElbApiError('LoadBalancerNotFoundException', `Load balancers '[${name}]' not found`);
      out.push(lb);
    }
    return { LoadBalancers: out };
  }

  /** DeleteLoadBalancer: its listeners go with it; an unknown one is no error (as in ELB). */
  async deleteLoadBalancer(request: { readonly LoadBalancerArn: string }): Promise<void> {
    checkElbRequest('deleteLoadBalancer', request);
    const lb = await this.o.store.get('LoadBalancer', request.LoadBalancerArn);
    if (!lb) return;
    const listeners = await this.listenersOf(request.LoadBalancerArn);
    await this.o.store.commit([
      ...listeners.map((l) => ({ op: 'delete' as const, kind: 'Listener' as const, key: l.ListenerArn })),
      { op: 'delete' as const, kind: 'LoadBalancer' as const, key: request.LoadBalancerArn },
    ]);
    await Promise.all(listeners.map((l) => this.o.runtime.remove(l.ListenerArn)));
  }

  /**
   * CreateListener: starts forwarding on 127.0.0.1:Port before it answers (a port that will not
   * bind is InvalidConfigurationRequest, and no listener is kept). Idempotent for the same settings.
   */
  async createListener(request: CreateListenerRequest): Promise<{ Listeners: ListenerRecord[] }> {
    checkElbRequest('createListener', request);
    const lb = await this.requireLoadBalancer(request.LoadBalancerArn);
    const protocol = this.protocolFor(lb, request.Protocol ?? (lb.Type === 'application' ? 'HTTP' : 'TCP'));
    if (request.Port === undefined)
      throw new ElbApiError('ValidationError', `Port: a listener on a ${lb.Type} load balancer needs a port`);
    const action = await this.forwardAction(request.DefaultActions, protocol);
    const siblings = await this.listenersOf(lb.LoadBalancerArn);
    const same = siblings.find((l) => l.Port === request.Port);
    if (same) {
      if (same.Protocol === protocol && forwardTargetOf(same) === action.TargetGroupArn)
        return { Listeners: [same] };
      throw new ElbApiError(
        'DuplicateListenerException',
        'A listener already exists on this port for this load balancer',
      );
    }
    await this.requirePortFree(request.Port, undefined);
    const listener: ListenerRecord = {
      ListenerArn: listenerArn(lb.LoadBalancerArn, randomBytes(8).toString('hex')),
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: request.Port,
      Protocol: protocol,
      DefaultActions: [action],
    };
    const created = (await this.o.store.create('Listener', listener)).object;
    await this.bind(created, async () => {
      await this.o.store.delete('Listener', created.ListenerArn);
      await this.o.runtime.remove(created.ListenerArn);
    });
    return { Listeners: [created] };
  }

  /** DescribeListeners: a load balancer's (sorted by port) or the ones named (each must exist). */
  async describeListeners(request: {
    readonly LoadBalancerArn?: string;
    readonly ListenerArns?: readonly string[];
  }): Promise<{ Listeners: ListenerRecord[] }> {
    checkElbRequest('describeListeners', request);
    if (request.LoadBalancerArn === undefined && request.ListenerArns === undefined)
      throw new ElbApiError(
        'ValidationError',
        'You must specify either listener ARNs or a load balancer ARN',
      );
    if (request.LoadBalancerArn !== undefined && request.ListenerArns !== undefined)
      throw new ElbApiError(
        'ValidationError',
        'Listener ARNs and a load balancer ARN cannot be specified at the same time',
      );
    if (request.ListenerArns) {
      const out: ListenerRecord[] = [];
      for (const arn of request.ListenerArns) out.push(await this.requireListener(arn));
      return { Listeners: out };
    }
    const lb = await this.requireLoadBalancer(request.LoadBalancerArn!);
    const listeners = await this.listenersOf(lb.LoadBalancerArn);
    return { Listeners: listeners.sort((a, b) => a.Port - b.Port) };
  }

  /** ModifyListener: port, protocol and default action; the balancer reopens before it answers. */
  async modifyListener(request: ModifyListenerRequest): Promise<{ Listeners: ListenerRecord[] }> {
    checkElbRequest('modifyListener', request);
    const current = await this.requireListener(request.ListenerArn);
    const lb = await this.requireLoadBalancer(current.LoadBalancerArn);
    const protocol = this.protocolFor(lb, request.Protocol ?? current.Protocol);
    const action = await this.forwardAction(request.DefaultActions ?? current.DefaultActions, protocol);
    const port = request.Port ?? current.Port;
    if (port !== current.Port) {
      if ((await this.listenersOf(lb.LoadBalancerArn)).some((l) => l.Port === port))
        throw new ElbApiError(
          'DuplicateListenerException',
          'A listener already exists on this port for this load balancer',
        );
      await this.requirePortFree(port, current.ListenerArn);
    }
    const next: ListenerRecord = { ...current, Port: port, Protocol: protocol, DefaultActions: [action] };
    const saved = (await this.o.store.update('Listener', current.ListenerArn, next)).object;
    await this.bind(saved, async () => {
      await this.o.store.update('Listener', current.ListenerArn, current);
      await this.o.runtime.apply(current).catch(() => undefined);
    });
    return { Listeners: [saved] };
  }

  /** DeleteListener: stops forwarding before it answers. */
  async deleteListener(request: { readonly ListenerArn: string }): Promise<void> {
    checkElbRequest('deleteListener', request);
    const listener = await this.requireListener(request.ListenerArn);
    await this.o.store.delete('Listener', listener.ListenerArn);
    await this.o.runtime.remove(listener.ListenerArn);
  }

  /** The load balancers whose listeners forward to a target group (DescribeTargetGroups' LoadBalancerArns). */
  loadBalancersOf(targetGroupArn: string): string[] {
    const out = new Set<string>();
    for (const e of this.o.listeners.values())
      if (forwardTargetOf(e.object) === targetGroupArn) out.add(e.object.LoadBalancerArn);
    return [...out].sort();
  }

  /** A listener that forwards to the group, if any (DeleteTargetGroup refuses then). */
  listenerUsing(targetGroupArn: string): string | undefined {
    for (const e of this.o.listeners.values())
      if (forwardTargetOf(e.object) === targetGroupArn) return e.object.ListenerArn;
    return undefined;
  }

  /** Opens the listener's balancer; if it cannot bind, `undo` runs and the caller gets ELB's error. */
  private async bind(listener: ListenerRecord, undo: () => Promise<void>): Promise<void> {
    try {
      await this.o.runtime.apply(listener);
    } catch (error) {
      await undo();
      const code = (error as { code?: string }).code ?? String(error);
      throw new ElbApiError(
        'InvalidConfigurationRequestException',
        `Port ${listener.Port} on ${listenerHost} cannot be listened on (${code})`,
      );
    }
  }

  private protocolFor(lb: LoadBalancerRecord, protocol: string): ListenerProtocol {
    if (!protocolsOf[lb.Type].includes(protocol))
      throw new ElbApiError(
        'ValidationError',
        `Protocol: a listener on a ${lb.Type} load balancer uses one of '${protocolsOf[lb.Type].join(', ')}' (got '${protocol}')`,
      );
    if (protocol !== 'HTTP' && protocol !== 'TCP')
      throw new ElbApiError(
        'UnsupportedProtocolException',
        `Protocol '${protocol}' is not supported: Baton's listeners speak HTTP and TCP`,
      );
    return protocol;
  }

  /** The one forward action Baton's balancer carries out, its group checked against the protocol. */
  private async forwardAction(
    actions: readonly ActionRequest[],
    protocol: ListenerProtocol,
  ): Promise<ForwardAction> {
    if (actions.length !== 1)
      throw new ElbApiError(
        'InvalidConfigurationRequestException',
        `DefaultActions: Baton's listeners take exactly one forward action (got ${actions.length})`,
      );
    const action = actions[0]!;
    if (action.Type !== 'forward')
      throw new ElbApiError(
        'InvalidLoadBalancerActionException',
        `DefaultActions[0].Type: Baton's listeners only forward (got '${action.Type}')`,
      );
    const groups = action.ForwardConfig?.TargetGroups ?? [];
    if (groups.length > 1)
      throw new ElbApiError(
        'InvalidConfigurationRequestException',
        "DefaultActions[0].ForwardConfig.TargetGroups: Baton's listeners forward to one target group",
      );
    const ref = action.TargetGroupArn ?? groups[0]?.TargetGroupArn;
    if (ref === undefined)
      throw new ElbApiError('ValidationError', 'DefaultActions[0]: a forward action needs a TargetGroupArn');
    if (groups[0]?.TargetGroupArn !== undefined && groups[0].TargetGroupArn !== ref)
      throw new ElbApiError(
        'ValidationError',
        'DefaultActions[0]: TargetGroupArn and ForwardConfig name different target groups',
      );
    const tg = await this.o.targetGroup(ref);
    if (tg.Protocol !== protocol)
      throw new ElbApiError(
        'IncompatibleProtocolsException',
        `The target group '${tg.TargetGroupName}' uses ${tg.Protocol}, which a ${protocol} listener cannot forward to`,
      );
    return {
      Type: 'forward',
      TargetGroupArn: tg.TargetGroupArn!,
      ...(action.Order !== undefined ? { Order: action.Order } : {}),
    };
  }

  /** Every Baton listener binds 127.0.0.1: a port another load balancer's listener holds is taken. */
  private async requirePortFree(port: number, except: string | undefined): Promise<void> {
    const { items } = await this.o.store.list('Listener');
    const holder = items.find((e) => e.object.Port === port && e.object.ListenerArn !== except)?.object;
    if (holder)
      throw new ElbApiError(
        'InvalidConfigurationRequestException',
        `Port ${port} on ${listenerHost} is taken by listener '${holder.ListenerArn}'`,
      );
  }

  private async listenersOf(lbArn: string): Promise<ListenerRecord[]> {
    const { items } = await this.o.store.list('Listener', { index: 'byLoadBalancer', value: lbArn });
    return items.map((e) => e.object);
  }

  private async byName(name: string): Promise<LoadBalancerRecord | undefined> {
    for (const e of this.o.loadBalancers.values()) if (e.object.LoadBalancerName === name) return e.object;
    const { items } = await this.o.store.list('LoadBalancer', { index: 'byName', value: name });
    return items[0]?.object;
  }

  private async requireLoadBalancer(arn: string): Promise<LoadBalancerRecord> {
    const found =
      this.o.loadBalancers.get(arn)?.object ?? (await this.o.store.get('LoadBalancer', arn))?.object;
    if (!found) throw new ElbApiError('LoadBalancerNotFoundException', `Load balancer '${arn}' not found`);
    return found;
  }

  private async requireListener(arn: string): Promise<ListenerRecord> {
    const found = this.o.listeners.get(arn)?.object ?? (await this.o.store.get('Listener', arn))?.object;
    if (!found) throw new ElbApiError('ListenerNotFoundException', `Listener '${arn}' not found`);
    return found;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
