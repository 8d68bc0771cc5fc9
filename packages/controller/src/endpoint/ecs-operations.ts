import type { Baton } from '../baton.js';
import { checkRequest } from '../requests.js';
import { paginate } from './pagination.js';
import { TaskListIndex } from './task-list-index.js';
import { WireError } from './wire-error.js';

/** A decoded request (members as the model names them) → the output shape's members. */
export type Operation = (input: Record<string, unknown>) => Promise<object>;

const invalid = { code: 'InvalidParameterException' };
const byString = (s: string) => s;

function page<K extends string>(
  key: K,
  items: readonly string[],
  input: Record<string, unknown>,
  limits: { default: number; max: number },
  keyOf: (s: string) => string = byString,
): Record<K | 'nextToken', unknown> {
  const p = paginate(
    items,
    keyOf,
    { nextToken: input.nextToken as string | undefined, maxResults: input.maxResults as number | undefined },
    limits,
    invalid,
  );
  return { [key]: p.items, nextToken: p.nextToken } as Record<K | 'nextToken', unknown>;
}

/** Sorts task definition ARNs as the sort order they are listed in (family, then revision as a number). */
function taskDefinitionSortKey(arn: string): string {
  const m = /task-definition\/(.+):(\d+)$/.exec(arn);
  return m ? `${m[1]}\u0000${m[2]!.padStart(10, '0')}` : arn;
}

/**
 * ECS's operations over Baton's public methods: a request's members go to the method as they are,
 * its result comes back as the output shape; list operations page what Baton returns whole
 * (default and maximum page sizes as AWS documents for each). No rule lives here.
 */
export function ecsOperations(baton: Baton): Readonly<Record<string, Operation>> {
  let index: TaskListIndex | undefined;
  return {
    CreateCluster: async (i) => ({ cluster: await baton.createCluster(i) }),
    DeleteCluster: async (i) => ({ cluster: await baton.deleteCluster(i as never) }),
    DescribeClusters: async (i) => baton.describeClusters(i as never),
    ListClusters: async (i) =>
      page('clusterArns', (await baton.listClusters()).clusterArns, i, { default: 100, max: 100 }),

    ListContainerInstances: async (i) => {
      if (i.filter !== undefined)
        throw new WireError(
          'InvalidParameterException',
          400,
          'filter is not supported by Baton; filter with status.',
        );
      const { containerInstanceArns } = await baton.listContainerInstances(i as never);
      return page('containerInstanceArns', containerInstanceArns, i, { default: 100, max: 100 });
    },
    DescribeContainerInstances: async (i) => baton.describeContainerInstances(i as never),
    UpdateContainerInstancesState: async (i) => baton.updateContainerInstancesState(i as never),
    DeregisterContainerInstance: async (i) => ({
      containerInstance: await baton.deregisterContainerInstance(i as never),
    }),

    RegisterTaskDefinition: async (i) => {
      const { taskDefinition } = await baton.registerTaskDefinition(i);
      return { taskDefinition, tags: taskDefinition.tags };
    },
    DeregisterTaskDefinition: async (i) => baton.deregisterTaskDefinition(i as never),
    DescribeTaskDefinition: async (i) => {
      const { taskDefinition } = await baton.describeTaskDefinition(i as never);
      return {
        taskDefinition,
        ...(Array.isArray(i.include) && i.include.includes('TAGS') ? { tags: taskDefinition.tags } : {}),
      };
    },
    ListTaskDefinitions: async (i) => {
      const { taskDefinitionArns } = await baton.listTaskDefinitions(i as never);
      if (i.sort === 'DESC') return descendingPage(taskDefinitionArns, i);
      return page(
        'taskDefinitionArns',
        taskDefinitionArns,
        i,
        { default: 100, max: 100 },
        taskDefinitionSortKey,
      );
    },
    ListTaskDefinitionFamilies: async (i) =>
      page('families', (await baton.listTaskDefinitionFamilies(i as never)).families, i, {
        default: 100,
        max: 100,
      }),

    CreateService: async (i) => ({ service: await baton.createService(i) }),
    UpdateService: async (i) => ({ service: await baton.updateService(i as never) }),
    DeleteService: async (i) => ({ service: await baton.deleteService(i as never) }),
    DescribeServices: async (i) => baton.describeServices(i as never),
    ListServices: async (i) =>
      page('serviceArns', (await baton.listServices(i as never)).serviceArns, i, { default: 10, max: 100 }),

    RunTask: async (i) => baton.runTask(i as never),
    StopTask: async (i) => ({ task: await baton.stopTask(i as never) }),
    DescribeTasks: async (i) => baton.describeTasks(i as never),
    ListTasks: async (i) => {
      let taskArns: readonly string[];
      if (i.family === undefined && i.containerInstance === undefined && i.startedBy === undefined) {
        checkRequest('listTasks', i);
        index ??= new TaskListIndex(baton);
        taskArns = index.list(i);
      } else taskArns = (await baton.listTasks(i as never)).taskArns;
      return page('taskArns', taskArns, i, { default: 100, max: 100 });
    },
  };
}

/** DESC pages: the token names the last ARN returned; the next page starts after it in the same order. */
function descendingPage(arns: readonly string[], i: Record<string, unknown>): object {
  const inverted = arns.map((a) => ({ a, k: invert(taskDefinitionSortKey(a)) }));
  const p = paginate(
    inverted,
    (x) => x.k,
    { nextToken: i.nextToken as string | undefined, maxResults: i.maxResults as number | undefined },
    { default: 100, max: 100 },
    invalid,
  );
  return { taskDefinitionArns: p.items.map((x) => x.a), nextToken: p.nextToken };
}

/** A string whose order is the reverse of `s`'s (code units complemented; longer prefixes sort after). */
function invert(s: string): string {
  let out = '';
  for (let j = 0; j < s.length; j++) out += String.fromCharCode(0xffff - s.charCodeAt(j));
  return `${out}\uffff`;
}
