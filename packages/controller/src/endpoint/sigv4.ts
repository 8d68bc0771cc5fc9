import { createHash, timingSafeEqual } from 'node:crypto';
import { WireError } from './wire-error.js';

// The SDK's signer is a tree of CommonJS modules: it loads with the first request that needs it, not
// with baton-ecs (an embedding that never serves the API never pays for it).
let signing:
  | Promise<
      [
        typeof import('@aws-crypto/sha256-js'),
        typeof import('@smithy/protocol-http'),
        typeof import('@smithy/signature-v4'),
      ]
    >
  | undefined;
const loadSigning = () =>
  (signing ??= Promise.all([
    import('@aws-crypto/sha256-js'),
    import('@smithy/protocol-http'),
    import('@smithy/signature-v4'),
  ]));

/** One access key the endpoint accepts (an operator's "user"). */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A request as it arrived, for signature checking. */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent, without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** How the protocol in use names the signature failures (JSON services and query services differ). */
export type SignatureErrorStyle = 'json' | 'query';

const SKEW_MS = 15 * 60_000;
const ALGORITHM = 'AWS4-HMAC-SHA256';

const names = {
  json: {
    missing: ['MissingAuthenticationTokenException', 403],
    incomplete: ['IncompleteSignatureException', 400],
    unknownKey: ['UnrecognizedClientException', 400],
    mismatch: ['InvalidSignatureException', 403],
    expired: ['InvalidSignatureException', 403],
  },
  query: {
    missing: ['MissingAuthenticationToken', 403],
    incomplete: ['IncompleteSignature', 400],
    unknownKey: ['InvalidClientTokenId', 403],
    mismatch: ['SignatureDoesNotMatch', 403],
    expired: ['SignatureDoesNotMatch', 403],
  },
} as const satisfies Record<SignatureErrorStyle, Record<string, readonly [string, number]>>;

/**
 * Checks AWS Signature Version 4 on a request — the Authorization header form and the presigned
 * query-string form — by recomputing it with AWS's own signer (@smithy/signature-v4) over the
 * headers the caller signed, for the key the credential names. Answers AWS's errors: a missing or
 * malformed signature, an unknown access key, a signature that does not match, a request outside
 * the 15-minute window (or past a presigned URL's expiry). Secrets never leave this function.
 */
