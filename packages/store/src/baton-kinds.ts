import {
  type Cluster,
  type ContainerInstance,
  clusterNameOf,
  type ListenerRecord,
  type LoadBalancerRecord,
  type ParameterRecord,
  type SecretRecord,
  type Service,
  type TargetGroup,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import { defineKinds, kind } from './kinds.js';

/**
 * Baton's resources as store kinds: their keys, the user-owned part of each
 * (generation bumps only when it changes) and the indexes controllers look
 * things up by.
 */
export const batonKinds = defineKinds({
  Cluster: kind({
    key: (c: Cluster) => c.clusterName,
    spec: (c) => ({
      status: c.status,
      settings: c.settings,
      tags: c.tags,
      capacityProviders: c.capacityProviders,
    }),
  }),
  ContainerInstance: kind({
    key: (i: ContainerInstance) => i.containerInstanceArn,
    spec: (i) => ({
      status: i.status,
      attributes: i.attributes,
      engineEndpoint: i.engineEndpoint,
      tags: i.tags,
    }),
    indexes: { byCluster: (i) => [clusterNameOf(i.containerInstanceArn)] },
  }),
  /** Key: the task-definition ARN (what tasks and services reference); revisions come from the `taskDefinition:<family>` sequence. */
  TaskDefinition: kind({
    key: (td: TaskDefinition) => td.taskDefinitionArn ?? taskDefinitionKey(td.family, td.revision ?? 0),
    spec: (td) => ({ status: td.status, containerDefinitions: td.containerDefinitions }),
    indexes: { byFamily: (td) => [td.family] },
  }),
  /** Key `cluster/serviceName`. */
  Service: kind({
    key: (s: Service) => serviceKey(s.cluster, s.serviceName),
    spec: (s) => ({
      taskDefinition: s.taskDefinition,
      desiredCount: s.desiredCount,
      deploymentConfiguration: s.deploymentConfiguration,
      placementConstraints: s.placementConstraints,
      placementStrategy: s.placementStrategy,
      loadBalancers: s.loadBalancers,
      healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
      schedulingStrategy: s.schedulingStrategy,
      status: s.status === 'DRAINING' ? 'DRAINING' : 'ACTIVE',
    }),
    indexes: { byCluster: (s) => [s.cluster] },
  }),
  /** Key: the task ARN. */
  Task: kind({
    key: (t: Task) => t.taskArn,
    spec: (t) => ({
      desiredStatus: t.desiredStatus,
      taskDefinitionArn: t.taskDefinitionArn,
      containerInstanceArn: t.containerInstanceArn,
      overrides: t.overrides,
    }),
    indexes: {
      /** `cluster/serviceName` for a service's tasks. */
      byService: (t) =>
        t.group?.startsWith('service:') ? [serviceKey(clusterNameOf(t.clusterArn), t.group.slice(8))] : [],
      byInstance: (t) => (t.containerInstanceArn ? [t.containerInstanceArn] : []),
      byCluster: (t) => [clusterNameOf(t.clusterArn)],
    },
  }),
  /** Key: the target group ARN. `Targets` is status (the target-group controller's); the rest is spec. */
  TargetGroup: kind({
    key: (tg: TargetGroup) => tg.TargetGroupArn ?? tg.TargetGroupName,
    spec: (tg) => {
      const { Targets: _targets, ...spec } = tg;
      return spec;
    },
    indexes: { byName: (tg) => [tg.TargetGroupName] },
  }),
  /** Key: the load balancer ARN (ELBv2's CreateLoadBalancer, as Baton keeps it). */
  LoadBalancer: kind({
    key: (lb: LoadBalancerRecord) => lb.LoadBalancerArn,
    indexes: { byName: (lb) => [lb.LoadBalancerName] },
  }),
  /** Key: the listener ARN; each runs Baton's embedded balancer on 127.0.0.1:Port. */
  Listener: kind({
    key: (l: ListenerRecord) => l.ListenerArn,
    indexes: { byLoadBalancer: (l) => [l.LoadBalancerArn] },
  }),
  /**
   * A service's auto scaling (Application Auto Scaling's shapes, validated by
   * @baton-ecs/scaler at the API): key the ResourceId, `service/<cluster>/<name>`.
   */
  ScalingConfiguration: kind({
    key: (c: ScalingConfigurationRecord) => c.resourceId,
  }),
  /** The local parameter store (SSM-shaped); key: the parameter name. Values are ciphertext only. */
  Parameter: kind({ key: (p: ParameterRecord) => p.name }),
  /** The local secrets store (Secrets Manager-shaped); key: the secret name. Values are ciphertext only. */
  Secret: kind({ key: (s: SecretRecord) => s.name }),
});

/** Target, policies, alarms and scheduled actions of one service, as AAS JSON. */
export interface ScalingConfigurationRecord {
  readonly resourceId: string;
  readonly configuration: Readonly<Record<string, unknown>>;
}

export type BatonKinds = typeof batonKinds;

export function serviceKey(cluster: string, serviceName: string): string {
  return `${cluster}/${serviceName}`;
}

export function taskDefinitionKey(family: string, revision: number): string {
  return `${family}:${revision}`;
}
