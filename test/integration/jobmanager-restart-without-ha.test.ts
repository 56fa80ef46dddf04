/**
 * Without high availability a job manager's death loses its jobs, but not its workers: killed with
 * SIGKILL, its workers keep trying to register (a worker whose taskmanager.registration.timeout passes
 * exits, saying why); a job manager restarted at the same RPC address gets the surviving worker back and
 * says that the job it did not recover is lost and where its latest retained checkpoint is.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { spawnReady, type ProcessHandle } from '../../runtime/cli/mini-cluster.js';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { completedCheckpoints, submitDetached, tempDirs, waitFor } from '../support/cluster-harness.js';

t.test('workers outlive a killed job manager; the restarted one reports the lost job', async (t) => {
  const [out, ckpt, logs] = tempDirs(t, 'jmr-out', 'jmr-ckpt', 'jmr-logs');
  const rpcPort = await freePort();
  const common = ['-D', `execution.checkpointing.dir=${ckpt!}`, '-D', `env.log.dir=${logs!}`];
  const env = { ...process.env, SLUICE_SECRET: 'test-secret' };
  const lines: Record<string, string[]> = { jm: [], w1: [], w2: [] };
  const procs: ProcessHandle[] = [];
  t.teardown(() => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
  });
  const start = async (name: string, args: string[]) => {
    const p = await spawnReady([...args, ...common], env, (l) => void lines[name]!.push(l), 60_000);
    procs.push(p);
    return p;
  };
  const jmArgs = ['jobmanager', '--rest-port', '0', '--rpc-port', String(rpcPort)];
  const jm = await start('jm', jmArgs);
  const worker = (timeout: string) => [
    'taskworker',
    '--jobmanager',
    `127.0.0.1:${rpcPort}`,
    '--slots',
    '2',
    '-D',
    `taskmanager.registration.timeout=${timeout}`,
  ];
  const w1 = await start('w1', worker('2 min'));
  const w2 = await start('w2', worker('2 s'));
  const rest = new RestClient(String(jm.ready.restUrl));
  const jobId = await submitDetached(t, String(jm.ready.restUrl), [
    'jobs/keyed-sequence-check.ts',
    out!,
    '1000000',
    '500',
    '4',
  ]);
  await waitFor('a completed checkpoint', async () => (await completedCheckpoints({ rest }, jobId)) >= 1, 60_000);

  jm.kill('SIGKILL');
  const w2Exit = await waitFor(
    'the worker with a 2 s registration timeout exits',
    () => w2.child.exitCode ?? false,
    30_000,
  ).catch(() => w2.child.exitCode);
  t.equal(w2Exit, 0, 'it exits cleanly');
  // 'exit' can come before the last output is read from the pipe: wait for the line, then assert it
  const timedOut = (l: string) => /within taskmanager\.registration\.timeout \(2000 ms\).*shutting down/.test(l);
  await waitFor("the exited worker's last line", () => lines.w2!.some(timedOut), 10_000).catch(() => false);
  t.ok(lines.w2!.some(timedOut), 'saying that registration timed out');
  t.equal(w1.child.exitCode, null, 'the worker with a 2 min timeout keeps trying');
  t.ok(lines.w1!.some((l) => l.includes('registering again')));

  const jm2 = await start('jm', jmArgs);
  const rest2 = new RestClient(String(jm2.ready.restUrl));
  await waitFor(
    'the surviving worker registered with the restarted job manager',
    async () => (await rest2.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers')).taskmanagers.length === 1,
    60_000,
  );
  const notice = await waitFor(
    'the lost-job notice',
    () => lines.jm!.find((l) => l.includes(`Job ${jobId}`) && l.includes('it is lost')),
    30_000,
  );
  const path = /latest retained checkpoint is (\S+);/.exec(notice)?.[1];
  t.ok(path, `names the latest retained checkpoint: ${notice}`);
  t.ok(existsSync(path!.replace(/^file:/, '')), 'which exists');
  t.match(notice, `sluice run -s ${path}`, 'and how to resume from it');
  const served = await waitFor(
    'the notice in the log REST serves',
    async () => {
      const text = await (await fetch(`${String(jm2.ready.restUrl)}/jobmanager/log`)).text();
      return text.includes(`Job ${jobId}`) && text.includes('it is lost') && text;
    },
    30_000,
  );
  t.match(served, path!, 'GET /jobmanager/log shows it too');
  const jobs = await rest2.call<{ jobs: unknown[] }>('GET', '/jobs/overview');
  t.same(jobs.jobs, [], 'the restarted job manager runs no job');
});