export async function verifySignature(
  request: SignedRequest,
  options: {
    /** The accepted keys; `'any'` checks the form and time window only (the loopback no-credentials mode). */
    readonly keys: ReadonlyMap<string, AccessKey> | 'any';
    readonly service: string;
    readonly now: number;
    readonly style: SignatureErrorStyle;
  },
): Promise<AccessKey> {
  const n = names[options.style];
  const fail = (kind: keyof typeof n, message: string): never => {
    const [code, status] = n[kind];
    throw new WireError(code, status, message);
  };
  const authorization = request.headers.authorization;
  const presigned = first(request.query['X-Amz-Algorithm']) !== undefined;
  if (authorization === undefined && !presigned) return fail('missing', 'Missing Authentication Token');

  let credential: string;
  let signedHeaders: string[];
  let signature: string;
  let longDate: string | undefined;
  let expiresSeconds: number | undefined;
  if (authorization !== undefined) {
    const m = /^AWS4-HMAC-SHA256 (.*)$/.exec(authorization.trim());
    if (!m) return fail('incomplete', `Authorization header requires the ${ALGORITHM} algorithm.`);
    const parts = Object.fromEntries(
      m[1]!.split(',').map((p) => {
        const i = p.indexOf('=');
        return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
      }),
    );
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !parts[k]);
    if (missing.length > 0)
      return fail(
        'incomplete',
        `Authorization header requires ${missing.map((k) => `'${k}'`).join(', ')} parameter. Authorization=${ALGORITHM} ${m[1]!.replace(/Signature=[0-9a-f]*/, 'Signature=…')}`,
      );
    credential = parts.Credential!;
    signedHeaders = parts.SignedHeaders!.split(';');
    signature = parts.Signature!;
    longDate = request.headers['x-amz-date'];
  } else {
    const q = (k: string) => first(request.query[k]);
    if (q('X-Amz-Algorithm') !== ALGORITHM)
      return fail('incomplete', `X-Amz-Algorithm must be ${ALGORITHM}.`);
    const missing = ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date'].filter(
      (k) => !q(k),
    );
    if (missing.length > 0)
      return fail('incomplete', `AWS query-string parameters missing: ${missing.join(', ')}.`);
    credential = q('X-Amz-Credential')!;
    signedHeaders = q('X-Amz-SignedHeaders')!.split(';');
    signature = q('X-Amz-Signature')!;
    longDate = q('X-Amz-Date');
    expiresSeconds = Number(q('X-Amz-Expires') ?? '900');
  }

  const [accessKeyId, shortDate, region, service, terminator] = credential.split('/');
  if (!accessKeyId || !shortDate || !region || !service || terminator !== 'aws4_request')
    return fail('incomplete', `Credential must have the form KeyId/date/region/service/aws4_request.`);
  if (service !== options.service)
    return fail('mismatch', `Credential should be scoped to correct service: '${options.service}'.`);
  const key = options.keys === 'any' ? { accessKeyId, secretAccessKey: '' } : options.keys.get(accessKeyId);
  if (!key) return fail('unknownKey', 'The security token included in the request is invalid.');
  if (!longDate || !/^\d{8}T\d{6}Z$/.test(longDate))
    return fail('incomplete', 'Authorization requires an X-Amz-Date in the form yyyyMMddTHHmmssZ.');
  if (!longDate.startsWith(shortDate))
    return fail(
      'mismatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date.`,
    );
  if (!signedHeaders.includes('host'))
    return fail('mismatch', `'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  const signedAt = Date.parse(
    `${longDate.slice(0, 4)}-${longDate.slice(4, 6)}-${longDate.slice(6, 11)}:${longDate.slice(11, 13)}:${longDate.slice(13, 15)}Z`,
  );
  if (expiresSeconds !== undefined) {
    if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604_800)
      return fail('incomplete', 'X-Amz-Expires must be between 1 and 604800 seconds.');
    if (options.now > signedAt + expiresSeconds * 1000) return fail('expired', 'Request has expired.');
    if (signedAt - options.now > SKEW_MS) return fail('expired', futureMessage(longDate, options.now));
  } else if (options.now - signedAt > SKEW_MS) {
    return fail('expired', skewMessage(longDate, options.now));
  } else if (signedAt - options.now > SKEW_MS) {
    return fail('expired', futureMessage(longDate, options.now));
  }

  // A declared payload hash must be the body's (the signature covers the header, not the body).
  const declared = request.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD') {
    if (declared !== createHash('sha256').update(request.body).digest('hex'))
      return fail('mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }

  const headers: Record<string, string> = {};
  for (const h of signedHeaders) {
    const v = request.headers[h];
    if (v === undefined) return fail('mismatch', `Signed header ${h} is missing from the request.`);
    headers[h] = v;
  }
  if (options.keys === 'any') return key;
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(request.query)) if (k !== 'X-Amz-Signature') query[k] = v as string[];
  const [{ Sha256 }, { HttpRequest }, { SignatureV4 }] = await loadSigning();
  const signer = new SignatureV4({ credentials: key, region, service, sha256: Sha256, applyChecksum: false });
  const toSign = new HttpRequest({
    method: request.method,
    protocol: 'https:',
    hostname: headers.host ?? '',
    path: request.path,
    query,
    headers,
    body: request.body,
  });
  const signable = new Set(signedHeaders);
  const signingDate = new Date(signedAt);
  let expected: string;
  if (expiresSeconds !== undefined) {
    const presigned = await signer.presign(toSign, {
      signingDate,
      expiresIn: expiresSeconds,
      signableHeaders: signable,
      unhoistableHeaders: new Set(signedHeaders.filter((h) => h.startsWith('x-amz-'))),
    });
    expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
  } else {
    const signed = await signer.sign(toSign, { signingDate, signableHeaders: signable });
    expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? '';
  }
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return fail(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  return key;
}

function skewMessage(longDate: string, now: number): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return `Signature expired: ${longDate} is now earlier than ${iso(now - SKEW_MS)} (${iso(now)} - 15 min.)`;
}

function futureMessage(longDate: string, now: number): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return `Signature not yet current: ${longDate} is still later than ${iso(now + SKEW_MS)} (${iso(now)} + 15 min.)`;
}

function first(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}
