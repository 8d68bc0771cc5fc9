import { z } from 'zod';
import type { Baton } from '../baton.js';
import { BatonApiError } from '../errors.js';
import type { ActionResult, ConsoleAction } from './wire.js';

const name = z.string().min(1).max(1600);

/** The actions the console offers; each is one call of Baton's ECS API, nothing more. */
export const ConsoleActionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('update-desired-count'),
    cluster: name,
    service: name,
    desiredCount: z.number().int().min(0).max(5000),
  }),
  z.strictObject({ kind: z.literal('force-new-deployment'), cluster: name, service: name }),
  z.strictObject({ kind: z.literal('stop-task'), cluster: name, task: name }),
  z.strictObject({ kind: z.literal('drain-instance'), cluster: name, instance: name }),
]);

/** Parses an action's JSON; a BatonApiError names the field at fault. */
export function parseConsoleAction(json: unknown): ConsoleAction {
  const parsed = ConsoleActionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.join('.');
    throw new BatonApiError('InvalidParameterException', `${at ? `${at}: ` : ''}${issue.message}`);
  }
  return parsed.data;
}

/** Carries out an action as `operator` (an access key id, named in the stopped task's reason). */
export async function runConsoleAction(
  baton: Baton,
  action: ConsoleAction,
  operator: string,
): Promise<ActionResult> {
  try {
    switch (action.kind) {
      case 'update-desired-count':
        await baton.updateService({
          cluster: action.cluster,
          service: action.service,
          desiredCount: action.desiredCount,
        });
        return { ok: true, message: `${action.service}: desired count set to ${action.desiredCount}` };
      case 'force-new-deployment':
        await baton.updateService({
          cluster: action.cluster,
          service: action.service,
          forceNewDeployment: true,
        });
        return { ok: true, message: `${action.service}: new deployment requested` };
      case 'stop-task': {
        const task = await baton.stopTask({
          cluster: action.cluster,
          task: action.task,
          reason: `Stopped from the console by ${operator}`,
        });
        return {
          ok: true,
          message: `task ${task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1)} stopping`,
        };
      }
      case 'drain-instance': {
        const r = await baton.updateContainerInstancesState({
          cluster: action.cluster,
          containerInstances: [action.instance],
          status: 'DRAINING',
        });
        const failure = r.failures[0];
        if (failure)
          return { ok: false, error: 'InvalidParameterException', message: failure.reason ?? 'failed' };
        return {
          ok: true,
          message: `instance ${r.containerInstances[0]?.ec2InstanceId ?? action.instance} draining`,
        };
      }
    }
  } catch (error) {
    if (error instanceof BatonApiError) return { ok: false, error: error.code, message: plainMessage(error) };
    throw error;
  }
}

/** The API's message without its leading `Code: ` (the code travels beside it). */
export function plainMessage(error: BatonApiError): string {
  const prefix = `${error.code}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
