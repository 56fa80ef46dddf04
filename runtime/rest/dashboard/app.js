/**
 * The dashboard's entry point: a hash router (`#/overview`, `#/jobs`, `#/jobs/<jobId>`,
 * `#/jobs/<jobId>/vertices/<vertexId>`, `#/taskmanagers`, `#/logs`)
 * and the refresh loop. A page module exports `mount(root, params)` returning `{refresh(), unmount?()}`;
 * the router mounts one page at a time, refreshes it at once and then every 2 s.
 *
 * Invariants: refreshes never overlap (a slow one is not re-entered; the next tick waits); a refresh of a
 * page that has since been unmounted is ignored; the status line shows the last refresh time or error.
 */
import { mountOverview } from './page-overview.js';
import { mountJobs } from './page-jobs.js';
import { mountJob } from './page-job.js';
import { mountTaskManagers } from './page-taskmanagers.js';
import { mountLogs } from './page-logs.js';
import { mountVertex } from './page-vertex.js';

const REFRESH_MS = 2000;
const ROUTES = [
  { re: /^\/?$/, nav: 'overview', mount: mountOverview },
  { re: /^\/overview$/, nav: 'overview', mount: mountOverview },
  { re: /^\/jobs$/, nav: 'jobs', mount: mountJobs },
  { re: /^\/jobs\/([0-9a-f]{32})$/, nav: 'jobs', mount: (root, m) => mountJob(root, m[1]) },
  {
    re: /^\/jobs\/([0-9a-f]{32})\/vertices\/([0-9a-f]{32})$/,
    nav: 'jobs',
    mount: (root, m) => mountVertex(root, m[1], m[2]),
  },
  { re: /^\/taskmanagers$/, nav: 'taskmanagers', mount: mountTaskManagers },
  { re: /^\/logs$/, nav: 'logs', mount: mountLogs },
];

const main = document.getElementById('main');
const status = document.getElementById('status');
let current = null;
let generation = 0;
let busy = false;

function setStatus(text, isError) {
  status.textContent = text;
  status.classList.toggle('error', Boolean(isError));
}

async function refresh() {
  if (!current || busy) return;
  busy = true;
  const gen = generation;
  try {
    await current.refresh();
    if (gen === generation)
      setStatus(`updated ${new Date().toTimeString().slice(0, 8)} · every ${REFRESH_MS / 1000} s`, false);
  } catch (e) {
    if (gen === generation) setStatus(String(e?.message ? e.message : e), true);
  } finally {
    busy = false;
  }
}

function route() {
  const path = decodeURIComponent(location.hash.replace(/^#/, '')) || '/overview';
  if (current?.unmount) current.unmount();
  current = null;
  generation++;
  busy = false;
  main.replaceChildren();
  const hit = ROUTES.map((r) => ({ r, m: r.re.exec(path) })).find((x) => x.m);
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('active', Boolean(hit && a.dataset.nav === hit.r.nav));
  if (!hit) {
    main.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: `No page at ${path}.` }));
    return;
  }
  current = hit.r.mount(main, hit.m);
  void refresh();
}

window.addEventListener('hashchange', route);
setInterval(() => void refresh(), REFRESH_MS);
route();
