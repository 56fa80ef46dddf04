/**
 * `npm run bench [-- --quick]`: runs every benchmark in one invocation, prints the table and appends it
 * to BENCHMARKS.md. `--quick` (used by the test suite to keep the harness working) runs small sizes and
 * does not write BENCHMARKS.md unless `--write` is given. Progress goes to stderr. `--checkpoint-cost` runs only
 * benchmark 5 (checkpointing off vs on); `--failover` only the job manager failover and checkpoints on S3.
 */
import { appendReport, header, table, type BenchResult } from './harness.js';
import { pipelineLocal } from './pipeline-local.js';
import { clusterScoring, noEngineLoop, ortTightLoop, perRecordLoop } from './scoring.js';
import { localScoring } from './scoring-local.js';
import { checkpointCost, recoveryAfterKill, rescaleDowntime } from './fault-tolerance.js';
import { NEXMARK_FOOTNOTE, nexmarkBench } from './nexmark.js';
import { describeReading, readProfiles } from './profile-summary.js';
import { join, resolve } from 'node:path';
import { QUERIES } from '../jobs/nexmark/queries.js';
import { chaosRows } from './chaos.js';
import { externalServingBench } from './external-serving.js';
import { rocksdbStateRows } from './rocksdb-state.js';
import { failoverRows } from './failover.js';
import { incrementalCheckpointRows } from './incremental-checkpoint.js';
import { retrainingBench } from './retraining.js';

