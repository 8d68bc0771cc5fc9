import type { Counters, Logger } from '@baton-ecs/loop';
import type { ContainerAction } from '@baton-ecs/reconciler';

/** One log line and one counter per container action an agent finished, with its outcome. */
export function containerActionReporter(
  instanceId: string,
  logger: Logger,
  counters: Counters,
): (action: ContainerAction, error: unknown) => void {
  return (action, error) => {
    const ok = error === undefined;
    counters.inc('baton_container_actions_total', {
      action: action.type,
      result: ok ? 'success' : 'failure',
    });
    logger({
      level: ok ? 'info' : 'warn',
      msg: 'container action',
      instance: instanceId,
      action: action.type,
      ...describeAction(action),
      outcome: ok ? 'ok' : 'failed',
      ...(ok ? {} : { error: error instanceof Error ? error.message : String(error) }),
    });
  };
}

/** The fields of a container action worth a log line. */
function describeAction(action: ContainerAction): Record<string, unknown> {
  switch (action.type) {
    case 'PullImage':
      return { image: action.image };
    case 'CreateContainer':
      return { task: action.taskArn, container: action.containerName, image: action.spec.image };
    case 'CreateVolume':
      return { task: action.taskArn, volume: action.spec.name, driver: action.spec.driver };
    case 'RemoveVolume':
      return { task: action.taskArn, volume: action.name };
    case 'StopContainer':
      return { task: action.taskArn, container: action.containerName, timeoutSeconds: action.timeoutSeconds };
    default:
      return { task: action.taskArn, container: action.containerName };
  }
}
