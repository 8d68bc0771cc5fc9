// The embedded load balancer (a listener per target group: HTTP reverse proxy or TCP) and the nginx
// adapter (an upstream block rendered from the healthy targets, reloaded when they change).
export { createListener, type Listener, type ListenerOptions } from './listener.js';
export { NginxAdapter, type NginxAdapterOptions } from './nginx/adapter.js';
export { NginxProcess, type NginxProcessOptions } from './nginx/process.js';
export {
  type NginxConfOptions,
  renderNginxConf,
  renderUpstream,
  type UpstreamOptions,
  upstreamName,
} from './nginx/render.js';
export { type BalancerTarget, type PoolEntry, TargetPool } from './pool.js';
export { failsOpen, routingTargets } from './routing.js';
export { type SlowStart, slowStartWeight, weightedPick } from './slow-start.js';
export type { ListenerStats } from './stats.js';