const quick = process.argv.includes('--quick');
if (process.argv.includes('--chaos')) await chaosOnly();
if (process.argv.includes('--rocksdb')) await rocksdbOnly();
if (process.argv.includes('--failover')) await failoverOnly();
if (process.argv.includes('--incremental')) await incrementalOnly();
const nexmarkOnly = process.argv.includes('--nexmark');
const write = !quick || process.argv.includes('--write');
const results: BenchResult[] = [];
const size = (full: number, small: number) => (quick ? small : full);
// `--profile`: every mini-cluster process of each step writes a V8 CPU profile under
// .sluice/profiles/<run>/<step>/<role>/, and the report names each step's top costs and GC share.
const profileBase = process.argv.includes('--profile')
  ? join('.sluice', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'))
  : undefined;
const profiled: { step: string; dir: string }[] = [];
const step = (s: string) => {
  process.stderr.write(`bench: ${s}\n`);
  if (!profileBase) return;
  const dir = join(
    profileBase,
    `${String(profiled.length + 1).padStart(2, '0')}-${s.replace(/[^a-z0-9]+/gi, '-').slice(0, 48)}`,
  );
  profiled.push({ step: s, dir });
  process.env.SLUICE_CPU_PROF_DIR = resolve(dir);
};
/** The profile reading of every profiled step (workers only), for the report. */
function profileSection(): string {
  if (!profileBase) return '';
  const parts = profiled.flatMap(({ step: s, dir }) => {
    const r = readProfiles(join(dir, 'taskworker'));
    return r ? [describeReading(s, r)] : [];
  });
  return `\n\n### CPU profiles (\`--profile\`, workers; files under \`${profileBase}/\`)\n\n${parts.join('\n')}`;
}
const n = (x: number) => Math.round(x).toLocaleString('en-US');

if (process.argv.includes('--external')) {
  // `npm run bench -- --external [--records N]`: only external serving through AsyncDataStream.
  const at = process.argv.indexOf('--records');
  const records = at > 0 ? Number(process.argv[at + 1]) : size(20_000, 2_000);
  step('external serving');
  const rows = await externalServingBench(records);
  const text = `${header(`npm run bench -- --external${quick ? ' --quick' : ''}${at > 0 ? ` --records ${records}` : ''}`)}\n${table(rows)}`;
  process.stdout.write(text + '\n');
  if (write) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

if (process.argv.includes('--retraining')) {
  // `npm run bench -- --retraining`: serving p99 latency without training, with an off-thread training in
  // progress, and with the same training awaited in the task.
  step('retraining');
  const rows = await retrainingBench({ ratePerSecond: 2000, records: size(40_000, 12_000), trips: size(8000, 3000) });
  const text = `${header(`npm run bench -- --retraining${quick ? ' --quick' : ''}`)}\n${table(rows)}`;
  process.stdout.write(text + '\n');
  if (write) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

if (process.argv.includes('--checkpoint-cost')) await checkpointCostOnly();

if (nexmarkOnly) {
  // `npm run bench -- --nexmark [--events N]`: only the Nexmark queries, on 1 and 2 workers.
  const at = process.argv.indexOf('--events');
  const events = at > 0 ? Number(process.argv[at + 1]) : size(5_000_000, 20_000);
  const rows = await nexmarkBench(quick ? ['q0', 'q5'] : QUERIES, events, step);
  const text = `${header(`npm run bench -- --nexmark${quick ? ' --quick' : ''}${profileBase ? ' --profile' : ''}${at > 0 ? ` --events ${events}` : ''}`)}\n${table(rows)}\n\n${NEXMARK_FOOTNOTE}${profileSection()}`;
  process.stdout.write(text + '\n');
  if (write) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

if (process.argv.includes('--scoring')) {
  // `npm run bench -- --scoring`: only the keyed scoring pipeline (benchmarks 1 and 4).
  const { full } = await keyedScoring(results);
  await oneWorkerScaling(results, full);
  const text = `${header(`npm run bench -- --scoring${quick ? ' --quick' : ''}${profileBase ? ' --profile' : ''}`)}\n${table(results)}${profileSection()}`;
  process.stdout.write(text + '\n');
  if (write) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

step('local pipeline');
results.push(await pipelineLocal(size(2_000_000, 20_000), 1));
results.push(await pipelineLocal(size(2_000_000, 20_000), 2));

const { full } = await keyedScoring(results);

step('2. Arrow-batched vs per-record serving of one model, and the keyed job with batch size 1');
// The batched-vs-per-record comparison: the same model, the same engine, the same records; only the batch size differs.
// Partition-based serving (the model broadcast to every subtask) needs no shuffle, so the ratio measures
// serving, not the network. The in-process runs repeat it on the local executor at parallelism 1.
const oneN = size(200_000, 5_000);
const bcBatchedN = size(6_000_000, 20_000);
const bcBatched = await clusterScoring({
  records: bcBatchedN,
  ratePerSecond: 0,
  batch: 1024,
  workers: 2,
  parallelism: 2,
  mode: 'broadcast',
});
const bcOne = await clusterScoring({
  records: oneN,
  ratePerSecond: 0,
  batch: 1,
  workers: 2,
  parallelism: 2,
  mode: 'broadcast',
});
results.push({
  name: `2. one model, partition-based serving, 2 workers, batch 1024 (${n(bcBatchedN)} records)`,
  value: bcBatched.recordsPerSecond,
  unit: 'records/s',
});
results.push({
  name: `2. the same with batch size 1 (${n(oneN)} records)`,
  value: bcOne.recordsPerSecond,
  unit: 'records/s',
});
results.push({
  name: '2. Arrow-batched / per-record serving, same model, same engine (2 workers)',
  value: bcBatched.recordsPerSecond / bcOne.recordsPerSecond,
  unit: '×',
  target: { op: '>=', value: 30 },
});
const localBatched = await localScoring({ records: size(2_000_000, 20_000), batch: 1024, keys: 1 });
const localOne = await localScoring({ records: size(100_000, 3_000), batch: 1, keys: 1 });
results.push({
  name: '2. in-process (local executor, p = 1), one model: batch 1024',
  value: localBatched,
  unit: 'records/s',
});
results.push({ name: '2. in-process, one model: batch size 1', value: localOne, unit: 'records/s' });
results.push({
  name: '2. in-process Arrow-batched / per-record',
  value: localBatched / localOne,
  unit: '×',
  target: { op: '>=', value: 30 },
});
const loop = await perRecordLoop(size(200_000, 5_000));
results.push({ name: '2. hand-written Node loop, onnxruntime per record, 1 process', value: loop, unit: 'records/s' });
results.push({
  name: '2. sluice batched (one model, 2 workers) / per-record Node loop',
  value: bcBatched.recordsPerSecond / loop,
  unit: '×',
});
const batchOne = await clusterScoring({ records: oneN, ratePerSecond: 0, batch: 1, workers: 2, parallelism: 2 });
results.push({
  name: `2. keyed job of 1. (64 models) with batch size 1 (${n(oneN)} records)`,
  value: batchOne.recordsPerSecond,
  unit: 'records/s',
});
results.push({
  name: '2. keyed job of 1.: batch 1024 / batch size 1 (batches split per model and shuffled)',
  value: full.recordsPerSecond / batchOne.recordsPerSecond,
  unit: '×',
});

step('3. ceilings');
const ort = await ortTightLoop(size(5_000_000, 50_000));
const noEngine = await noEngineLoop(size(2_000_000, 20_000));
results.push({ name: '3. ceiling: onnxruntime alone, batches of 1024 in a tight loop', value: ort, unit: 'records/s' });
results.push({
  name: '3. ceiling: one thread, no engine (generate → features → Arrow batch → score)',
  value: noEngine,
  unit: 'records/s',
});
results.push({ name: '3. sluice (2 workers) / onnxruntime tight loop', value: full.recordsPerSecond / ort, unit: '×' });
results.push({ name: '3. sluice (2 workers) / no-engine loop', value: full.recordsPerSecond / noEngine, unit: '×' });

await oneWorkerScaling(results, full);

results.push(...(await checkpointRows()));

step('6. recovery');
const resume = await recoveryAfterKill(size(20_000, 2_000), size(20, 5));
results.push({
  name: '6. output resumes after SIGKILL of a worker under load',
  value: resume,
  unit: 's',
  target: { op: '<=', value: 3 },
});
const downtime = await rescaleDowntime(size(20_000, 2_000), size(20, 6));
results.push({ name: '6. savepoint-based rescale 2 → 3: downtime', value: downtime, unit: 's' });

const text = `${header(`npm run bench${quick ? ' -- --quick' : ''}${profileBase ? ' --profile' : ''}`)}\n${table(results)}${profileSection()}`;
process.stdout.write(text + '\n');
if (write) appendReport('BENCHMARKS.md', text);

/** Benchmark 5: the keyed count over 10^6 keys without and with checkpoints every second. */
async function checkpointRows(): Promise<BenchResult[]> {
  step('5. checkpointing off vs on, 10^6 keys');
  const keys = size(1_000_000, 10_000);
  const cp = await checkpointCost(size(4_000_000, 40_000), keys);
  const gapNote = `interval between output marks (${n(cp.recordsPerMark)} records of one subtask)`;
  return [
    {
      name: `5. keyed count over ${n(keys)} keys, 2 workers, checkpointing off`,
      value: cp.offRecordsPerSecond,
      unit: 'records/s',
    },
    {
      name: '5. the same with checkpoints every 1 s, EXACTLY_ONCE',
      value: cp.onRecordsPerSecond,
      unit: 'records/s',
      note: `${cp.completedCheckpoints} checkpoints completed`,
    },
    {
      name: '5. throughput with / without checkpointing',
      value: cp.onRecordsPerSecond / cp.offRecordsPerSecond,
      unit: '×',
      target: { op: '>=', value: 0.9 },
    },
    { name: '5. output stall p99, checkpointing off', value: cp.offGapP99Ms, unit: 'ms', note: gapNote },
    { name: '5. output stall p99, checkpoints every 1 s', value: cp.onGapP99Ms, unit: 'ms', note: gapNote },
    { name: '5. output stall max, checkpoints every 1 s', value: cp.onGapMaxMs, unit: 'ms', note: gapNote },
    { name: '5. last checkpoint duration', value: cp.lastCheckpointDurationMs, unit: 'ms' },
    {
      name: '5. last checkpoint: synchronous part, slowest subtask',
      value: cp.lastSyncMaxMs,
      unit: 'ms',
      note: 'task blocked',
    },
    {
      name: '5. last checkpoint: asynchronous part, slowest subtask',
      value: cp.lastAsyncMaxMs,
      unit: 'ms',
      note: 'task keeps processing',
    },
    { name: '5. last checkpoint size', value: cp.lastCheckpointSizeBytes / 2 ** 20, unit: 'MiB' },
    {
      name: `5. worker resident memory, peak (${n(keys)} keys)`,
      value: cp.workerRssMb,
      unit: 'MiB',
      target: { op: '<=', value: 512 },
    },
  ];
}

/** `--checkpoint-cost`: only benchmark 5, appended to BENCHMARKS.md unless --quick. */
async function checkpointCostOnly(): Promise<never> {
  const rows = await checkpointRows();
  const text = `${header(`npm run bench -- ${process.argv.slice(2).join(' ')}`)}\n${table(rows)}${profileSection()}`;
  process.stdout.write(`${text}\n`);
  if (write) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

/**
 * Benchmark 1, the keyed scoring pipeline on 2 workers at full and half load (`--scoring` runs it and 4).
 */
async function keyedScoring(results: BenchResult[]): Promise<{ full: { recordsPerSecond: number } }> {
  step('1. scoring pipeline, 2 workers, full load');
  const fullN = size(6_000_000, 20_000); // long enough that start-up and JIT warm-up do not dominate the span
  const full = await clusterScoring({ records: fullN, ratePerSecond: 0, batch: 1024, workers: 2, parallelism: 2 });
  results.push({
    name: `1. scoring pipeline (generator → keyBy → keyed model join → ONNX MLP 16→64→64→1, batch 1024), 2 workers, full load (${n(fullN)} records)`,
    value: full.recordsPerSecond,
    unit: 'records/s',
    target: { op: '>=', value: 1_000_000 },
  });
  results.push({ name: '1. event latency p50 at full load', value: full.p50Ms, unit: 'ms' });
  results.push({ name: '1. event latency p99 at full load', value: full.p99Ms, unit: 'ms' });

  step('1. scoring pipeline at 50 % load');
  const halfRate = Math.max(1000, Math.round(full.recordsPerSecond / 2));
  // Eight seconds of offered load (the first 10 % of each generator range is warm-up, not sampled): long
  // enough that the steady state, not the first second after warm-up, decides the p99; the tail of that
  // first second shows in the p99.9 and maximum rows.
  const halfN = size(Math.min(8_000_000, halfRate * 8), 10_000);
  const half = await clusterScoring({
    records: halfN,
    ratePerSecond: halfRate,
    batch: 1024,
    workers: 2,
    parallelism: 2,
  });
  results.push({
    name: `1. event latency p50 at 50 % load (${n(halfRate)} records/s offered)`,
    value: half.p50Ms,
    unit: 'ms',
  });
  results.push({
    name: '1. event latency p99 at 50 % load',
    value: half.p99Ms,
    unit: 'ms',
    target: { op: '<=', value: 50 },
  });
  results.push({ name: '1. event latency p99.9 at 50 % load', value: half.p999Ms, unit: 'ms' });
  results.push({
    name: '1. event latency max at 50 % load (sampled: every 64th record)',
    value: half.maxMs,
    unit: 'ms',
  });
  return { full };
}

/** Benchmark 4: the same pipeline on 1 worker, and 2 workers / 1 worker within this run. */
async function oneWorkerScaling(results: BenchResult[], full: { recordsPerSecond: number }): Promise<void> {
  step('4. scaling: 1 worker');
  const oneWorker = await clusterScoring({
    records: size(3_000_000, 10_000),
    ratePerSecond: 0,
    batch: 1024,
    workers: 1,
    parallelism: 1,
  });
  results.push({ name: '4. scoring pipeline, 1 worker (p = 1)', value: oneWorker.recordsPerSecond, unit: 'records/s' });
  results.push({
    name: '4. 2 workers / 1 worker',
    value: full.recordsPerSecond / oneWorker.recordsPerSecond,
    unit: '×',
    target: { op: '>=', value: 1.8 },
  });
}

/** `--chaos [--seeds N]`: only the chaos rows (benchmark 7), appended to BENCHMARKS.md unless --quick. */
async function chaosOnly(): Promise<never> {
  const i = process.argv.indexOf('--seeds');
  const rows = chaosRows(i >= 0 ? Number(process.argv[i + 1]) : 5);
  const text = `${header(`npm run bench -- ${process.argv.slice(2).join(' ')}`)}\n${table(rows)}`;
  process.stdout.write(`${text}\n`);
  if (!process.argv.includes('--quick')) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

/** `--rocksdb [--keys N]`: only the RocksDB rows, appended to BENCHMARKS.md unless --quick. */
async function rocksdbOnly(): Promise<never> {
  const i = process.argv.indexOf('--keys');
  const keys = i >= 0 ? Number(process.argv[i + 1]) : quick ? 20_000 : 10_000_000;
  const small = Math.max(1000, Math.floor(keys / 10));
  const rows = await rocksdbStateRows(keys, small, quick ? 20_000 : 3 * small);
  const text = `${header(`npm run bench -- ${process.argv.slice(2).join(' ')}`)}\n${table(rows)}`;
  process.stdout.write(`${text}\n`);
  if (!quick) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

/** `--failover`: only the job manager failover and checkpoint-storage rows, appended unless --quick. */
async function failoverOnly(): Promise<never> {
  const rows = await failoverRows(quick);
  const text = `${header(`npm run bench -- ${process.argv.slice(2).join(' ')}`)}\n${table(rows)}`;
  process.stdout.write(`${text}\n`);
  if (!quick) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}

/** `--incremental [--keys N]`: incremental vs full RocksDB checkpoint, appended to BENCHMARKS.md unless --quick. */
async function incrementalOnly(): Promise<never> {
  const i = process.argv.indexOf('--keys');
  const rows = await incrementalCheckpointRows(i >= 0 ? Number(process.argv[i + 1]) : quick ? 20_000 : 1_000_000);
  const text = `${header(`npm run bench -- ${process.argv.slice(2).join(' ')}`)}\n${table(rows)}`;
  process.stdout.write(`${text}\n`);
  if (!quick) appendReport('BENCHMARKS.md', text);
  process.exit(0);
}
