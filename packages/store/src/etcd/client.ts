import { createRequire } from 'node:module';
import type { Etcd3, IOptions } from 'etcd3';

// etcd's client (gRPC, protobufjs) is loaded on first use, not when the store package is imported:
// most users never run on etcd, and loading it costs about half a second at startup.
const requireCjs = createRequire(import.meta.url);
let etcd3: typeof import('etcd3') | undefined;

function loadEtcd3(): typeof import('etcd3') {
  if (etcd3) return etcd3;
  // etcd lease IDs are 64-bit. protobufjs keeps them exact only with long.js, which it looks up with
  // require('long'); where that resolves to long's ES module (bundlers, test runners resolving the
  // "import" condition) it silently falls back to doubles, and a lease ID comes back rounded — etcd
  // then answers "requested lease not found". Hand it long.js explicitly.
  const protobuf = requireCjs('protobufjs') as typeof import('protobufjs');
  if (!(protobuf.util.Long as { isLong?: unknown } | null)?.isLong) {
    // Test runners that resolve the "import" condition hand back long's ES module through require.
    const long = requireCjs('long') as { default?: unknown };
    protobuf.util.Long = (long.default ?? long) as typeof protobuf.util.Long;
    protobuf.configure();
  }
  etcd3 = requireCjs('etcd3') as typeof import('etcd3');
  return etcd3;
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * Runs each call once. The client's default policy retries failed calls, and a retried
 * transaction whose first attempt did land would be applied twice or reported as a conflict with
 * itself; the store decides itself what is safe to retry. It also replaces the default circuit
 * breaker, which would fail every call for 5 s after etcd comes back.
 */
const once = {
  execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as Policy;

export interface ClientOptions {
  readonly endpoints: readonly string[];
  /** Deadline of one unary call (reads, transactions, lease calls). */
  readonly requestTimeoutMs: number;
  readonly dialTimeoutMs: number;
  readonly auth?: { readonly username: string; readonly password: string };
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string };
}

export function createClient(o: ClientOptions): Etcd3 {
  const { Etcd3 } = loadEtcd3();
  return new Etcd3({
    hosts: [...o.endpoints],
    dialTimeout: o.dialTimeoutMs,
    ...(o.auth ? { auth: { username: o.auth.username, password: o.auth.password } } : {}),
    ...(o.tls
      ? {
          credentials: {
            rootCertificate: Buffer.from(o.tls.ca),
            ...(o.tls.cert ? { certChain: Buffer.from(o.tls.cert) } : {}),
            ...(o.tls.key ? { privateKey: Buffer.from(o.tls.key) } : {}),
          },
        }
      : {}),
    faultHandling: { global: once, host: () => once },
    // Streams (watch, lease keep-alive) live as long as they are needed; unary calls get a deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + o.requestTimeoutMs }),
    grpcOptions: {
      // A watch response carries whole commits; a large commit must fit in one message.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      // Reconnect promptly after etcd restarts instead of backing off for up to two minutes.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
    },
  });
}
