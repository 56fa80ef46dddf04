/**
 * `sluice run` with no reachable cluster starts the embedded mini cluster (job manager + 2 worker
 * processes on loopback), runs the job attached and stops every process it started.
 */
import t from 'tap';
import { runCli } from '../support/cluster-harness.js';

t.test('run without a cluster uses the mini cluster and cleans up', async (t) => {
  // an unused REST port, so nothing answers where the CLI looks first; -D right before the job module
  const r = await runCli(t, ['run', '--workers', '2', '-D', 'rest.port=1', 'jobs/keyed-counts.ts', '200', '4']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /No cluster at http:\/\/127\.0\.0\.1:1;/, 'the -D placed rest.port');
  t.match(r.stderr, /starting a mini cluster with 2 task worker\(s\)/);
  t.match(r.stdout, /Job has been submitted with JobID [0-9a-f]{32}/);
  t.match(r.stdout, /Job with JobID [0-9a-f]{32} has finished\./);
  const counts = r.stderr.split('\n').filter((l) => /^key-\d,\d+$/.test(l));
  t.equal(counts.length, 200, 'the job output (print sink on the workers) reaches the terminal');
  const url = /REST and dashboard at (http:\/\/\S+)/.exec(r.stderr)![1]!;
  await t.rejects(fetch(`${url}/overview`), 'the mini cluster job manager is gone');
});
