/**
 * Job bundle uploads do not grow the job manager's memory: ten 24 MiB uploads are streamed to disk, the
 * job manager's resident set stays within a bound far below what holding them would take, and past
 * sluice.rest.upload-retained-count the oldest uploads are evicted (from /jars and from the upload dir).
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, tempDirs } from '../support/cluster-harness.js';

const MIB = 1024 * 1024;

/** Resident set of a live process in bytes (Linux /proc). */
function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

t.test('ten 24 MiB uploads: memory stays flat, the oldest are evicted', async (t) => {
  const [uploads] = tempDirs(t, 'uploads') as [string];
  const c = await startCluster(t, {
    workers: 1,
    conf: {
      'rest.server.max-content-length': '32 mb',
      'sluice.rest.upload-dir': uploads,
      'sluice.rest.upload-retained-count': '3',
    },
  });
  const pid = c.mini.jobManager!.child.pid!;
  const body = new Uint8Array(24 * MIB).fill(0x20); // a 24 MiB "bundle" of spaces
  const ids: string[] = [];
  const upload = async (i: number) => {
    const form = new FormData();
    form.append('jarfile', new Blob([body]), `big-${i}.mjs`);
    const r = await fetch(`${c.restUrl}/jars/upload`, { method: 'POST', body: form });
    t.equal(r.status, 200, `upload ${i}`);
    ids.push(((await r.json()) as { filename: string }).filename.split('/').pop()!);
  };
  await upload(0); // warm-up: the first request loads code paths
  const before = rssBytes(pid);
  for (let i = 1; i < 10; i++) await upload(i);
  const grown = rssBytes(pid) - before;
  t.ok(grown < 60 * MIB, `job manager RSS grew ${(grown / MIB).toFixed(1)} MiB over 9 × 24 MiB uploads`);
  const listed = (await c.rest.call<{ files: Array<{ id: string }> }>('GET', '/jars')).files.map((f) => f.id);
  t.same(listed.sort(), ids.slice(-3).sort(), 'the three newest uploads are kept');
  t.same(readdirSync(uploads).sort(), ids.slice(-3).sort(), 'evicted uploads are deleted from disk');
  t.equal(readFileSync(join(uploads, ids.at(-1)!)).length, 24 * MIB, 'an upload is stored whole');
});
