/**
 * A failed engine call. `statusCode` is the engine's HTTP answer (404 no such container, 409 conflict,
 * 500 the engine refused…); undefined when the engine could not be reached at all (refused
 * connection, timeout). Only answers fail a task: an unreachable engine is retried once it is back.
 */
export class EngineError extends Error {
  override readonly name: string = 'EngineError';
  /** The engine's HTTP status, or undefined when it did not answer. */
  readonly statusCode: number | undefined;
  /** Which call failed (`create`, `start`, `pull`…). */
  readonly operation: string;
  /** The engine (its canonical endpoint), when known. */
  readonly endpoint: string | undefined;

  constructor(
    message: string,
    options: {
      readonly operation: string;
      readonly statusCode?: number | undefined;
      readonly endpoint?: string | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = options.operation;
    this.statusCode = options.statusCode;
    this.endpoint = options.endpoint;
  }

  /** Whether this is the engine's answer (a status) rather than a failure to reach it. */
  get isVerdict(): boolean {
    return this.statusCode !== undefined;
  }

  /** `err` as an EngineError: kept as it is when it already is one, else wrapped with its status and message. */
  static from(err: unknown, operation: string, endpoint?: string): EngineError {
    if (err instanceof EngineError) return err;
    const security = securityFailure(err);
    if (security)
      return new EngineSecurityError(`${security.explanation} (${engineMessage(err)})`, {
        reason: security.reason,
        operation,
        endpoint,
        cause: err,
      });
    return new EngineError(engineMessage(err), {
      operation,
      statusCode: engineStatus(err),
      endpoint,
      cause: err,
    });
  }
}

/** The engine's HTTP status of an error (an EngineError's, or dockerode's `statusCode`); undefined when it did not answer. */
export function engineStatus(err: unknown): number | undefined {
  if (err instanceof EngineError) return err.statusCode;
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own message, without dockerode's "(HTTP code …) … -" prefix. */
export function engineMessage(err: unknown): string {
  if (err instanceof EngineError) return err.message;
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Why a secure connection to an engine failed. The first five are about the engine's certificate as
 * Baton checked it (`unknown-ca`: not signed by the CA Baton was given); `certificate-rejected` is the
 * engine refusing Baton's own client certificate (missing, expired, or signed by a CA it does not
 * trust: a TLS server only says which alert it sent); the `ssh-*` ones are SSH's equivalents;
 * `insecure-endpoint` is Baton refusing a plain-TCP engine beyond the loopback interface.
 */
export type EngineSecurityReason =
  | 'unknown-ca'
  | 'name-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'certificate-invalid'
  | 'certificate-rejected'
  | 'ssh-host-key'
  | 'ssh-authentication'
  | 'insecure-endpoint';

/**
 * A connection refused for a security reason. Unlike an unreachable engine, waiting does not fix it
 * (someone has to change a certificate, a key or the configuration), so an agent reports every
 * failed attempt rather than retrying quietly.
 */
export class EngineSecurityError extends EngineError {
  override readonly name: string = 'EngineSecurityError';
  readonly reason: EngineSecurityReason;

  constructor(
    message: string,
    options: {
      readonly reason: EngineSecurityReason;
      readonly operation: string;
      readonly endpoint?: string | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(message, options);
    this.reason = options.reason;
  }
}

// Node's (OpenSSL's) verification codes for the engine's certificate.
const serverCertificateCodes: Readonly<Record<string, [EngineSecurityReason, string]>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['unknown-ca', "the engine's certificate is not signed by a trusted CA"],
  UNABLE_TO_GET_ISSUER_CERT: ['unknown-ca', "the engine's certificate is not signed by a trusted CA"],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['unknown-ca', "the engine's certificate is not signed by a trusted CA"],
  SELF_SIGNED_CERT_IN_CHAIN: ['unknown-ca', "the engine's certificate chain ends in an untrusted CA"],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['unknown-ca', "the engine's certificate is self-signed and not trusted"],
  CERT_SIGNATURE_FAILURE: ['unknown-ca', "the engine's certificate signature does not verify"],
  ERR_TLS_CERT_ALTNAME_INVALID: ['name-mismatch', "the engine's certificate is for another name"],
  CERT_HAS_EXPIRED: ['expired', "the engine's certificate has expired"],
  CERT_NOT_YET_VALID: ['not-yet-valid', "the engine's certificate is not valid yet"],
  CERT_REVOKED: ['certificate-invalid', "the engine's certificate is revoked"],
  INVALID_CA: ['certificate-invalid', "the engine's CA certificate is not a valid CA"],
  INVALID_PURPOSE: ['certificate-invalid', "the engine's certificate is not for TLS servers"],
};

/** A security failure's reason and explanation, or undefined when `err` is something else. */
function securityFailure(err: unknown): { reason: EngineSecurityReason; explanation: string } | undefined {
  const e = err as { code?: unknown; level?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const known = serverCertificateCodes[code];
  if (known) return { reason: known[0], explanation: `TLS: ${known[1]}` };
  // The engine sent an alert about Baton's certificate (missing, expired, unknown CA on its side).
  if (/^ERR_SSL_(TLSV1\d?|SSLV3)_ALERT_/.test(code))
    return {
      reason: 'certificate-rejected',
      explanation:
        "TLS: the engine refused Baton's client certificate (missing, expired or not signed by its CA)",
    };
  const message = typeof e?.message === 'string' ? e.message : '';
  if (message.startsWith('Host denied (verification failed)'))
    return { reason: 'ssh-host-key', explanation: "SSH: the host's key is not the one in known_hosts" };
  if (e?.level === 'client-authentication')
    return { reason: 'ssh-authentication', explanation: 'SSH: the host refused the key' };
  return undefined;
}
