export {
  type AttachNginxRequest,
  type CreateListenerRequest,
  ElbApiError,
  type ElbErrorCode,
  ElbV2Api,
  type TargetHealthDescription,
} from './api.js';
export {
  type TargetConsumer,
  TargetGroupController,
  type TargetGroupControllerOptions,
  type TargetHealthByTask,
} from './controller.js';
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
