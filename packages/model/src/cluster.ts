import { z } from 'zod';
import { ecsName, ecsObject, ignored, intAtLeast, KeyValuePair, Tag } from './fields.js';

export const ClusterStatus = z.enum(['ACTIVE', 'PROVISIONING', 'DEPROVISIONING', 'FAILED', 'INACTIVE']);
export type ClusterStatus = z.output<typeof ClusterStatus>;

export const Cluster = ecsObject({
  clusterName: ecsName('clusterName').default('default'),
  clusterArn: z.string().optional(),
  status: ClusterStatus.default('ACTIVE'),
  settings: z.array(KeyValuePair).default([]),
  tags: z.array(Tag).max(50).default([]),
  capacityProviders: z.array(z.string()).default([]),
  registeredContainerInstancesCount: intAtLeast(0).default(0),
  runningTasksCount: intAtLeast(0).default(0),
  pendingTasksCount: intAtLeast(0).default(0),
  activeServicesCount: intAtLeast(0).default(0),
  configuration: ignored('aws-only'),
  serviceConnectDefaults: ignored('aws-only'),
  defaultCapacityProviderStrategy: ignored('not-implemented'),
  statistics: ignored('output-only'),
  attachments: ignored('output-only'),
  attachmentsStatus: ignored('output-only'),
});
export type Cluster = z.output<typeof Cluster>;
export type ClusterInput = z.input<typeof Cluster>;
