export {
  type AttachNginxRequest,
  ElbApiError,
  type ElbErrorCode,
  ElbV2Api,
  type OpenListenerRequest,
  type TargetHealthDescription,
} from './api.js';
export {
  type TargetConsumer,
  TargetGroupController,
  type TargetGroupControllerOptions,
  type TargetHealthByTask,
} from './controller.js';
export { ListenerRuntime, type ListenerRuntimeOptions } from './listener-runtime.js';
export {
  type ActionRequest,
  type CreateListenerRequest,
  type CreateLoadBalancerRequest,
  LoadBalancerApi,
  type LoadBalancerApiOptions,
  listenerHost,
  type ModifyListenerRequest,
} from './load-balancers.js';
export {
  drainPollMs,
  type HoldChange,
  planTargetGroup,
  publishedTarget,
  type TargetGroupMember,
  type TargetGroupPlan,
  type TargetGroupPlanInput,
  targetKey,
} from './plan.js';
export {
  isTargetAddress,
  maxTargetsPerGroup,
  type TargetDescription,
  withDeregistered,
  withRegistered,
} from './registrations.js';
