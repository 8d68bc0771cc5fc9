import type { RandomSource } from '@baton-ecs/scheduler';

/** Identifiers in ECS's shapes, drawn from the seeded source so plans are reproducible. */
export function newTaskId(random: RandomSource): string {
  // One flat string from 32 char codes (not 32 concatenations): the same digits, drawn in the same order.
  const codes = hexCodes;
  for (let i = 0; i < 32; i++) codes[i] = hexDigits.charCodeAt(Math.floor(random.next() * 16));
  return String.fromCharCode.apply(null, codes as unknown as number[]);
}

const hexDigits = '0123456789abcdef';
/** newTaskId's scratch buffer: ids are built one at a time. */
const hexCodes = new Uint16Array(32);

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
