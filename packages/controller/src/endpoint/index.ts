export { type AccessKey, type ApiHandler, type ApiHandlerOptions, createApiHandler } from './handler.js';
