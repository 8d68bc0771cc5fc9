/** ELBv2's exception names (the endpoint maps each to its query-protocol code, e.g. ListenerNotFound). */
export type ElbErrorCode =
  | 'ValidationError'
  | 'TargetGroupNotFoundException'
  | 'DuplicateTargetGroupNameException'
  | 'ResourceInUseException'
  | 'LoadBalancerNotFoundException'
  | 'DuplicateLoadBalancerNameException'
  | 'ListenerNotFoundException'
  | 'DuplicateListenerException'
  | 'InvalidConfigurationRequestException'
  | 'IncompatibleProtocolsException'
  | 'UnsupportedProtocolException'
  | 'InvalidLoadBalancerActionException'
  | 'InvalidTargetException'
  | 'TooManyTargetsException';

export class ElbApiError extends Error {
  override readonly name = 'ElbApiError';
  constructor(
    readonly code: ElbErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
