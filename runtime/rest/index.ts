/** runtime/rest: the job manager's REST server with Flink's v1 paths and shapes. */
export { createRestServer, rewriteVersionedUrl, bindPorts } from './rest-server.js';
export type { RestServer, RestServerOptions } from './rest-server.js';
export type * from './cluster-facade.js';
export { assertBindAllowed, bearerAuth, isLoopbackAddress, requiredScope } from './auth.js';
export type { RestLogger } from './rest-errors.js';
export { FLINK_VERSION, FLINK_COMMIT } from './views.js';
export { sanitizeJarName } from './routes-jars.js';
