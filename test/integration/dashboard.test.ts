/**
 * The web dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a
 * real 2-worker cluster: the overview shows both task workers, a running job is listed RUNNING, its page
 * draws every vertex of `/jobs/:id` in the graph and lists completed checkpoints, a model-serving job's
 * page lists the models `/jobs/:id/models` reports, the Savepoint button ends with a completed savepoint
 * path, and the Cancel button makes the job CANCELED. Screenshots go to `.tap/dashboard/` (git-ignored).
 *
 * Invariants: no sleeps as synchronisation — every wait is a condition with a deadline; the browser and
 * every process are closed in teardown, also on failure (with a failure screenshot).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { chromium, type Page } from 'playwright-core';
import { ROOT, startCluster, submitDetached, tempDirs, waitFor } from '../support/cluster-harness.js';
import { createRestServer } from '../../runtime/rest/index.js';
import { loadConfiguration } from '../../runtime/config/index.js';
import { FakeFacade, JOB, V2 } from '../unit/rest/fake-facade.js';
import type { MetricScope } from '../../runtime/rest/cluster-facade.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, '.tap', 'dashboard');
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
};
type Details = { state: string; vertices: { id: string; name: string; parallelism: number }[] };

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits for the attribute / text state the dashboard renders, polling in the page with a deadline. */
async function waitText(page: Page, selector: string, text: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(([s, x]) => document.querySelector(s!)?.textContent?.trim() === x, [selector, text], {
    timeout,
    polling: 100,
  });
}

