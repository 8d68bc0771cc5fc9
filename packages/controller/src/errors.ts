import { formatIssue, type ValidationError, type ValidationIssue } from '@baton-ecs/model';

/** ECS's exception names, so callers handle Baton's errors the way they handle ECS's. */
export type EcsErrorCode =
  | 'InvalidParameterException'
  | 'LimitExceededException'
  | 'ClientException'
  | 'ClusterNotFoundException'
  | 'ClusterContainsContainerInstancesException'
  | 'ClusterContainsServicesException'
  | 'ClusterContainsTasksException'
  | 'ServiceNotFoundException'
  | 'ServiceNotActiveException'
  | 'TaskDefinitionNotFoundException'
  | 'ResourceNotFoundException'
  | 'ResourceInUseException'
  | 'ServerException'
  // The local parameter and secrets stores answer with SSM's and Secrets Manager's names.
  | 'ParameterNotFound'
  | 'ParameterAlreadyExists'
  | 'ResourceExistsException'
  | 'InvalidRequestException'
  | 'DecryptionFailure'

  /** CloudWatch Logs (baton.logs). */
  | 'ResourceAlreadyExistsException'
  /** Application Auto Scaling (baton.autoScaling). */
  | 'ValidationException'
  | 'ObjectNotFoundException';

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

  /** A validation failure: LimitExceededException when an ECS quota is exceeded, else InvalidParameterException. */
  static invalid(error: ValidationError): BatonApiError {
    return new BatonApiError(codeOf(error.issues), error.message, error.issues, { cause: error });
  }

  /** Issues of a request (`what`: `runTask request`), every field at fault named in the message. */
  static fromIssues(what: string, issues: readonly ValidationIssue[]): BatonApiError {
    return new BatonApiError(
      codeOf(issues),
      `invalid ${what}: ${issues.map(formatIssue).join('; ')}`,
      issues,
    );
  }
}

function codeOf(issues: readonly ValidationIssue[]): EcsErrorCode {
  return issues.some((i) => i.rule === 'quota') ? 'LimitExceededException' : 'InvalidParameterException';
}
