import { arns, type ContainerDefinition, type Task, type TaskDefinition } from '@baton-ecs/model';
import {
  type ActionOutcome,
  batonLabels,
  type ContainerAction,
  type ContainerSpec,
  containerEngineName,
  containerLabels,
  type ObservedContainer,
  type ReconcileInstanceInput,
  type ReconcileInstanceResult,
  reconcileInstance,
} from '../../src/agent/index.js';

export const cluster = 'c1';
export const instanceArn = arns.containerInstance(cluster, 'i-1');
export const instance = { containerInstanceArn: instanceArn };
export const T0 = 1_700_000_000_000;

/** A container definition with ECS's defaults, built without zod so tests may use short timings. */
export function def(name: string, over: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name,
    image: 'img:1',
    cpu: 0,
    essential: true,
    portMappings: [],
    environment: [],
    stopTimeout: 2,
    ...over,
  };
}

export function taskDef(containers: ContainerDefinition[], family = 'app', revision = 1): TaskDefinition {
  return {
    family,
    revision,
    taskDefinitionArn: arns.taskDefinition(family, revision),
    containerDefinitions: containers,
    networkMode: 'bridge',
    placementConstraints: [],
    tags: [],
    status: 'ACTIVE',
  };
}

export function task(td: TaskDefinition, id = 't1', over: Partial<Task> = {}): Task {
  const taskArn = arns.task(cluster, id);
  return {
    taskArn,
    clusterArn: arns.cluster(cluster),
    taskDefinitionArn: td.taskDefinitionArn ?? '',
    containerInstanceArn: instanceArn,
    launchType: 'EC2',
    overrides: { containerOverrides: [] },
    desiredStatus: 'RUNNING',
    lastStatus: 'PROVISIONING',
    healthStatus: 'UNKNOWN',
    containers: td.containerDefinitions.map((c) => ({
      name: c.name,
      taskArn,
      lastStatus: 'PENDING' as const,
      healthStatus: 'UNKNOWN' as const,
      networkBindings: [],
    })),
    tags: [],
    ...over,
  };
}

/** An engine container of a task, as the runtime would observe it. */
export function observed(t: Task, name: string, over: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `id-${t.taskArn.split('/').pop()}-${name}`,
    name: containerEngineName(t.taskArn, name),
    labels: containerLabels(t, name, 2),
    image: 'img:1',
    state: 'created',
    health: 'none',
    portBindings: [],
    ...over,
  };
}

export function running(t: Task, name: string, startedAt: number, over: Partial<ObservedContainer> = {}) {
  return observed(t, name, { state: 'running', startedAt, ...over });
}

export function exited(
  t: Task,
  name: string,
  startedAt: number,
  finishedAt: number,
  exitCode: number,
  over: Partial<ObservedContainer> = {},
) {
  return observed(t, name, { state: 'exited', startedAt, finishedAt, exitCode, ...over });
}

export function tdMap(...tds: TaskDefinition[]): Map<string, TaskDefinition> {
  return new Map(tds.map((td) => [td.taskDefinitionArn ?? '', td]));
}

export function reconcile(
  over: Partial<ReconcileInstanceInput> & Pick<ReconcileInstanceInput, 'tasks' | 'taskDefinitions'>,
): ReconcileInstanceResult {
  return reconcileInstance({
    instance,
    observed: [],
    now: T0,
    settings: { imagePullBehavior: 'prefer-cached' },
    images: ['img:1'],
    ...over,
  });
}

/** Applies a result's task updates the way the runtime writes them to the store. */
export function applyUpdates(tasks: readonly Task[], result: ReconcileInstanceResult): Task[] {
  return tasks.map((t) => {
    const u = result.taskUpdates.find((x) => x.taskArn === t.taskArn);
    return u ? { ...t, ...u.changes } : t;
  });
}

export const types = (r: ReconcileInstanceResult) => r.actions.map((a) => a.type);

/** How a simulated container behaves once started. */
export interface Behaviour {
  /** Exits this long after its first start (later runs do not exit). */
  readonly exitAfterMs?: number;
  readonly exitCode?: number;
  /** Health once started; default healthy. */
  readonly health?: 'healthy' | 'unhealthy';
}

/**
 * An engine that applies actions at once: a fake Docker for convergence tests. Containers behave
 * as `behaviours[containerName]` says.
 */
export class SimEngine {
  readonly containers = new Map<string, ObservedContainer>();
  readonly images = new Set<string>(['img:1']);
  readonly outcomes: ActionOutcome[] = [];
  readonly log: { at: number; action: ContainerAction }[] = [];
  private next = 1;
  private readonly firstRun = new Set<string>();