t.test(
  'dashboard pages in Chromium against a running 2-worker cluster',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` },
  async (t) => {
    mkdirSync(SHOTS, { recursive: true });
    const [seqOut, modelOut, spDir, logDir] = tempDirs(t, 'dash-seq', 'dash-model', 'dash-sp', 'dash-log') as [
      string,
      string,
      string,
      string,
    ];
    const c = await startCluster(t, {
      workers: 2,
      slots: 2,
      conf: { 'env.log.dir': logDir, 'rest.flamegraph.enabled': 'true', 'rest.flamegraph.num-samples': '10' },
    });

    const browser = await chromium.launch(LAUNCH);
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`${m.text()} ${m.location().url}`)));
    t.teardown(async () => {
      if (!t.passing()) await shot(page, 'failure').catch(() => {});
      await browser.close();
    });

    const seqId = await submitDetached(t, c.restUrl, [
      'jobs/keyed-sequence-check.ts',
      seqOut,
      '200000',
      '2000',
      '20',
      '500',
    ]);
    const modelId = await submitDetached(t, c.restUrl, [
      'test/fixtures/job-model-serving.ts',
      modelOut,
      '60000',
      '2000',
      'keyed',
    ]);

    // Overview: both task workers.
    await page.goto(`${c.restUrl}/#/overview`);
    await waitText(page, '[data-testid=overview-taskmanagers]', '2');
    t.pass('overview shows 2 task workers');
    await waitFor('overview lists the running job', () => page.$(`tr[data-job-id="${seqId}"]`), 30_000, 100);
    await shot(page, 'overview');

    // Jobs list: the job RUNNING.
    await page.goto(`${c.restUrl}/#/jobs`);
    await page.waitForSelector(`tr.job-row[data-job-id="${seqId}"][data-state="RUNNING"]`, { timeout: 30_000 });
    t.pass('the job is listed as RUNNING');
    await shot(page, 'jobs');

    // Job page: the graph has every vertex of /jobs/:id; completed checkpoints in the history.
    const details = await c.rest.call<Details>('GET', `/jobs/${seqId}`);
    await page.goto(`${c.restUrl}/#/jobs/${seqId}`);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=job-graph] g.vertex').length === n,
      details.vertices.length,
      { timeout: 30_000 },
    );
    const drawn = await page.$$eval('[data-testid=job-graph] g.vertex', (gs) =>
      gs.map((g) => ({ name: g.getAttribute('data-name'), parallelism: Number(g.getAttribute('data-parallelism')) })),
    );
    t.same(
      drawn.map((d) => d.name).sort(),
      details.vertices.map((v) => v.name).sort(),
      'every vertex name of /jobs/:id is drawn',
    );
    t.same(
      drawn.map((d) => d.parallelism).sort(),
      details.vertices.map((v) => v.parallelism).sort(),
      'with its parallelism',
    );
    t.ok(
      (await page.$$('[data-testid=job-graph] g.edge')).length >= details.vertices.length - 1,
      'edges connect the vertices',
    );
    await page.waitForSelector('tr.checkpoint[data-status="COMPLETED"]', { timeout: 30_000 });
    t.pass('completed checkpoints appear in the history');
    await shot(page, 'job-graph-checkpoints');

    // Model panel of the serving job: the models /jobs/:id/models reports.
    await page.goto(`${c.restUrl}/#/jobs/${modelId}`);
    await page.waitForSelector('tr.model-row', { timeout: 60_000 });
    const restModels = await waitFor('REST reports models', async () => {
      const rows = (await c.rest.call<{ models: { name: string }[] }>('GET', `/jobs/${modelId}/models`)).models;
      return rows.length > 0 && rows;
    });
    const names = new Set(restModels.map((m) => m.name));
    await page.waitForFunction(
      (want) => {
        const shown = new Set([...document.querySelectorAll('tr.model-row')].map((r) => r.getAttribute('data-model')));
        return want.every((n) => shown.has(n));
      },
      [...names],
      { timeout: 30_000 },
    );
    t.pass(`the model panel lists the serving models (${[...names].sort().join(', ')})`);
    t.ok(await page.$('[data-testid=no-quality]'), 'no quality chart: the fixture reports no MAE or accuracy');
    await shot(page, 'job-models');

    // Vertex page of the running job: subtasks, back pressure in Flink's levels, a sampled flame graph.
    const seqDetails = await c.rest.call<Details>('GET', `/jobs/${seqId}`);
    const keyed = seqDetails.vertices[seqDetails.vertices.length - 1]!;
    await page.goto(`${c.restUrl}/#/jobs/${seqId}`);
    await page.click(`a.vertex-link[href$="${keyed.id}"]`);
    await page.waitForFunction((n) => document.querySelectorAll('tr.subtask-row').length === n, keyed.parallelism, {
      timeout: 30_000,
    });
    await page.waitForSelector('[data-testid=backpressure-level][data-level]', { timeout: 30_000 });
    // the page refreshes every 2 s; a sampling window can fall on an idle moment of the rate-limited job (a
    // graph with only its root), so wait for one that caught frames
    await page
      .waitForFunction(() => document.querySelectorAll('[data-testid=flame-graph] rect').length > 1, null, {
        timeout: 60_000,
      })
      .catch(() => undefined);
    t.ok((await page.$$('[data-testid=flame-graph] rect')).length > 1, 'the flame graph draws sampled frames');
    await shot(page, 'vertex');

    // Logs page: every process with its files; a file and a thread dump open in the viewer.
    await page.goto(`${c.restUrl}/#/logs`);
    await page.waitForFunction(() => document.querySelectorAll('tr.log-row').length >= 3, null, { timeout: 30_000 });
    await page.click('tr.log-row button.link');
    await page.waitForSelector('[data-testid=log-view][data-loaded=true]', { timeout: 30_000 });
    t.match((await page.textContent('[data-testid=log-view]')) ?? '', /"msg":/, 'a pino log file is shown');
    await page.click('[data-testid=btn-thread-dump]');
    await page.waitForFunction(
      () => /"main" JavaScript/.test(document.querySelector('[data-testid=log-view]')?.textContent ?? ''),
      null,
      {
        timeout: 30_000,
      },
    );
    await shot(page, 'logs');

    // Savepoint button on the running job.
    await page.goto(`${c.restUrl}/#/jobs/${seqId}`);
    await page.waitForSelector('[data-testid=btn-savepoint]:not([disabled])', { timeout: 30_000 });
    await page.fill('[data-testid=savepoint-dir]', spDir);
    await page.click('[data-testid=btn-savepoint]');
    const result = await page.waitForSelector('[data-testid=savepoint-result][data-location^="file:"]', {
      timeout: 90_000,
    });
    const location = (await result.getAttribute('data-location'))!;
    t.match(
      location,
      new RegExp(`^file:${spDir}/savepoint-[0-9a-f]{6}-[0-9a-f]{12}$`),
      'a completed savepoint path is shown',
    );
    t.match((await result.textContent()) ?? '', /Savepoint completed\. Path: file:/);
    await shot(page, 'savepoint');

    // Cancel button: confirm, then the job becomes CANCELED.
    page.once('dialog', (d) => void d.accept());
    await page.click('[data-testid=btn-cancel]');
    await page.waitForSelector('[data-testid=job-state][data-state="CANCELED"]', { timeout: 60_000 });
    t.equal(
      (await c.rest.call<{ status: string }>('GET', `/jobs/${seqId}/status`)).status,
      'CANCELED',
      'REST agrees: CANCELED',
    );
    await page.waitForSelector('[data-testid=btn-cancel][disabled]', { timeout: 10_000 });
    await shot(page, 'canceled');

    // Task workers page.
    await page.goto(`${c.restUrl}/#/taskmanagers`);
    await page.waitForFunction(() => document.querySelectorAll('tr.tm-row').length === 2, null, { timeout: 30_000 });
    t.pass('task workers page lists 2 workers');
    await shot(page, 'taskmanagers');

    t.same(pageErrors, [], 'no script errors in the page');
    t.same(consoleErrors, [], 'no console errors');
  },
);

