import type { RandomSource } from '@baton-ecs/scheduler';

/** Identifiers in ECS's shapes, drawn from the seeded source so plans are reproducible. */
export function newTaskId(random: RandomSource): string {
  let id = '';
  for (let i = 0; i < 32; i++) id += Math.floor(random.next() * 16).toString(16);
  return id;
}

export function newDeploymentId(random: RandomSource): string {
  let digits = String(1 + Math.floor(random.next() * 9));
  for (let i = 0; i < 18; i++) digits += Math.floor(random.next() * 10);
  return `ecs-svc/${digits}`;
}

export function newEventId(random: RandomSource): string {
  const hex = newTaskId(random);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The short id ECS prints in events: the last segment of the task ARN. */
export function taskIdOf(taskArn: string): string {
  const slash = taskArn.lastIndexOf('/');
  return slash < 0 ? taskArn : taskArn.slice(slash + 1);
}
