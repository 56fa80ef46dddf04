/**
 * `sluice scale --workers N` on a background cluster started with `sluice cluster start`: workers
 * are added and register with the job manager; idle workers are removed; a worker running a job's subtasks
 * is not taken away (the command names the job); `cluster stop` stops every process.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { completedCheckpoints, killRecordedCluster, runCli, tempDirs, waitFor } from '../support/cluster-harness.js';

t.test('scale out and in, refusing to remove a busy worker', async (t) => {
  const [dir, out] = tempDirs(t, 'scale', 'scale-out') as [string, string];
  writeFileSync(
    join(dir, 'cluster.yaml'),
    `rest.port: 0\njobmanager.rpc.port: 0\ntaskmanager.numberOfTaskSlots: 1\nexecution.checkpointing.dir: ${dir}/checkpoints\n`,
  );
  t.teardown(() => killRecordedCluster(dir)); // whatever the state file still records, on failure too
  const cli = (...args: string[]) => runCli(t, args, 60_000, dir);
  const start = await cli('cluster', 'start', '--workers', '1', '-c', 'cluster.yaml');
  t.equal(start.code, 0, start.stderr);
  const restUrl = /job manager (http:\/\/\S+)/.exec(start.stdout)![1]!;
  const rest = new RestClient(restUrl);
  const workers = async () =>
    (await rest.call<{ taskmanagers: Array<{ id: string }> }>('GET', '/taskmanagers')).taskmanagers.length;
  t.equal(await workers(), 1);

  const up = await cli('scale', '--workers', '3');
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /The cluster has 3 task worker\(s\)\./);
  await waitFor('3 registered workers', async () => (await workers()) === 3);

  // a job on all three workers: removing one must be refused, naming the job
  const run = await cli(
    'run',
    '-d',
    '-m',
    restUrl,
    '-p',
    '3',
    join(process.cwd(), 'jobs/keyed-sequence-check.ts'),
    out,
    '1000000',
    '2000',
    '30',
    '0',
  );
  t.equal(run.code, 0, run.stderr);
  const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
  await waitFor(
    'job running',
    async () => (await rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'RUNNING',
  );
  const busy = await cli('scale', '--workers', '2');
  t.not(busy.code, 0);
  t.match(busy.stderr, new RegExp(`runs subtasks of job\\(s\\) ${jobId}; rescale them`));
  t.equal(await workers(), 3, 'no worker was removed under the job');

  await rest.call('PATCH', `/jobs/${jobId}?mode=cancel`);
  await waitFor(
    'job canceled',
    async () => (await rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'CANCELED',
  );
  const down = await cli('scale', '--workers', '1');
  t.equal(down.code, 0, down.stderr);
  t.match(down.stdout, /Stopped task worker .*\nStopped task worker .*\nThe cluster has 1 task worker\(s\)\./);
  t.equal(await workers(), 1);

  const stop = await cli('cluster', 'stop');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /Stopped the cluster \(1 task worker\(s\) and the job manager\)\./);
});

t.test('reactive mode: scaling in drains the worker (its job rescales to the rest) before stopping it', async (t) => {
  const [dir, out] = tempDirs(t, 'scale-reactive', 'scale-reactive-out') as [string, string];
  writeFileSync(
    join(dir, 'cluster.yaml'),
    `rest.port: 0\njobmanager.rpc.port: 0\ntaskmanager.numberOfTaskSlots: 1\nscheduler-mode: reactive\njobmanager.adaptive-scheduler.resource-stabilization-timeout: 200 ms\nexecution.checkpointing.dir: ${dir}/checkpoints\n`,
  );
  t.teardown(() => killRecordedCluster(dir)); // whatever the state file still records, on failure too
  const cli = (...args: string[]) => runCli(t, args, 90_000, dir);
  const start = await cli('cluster', 'start', '--workers', '2', '-c', 'cluster.yaml');
  t.equal(start.code, 0, start.stderr);
  const restUrl = /job manager (http:\/\/\S+)/.exec(start.stdout)![1]!;
  const rest = new RestClient(restUrl);
  const run = await cli(
    'run',
    '-d',
    '-m',
    restUrl,
    '-p',
    '2',
    join(process.cwd(), 'jobs/keyed-sequence-check.ts'),
    out,
    '1000000',
    '2000',
    '30',
    '300',
  );
  const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
  type Details = { state: string; vertices: Array<{ parallelism: number; status: string }> };
  const at = (p: number) => async () => {
    const d = await rest.call<Details>('GET', `/jobs/${jobId}`);
    return (
      d.state === 'RUNNING' &&
      Math.max(...d.vertices.map((v) => v.parallelism)) === p &&
      d.vertices.every((v) => v.status === 'RUNNING')
    );
  };
  await waitFor(
    'running on both workers with a checkpoint',
    async () => (await at(2)()) && (await completedCheckpoints({ rest }, jobId)) > 0,
  );
  const down = await cli('scale', '--workers', '1');
  t.equal(down.code, 0, down.stderr);
  t.match(
    down.stdout,
    new RegExp(
      `Drained task worker \\S+: job\\(s\\) ${jobId} rescaled to the remaining workers\\.\\nStopped task worker`,
    ),
  );
  await waitFor('the job runs on the one worker left', at(1), 30_000);
  await rest.call('PATCH', `/jobs/${jobId}?mode=cancel`);
  await waitFor(
    'job canceled',
    async () => (await rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'CANCELED',
  );
  t.equal((await cli('cluster', 'stop')).code, 0);
});

t.test(
  'stale pids: a crashed worker is replaced, not counted, and a pid that is not ours is never signalled',
  async (t) => {
    const [dir] = tempDirs(t, 'scale-stale') as [string];
    writeFileSync(
      join(dir, 'cluster.yaml'),
      `rest.port: 0\njobmanager.rpc.port: 0\ntaskmanager.numberOfTaskSlots: 1\nexecution.checkpointing.dir: ${dir}/checkpoints\n`,
    );
    t.teardown(() => killRecordedCluster(dir));
    const cli = (...args: string[]) => runCli(t, args, 60_000, dir);
    const start = await cli('cluster', 'start', '--workers', '2', '-c', 'cluster.yaml');
    t.equal(start.code, 0, start.stderr);
    const stateFile = join(dir, '.sluice/cluster/cluster.json');
    const state = () =>
      JSON.parse(readFileSync(stateFile, 'utf8')) as { workers: Array<{ pid: number; name: string }> };
    // A worker crashes (SIGKILL): the supervisor records its replacement instead.
    const crashed = state().workers[0]!.pid;
    process.kill(crashed, 'SIGKILL');
    await waitFor('the crashed worker replaced in the state', () => {
      const ws = state().workers;
      return ws.length === 2 && !ws.some((w) => w.pid === crashed);
    });
    // A foreign process is recorded under a worker's name (a reused pid).
    const foreign = spawn('sleep', ['60'], { stdio: 'ignore' });
    t.teardown(() => void foreign.kill('SIGKILL'));
    const st = state();
    st.workers.push({ ...st.workers[1]!, pid: foreign.pid!, name: 'taskworker-9' });
    writeFileSync(stateFile, JSON.stringify(st));

    const same = await cli('scale', '--workers', '2');
    t.equal(same.code, 0, same.stderr);
    t.match(same.stdout, /1 recorded task worker\(s\) are no longer running; not counted\./);
    t.match(same.stdout, /The cluster has 2 task worker\(s\)\./, 'the two live workers');
    t.equal(foreign.exitCode, null, 'the foreign process was not signalled');
    const stop = await cli('cluster', 'stop');
    t.equal(stop.code, 0, stop.stderr);
    t.match(
      stop.stdout,
      /Stopped the cluster \(2 task worker\(s\); 1 recorded worker\(s\) were already gone and the job manager\)\./,
    );
    t.equal(foreign.exitCode, null, 'still running after cluster stop');
  },
);
