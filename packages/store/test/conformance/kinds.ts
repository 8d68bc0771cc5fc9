import { defineKinds, kind } from '../../src/index.js';

/** A Task shaped like ECS's: user-owned spec fields plus status fields agents and observers write. */
export interface TestTask {
  readonly taskArn: string;
  readonly cluster: string;
  readonly group?: string;
  readonly taskDefinitionArn: string;
  readonly containerInstanceArn?: string;
  readonly desiredStatus: 'RUNNING' | 'STOPPED';
  readonly lastStatus: string;
  readonly overrides?: {
    readonly containerOverrides: readonly { readonly name: string; readonly command?: readonly string[] }[];
  };
  readonly containers: readonly {
    readonly name: string;
    readonly image: string;
    readonly lastStatus: string;
    readonly exitCode?: number;
  }[];
}

export interface TestService {
  readonly cluster: string;
  readonly serviceName: string;
  readonly taskDefinition: string;
  readonly desiredCount: number;
  readonly runningCount: number;
}

export interface TestTaskDefinition {
  readonly family: string;
  readonly revision: number;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly image: string;
}

export interface TestCounter {
  readonly name: string;
  readonly value: number;
}

export const testKinds = defineKinds({
  Task: kind<TestTask>({
    key: (t) => t.taskArn,
    // What a user asks for; lastStatus, containers[].lastStatus and placement are status.
    spec: (t) => ({
      taskDefinitionArn: t.taskDefinitionArn,
      desiredStatus: t.desiredStatus,
      overrides: t.overrides,
    }),
    indexes: {
      byService: (t) => (t.group?.startsWith('service:') ? [t.group.slice('service:'.length)] : []),
      byInstance: (t) => (t.containerInstanceArn ? [t.containerInstanceArn] : []),
      byCluster: (t) => [t.cluster],
      // Multi-valued: a task is listed under every image it runs.
      byImage: (t) => [...new Set(t.containers.map((c) => c.image))],
    },
  }),
  Service: kind<TestService>({
    key: (s) => `${s.cluster}/${s.serviceName}`,
    spec: (s) => ({ taskDefinition: s.taskDefinition, desiredCount: s.desiredCount }),
    indexes: { byCluster: (s) => [s.cluster] },
  }),
  TaskDefinition: kind<TestTaskDefinition>({
    key: (d) => `${d.family}:${d.revision}`,
    indexes: { byFamily: (d) => [d.family] },
  }),
  // No spec: every change is a spec change. validate rejects negative values.
  Counter: kind<TestCounter>({
    key: (c) => c.name,
    validate: (c) => {
      if (!Number.isInteger(c.value) || c.value < 0) throw new Error(`value must be a non-negative integer`);
    },
  }),
});

export type TestKinds = typeof testKinds;

const ARN = 'arn:aws:ecs:us-east-1:123456789012';

export function task(id: string, over: Partial<TestTask> = {}): TestTask {
  return {
    taskArn: `${ARN}:task/default/${id}`,
    cluster: 'default',
    group: 'service:web',
    taskDefinitionArn: `${ARN}:task-definition/web:1`,
    containerInstanceArn: `${ARN}:container-instance/default/i-1`,
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    containers: [{ name: 'web', image: 'nginx:1.27', lastStatus: 'PENDING' }],
    ...over,
  };
}

export const taskKey = (id: string) => `${ARN}:task/default/${id}`;
export const instance = (n: number) => `${ARN}:container-instance/default/i-${n}`;

export function service(name: string, over: Partial<TestService> = {}): TestService {
  return {
    cluster: 'default',
    serviceName: name,
    taskDefinition: 'web:1',
    desiredCount: 2,
    runningCount: 0,
    ...over,
  };
}
