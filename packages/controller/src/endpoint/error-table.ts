import { ValidationError } from '@baton-ecs/model';
import {
  ConflictError,
  StoreClosedError,
  StoreError,
  StoreUnavailableError,
  TransactionConflictError,
  UnencodableRecordError,
} from '@baton-ecs/store';
import { BatonApiError } from '../errors.js';
import { ElbApiError } from '../target-groups/api.js';
import { elbv2Model } from './service-model.js';
import { WireError } from './wire-error.js';

/** The AWS services the endpoint speaks. */
export type WireService = 'ecs' | 'elbv2' | 'application-autoscaling' | 'logs';

interface ServiceErrors {
  /** What the service calls a request that fails validation. */
  readonly invalid: string;
  /** What it calls "that resource does not exist" when Baton says so generically. */
  readonly notFound: string;
  /** What it calls "try again" (a lost compare-and-set, a store that is failing over), 500/503. */
  readonly server: string;
  /** Baton's ECS-named codes (BatonApiError) that the service names otherwise. */
  readonly rename: Readonly<Record<string, string>>;
}

/**
 * The one table from Baton's typed errors to AWS's exception names and HTTP statuses, per
 * service. Baton's ECS API already throws ECS's names; the other services rename them here.
 */
const table: Readonly<Record<WireService, ServiceErrors>> = {
  ecs: {
    invalid: 'InvalidParameterException',
    notFound: 'ClientException',
    server: 'ServerException',
    rename: {},
  },
  elbv2: {
    invalid: 'ValidationError',
    notFound: 'TargetGroupNotFound',
    server: 'InternalFailure',
    rename: { InvalidParameterException: 'ValidationError', ClientException: 'ValidationError' },
  },
  'application-autoscaling': {
    invalid: 'ValidationException',
    notFound: 'ObjectNotFoundException',
    server: 'InternalServiceException',
    rename: {
      InvalidParameterException: 'ValidationException',
      ClientException: 'ValidationException',
      ResourceNotFoundException: 'ObjectNotFoundException',
      ServiceNotFoundException: 'ObjectNotFoundException',
      ClusterNotFoundException: 'ObjectNotFoundException',
    },
  },
  logs: {
    invalid: 'InvalidParameterException',
    notFound: 'ResourceNotFoundException',
    server: 'ServiceUnavailableException',
    rename: { ClientException: 'InvalidParameterException' },
  },
};

/** The wire error for anything a Baton method threw; `undefined` for an unexpected error (answer 500, log it). */
export function toWireError(service: WireService, error: unknown): WireError | undefined {
  const t = table[service];
  if (error instanceof WireError) return error;
  if (error instanceof BatonApiError) {
    const code = t.rename[error.code] ?? error.code;
    return new WireError(code, 400, stripCode(error.message, error.code));
  }
  if (error instanceof ElbApiError) {
    // The query protocol's <Code> is the shape's error code (TargetGroupNotFoundException → TargetGroupNotFound).
    const e = elbv2Model.shapes[error.code]?.error;
    return new WireError(
      e?.code ?? error.code,
      e?.httpStatusCode ?? 400,
      stripCode(error.message, error.code),
    );
  }
  if (error instanceof ValidationError) return new WireError(t.invalid, 400, error.message);
  if (error instanceof ConflictError || error instanceof TransactionConflictError)
    return new WireError(t.server, 500, 'A concurrent change won; retry the request.');
  if (error instanceof StoreClosedError)
    return new WireError(t.server, 503, 'Baton is shutting down or failing over; retry the request.');
  if (error instanceof StoreUnavailableError) return new WireError(t.server, 503, error.message);
  if (error instanceof UnencodableRecordError) return new WireError(t.invalid, 400, error.message);
  if (error instanceof StoreError) return new WireError(t.server, 500, error.message);
  return undefined;
}

/** The server error a service answers for a failure the caller cannot act on. */
export function internalError(service: WireService): WireError {
  return new WireError(table[service].server, 500, 'An internal error occurred.', false);
}

export function invalidParameter(service: WireService, message: string): WireError {
  return new WireError(table[service].invalid, 400, message);
}

function stripCode(message: string, code: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}
