/**
 * REST access control, in one place: (1) the bind rule — REST binds loopback unless bearer tokens are
 * configured; (2) the bearer check — with tokens configured, every request needs `Authorization: Bearer
 * <token>`; GET/HEAD need the `read` scope, every other method `mutate`.
 *
 * Invariants: token comparison is constant-time over SHA-256 digests; with no tokens configured the
 * server is reachable only from this host.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SluiceError } from '../errors/catalogue.js';
import type { RestToken, TokenScope } from '../config/configuration.js';

export function isLoopbackAddress(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/** Throws unless `host` is loopback or tokens are configured. */
export function assertBindAllowed(host: string, tokens: readonly RestToken[]): void {
  if (isLoopbackAddress(host) || tokens.length > 0) return;
  throw new SluiceError(
    'CONFIG_INVALID',
    `rest.bind-address/rest.address: refusing to bind the REST server to non-loopback address "${host}" without authentication; ` +
      'configure sluice.security.tokens (bearer tokens with read/mutate scopes) or bind 127.0.0.1',
  );
}

export function requiredScope(method: string): TokenScope {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'mutate';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The dashboard's static files: `GET /` and `GET /web/<file>` (nothing else is public). */
function isDashboardAsset(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url.split('?')[0] ?? '').replace(/^\/v1(?=\/)/, '');
  return path === '/' || /^\/web\/[a-z0-9-]+\.(html|js|css)$/.test(path);
}

/** A fastify onRequest hook enforcing bearer tokens; a no-op when no tokens are configured. */
export function bearerAuth(tokens: readonly RestToken[]) {
  const known = tokens.map((t) => ({ d: digest(t.token), scopes: t.scopes }));
  return async (req: FastifyRequest): Promise<void> => {
    if (known.length === 0) return;
    if (isDashboardAsset(req)) return; // static files hold no cluster data; the app asks for a token for the API
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m)
      throw new SluiceError(
        'REST_UNAUTHORIZED',
        'Unauthorized: this cluster requires "Authorization: Bearer <token>".',
      );
    const d = digest(m[1]!);
    const hit = known.find((k) => timingSafeEqual(k.d, d));
    if (!hit) throw new SluiceError('REST_UNAUTHORIZED', 'Unauthorized: unknown bearer token.');
    const need = requiredScope(req.method);
    if (!hit.scopes.has(need))
      throw new SluiceError('REST_FORBIDDEN', `Forbidden: ${req.method} requires a token with the "${need}" scope.`);
  };
}
