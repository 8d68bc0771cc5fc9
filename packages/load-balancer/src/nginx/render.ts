import type { LoadBalancingAlgorithm, UnhealthyStateRouting } from '@baton-ecs/model';
import type { BalancerTarget } from '../pool.js';
import { routingTargets } from '../routing.js';

export interface UpstreamOptions {
  /** least_outstanding_requests renders nginx's `least_conn`. Default round_robin. */
  readonly algorithm?: LoadBalancingAlgorithm;
  /** Idle keep-alive connections each nginx worker keeps to the upstream. Default 32. */
  readonly keepalive?: number;
  /** ELB's unhealthy state routing (default ELB's: fail open when none is healthy); `false` never. */
  readonly unhealthyStateRouting?: UnhealthyStateRouting | false;
}

/** nginx's identifier alphabet for an upstream name. */
export function upstreamName(targetGroupName: string): string {
  return `baton_${targetGroupName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * An nginx `upstream` block over the targets that get new requests: the healthy ones, or every
 * registered one when the group fails open (routingTargets). With none it names one `down` server,
 * so nginx answers 502 rather than refusing the configuration.
 */
export function renderUpstream(
  name: string,
  targets: readonly BalancerTarget[],
  options: UpstreamOptions = {},
): string {
  const healthy = routingTargets(targets, options.unhealthyStateRouting)
    .map((t) => `${t.host}:${t.port}`)
    .sort();
  const lines = [`# Rendered by Baton's nginx adapter; do not edit (it is rewritten when targets change).`];
  lines.push(`upstream ${name} {`);
  if (options.algorithm === 'least_outstanding_requests') lines.push('    least_conn;');
  if (healthy.length === 0) lines.push('    server 127.0.0.1:9 down;');
  for (const address of [...new Set(healthy)]) lines.push(`    server ${address};`);
  lines.push(`    keepalive ${options.keepalive ?? 32};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export interface NginxConfOptions {
  /** The nginx prefix directory: pid, logs and temp files go here. */
  readonly prefix: string;
  readonly listenPort: number;
  /** Default 127.0.0.1. */
  readonly listenHost?: string;
  /** The file the adapter writes; included at http level. */
  readonly upstreamFile: string;
  readonly upstreamName: string;
  /** Default 1. */
  readonly workerProcesses?: number;
}

/**
 * A minimal nginx.conf that proxies everything on one port to the adapter's upstream, with
 * keep-alive to the targets, and nginx's retry of idempotent requests on connection errors.
 */
export function renderNginxConf(o: NginxConfOptions): string {
  const p = o.prefix;
  return `# Rendered by Baton (load-balancer nginx adapter).
worker_processes ${o.workerProcesses ?? 1};
pid ${p}/nginx.pid;
error_log ${p}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path ${p}/tmp/body;
    proxy_temp_path ${p}/tmp/proxy;
    fastcgi_temp_path ${p}/tmp/fastcgi;
    uwsgi_temp_path ${p}/tmp/uwsgi;
    scgi_temp_path ${p}/tmp/scgi;
    keepalive_requests 100000;
    include ${o.upstreamFile};
    server {
        listen ${o.listenHost ?? '127.0.0.1'}:${o.listenPort};
        location / {
            proxy_pass http://${o.upstreamName};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502;
        }
    }
}
`;
}
