/**
 * The final checkpoint of a two-phase sink (Flink's FLIP-147), in local execution: with checkpointing, the
 * transaction a sink prepares at its end of input is committed only by the completion of a checkpoint that
 * holds the sink's final state, so a failure after the end of input (before the job finished) leaves nothing
 * committed that a restore from the latest completed checkpoint would write again. Without checkpointing,
 * end of input commits at once.
 */
import t, { type Test as Tap } from 'tap';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import type { Sink } from '../../../runtime/api/source.js';
import { startLocally } from '../../../runtime/executor/local-executor.js';

interface Txn {
  checkpointId: number;
  records: number[];
}

/** What the recording sink saw: its commits in order, and whether its writer reached end of input. */
interface SinkLog {
  committed: Txn[];
  /** For each commit, the newest checkpoint completed when it ran (0: none). */
  latestCompletedAtCommit: number[];
  endOfInput: boolean;
}

/** A two-phase sink: one transaction per checkpoint, its records visible once committed. */
function recordingSink(log: SinkLog, latestCompleted: () => number): Sink<number, Txn> {
  return {
    createWriter: () => {
      let open: number[] = [];
      return {
        write: (v: number) => void open.push(v),
        flush: (endOfInput: boolean) => {
          if (endOfInput) log.endOfInput = true;
        },
        prepareCommit: (checkpointId: number) => {
          const txn = { checkpointId, records: open };
          open = [];
          return txn.records.length ? [txn] : [];
        },
      };
    },
    createCommitter: () => ({
      commit: (txns: Txn[]) => {
        log.committed.push(...txns);
        for (const _ of txns) log.latestCompletedAtCommit.push(latestCompleted());
      },
    }),
  };
}

type LocalJob = Awaited<ReturnType<typeof startLocally>>;

/** A bounded source of `count` records into the recording sink; `configure` adds to the job. */
function sinkJob(
  count: number,
  intervalMs: number | undefined,
  configure?: (env: StreamExecutionEnvironment, log: SinkLog) => void,
) {
  const log: SinkLog = { committed: [], latestCompletedAtCommit: [], endOfInput: false };
  const holder: { job?: LocalJob } = {};
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  if (intervalMs !== undefined) env.enableCheckpointing(intervalMs);
  const latest = () => Math.max(0, ...(holder.job?.checkpoints.completed.map((c) => c.checkpointId) ?? []));
  env
    .fromSource(
      new DataGeneratorSource((i: number) => i, count, { recordsPerSecond: 4000, batchSize: 20 }),
      undefined,
      'a',
    )
    .uid('a')
    .sinkTo(recordingSink(log, latest))
    .uid('sink');
  configure?.(env, log);
  return {
    log,
    latest,
    start: async (t: Tap) => {
      const job = await startLocally(env, 'final checkpoint');
      holder.job = job;
      t.teardown(() => job.cancel());
      return job;
    },
  };
}

/** Every commit ran once a checkpoint of at least its transaction's id had completed. */
function commitsFollowCheckpoints(t: Tap, log: SinkLog): void {
  log.committed.forEach((txn, i) =>
    t.ok(
      txn.checkpointId <= log.latestCompletedAtCommit[i]!,
      `transaction of checkpoint ${txn.checkpointId} committed after checkpoint ${log.latestCompletedAtCommit[i]} completed`,
    ),
  );
}

const committedRecords = (log: SinkLog) => log.committed.flatMap((x) => x.records);

t.test('a failure after the sink ended commits nothing a restore would replay', async (t) => {
  const { log, latest, start } = sinkJob(400, 30, (env, log) => {
    // a second pipeline of the same job fails as soon as the sink has reached its end of input
    env
      .fromSource(
        new DataGeneratorSource((i: number) => i, Infinity, { recordsPerSecond: 500, batchSize: 1 }),
        undefined,
        'b',
      )
      .uid('b')
      .map((v: number) => {
        if (log.endOfInput) throw new Error('failure after the end of input');
        return v;
      })
      .uid('fails')
      .print('ignored');
  });
  const job = await start(t);
  const err = await job.result.then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(err?.message, /failure after the end of input/, 'the job failed after the sink ended');
  t.ok(log.endOfInput, 'the sink reached its end of input before the failure');
  commitsFollowCheckpoints(t, log);
  t.ok(
    log.committed.every((txn) => txn.checkpointId <= latest()),
    'only transactions of completed checkpoints are committed: a restore from the latest replays the rest once',
  );
});

t.test(
  'with checkpointing, the last transaction commits with the final checkpoint, without waiting an interval',
  async (t) => {
    const intervalMs = 120_000;
    const { log, start } = sinkJob(300, intervalMs);
    const startedMs = Date.now();
    const job = await start(t);
    await job.result;
    t.ok(Date.now() - startedMs < intervalMs, 'the job ended before a periodic checkpoint was due');
    t.ok(
      job.tasks.every((task) => task.state === 'FINISHED'),
      'every task FINISHED',
    );
    t.equal(job.checkpoints.completed.length, 1, 'one checkpoint: the final one, triggered when every task finished');
    commitsFollowCheckpoints(t, log);
    t.same(
      committedRecords(log),
      Array.from({ length: 300 }, (_, i) => i),
      'every record committed once, in order',
    );
  },
);

t.test('without checkpointing, end of input commits at once', async (t) => {
  const { log, start } = sinkJob(300, undefined);
  const job = await start(t);
  await job.result;
  t.equal(job.checkpoints.completed.length, 0, 'no checkpoint');
  t.same(
    committedRecords(log),
    Array.from({ length: 300 }, (_, i) => i),
    'every record committed once, in order',
  );
});
