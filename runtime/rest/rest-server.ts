/**
 * `createRestServer({facade, config, logger})`: the job manager's REST server (fastify) with Flink's v1
 * paths. `/v1/…` and unprefixed paths are the same; any other `/vN` prefix is 404. Binds
 * `rest.bind-address` (default `rest.address`, 127.0.0.1) on `rest.bind-port` (default `rest.port`; a
 * range "a-b" tries each port in turn); a non-loopback bind needs `sluice.security.tokens` (auth.ts).
 *
 * Invariants: every error response is `{"errors":[…]}`; request bodies are capped by
 * rest.server.max-content-length; an empty body counts as `{}`; non-multipart bodies are JSON whatever
 * their content type, as in Flink.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { restTls } from '../config/tls-material.js';
import { SluiceError } from '../errors/catalogue.js';
import type { Configuration } from '../config/configuration.js';
import type { ClusterFacade } from './cluster-facade.js';
import { assertBindAllowed, bearerAuth } from './auth.js';
import { badRequest, errorHandler, type RestLogger } from './rest-errors.js';
import type { RouteContext } from './route-context.js';
import { registerAsyncRoutes } from './routes-async.js';
import { registerClusterRoutes } from './routes-cluster.js';
import { registerDashboardRoutes } from './dashboard/routes-dashboard.js';
import { registerJarRoutes } from './routes-jars.js';
import { registerJobRoutes } from './routes-jobs.js';
import { registerCollectRoutes } from './routes-collect.js';
import { registerDiagnosticsRoutes } from './routes-diagnostics.js';
import { registerVertexRoutes } from './routes-vertices.js';

export interface RestServerOptions {
  facade: ClusterFacade;
  config: Configuration;
  logger?: RestLogger;
}

export interface RestServer {
  /** Binds and starts serving; resolves with the bound address (port 0 → the chosen port). */
  /** Binds; `scheme` is https under security.ssl.rest.enabled. */
  listen(): Promise<{ host: string; port: number; scheme: 'http' | 'https' }>;
  close(): Promise<void>;
  /** The fastify instance, for `inject()` in tests. */
  readonly app: FastifyInstance;
}

const UNKNOWN_VERSION = '/__sluice_unknown_rest_version__';
const silentLogger: RestLogger = { info: () => {}, error: (m) => process.stderr.write(`${m}\n`) };

/** `/v1/x` → `/x`; `/v9/x` → a path no route matches (404); anything else unchanged. */
export function rewriteVersionedUrl(url: string): string {
  if (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?')) return url.slice(3) || '/';
  if (/^\/v\d+(\/|\?|$)/.test(url)) return UNKNOWN_VERSION;
  return url;
}

export function bindPorts(spec: string): number[] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
  if (!m)
    throw new SluiceError(
      'CONFIG_INVALID',
      `rest.bind-port: expected a port or a range like 50100-50200, got "${spec}"`,
    );
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535 || b < a)
    throw new SluiceError('CONFIG_INVALID', `rest.bind-port: invalid port or range "${spec}"`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export function createRestServer(o: RestServerOptions): RestServer {
  const log = o.logger ?? silentLogger;
  const { config } = o;
  const tokens = config.restTokens();
  const bindHost = config.get('rest.bind-address') ?? config.getString('rest.address');
  assertBindAllowed(bindHost, tokens);
  const bodyLimit = config.getMemoryBytes('rest.server.max-content-length');

  // A request (headers and body) must arrive within sluice.rest.request-timeout: slow bodies are cut off.
  const requestTimeout = config.getDurationMs('sluice.rest.request-timeout', 30_000);
  // security.ssl.rest.*: HTTPS, and with authentication-enabled only clients with a trusted certificate
  const tls = restTls(config.typed);
  const scheme = tls ? 'https' : 'http';
  const https = tls && {
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca,
    minVersion: 'TLSv1.2' as const,
    requestCert: tls.clientAuth,
    rejectUnauthorized: tls.clientAuth,
  };
  // the https variant of the instance serves the same routes; only its server type differs
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: false,
    bodyLimit,
    requestTimeout,
    // An idle connection (a body that stopped arriving) is closed after the same time; once a request has
    // arrived the preHandler hook below lifts it, so a handler that works longer (a jar run evaluates the job's
    // bundle) is not cut off.
    connectionTimeout: requestTimeout,
    // Node checks request timeouts on this interval (30 s by default), so it bounds how late they bite.
    http: { connectionsCheckingInterval: Math.min(1000, requestTimeout) },
    rewriteUrl: (req) => rewriteVersionedUrl(req.url ?? '/'),
  }) as unknown as FastifyInstance;
  // a failed handshake (plain HTTP to the HTTPS port, an untrusted client) is logged with the peer's address
  if (tls)
    app.server.on('tlsClientError', (e: Error, s: { remoteAddress?: string; remotePort?: number }) =>
      log.info(
        `Refused a REST connection from ${s.remoteAddress ?? 'unknown'}:${s.remotePort ?? '?'}: TLS: ${e.message}`,
      ),
    );
  app.addHook('preHandler', (req, _reply, done) => {
    // Uploads stream their body inside the handler: the idle timeout keeps guarding those.
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/')) req.raw.socket?.setTimeout?.(0);
    done();
  });
  // Flink reads every non-multipart body as JSON whatever its content type (curl -d sends form encoding).
  const jsonBody = (_req: unknown, text: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const s = String(text);
    if (s.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(s));
    } catch (e) {
      done(badRequest(`Bad request: request body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, jsonBody);
  // Uploads are streamed to disk by the route (jar-upload.ts), which enforces the body limit itself.
  app.addContentTypeParser('multipart/form-data', (_req, payload, done) => done(null, payload));
  app.addHook('onRequest', bearerAuth(tokens));
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((req, reply) => {
    const original = req.originalUrl ?? req.url;
    const msg =
      req.url === UNKNOWN_VERSION
        ? `Not found: unsupported REST API version in ${original}; this server speaks v1.`
        : `Not found: ${original}`;
    return reply.code(404).send({ errors: [msg] });
  });

  let bound = { host: bindHost, port: 0, scheme: scheme as 'http' | 'https' };
  const ctx: RouteContext = {
    app,
    facade: o.facade,
    config,
    log,
    address: () => `${scheme}://${config.getString('rest.address')}:${bound.port}`,
  };
  registerClusterRoutes(ctx);
  registerJobRoutes(ctx);
  registerCollectRoutes(ctx);
  registerVertexRoutes(ctx);
  registerDiagnosticsRoutes(ctx);
  registerAsyncRoutes(ctx);
  registerJarRoutes(ctx);
  registerDashboardRoutes(ctx);

  return {
    app,
    async listen() {
      const ports = bindPorts(config.get('rest.bind-port') ?? String(config.getInt('rest.port')));
      let lastError: unknown;
      for (const port of ports) {
        try {
          await app.listen({ host: bindHost, port });
          const a = app.server.address();
          bound = { host: bindHost, port: typeof a === 'object' && a ? a.port : port, scheme };
          log.info(`REST endpoint listening at ${scheme}://${bound.host}:${bound.port}`);
          return bound;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
          lastError = e;
        }
      }
      throw new SluiceError(
        'CONFIG_INVALID',
        `rest.bind-port: no free port in ${ports[0]}-${ports[ports.length - 1]} on ${bindHost}: ${(lastError as Error).message}`,
      );
    },
    close: () => app.close(),
  };
}