/** A fake facade whose models report accuracy that changes per request (as a quality-reporting job would). */
class QualityFacade extends FakeFacade {
  private n = 0;
  override jobModels(id: string) {
    const rows = super.jobModels(id);
    this.n++;
    return rows?.map((r) => ({ ...r, accuracy: 0.8 + (this.n % 5) / 100 }));
  }
  /** And an operator gauge `<version>.maeSec` on the second vertex (as the taxi job's MAE window function). */
  override metrics(scope: MetricScope) {
    const m = super.metrics(scope);
    if (scope.kind !== 'vertex' || scope.vertexId !== V2 || !m) return m;
    return { ...m, '1.mae-per-version.v3.maeSec': 240 + (this.n % 7) };
  }
}

t.test(
  'token prompt (sessionStorage) and the quality chart, against a REST server with tokens and a fake facade',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` },
  async (t) => {
    mkdirSync(SHOTS, { recursive: true });
    const TOKEN = 'dashboard-token-0123456789abcdef';
    const config = loadConfiguration({
      file: false,
      overrides: { 'rest.port': 0, 'sluice.security.tokens': `${TOKEN}:read,mutate` },
    });
    const server = createRestServer({ facade: new QualityFacade(), config });
    t.teardown(() => server.close());
    const { port } = await server.listen();
    const base = `http://127.0.0.1:${port}`;
    t.equal((await fetch(`${base}/`)).status, 200, 'the static files are public (they hold no cluster data)');
    t.equal((await fetch(`${base}/overview`)).status, 401, 'the API needs the token');

    const browser = await chromium.launch(LAUNCH);
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    t.teardown(async () => {
      if (!t.passing()) await shot(page, 'token-failure').catch(() => {});
      await browser.close();
    });
    // The app's own API requests carry no token until the user answers its prompt.
    const prompts: string[] = [];
    page.on('dialog', (d) => {
      prompts.push(d.message());
      void d.accept(TOKEN);
    });
    await page.goto(`${base}/#/overview`);
    await waitText(page, '[data-testid=overview-taskmanagers]', '2');
    t.equal(prompts.length, 1, 'one prompt for the token');
    t.match(prompts[0], /Bearer token/);
    t.equal(await page.evaluate(() => sessionStorage.getItem('sluice.token')), TOKEN, 'kept in sessionStorage');

    await page.goto(`${base}/#/jobs/${JOB}`);
    await page.waitForSelector('tr.model-row[data-model="wine"]', { timeout: 30_000 });
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=quality-chart] polyline')?.getAttribute('points') ?? '').split(' ')
          .length >= 2,
      null,
      { timeout: 30_000 },
    );
    t.pass('accuracy reported by the models draws the quality chart');
    await page.waitForFunction(
      () =>
        (
          document
            .querySelector('[data-testid=quality-chart] g[data-series$="v3.maeSec"] polyline')
            ?.getAttribute('points') ?? ''
        ).split(' ').length >= 2,
      null,
      { timeout: 30_000 },
    );
    t.pass('an operator gauge named …maeSec in the vertex metrics is drawn too (the taxi job reports its MAE so)');
    t.equal(prompts.length, 1, 'no further prompt: the stored token is sent');
    await shot(page, 'quality-chart');
  },
);

t.test('static files: / is the dashboard, unknown or unsafe names are 404', async (t) => {
  const c = await startCluster(t, { workers: 1 });
  const index = await fetch(`${c.restUrl}/`);
  t.equal(index.status, 200);
  t.match(index.headers.get('content-type') ?? '', /^text\/html/);
  t.match(await index.text(), /<script type="module" src="\/web\/app.js">/);
  const js = await fetch(`${c.restUrl}/web/app.js`);
  t.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  for (const p of [
    '/web/routes-dashboard.ts',
    '/web/README.md',
    '/web/..%2Fauth.ts',
    '/web/nope.js',
    '/v1/web/%2e%2e%2fpackage.json',
  ]) {
    const r = await fetch(`${c.restUrl}${p}`);
    t.equal(r.status, 404, p);
    t.match(await r.json(), { errors: [String] }, `${p}: Flink-style error body`);
  }
});
