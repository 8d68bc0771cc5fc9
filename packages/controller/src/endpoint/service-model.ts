import autoScalingJson from './models/application-autoscaling.json' with { type: 'json' };
import ecsJson from './models/ecs.json' with { type: 'json' };
import elbv2Json from './models/elbv2.json' with { type: 'json' };
import logsJson from './models/logs.json' with { type: 'json' };

/**
 * AWS's service models, cut down by scripts/gen-api-models.mjs from botocore's service-2.json to
 * the operations Baton serves and the shapes they reach: the codecs read requests and write
 * responses by walking these, so names, nesting, lists and timestamps are AWS's, not ours.
 */
export interface ServiceModel {
  readonly source: string;
  readonly metadata: {
    readonly apiVersion: string;
    readonly protocol: string;
    readonly signingName: string;
    readonly targetPrefix?: string;
    readonly xmlNamespace?: string;
  };
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, ShapeModel>>;
}

export interface OperationModel {
  readonly input?: string;
  readonly output?: string;
  readonly resultWrapper?: string;
  readonly errors: readonly string[];
}

export interface MemberRef {
  readonly shape: string;
  readonly locationName?: string;
}

export interface ShapeModel {
  readonly type: string;
  readonly members?: Readonly<Record<string, MemberRef>>;
  readonly required?: readonly string[];
  readonly member?: MemberRef;
  readonly flattened?: boolean;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly timestampFormat?: string;
  readonly error?: {
    readonly code?: string;
    readonly httpStatusCode?: number;
    readonly senderFault?: boolean;
  };
  readonly exception?: boolean;
}

export const ecsModel = ecsJson as ServiceModel;
export const elbv2Model = elbv2Json as ServiceModel;
export const autoScalingModel = autoScalingJson as ServiceModel;
export const logsModel = logsJson as ServiceModel;

export function shapeOf(model: ServiceModel, name: string): ShapeModel {
  const s = model.shapes[name];
  if (!s) throw new Error(`${model.source}: no shape ${name}`);
  return s;
}

/** The first required member missing from a decoded input, as AWS names it. */
export function missingRequired(
  model: ServiceModel,
  shapeName: string,
  value: Readonly<Record<string, unknown>>,
): string | undefined {
  return shapeOf(model, shapeName).required?.find((m) => value[m] === undefined || value[m] === null);
}
