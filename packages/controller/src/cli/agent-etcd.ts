import { readFileSync } from 'node:fs';
import type { EtcdStoreOptions } from '@baton-ecs/store';
import { UsageError } from './usage-error.js';

/** Flags that say how to reach etcd, shared by `baton agent` and `baton serve`. */
export const etcdFlags = {
  etcd: { type: 'string' },
  'etcd-ca': { type: 'string' },
  'etcd-cert': { type: 'string' },
  'etcd-key': { type: 'string' },
  'etcd-user': { type: 'string' },
} as const;

export const etcdUsage = `  --etcd <endpoints>     comma-separated etcd URLs (https:// with the flags below)
  --etcd-ca <file>       CA of etcd's certificate …
  --etcd-cert <file>     … this process's client certificate (etcd's --client-cert-auth) …
  --etcd-key <file>      … and its key
  --etcd-user <name>     etcd user (etcd auth); the password comes from BATON_ETCD_PASSWORD`;

export type EtcdConnection = Pick<EtcdStoreOptions<never>, 'tls' | 'auth'> & { readonly endpoints: string[] };

type EtcdFlagValues = {
  readonly etcd?: string | undefined;
  readonly 'etcd-ca'?: string | undefined;
  readonly 'etcd-cert'?: string | undefined;
  readonly 'etcd-key'?: string | undefined;
  readonly 'etcd-user'?: string | undefined;
};

/** The etcd connection the flags and BATON_ETCD_PASSWORD describe; undefined without --etcd. */
export function etcdConnection(values: EtcdFlagValues, env: NodeJS.ProcessEnv): EtcdConnection | undefined {
  if (values.etcd === undefined) {
    for (const flag of ['etcd-ca', 'etcd-cert', 'etcd-key', 'etcd-user'] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag}: needs --etcd`);
    return undefined;
  }
  const endpoints = values.etcd.split(',').map((s) => s.trim());
  for (const u of endpoints)
    if (!/^https?:\/\/[^/]+$/.test(u))
      throw new UsageError(`--etcd: "${u}" is not an http(s)://host:port URL`);
  const ca = values['etcd-ca'];
  const cert = values['etcd-cert'];
  const key = values['etcd-key'];
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError(
      cert === undefined ? '--etcd-key: needs --etcd-cert too' : '--etcd-cert: needs --etcd-key too',
    );
  if ((ca || cert) && !endpoints.every((u) => u.startsWith('https://')))
    throw new UsageError('--etcd: TLS flags given, so every endpoint must be https://');
  if (!ca && endpoints.some((u) => u.startsWith('https://')))
    throw new UsageError('--etcd-ca: needed for https:// etcd endpoints');
  const user = values['etcd-user'];
  const password = env.BATON_ETCD_PASSWORD;
  if (user !== undefined && !password) throw new UsageError('--etcd-user: set BATON_ETCD_PASSWORD too');
  return {
    endpoints,
    ...(ca
      ? {
          tls: {
            ca: readPem('--etcd-ca', ca),
            ...(cert && key ? { cert: readPem('--etcd-cert', cert), key: readPem('--etcd-key', key) } : {}),
          },
        }
      : {}),
    ...(user !== undefined && password ? { auth: { username: user, password } } : {}),
  };
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
