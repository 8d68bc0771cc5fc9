import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { isLoopback } from './serve-config.js';
import { UsageError } from './usage-error.js';

/**
 * The client verbs' connection to a Baton endpoint: AWS's JSON protocol (ECS, CloudWatch Logs,
 * Application Auto Scaling) and ELBv2's query protocol, signed with SigV4.
 *
 * Why not the @aws-sdk/client-* packages: they would be four runtime dependencies of the main
 * package (tens of MB) for a dozen calls. Signing uses @smithy/signature-v4, which the endpoint
 * already uses to check signatures; credentials come from the AWS SDK's own providers (environment
 * variables, then the shared config and credentials files with profiles, SSO and assume-role).
 */
export interface Client {
  readonly endpoint: string;
  readonly region: string;
  /** One JSON-protocol call; resolves with the output object, rejects with an ApiError. */
  call(service: JsonService, operation: string, input: object): Promise<Record<string, unknown>>;
  /** One ELBv2 (query protocol) call; resolves with the `<Operation>Result` element as an object. */
  query(operation: string, params: Readonly<Record<string, string>>): Promise<Record<string, unknown>>;
  /**
   * A signed GET of one of `baton serve`'s own routes (scope `ecs`, like the API); resolves with its
   * lines as they arrive, rejects with an ApiError when it answers an error.
   */
  getLines(
    path: string,
    query: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<AsyncIterable<string>>;
}

export type JsonService = 'ecs' | 'logs' | 'autoscaling';

const JSON_SERVICES: Record<JsonService, { target: string; signingName: string }> = {
  ecs: { target: 'AmazonEC2ContainerServiceV20141113', signingName: 'ecs' },
  logs: { target: 'Logs_20140328', signingName: 'logs' },
  autoscaling: { target: 'AnyScaleFrontendService', signingName: 'application-autoscaling' },
};

/** An error the endpoint answered with: its code (`ServiceNotFoundException`) and its message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly env: NodeJS.ProcessEnv;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The endpoint: --endpoint, else BATON_ENDPOINT, else `baton serve`'s default address. */
export function resolveEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const endpoint = (flag ?? env.BATON_ENDPOINT ?? 'http://127.0.0.1:4566').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint: "${endpoint}" is not a URL (e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--endpoint: "${endpoint}" must be an http:// or https:// URL`);
  return endpoint;
}

export async function createClient(options: ClientOptions): Promise<Client> {
  const endpoint = resolveEndpoint(options.endpoint, options.env);
  const profile = options.profile ?? options.env.AWS_PROFILE;
  const region = options.region ?? (await regionOf(options.env, profile)) ?? 'us-east-1';
  const credentials = await credentialsFor(endpoint, profile, options.env);
  const url = new URL(`${endpoint}/`);

  const send = async (
    signingName: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; text: string; headers: Headers }> => {
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: { host: url.host, ...headers },
      body,
    });
    const signer = new SignatureV4({ credentials, region, service: signingName, sha256: Sha256 });
    const signed = await signer.sign(request);
    const { host: _host, ...sent } = signed.headers;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: sent, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiError(
        'ConnectionError',
        `cannot reach ${endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is \`baton serve\` running? set --endpoint or BATON_ENDPOINT)`,
        0,
      );
    }
    return { status: response.status, text: await response.text(), headers: response.headers };
  };

  return {
    endpoint,
    region,
    async getLines(path, query, signal) {
      const request = new HttpRequest({
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path,
        query: { ...query },
        headers: { host: url.host },
      });
      const signer = new SignatureV4({ credentials, region, service: 'ecs', sha256: Sha256 });
      const signed = await signer.sign(request);
      const { host: _host, ...sent } = signed.headers;
      const target = new URL(path, url);
      for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
      let response: Response;
      try {
        response = await fetch(target, { headers: sent, ...(signal ? { signal } : {}) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new ApiError(
          'ConnectionError',
          `cannot reach ${endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
          0,
        );
      }
      if (!response.ok || !response.body) {
        const text = await response.text();
        let parsed: { __type?: string; message?: string } = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {}
        throw new ApiError(
          parsed.__type ?? `HTTP ${response.status}`,
          parsed.message ?? text.slice(0, 200),
          response.status,
        );
      }
      const body = response.body;
      return (async function* lines() {
        const decoder = new TextDecoder();
        let rest = '';
        for await (const chunk of body) {
          rest += decoder.decode(chunk as Uint8Array, { stream: true });
          let i = rest.indexOf('\n');
          while (i >= 0) {
            yield rest.slice(0, i);
            rest = rest.slice(i + 1);
            i = rest.indexOf('\n');
          }
        }
        if (rest) yield rest;
      })();
    },
    async call(service, operation, input) {
      const s = JSON_SERVICES[service];
      const r = await send(
        s.signingName,
        {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `${s.target}.${operation}`,
        },
        JSON.stringify(input),
      );
      let parsed: Record<string, unknown> = {};
      try {
        parsed = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : {};
      } catch {
        throw new ApiError(
          'InvalidResponse',
          `${operation}: HTTP ${r.status}, not JSON: ${r.text.slice(0, 200)}`,
          r.status,
        );
      }
      if (r.status >= 300) {
        const type = String(parsed.__type ?? r.headers.get('x-amzn-errortype') ?? `HTTP ${r.status}`);
        const message = String(parsed.message ?? parsed.Message ?? '');
        throw new ApiError(type.slice(type.lastIndexOf('#') + 1), message, r.status);
      }
      return parsed;
    },
    async query(operation, params) {
      const body = new URLSearchParams({ Action: operation, Version: '2015-12-01', ...params }).toString();
      const r = await send(
        'elasticloadbalancing',
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      );
      const { XMLParser } = await import('fast-xml-parser');
      const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false }).parse(r.text) as Record<
        string,
        Record<string, unknown>
      >;
      if (r.status >= 300) {
        const error = (xml.ErrorResponse?.Error ?? {}) as Record<string, unknown>;
        throw new ApiError(String(error.Code ?? `HTTP ${r.status}`), String(error.Message ?? ''), r.status);
      }
      const result = xml[`${operation}Response`]?.[`${operation}Result`];
      return (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
    },
  };
}

/** The region: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region` in the shared config file. */
async function regionOf(env: NodeJS.ProcessEnv, profile: string | undefined): Promise<string | undefined> {
  const fromEnv = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');
  const files = await loadSharedConfigFiles().catch(() => undefined);
  return files?.configFile?.[profile ?? 'default']?.region;
}

/**
 * The SDK's providers in its own order for a command-line tool: environment variables, then the
 * shared files. With none found and a loopback endpoint, a placeholder key: `baton serve` without
 * credentials accepts any key on loopback, and one with credentials answers that this key is unknown.
 */
async function credentialsFor(
  endpoint: string,
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Credentials> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const { fromEnv } = await import('@aws-sdk/credential-provider-env');
    return fromEnv()();
  }
  const { fromIni } = await import('@aws-sdk/credential-provider-ini');
  try {
    return await fromIni(profile ? { profile } : {})();
  } catch (error) {
    if (profile || !isLoopback(new URL(endpoint).hostname.replace(/^\[|\]$/g, '')))
      throw new UsageError(
        `no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (${(error as Error).message})`,
      );
    return { accessKeyId: 'BATONLOCAL', secretAccessKey: 'baton-local' };
  }
}
