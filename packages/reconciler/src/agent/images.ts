/**
 * An image reference in the form the engine lists it: `name:tag`, `name@digest`, with `:latest`
 * added when neither is given and Docker Hub's implicit prefixes removed, so `busybox`,
 * `docker.io/library/busybox` and `busybox:latest` compare equal.
 */
export function normalizeImageRef(ref: string): string {
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  } else {
    // A tag is a `:` after the last `/` (a `:` before it is a registry port).
    const colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      suffix = name.slice(colon);
      name = name.slice(0, colon);
    } else {
      suffix = ':latest';
    }
  }
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  return name + suffix;
}

/** Whether the engine's image list holds `ref`. */
export function hasImage(images: ReadonlySet<string>, ref: string): boolean {
  return images.has(normalizeImageRef(ref));
}
