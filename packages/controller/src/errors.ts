import type { ValidationError, ValidationIssue } from '@baton/model';

/** ECS's exception names, so callers handle Baton's errors the way they handle ECS's. */
export type EcsErrorCode =
  | 'InvalidParameterException'
  | 'ClientException'
  | 'ClusterNotFoundException'
  | 'ServiceNotFoundException'
  | 'ServiceNotActiveException'
  | 'TaskDefinitionNotFoundException'
  | 'ResourceNotFoundException'
  | 'ResourceInUseException';

/** An error of Baton's ECS-style API: `code` is ECS's exception name; `issues` name fields for validation errors. */
export class BatonApiError extends Error {
  override readonly name = 'BatonApiError';
  constructor(
    readonly code: EcsErrorCode,
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }

  static invalid(error: ValidationError): BatonApiError {
    return new BatonApiError('InvalidParameterException', error.message, error.issues, { cause: error });
  }
}
