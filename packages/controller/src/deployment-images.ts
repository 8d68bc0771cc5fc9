import type { ContainerImage, Deployment, Service, Task, TaskDefinition } from '@baton-ecs/model';
import { pinnedReference } from '@baton-ecs/registry-client';
import type { ImagePinner } from '@baton-ecs/runtime-docker';

/**
 * ECS's software version consistency: each container image of a deployment is resolved to a digest
 * once, when the deployment is created, and every task of the deployment runs that digest — on
 * every host, however late it starts, even if the tag has moved since ("Container image resolution"
 * in the developer guide; ECS shows the list as a service revision's `containerImages`). The
 * resolution is I/O (the registry) and happens in the controller; what follows from it is pure.
 */

const digestReference = /@(sha256:[0-9a-f]{64})$/;

/** A container whose image could not be resolved, and why (the registry's words). */
export interface UnresolvedImage {
  readonly containerName: string;
  readonly image: string;
  readonly message: string;
}

/**
 * Resolves the task definition's images for a new deployment through `pinner` (the registry client
 * and logins the agents use). An image given by digest is kept as it is; one the pinner does not
 * resolve (a registry not on its list) is recorded without a digest; one the registry fails to
 * resolve is returned in `failures` and left out of `images`, so the caller can try again.
 */
export async function resolveDeploymentImages(
  taskDefinition: Pick<TaskDefinition, 'containerDefinitions'>,
  pinner: ImagePinner,
  scope: string,
): Promise<{ readonly images: ContainerImage[]; readonly failures: UnresolvedImage[] }> {
  const images: ContainerImage[] = [];
  const failures: UnresolvedImage[] = [];
  await Promise.all(
    taskDefinition.containerDefinitions.map(async ({ name, image }, i) => {
      const given = digestReference.exec(image);
      if (given) {
        images[i] = { containerName: name, image, imageDigest: given[1]! };
        return;
      }
      try {
        const pin = await pinner.pin(image, scope);
        images[i] = pin
          ? { containerName: name, image, imageDigest: pin.digest }
          : { containerName: name, image };
      } catch (error) {
        failures.push({ containerName: name, image, message: (error as Error).message });
      }
    }),
  );
  return { images: images.filter((x) => x !== undefined), failures };
}

/**
 * A task of `deployment` as it must run: each container whose image the deployment resolved runs
 * `repository@digest` (and says so in `imageDigest`, as DescribeTasks does). Images given by digest
 * keep their reference; containers without a resolved digest, and tasks of no resolved deployment
 * (RunTask, a deployment from before), are left as they are.
 */
export function pinTaskImages(task: Task, deployment: Pick<Deployment, 'containerImages'> | undefined): Task {
  const resolved = deployment?.containerImages;
  if (!resolved) return task;
  let changed = false;
  const containers = task.containers.map((c) => {
    const r = resolved.find((i) => i.containerName === c.name);
    if (r?.imageDigest === undefined) return c;
    const image = digestReference.test(r.image) ? r.image : pinnedReference(r.image, r.imageDigest);
    if (image === undefined || (c.image === image && c.imageDigest === r.imageDigest)) return c;
    changed = true;
    return { ...c, image, imageDigest: r.imageDigest };
  });
  return changed ? { ...task, containers } : task;
}

/**
 * The deployments of `service` whose images are still to be resolved: the PRIMARY while it rolls
 * out (only the PRIMARY launches tasks). A deployment that completed without them (made before its
 * Baton resolved images) is left as it is: resolving it now could pin new tasks to another image
 * than the ones it runs.
 */
export function unresolvedDeployments(service: Pick<Service, 'deployments'>): Deployment[] {
  return service.deployments.filter(
    (d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS' && d.containerImages === undefined,
  );
}
