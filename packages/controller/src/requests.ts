import {
  checkJsonBounds,
  ecsLimits,
  fromZodIssues,
  NetworkConfiguration,
  requestBounds,
  StartedBy,
  TaskGroup,
  type ValidationIssue,
} from '@baton-ecs/model';
import { z } from 'zod';
import { BatonApiError } from './errors.js';

/**
 * The shapes of the ECS API's requests that are not whole resources (those
 * go through @baton-ecs/model's parsers): checked at the edge, before any work
 * proportional to the input, so a wrong type or an oversized value is an
 * InvalidParameterException naming the field, never a TypeError or a long walk.
 */

/** A name or an ARN: a cluster, a service, a task, a container instance. */
const Ref = z.string().min(1).max(1600);
const refs = (max: number) => z.array(Ref).max(max);
const TaskDefinitionRef = z.string().min(1).max(1600);
const PlacementList = (max: number) => z.array(z.looseObject({ type: z.string().max(64) })).max(max);

export const requestSchemas = {
  describeClusters: z.looseObject({ clusters: refs(ecsLimits.describeClusters).optional() }),
  listContainerInstances: z.looseObject({
    cluster: Ref.optional(),
    status: z.enum(['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED']).optional(),
  }),
  describeContainerInstances: z.looseObject({
    cluster: Ref.optional(),
    containerInstances: refs(ecsLimits.describeContainerInstances),
  }),
  updateContainerInstancesState: z.looseObject({
    cluster: Ref.optional(),
    containerInstances: refs(10),
    status: z.enum(['ACTIVE', 'DRAINING']),
  }),
  deregisterContainerInstance: z.looseObject({
    cluster: Ref.optional(),
    containerInstance: Ref,
    force: z.boolean().optional(),
  }),
  registerContainerInstance: z.looseObject({
    cluster: Ref.optional(),
    endpoint: z.string().min(1).max(1024),
    instanceId: z.string().min(1).max(255),
    attributes: z.record(z.string().max(128), z.string().max(1024)).optional(),
    reservedMemoryMiB: z.number().int().min(0).optional(),
    reservedPorts: z.array(z.number().int().min(0).max(65535)).max(200).optional(),
  }),
  taskDefinition: z.looseObject({ taskDefinition: TaskDefinitionRef }),
  updateService: z.looseObject({
    cluster: Ref.optional(),
    service: Ref,
    // desiredCount's range is the service schema's (with the tasks-per-service quota), checked on the result.
    desiredCount: z.number().optional(),
    taskDefinition: TaskDefinitionRef.optional(),
    deploymentConfiguration: z.record(z.string(), z.unknown()).optional(),
    healthCheckGracePeriodSeconds: z.number().optional(),
    placementConstraints: PlacementList(10).optional(),
    placementStrategy: PlacementList(5).optional(),
    forceNewDeployment: z.boolean().optional(),
  }),
  deleteService: z.looseObject({ cluster: Ref.optional(), service: Ref, force: z.boolean().optional() }),
  describeServices: z.looseObject({ cluster: Ref.optional(), services: refs(ecsLimits.describeServices) }),
  listServices: z.looseObject({ cluster: Ref.optional() }),
  runTask: z.looseObject({
    cluster: Ref.optional(),
    taskDefinition: TaskDefinitionRef,
    count: z
      .number()
      .int()
      .min(1)
      .refine((n) => n <= ecsLimits.tasksPerRunTask, {
        error: (iss) =>
          `must be at most ${ecsLimits.tasksPerRunTask}, the ECS limit of tasks launched per RunTask (got ${String(iss.input)})`,
        params: { rule: 'quota' },
      })
      .optional(),
    group: TaskGroup.optional(),
    startedBy: StartedBy.optional(),
    placementConstraints: PlacementList(10).optional(),
    placementStrategy: PlacementList(5).optional(),
    networkConfiguration: NetworkConfiguration.optional(),
  }),
  stopTask: z.looseObject({ cluster: Ref.optional(), task: Ref, reason: z.string().max(255).optional() }),
  describeTasks: z.looseObject({ cluster: Ref.optional(), tasks: refs(ecsLimits.describeTasks) }),
  listTasks: z.looseObject({
    cluster: Ref.optional(),
    serviceName: Ref.optional(),
    family: z.string().max(255).optional(),
    containerInstance: Ref.optional(),
    startedBy: z.string().max(ecsLimits.startedByLength).optional(),
    desiredStatus: z.enum(['RUNNING', 'STOPPED']).optional(),
  }),
} as const;

export type RequestName = keyof typeof requestSchemas;

/**
 * Checks one request against its shape; returns it unchanged, or throws
 * LimitExceededException (a quota) or InvalidParameterException naming every field at fault.
 */
export function checkRequest<T>(name: RequestName, request: T): T {
  return checkShape(requestSchemas[name], request, (issues) =>
    BatonApiError.fromIssues(`${name} request`, issues),
  );
}

/**
 * The one edge check every API surface uses (ECS, ELBv2, Application Auto Scaling): bounds first (sizes,
 * depth, prototype-named keys), then the request's shape; `error` turns the issues into that API's error.
 */
export function checkShape<T>(
  schema: z.ZodType,
  request: T,
  error: (issues: readonly ValidationIssue[]) => Error,
  options: { readonly jsonBounds?: boolean } = {},
): T {
  const input = request === undefined ? {} : request;
  // Requests that carry Baton's own options (functions, e.g. attachNginx's reload) skip the JSON bounds.
  const bounded = options.jsonBounds === false ? [] : checkJsonBounds(input, requestBounds);
  if (bounded.length > 0) throw error(bounded);
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw error(fromZodIssues(result.error.issues));
  return request;
}
