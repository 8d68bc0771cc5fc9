/** Every specifier the workspace packages publish, with the absolute path of its TypeScript source. */
export function workspaceSources(root?: string): { specifier: string; source: string }[];
