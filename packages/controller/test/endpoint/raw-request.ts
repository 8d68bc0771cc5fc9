import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AccessKey } from '../../src/index.js';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: () => Record<string, unknown>;
}

/**
 * A request signed by hand (AWS's signer, but with a chosen key, date, form or body), for what an
 * SDK will not send: expired and future signatures, tampered bodies, presigned URLs.
 */
export async function signedCall(
  url: string,
  options: {
    readonly key: AccessKey;
    readonly service?: string;
    readonly target?: string;
    readonly body?: string;
    readonly contentType?: string;
    readonly date?: Date;
    readonly presign?: { readonly expiresIn: number };
    /** Changes the body after signing. */
    readonly tamper?: (body: string) => string;
    readonly method?: string;
  },
): Promise<RawAnswer> {
  const u = new URL(url);
  const body = options.body ?? '{}';
  const headers: Record<string, string> = {
    host: u.host,
    'content-type': options.contentType ?? 'application/x-amz-json-1.1',
    ...(options.target ? { 'x-amz-target': options.target } : {}),
  };
  const signer = new SignatureV4({
    credentials: options.key,
    region: 'us-east-1',
    service: options.service ?? 'ecs',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: options.method ?? 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: '/',
    headers,
    body,
  });
  const signed = options.presign
    ? await signer.presign(request, {
        signingDate: options.date ?? new Date(),
        expiresIn: options.presign.expiresIn,
        unhoistableHeaders: new Set(['x-amz-target']),
      })
    : await signer.sign(request, { signingDate: options.date ?? new Date() });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) if (typeof v === 'string') query.set(k, v);
  const target = `${url}/${query.size > 0 ? `?${query}` : ''}`;
  const sentHeaders = { ...signed.headers };
  delete sentHeaders.host;
  const response = await fetch(target, {
    method: signed.method,
    headers: sentHeaders,
    body: options.tamper ? options.tamper(body) : body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}
