import { show } from './fields.js';
import { asArray, asRecord, asString, type Loose } from './loose.js';
import type { ValidationIssue } from './validation.js';

const volumeKinds = [
  'host',
  'dockerVolumeConfiguration',
  'efsVolumeConfiguration',
  'fsxWindowsFileServerVolumeConfiguration',
] as const;

/**
 * ECS's registration rules for volumes and what refers to them: volume names are unique and each
 * volume is of one kind; every `mountPoints.sourceVolume` names a volume and every
 * `volumesFrom.sourceContainer` another container of the task.
 */
export function volumeRules(td: Loose, containers: readonly Loose[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string) => issues.push({ path, rule, message });

  const volumes = new Map<string, number>();
  asArray(td.volumes).forEach((raw, i) => {
    const v = asRecord(raw);
    if (!v) return;
    const at = `volumes[${i}]`;
    const name = asString(v.name);
    if (name !== undefined) {
      const first = volumes.get(name);
      if (first !== undefined)
        add(
          `${at}.name`,
          'unique-volume-names',
          `volume name ${show(name)} is already used by volumes[${first}]`,
        );
      else volumes.set(name, i);
    }
    const kinds = volumeKinds.filter((k) => v[k] !== undefined && v[k] !== null);
    if (kinds.length > 1) add(at, 'volume-kind', `sets ${kinds.join(' and ')}: a volume is of one kind only`);
    const docker = asRecord(v.dockerVolumeConfiguration);
    if (docker?.autoprovision === true && (asString(docker.scope) ?? 'task') !== 'shared')
      add(
        `${at}.dockerVolumeConfiguration.autoprovision`,
        'volume-autoprovision',
        'can only be true when scope is shared: a task-scoped volume is always created for its task',
      );
  });

  const names = new Set(containers.map((c) => asString(c.name)).filter((n) => n !== undefined));
  containers.forEach((c, i) => {
    const at = `containerDefinitions[${i}]`;
    asArray(c.mountPoints).forEach((raw, j) => {
      const source = asString(asRecord(raw)?.sourceVolume);
      if (source !== undefined && !volumes.has(source))
        add(
          `${at}.mountPoints[${j}].sourceVolume`,
          'mount-volume-exists',
          `names no volume of this task definition (got ${show(source)})`,
        );
    });
    asArray(c.volumesFrom).forEach((raw, j) => {
      const source = asString(asRecord(raw)?.sourceContainer);
      if (source === undefined) return;
      const path = `${at}.volumesFrom[${j}].sourceContainer`;
      if (source === asString(c.name))
        add(path, 'volumes-from-container', 'a container cannot take volumes from itself');
      else if (!names.has(source))
        add(
          path,
          'volumes-from-container',
          `names no container in this task definition (got ${show(source)})`,
        );
    });
  });
  return issues;
}
