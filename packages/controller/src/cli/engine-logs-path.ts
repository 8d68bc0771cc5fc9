/** The path of `baton serve`'s engine-logs read (not an AWS operation: Baton's own, beside /metrics). */
export const ENGINE_LOGS_PATH = '/baton/v1/engine-logs';
