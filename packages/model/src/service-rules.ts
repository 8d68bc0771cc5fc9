import { parseTaskDefinitionRef } from './arn.js';
import { show } from './fields.js';
import { asArray, asInt, asRecord, asString } from './loose.js';
import type { ValidationIssue } from './validation.js';

/** ECS's cross-field rules for a service, over the raw input. */
export function serviceRules(input: unknown): ValidationIssue[] {
  const s = asRecord(input);
  if (!s) return [];
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string) => issues.push({ path, rule, message });
  const strategy = asString(s.schedulingStrategy) ?? 'REPLICA';
  const dc = asRecord(s.deploymentConfiguration) ?? {};
  const min = asInt(dc.minimumHealthyPercent);
  const max = asInt(dc.maximumPercent);

  const td = asString(s.taskDefinition);
  if (td !== undefined && !parseTaskDefinitionRef(td)) {
    add(
      'taskDefinition',
      'task-definition-ref',
      `must be family, family:revision or a task-definition ARN (got ${show(td)})`,
    );
  }
  if (strategy === 'DAEMON') {
    if (max !== undefined && max !== 100) {
      add(
        'deploymentConfiguration.maximumPercent',
        'daemon',
        `must be 100 for a DAEMON service (got ${max})`,
      );
    }
    if (asArray(s.placementStrategy).length > 0) {
      add(
        'placementStrategy',
        'daemon',
        'placement strategies are not supported with the DAEMON scheduling strategy',
      );
    }
  } else if (s.desiredCount === undefined && s.status === undefined) {
    add('desiredCount', 'required', 'is required for a REPLICA service');
  }
  if (min !== undefined && max !== undefined && max < min) {
    add(
      'deploymentConfiguration.maximumPercent',
      'deployment-limits',
      `must be at least minimumHealthyPercent (${min}) (got ${max})`,
    );
  }
  const controller = asString(asRecord(s.deploymentController)?.type);
  if (controller !== undefined && controller !== 'ECS') {
    add(
      'deploymentController.type',
      'deployment-controller',
      `Baton runs only the ECS (rolling update) controller (got ${show(controller)})`,
    );
  }
  asArray(s.loadBalancers).forEach((raw, i) => {
    const lb = asRecord(raw);
    if (lb && lb.targetGroupArn === undefined && lb.loadBalancerName === undefined) {
      add(`loadBalancers[${i}]`, 'load-balancer', 'needs a targetGroupArn (or a loadBalancerName)');
    }
  });
  const distinct = asArray(s.placementConstraints).filter((c) => asRecord(c)?.type === 'distinctInstance');
  if (distinct.length > 1)
    add('placementConstraints', 'placement-constraint', 'distinctInstance may appear only once');
  return issues;
}
