/**
 * The keyed exactly-once job on the RocksDB state backend (state.backend.type: rocksdb) on real worker
 * processes: a worker running the job's tasks is SIGKILLed after a checkpoint completed; the job restores
 * its RocksDB state from the checkpoint and the committed output is exact (no loss, no duplicate, per-key
 * order and counts continued from restored state). With execution.checkpointing.incremental the kill comes
 * after a checkpoint made of delta segments completed, so the restore folds a segment chain.
 */
import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  completedCheckpoints,
  readSequenceOutput,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

/** Whether a completed checkpoint of the job holds a delta segment (a keyed handle with base segments). */
function hasDeltaCheckpoint(jobDir: string): boolean {
  if (!existsSync(jobDir)) return false;
  for (const d of readdirSync(jobDir).filter((n) => n.startsWith('chk-'))) {
    const meta = path.join(jobDir, d, '_metadata');
    if (!existsSync(meta)) continue;
    const m = JSON.parse(readFileSync(meta, 'utf8')) as {
      operators: Array<{ subtasks: Array<{ keyed?: { baseSegments?: unknown[] } }> }>;
    };
    if (m.operators.some((o) => o.subtasks.some((s) => (s.keyed?.baseSegments?.length ?? 0) > 0))) return true;
  }
  return false;
}

async function killAndRestore(t: Test, o: { incremental: boolean; n: number; keys: number }) {
  const { n: N, keys: KEYS } = o;
  const [out, ckpt, rocks] = tempDirs(t, 'eo-rocks', 'eo-rocks-ckpt', 'eo-rocks-db');
  const c = await startCluster(t, {
    workers: 2,
    slots: 2,
    conf: {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '20',
      'restart-strategy.fixed-delay.delay': '100 ms',
      'execution.checkpointing.dir': ckpt!,
      'state.backend.type': 'rocksdb',
      'state.backend.rocksdb.localdir': rocks!,
      'execution.checkpointing.incremental': String(o.incremental),
    },
  });
  const jobId = await submitDetached(t, c.restUrl, [
    'jobs/keyed-sequence-check.ts',
    out!,
    String(N),
    '3000',
    String(KEYS),
  ]);
  const cfg = await c.rest.call<{ state_backend: string }>('GET', `/jobs/${jobId}/checkpoints/config`);
  t.equal(cfg.state_backend, 'EmbeddedRocksDBStateBackend');
  await waitFor(
    'RocksDB directories of the job',
    async () => readdirSync(rocks!).some((d) => d.startsWith(`job_${jobId}_`)),
    30_000,
  );
  const completed = () => completedCheckpoints(c, jobId);
  await waitFor(
    'a completed checkpoint while running',
    async () =>
      (await completed()) > 0 &&
      (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'RUNNING',
    30_000,
  );
  if (o.incremental) {
    const jobDir = path.join(ckpt!, jobId);
    await waitFor('a completed checkpoint with delta segments', async () => hasDeltaCheckpoint(jobDir), 60_000);
    t.ok(readdirSync(path.join(jobDir, 'shared')).length > 0, 'segments live in shared/');
  }
  const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
    'GET',
    '/taskmanagers',
  );
  const busy = new Set(tms.taskmanagers.filter((tm) => tm.freeSlots < tm.slotsNumber).map((tm) => tm.id));
  const victim = c.mini.workers.find(
    (w) => w.child.exitCode === null && w.child.signalCode === null && busy.has(String(w.ready.workerId)),
  );
  t.ok(victim, 'a worker runs tasks of the job');
  victim!.kill('SIGKILL');
  await c.mini.addWorker(); // keep two workers for the next attempt
  t.equal(await c.rest.waitForTerminal(jobId, 120_000), 'FINISHED');
  const stats = await c.rest.call<{ counts: { restored: number } }>('GET', `/jobs/${jobId}/checkpoints`);
  t.ok(stats.counts.restored >= 1, 'restored from a checkpoint');

  const { total, perKey } = readSequenceOutput(out!);
  t.equal(total, N, 'zero lost, zero duplicated records');
  t.equal(perKey.size, KEYS);
  let orderOk = true;
  let countsOk = true;
  for (const list of perKey.values())
    list.forEach((e, i) => {
      if (e.seq !== i) orderOk = false;
      if (e.n !== i + 1) countsOk = false;
    });
  t.ok(orderOk, 'per-key order intact');
  t.ok(countsOk, 'per-key counts continue exactly from restored RocksDB state');
}

t.test('exactly-once output on rocksdb across a worker kill', (t) =>
  killAndRestore(t, { incremental: false, n: 16_000, keys: 20 }),
);

// 5000 keys cycled in order at 3000 records/s: a 300 ms interval changes a fifth of them, so deltas
t.test('exactly-once output on rocksdb with incremental checkpoints across a worker kill', (t) =>
  killAndRestore(t, { incremental: true, n: 40_000, keys: 5_000 }),
);