  constructor(
    private readonly behaviours: Readonly<Record<string, Behaviour>> = {},
    private readonly unpullable: ReadonlySet<string> = new Set(),
  ) {}

  get observed(): ObservedContainer[] {
    return [...this.containers.values()];
  }

  apply(action: ContainerAction, now: number): void {
    this.log.push({ at: now, action });
    switch (action.type) {
      case 'PullImage': {
        const ok = !this.unpullable.has(action.image);
        if (ok) this.images.add(action.image);
        for (const ref of action.for) {
          this.outcomes.push({
            action: 'PullImage',
            ...ref,
            ok,
            at: now,
            ...(ok ? {} : { message: 'no such host' }),
          });
        }
        return;
      }
      case 'CreateContainer': {
        if ([...this.containers.values()].some((c) => c.name === action.spec.name)) return;
        const id = `sim-${this.next++}`;
        this.containers.set(id, this.fromSpec(id, action.spec));
        return;
      }
      case 'StartContainer': {
        const c = this.containers.get(action.containerId);
        if (!c || c.state === 'running') return;
        const name = c.labels[batonLabels.containerName] ?? '';
        const b = this.behaviours[name] ?? {};
        this.firstRun.add(c.id);
        this.containers.set(c.id, {
          ...c,
          state: 'running',
          startedAt: now,
          health: c.health === 'none' ? 'none' : (b.health ?? 'healthy'),
          portBindings: c.portBindings,
        });
        return;
      }
      case 'StopContainer': {
        const c = this.containers.get(action.containerId);
        if (c?.state !== 'running') return;
        this.containers.set(c.id, { ...c, state: 'exited', finishedAt: now, exitCode: 143 });
        return;
      }
      case 'RemoveContainer':
        this.containers.delete(action.containerId);
        return;
    }
  }

  /** Lets time pass: containers whose behaviour says so exit (first run only). */
  tick(now: number): void {
    for (const c of this.containers.values()) {
      const b = this.behaviours[c.labels[batonLabels.containerName] ?? ''];
      if (c.state !== 'running' || b?.exitAfterMs === undefined || c.startedAt === undefined) continue;
      if (!this.firstRun.has(c.id) || now < c.startedAt + b.exitAfterMs) continue;
      this.firstRun.delete(c.id);
      this.containers.set(c.id, { ...c, state: 'exited', finishedAt: now, exitCode: b.exitCode ?? 0 });
    }
  }

  private fromSpec(id: string, spec: ContainerSpec): ObservedContainer {
    return {
      id,
      name: spec.name,
      labels: spec.labels,
      image: spec.image,
      state: 'created',
      health: spec.healthCheck ? 'starting' : 'none',
      portBindings: spec.portMappings.map((p, i) => ({
        containerPort: p.containerPort,
        protocol: p.protocol,
        hostIp: '127.0.0.1',
        hostPort: p.hostPort || 32768 + this.next * 10 + i,
      })),
    };
  }
}

/**
 * Runs the agent against a simulated engine until nothing changes (or `maxSteps`), advancing the
 * clock `stepMs` each round. Returns the final tasks and the last result.
 */
export function converge(args: {
  tasks: Task[];
  taskDefinitions: Map<string, TaskDefinition>;
  engine: SimEngine;
  start?: number;
  stepMs?: number;
  maxSteps?: number;
  settings?: ReconcileInstanceInput['settings'];
  onStep?: (step: { now: number; result: ReconcileInstanceResult; tasks: Task[] }) => void;
  mutate?: (tasks: Task[], step: number) => Task[];
}): { tasks: Task[]; result: ReconcileInstanceResult; steps: number; now: number } {
  let tasks = args.tasks;
  let now = args.start ?? T0;
  const stepMs = args.stepMs ?? 1000;
  let result: ReconcileInstanceResult | undefined;
  for (let step = 0; step < (args.maxSteps ?? 300); step++) {
    if (args.mutate) tasks = args.mutate(tasks, step);
    args.engine.tick(now);
    result = reconcileInstance({
      instance,
      tasks,
      taskDefinitions: args.taskDefinitions,
      observed: args.engine.observed,
      images: [...args.engine.images],
      outcomes: args.engine.outcomes,
      now,
      settings: { imagePullBehavior: 'prefer-cached', ...args.settings },
    });
    args.onStep?.({ now, result, tasks });
    tasks = applyUpdates(tasks, result);
    for (const a of result.actions) args.engine.apply(a, now);
    if (result.actions.length === 0 && result.taskUpdates.length === 0 && !args.mutate) {
      return { tasks, result, steps: step + 1, now };
    }
    now += stepMs;
  }
  if (!result) throw new Error('no steps');
  return { tasks, result, steps: args.maxSteps ?? 300, now };
}
