import type { AgentSettings } from './types.js';

/** ECS's agent defaults. */
export const defaultAgentSettings: AgentSettings = {
  imagePullBehavior: 'default',
  taskCleanupWaitMs: 3 * 60 * 60 * 1000,
  defaultStartTimeoutSeconds: 180,
  orphanStopTimeoutSeconds: 30,
  maxDeactivationHoldMs: 3_660_000,
  firelensDir: '/var/lib/baton/firelens',
  pauseImage: 'baton-ecs/pause:1',
};

export function agentSettings(overrides: Partial<AgentSettings> | undefined): AgentSettings {
  return { ...defaultAgentSettings, ...overrides };
}
