/**
 * `registerDashboardRoutes(ctx)`: serves the web dashboard's static files — `GET /` is `index.html`,
 * `GET /web/<file>` any `.html`/`.js`/`.css` file of this module's source folder.
 *
 * The build (scripts/build.mjs) only transpiles .ts, so the files are read from the source folder
 * `<package root>/runtime/rest/dashboard`, found from this module's location in dist/ or in the
 * source tree (run through tsx).
 *
 * Invariants: only file names matching `[a-z0-9-]+.(html|js|css)` that exist directly in that folder
 * are served (no client path ever reaches the file system); files are re-read per request (no stale
 * cache after an edit) and sent with `cache-control: no-cache`. These routes add no REST semantics: the
 * dashboard reads the same Flink REST paths as any client, with the same bearer-token rules (auth.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { platform } from '../../platform/index.js';
import { notFound } from '../rest-errors.js';
import type { RouteContext } from '../route-context.js';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const SAFE_NAME = /^[a-z0-9-]+\.(html|js|css)$/;

/** The folder holding index.html, app.js, style.css, … (source tree, also when running from dist/). */
export function dashboardWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (platform.files.exists(join(here, 'index.html'))) return here; // running from the source tree (tsx)
  // dist/runtime/rest/dashboard → the package root is four levels up
  return join(resolve(here, '../../../..'), 'runtime', 'rest', 'dashboard');
}

export function registerDashboardRoutes(c: RouteContext): void {
  const dir = dashboardWebDir();
  const send = (name: string) => {
    const m = SAFE_NAME.exec(name);
    if (!m) return undefined;
    let files: string[];
    try {
      files = platform.files.list(dir);
    } catch {
      return undefined;
    }
    if (!files.includes(name)) return undefined;
    return { body: platform.files.readBytes(join(dir, name)), type: CONTENT_TYPES[m[1]!]! };
  };
  const serve = (name: string) => {
    const f = send(name);
    if (!f) throw notFound(`Not found: /web/${name}`);
    return f;
  };
  c.app.get('/', async (_req, reply) => {
    const f = serve('index.html');
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });
  c.app.get('/web/:file', async (req, reply) => {
    const f = serve((req.params as { file?: string }).file ?? '');
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });
}
