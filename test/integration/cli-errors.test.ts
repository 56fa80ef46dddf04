/**
 * The CLI's expected failures are one line on stderr (`Error: <message> [CODE]`), exit code 1 and no stack
 * trace: a command against a port with nothing listening, `cluster stop` with no cluster, `cluster start`
 * twice. And `-D key=value` (spaced or attached, repeatable) places configuration without taking the job
 * module or the next option as its value: on `run` and on `cluster start`, whose processes get it.
 */
import { createServer } from 'node:net';
import t, { type Test } from 'tap';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { type CliResult, killRecordedCluster, runCli, tempDirs, waitFor } from '../support/cluster-harness.js';

/** A loopback port that was free a moment ago: nothing listens on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function assertOneLineError(t: Test, r: CliResult, code: string, message: RegExp): void {
  t.equal(r.code, 1, 'exit code 1');
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  t.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  t.match(lines[0], new RegExp(`^Error: .*\\[${code}\\]$`));
  t.match(lines[0], message);
  t.notMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

t.test('commands against an address with nothing listening print one line', async (t) => {
  const port = await deadPort();
  const where = new RegExp(`no job manager reachable at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`);
  const list = await runCli(t, ['list', '-m', `127.0.0.1:${port}`]);
  assertOneLineError(t, list, 'CLI_CLUSTER_UNREACHABLE', where);
  const cancel = await runCli(t, ['cancel', '-m', `127.0.0.1:${port}`, '0'.repeat(32)]);
  assertOneLineError(t, cancel, 'CLI_CLUSTER_UNREACHABLE', where);
  const savepoint = await runCli(t, ['savepoint', '-m', `127.0.0.1:${port}`, '0'.repeat(32)]);
  assertOneLineError(t, savepoint, 'CLI_CLUSTER_UNREACHABLE', where);
  // -D before the job module takes one value: the job module is still the job module
  const run = await runCli(t, [
    'run',
    '-m',
    `127.0.0.1:${port}`,
    '-D',
    'parallelism.default=2',
    '-Dpipeline.auto-watermark-interval=100 ms',
    'jobs/keyed-counts.ts',
    '10',
  ]);
  assertOneLineError(t, run, 'CLI_CLUSTER_UNREACHABLE', new RegExp(`at http://127\\.0\\.0\\.1:${port}`));
});

t.test('a bad -D value is one line naming the key', async (t) => {
  const r = await runCli(t, ['run', '-D', 'rest.port=not-a-port', 'jobs/keyed-counts.ts']);
  t.equal(r.code, 1);
  t.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.match(r.stderr, /rest\.port/);
  t.notMatch(r.stderr, /^\s+at /m);
});

t.test('cluster start with -D, start twice, stop, stop with none', async (t) => {
  const [dir] = tempDirs(t, 'cli-cluster') as [string];
  t.teardown(() => killRecordedCluster(dir)); // whatever the state file still records, on failure too
  const cli = (...args: string[]) => runCli(t, args, 60_000, dir);

  const none = await cli('cluster', 'stop');
  assertOneLineError(t, none, 'CLI_NO_CLUSTER', /no running cluster recorded in \.sluice\/cluster\/cluster\.json/);

  // no cluster.yaml in dir: the ports and slots come only from -D (ephemeral ports, 3 slots per worker)
  const start = await cli(
    'cluster',
    'start',
    '-D',
    'rest.port=0',
    '-Djobmanager.rpc.port=0',
    '-D',
    'taskmanager.numberOfTaskSlots=3',
    '--workers',
    '1',
  );
  t.equal(start.code, 0, start.stderr);
  t.match(start.stdout, /1 task worker\(s\) with 3 slot\(s\) each/);
  const restUrl = /job manager (http:\/\/\S+)/.exec(start.stdout)![1]!;
  t.notMatch(restUrl, /:8081$/, 'rest.port=0 reached the job manager');
  const rest = new RestClient(restUrl);
  const tms = await waitFor('the worker registered', async () => {
    const r = await rest.call<{ taskmanagers: Array<{ slotsNumber: number }> }>('GET', '/taskmanagers');
    return r.taskmanagers.length === 1 ? r.taskmanagers : undefined;
  });
  t.equal(tms[0]!.slotsNumber, 3, 'the -D reached the task worker');

  const again = await cli('cluster', 'start', '-D', 'rest.port=0', '-D', 'jobmanager.rpc.port=0');
  assertOneLineError(t, again, 'CLI_CLUSTER_ALREADY_RUNNING', /a cluster is already recorded/);
  t.equal((await rest.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers')).taskmanagers.length, 1);

  const stop = await cli('cluster', 'stop');
  t.equal(stop.code, 0, stop.stderr);
  t.match(stop.stdout, /Stopped the cluster \(1 task worker\(s\) and the job manager\)/);
  const stopAgain = await cli('cluster', 'stop');
  assertOneLineError(t, stopAgain, 'CLI_NO_CLUSTER', /start one with "sluice cluster start"/);
});
