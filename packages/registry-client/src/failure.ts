import { type Challenge, chooseChallenge, parseChallenges } from './challenge.js';
import { errorFromResponse, RegistryError } from './errors.js';
import { discard, type HttpResponse, header, readBody } from './http.js';
import { parseRetryAfter } from './retry.js';
import type { Call } from './session.js';

/**
 * The typed error for a response that is not one of the call's successes: the registry's JSON error
 * code (or the closest code for the status), with Retry-After kept for the caller. A 401 whose
 * challenge says `insufficient_scope` is DENIED when credentials were given (they are not enough),
 * UNAUTHORIZED when not (logging in would help).
 */
export async function failureOf(
  call: Call,
  res: HttpResponse,
  lastChallenge: Challenge | undefined,
  anonymous: boolean,
): Promise<RegistryError> {
  let body: Buffer | undefined;
  if (call.method === 'HEAD') discard(res);
  else body = await readBody(res, 64 * 1024, call.what).catch(() => undefined);
  const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'), Date.now());
  const e = errorFromResponse(res.status, body, call.what, {
    registry: call.registry,
    notFound: call.notFound,
    ...(call.repository === undefined ? {} : { repository: call.repository }),
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfter / 1000) }),
  });
  const challenge = chooseChallenge(parseChallenges(res.headers['www-authenticate'])) ?? lastChallenge;
  if (res.status === 401 && challenge?.params.error === 'insufficient_scope' && !anonymous)
    return new RegistryError(
      'DENIED',
      `${call.what}: 401 DENIED: the credentials lack the scope ${call.scopes.join(' ')}`,
      {
        status: 401,
        registry: call.registry,
        ...(call.repository === undefined ? {} : { repository: call.repository }),
        errors: e.errors,
      },
    );
  return e;
}
