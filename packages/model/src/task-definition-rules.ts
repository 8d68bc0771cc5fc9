import { show } from './fields.js';
import { firelensRules } from './log-configuration.js';
import { asArray, asInt, asRecord, asString } from './loose.js';
import { networkRules } from './network-rules.js';
import { portRangeRules } from './port-range-rules.js';
import { memoryValueMiB } from './task-definition.js';
import type { ValidationIssue } from './validation.js';
import { volumeRules } from './volume-rules.js';

/**
 * ECS's cross-field rules for a task definition, over the raw input so they
 * report alongside field errors. Each issue names its rule.
 */
export function taskDefinitionRules(input: unknown): ValidationIssue[] {
  const td = asRecord(input);
  if (!td) return [];
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string) => issues.push({ path, rule, message });
  const containers = asArray(td.containerDefinitions).map((c) => asRecord(c) ?? {});
  const networkMode = asString(td.networkMode) ?? 'bridge';
  // "1 GB" and 1024 alike (memoryValueMiB); a value the schema refuses leaves the memory rules out.
  const mib = td.memory !== undefined ? memoryValueMiB(td.memory) : Number.NaN;
  const taskMemory = Number.isInteger(mib) ? mib : undefined;

  issues.push(...firelensRules(containers));
  issues.push(...portRangeRules(containers, networkMode));
  if (containers.length > 0 && !containers.some((c) => c.essential !== false)) {
    add('containerDefinitions', 'essential-container', 'at least one container must be essential');
  }

  // With task-level memory set, the containers' reservations together must fit in it (developer guide,
  // task_definition_parameters.html, "Task size": container memoryReservation values count against the
  // task's memory). A container without memoryReservation reserves its hard limit `memory`.
  if (taskMemory !== undefined) {
    const reserved = containers.reduce(
      (sum, c) => sum + (asInt(c.memoryReservation) ?? asInt(c.memory) ?? 0),
      0,
    );
    // A container whose own memory exceeds the task's is reported on that container instead.
    const containerOver = containers.some((c) => (asInt(c.memory) ?? 0) > taskMemory);
    if (reserved > taskMemory && !containerOver) {
      add(
        'memory',
        'task-memory',
        `must be at least the containers' memory reservations together (${reserved} MiB) (got ${taskMemory})`,
      );
    }
  }

  const names = new Map<string, number>();
  containers.forEach((c, i) => {
    const at = `containerDefinitions[${i}]`;
    const name = asString(c.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        add(
          `${at}.name`,
          'unique-names',
          `container name ${show(name)} is already used by containerDefinitions[${first}]`,
        );
      } else names.set(name, i);
    }

    const memory = asInt(c.memory);
    const reservation = asInt(c.memoryReservation);
    if (memory !== undefined && reservation !== undefined && memory <= reservation) {
      add(
        `${at}.memory`,
        'memory-reservation',
        `must be greater than memoryReservation (${reservation}) when both are set (got ${memory})`,
      );
    }
    if (c.memory === undefined && c.memoryReservation === undefined && td.memory === undefined) {
      add(at, 'container-memory', 'needs memory or memoryReservation, because the task sets no memory');
    }
    if (taskMemory !== undefined) {
      if (memory !== undefined && memory > taskMemory) {
        add(
          `${at}.memory`,
          'task-memory',
          `must not exceed the task's memory (${taskMemory}) (got ${memory})`,
        );
      }
    }

    const seen = new Map<string, number>();
    asArray(c.portMappings).forEach((raw, j) => {
      const pm = asRecord(raw);
      if (!pm) return;
      const containerPort = asInt(pm.containerPort);
      const hostPort = asInt(pm.hostPort);
      const protocol = asString(pm.protocol) ?? 'tcp';
      if (
        (networkMode === 'host' || networkMode === 'awsvpc') &&
        hostPort !== undefined &&
        hostPort !== containerPort
      ) {
        add(
          `${at}.portMappings[${j}].hostPort`,
          'host-port',
          `must equal containerPort (${containerPort}) or be omitted in ${networkMode} network mode (got ${hostPort})`,
        );
      }
      const effective = networkMode === 'host' ? (hostPort ?? containerPort) : hostPort;
      if (effective !== undefined && effective !== 0) {
        const key = `${effective}/${protocol}`;
        if (seen.has(key)) {
          add(
            `${at}.portMappings[${j}].hostPort`,
            'port-conflict',
            `host port ${key} is already mapped by portMappings[${seen.get(key)}]`,
          );
        } else seen.set(key, j);
      }
    });
    if (networkMode === 'none' && asArray(c.portMappings).length > 0) {
      add(`${at}.portMappings`, 'network-mode-none', 'must be empty in none network mode');
    }
  });

  // dependsOn: targets exist, not self, COMPLETE/SUCCESS never on essential, HEALTHY needs a health check.
  const byName = new Map<string, Record<string, unknown>>();
  for (const c of containers) {
    const n = asString(c.name);
    if (n !== undefined && !byName.has(n)) byName.set(n, c);
  }
  const edges = new Map<string, string[]>();
  containers.forEach((c, i) => {
    const name = asString(c.name);
    asArray(c.dependsOn).forEach((raw, j) => {
      const dep = asRecord(raw);
      const target = asString(dep?.containerName);
      if (!dep || target === undefined) return;
      const at = `containerDefinitions[${i}].dependsOn[${j}]`;
      const targetDef = byName.get(target);
      if (!targetDef) {
        add(
          `${at}.containerName`,
          'depends-on-exists',
          `names no container in this task definition (got ${show(target)})`,
        );
        return;
      }
      if (target === name) {
        add(`${at}.containerName`, 'depends-on-cycle', 'a container cannot depend on itself');
        return;
      }
      const condition = asString(dep.condition);
      if ((condition === 'COMPLETE' || condition === 'SUCCESS') && targetDef.essential !== false) {
        add(
          `${at}.condition`,
          'depends-on-essential',
          `${condition} cannot be used on essential container ${show(target)}: an essential container that exits stops the task`,
        );
      }
      if (condition === 'HEALTHY' && asRecord(targetDef.healthCheck) === undefined) {
        add(
          `${at}.condition`,
          'depends-on-healthy',
          `HEALTHY needs container ${show(target)} to have a healthCheck`,
        );
      }
      if (name !== undefined) edges.set(name, [...(edges.get(name) ?? []), target]);
    });
  });
  // A link's target starts first (Docker needs it running), so links are dependencies too.
  containers.forEach((c) => {
    const name = asString(c.name);
    if (name === undefined) return;
    for (const raw of asArray(c.links)) {
      const target = asString(raw)?.split(':')[0];
      if (target !== undefined && target !== name && byName.has(target))
        edges.set(name, [...(edges.get(name) ?? []), target]);
    }
  });
  issues.push(...volumeRules(td, containers), ...networkRules(td, containers));
  const cycle = findCycle(edges);
  if (cycle) {
    const i = containers.findIndex((c) => c.name === cycle[0]);
    add(`containerDefinitions[${i}].dependsOn`, 'depends-on-cycle', `dependency cycle: ${cycle.join(' → ')}`);
  }
  return issues;
}

/** The first cycle in a dependency graph, as a closed path of names. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      const found = visit(m);
      if (found) return found;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...edges.keys()].sort()) {
    const found = visit(n);
    if (found) return found;
  }
  return undefined;
}
