/**
 * The local cluster heals itself: a task worker of `sluice cluster start` killed with SIGKILL is replaced by
 * its supervisor (the restart is logged with the signal), the replacement registers with the job manager, and
 * the running exactly-once job recovers onto it and finishes with exact output (nothing lost or duplicated,
 * per-key order and counts intact). After `cluster stop`, nothing is restarted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { RestClient } from '../../runtime/cli/rest-client.js';
import {
  completedCheckpoints,
  killRecordedCluster,
  readSequenceOutput,
  runCli,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

const N = 12_000;
const KEYS = 10;

t.test('a SIGKILLed worker is replaced and the job finishes with exact output', async (t) => {
  const [dir, out] = tempDirs(t, 'supervise', 'supervise-out') as [string, string];
  writeFileSync(
    join(dir, 'cluster.yaml'),
    [
      'rest.port: 0',
      'jobmanager.rpc.port: 0',
      'taskmanager.numberOfTaskSlots: 1',
      `execution.checkpointing.dir: ${dir}/checkpoints`,
      'restart-strategy.type: fixed-delay',
      'restart-strategy.fixed-delay.attempts: 50',
      'restart-strategy.fixed-delay.delay: 200 ms',
      '',
    ].join('\n'),
  );
  t.teardown(() => killRecordedCluster(dir));
  const cli = (...args: string[]) => runCli(t, args, 90_000, dir);
  const start = await cli('cluster', 'start', '--workers', '2', '-c', 'cluster.yaml');
  t.equal(start.code, 0, start.stderr);
  const rest = new RestClient(/job manager (http:\/\/\S+)/.exec(start.stdout)![1]!);
  const stateFile = join(dir, '.sluice/cluster/cluster.json');
  type State = { supervisor?: { pid: number }; workers: Array<{ pid: number; workerId: string }> };
  const state = () => JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  const registered = async () =>
    (await rest.call<{ taskmanagers: Array<{ id: string }> }>('GET', '/taskmanagers')).taskmanagers.map((x) => x.id);

  const run = await cli(
    'run',
    '-d',
    '-m',
    rest.baseUrl,
    '-p',
    '2',
    join(process.cwd(), 'jobs/keyed-sequence-check.ts'),
    out,
    String(N),
    '2000',
    String(KEYS),
    '300',
  );
  t.equal(run.code, 0, run.stderr);
  const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
  await waitFor(
    'the job running with a completed checkpoint',
    async () =>
      (await rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'RUNNING' &&
      (await completedCheckpoints({ rest }, jobId)) > 0,
    60_000,
  );

  const victim = state().workers[0]!;
  process.kill(victim.pid, 'SIGKILL');
  await waitFor(
    'a replacement worker registered (two workers, the killed one not among them)',
    async () => {
      const ids = await registered();
      return ids.length === 2 && !ids.includes(victim.workerId);
    },
    60_000,
  );
  // the supervisor records a worker once its ready file appears, a moment after it registers
  await waitFor('the state records the replacement', () => {
    const ws = state().workers;
    return ws.length === 2 && !ws.some((w) => w.pid === victim.pid);
  });
  const now = state();
  const log = readFileSync(join(dir, '.sluice/cluster/supervisor.log'), 'utf8');
  t.match(
    log,
    new RegExp(`taskworker-0 \\(task worker ${victim.workerId}, pid ${victim.pid}\\) exited with signal SIGKILL`),
  );
  t.match(log, /restarting taskworker-0 in \d+ ms \(restart 1 in a row\)/);
  t.match(log, /restarted taskworker-0 as task worker \S+ \(pid \d+\)/);

  t.equal(await rest.waitForTerminal(jobId, 180_000), 'FINISHED');
  const { total, perKey } = readSequenceOutput(out);
  t.equal(total, N, 'zero lost, zero duplicated records');
  t.equal(perKey.size, KEYS);
  const bad = [...perKey.values()].filter((list) => list.some((e, i) => e.seq !== i || e.n !== i + 1)).length;
  t.equal(bad, 0, 'per-key order and counts intact');

  const supervisorPid = now.supervisor!.pid;
  const workerPids = now.workers.map((w) => w.pid);
  const stop = await cli('cluster', 'stop');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /Stopped the cluster \(2 task worker\(s\) and the job manager\)\./);
  const alive = (pid: number) => {
    try {
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has exited
    } catch {
      return false;
    }
  };
  t.notOk(alive(supervisorPid), 'the supervisor has exited');
  t.same(workerPids.filter(alive), [], 'no worker is left running (none restarted after stop)');
});
