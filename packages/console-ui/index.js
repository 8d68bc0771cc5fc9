import { fileURLToPath } from 'node:url';

/** The folder holding the console's built files: index.html and what it loads. */
export const assetsDir = fileURLToPath(new URL('./dist/', import.meta.url));
