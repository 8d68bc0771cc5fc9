import type { TaskDefinition, ValidationIssue } from '@baton-ecs/model';

/**
 * What a task may ask of its host. Each is off by default and must be opted into, as the ECS agent
 * has `ECS_DISABLE_PRIVILEGED` and friends: a task definition is ECS JSON anyone may hand in, and each
 * of these gives its containers the host.
 */
export interface WorkloadSecurityOptions {
  /** `privileged: true` containers (the ECS agent's ECS_DISABLE_PRIVILEGED=false). Default false. */
  readonly allowPrivileged?: boolean;
  /** `networkMode: host`: containers listen on every interface of the host. Default false. */
  readonly allowHostNetwork?: boolean;
  /** `pidMode: host` / `ipcMode: host`: the host's processes and shared memory. Default false. */
  readonly allowHostPidIpc?: boolean;
  /** Bind mounts of sensitive host paths (see sensitiveHostPaths). Default false. */
  readonly allowSensitiveHostMounts?: boolean;
}

/** Host paths that give a container the host: the Docker socket, the kernel's views, the root. */
export const sensitiveHostPaths: readonly string[] = [
  '/',
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
  '/root',
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/baton',
  '/var/lib/docker',
  '/run/containerd',
  '/var/run',
  '/run',
];

function isSensitive(path: string): boolean {
  const clean = `/${path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/')}`;
  if (clean.split('/').includes('..')) return true;
  return sensitiveHostPaths.some(
    (s) =>
      clean === s ||
      (s !== '/' && clean.startsWith(`${s}/`)) ||
      s.startsWith(`${clean === '/' ? '' : clean}/`),
  );
}

/** The fields of a task definition the policy refuses, each naming the option that would allow it. */
export function workloadPolicyIssues(
  td: Pick<TaskDefinition, 'containerDefinitions' | 'networkMode' | 'pidMode' | 'ipcMode' | 'volumes'>,
  policy: WorkloadSecurityOptions = {},
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const refuse = (path: string, what: string, option: keyof WorkloadSecurityOptions) =>
    issues.push({
      path,
      rule: 'security-policy',
      message: `${what} is not allowed; opt in with createBaton({ security: { ${option}: true } })`,
    });
  td.containerDefinitions.forEach((c, i) => {
    if (c.privileged === true && !policy.allowPrivileged)
      refuse(`containerDefinitions[${i}].privileged`, 'a privileged container', 'allowPrivileged');
  });
  if (td.networkMode === 'host' && !policy.allowHostNetwork)
    refuse('networkMode', 'host networking', 'allowHostNetwork');
  if (td.pidMode === 'host' && !policy.allowHostPidIpc)
    refuse('pidMode', "the host's PID namespace", 'allowHostPidIpc');
  if (td.ipcMode === 'host' && !policy.allowHostPidIpc)
    refuse('ipcMode', "the host's IPC namespace", 'allowHostPidIpc');
  (td.volumes ?? []).forEach((v, j) => {
    const source = v.host?.sourcePath;
    if (typeof source === 'string' && isSensitive(source) && !policy.allowSensitiveHostMounts)
      refuse(`volumes[${j}].host.sourcePath`, `a bind mount of ${source}`, 'allowSensitiveHostMounts');
  });
  return issues;
}
