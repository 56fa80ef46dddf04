/**
 * Builds a StreamTask for one subtask from the job graph: record writers for the vertex's outgoing
 * edges, the operator chain with restored state, the source input for source vertices. Shared by the
 * local executor and the task worker, so both run subtasks the same way.
 */
import type { Output } from '../api/operator.js';
import { ElementKind } from '../api/elements.js';
import { MALFORMED_TAG, type MalformedRecord } from '../api/source.js';
import type { Clock } from '../platform/clock.js';
import type { JobGraph, JobVertex } from '../graph/job-graph.js';
import { operatorUid } from '../graph/job-graph.js';
import { buildChain, openKeyedBackends, type OperatorRestore } from './operator-chain.js';
import type { StateBackendSpec } from '../config/job-settings.js';
import { MailboxProcessingTimeService } from './processing-time.js';
import { RecordWriter } from './record-writer.js';
import { createSourceInput } from './source-input.js';
import { StreamTask, type InputSpec, type SourceDriver, type TaskListener } from './stream-task.js';
import type { TaskOutputChannel } from './channel.js';
import { MetricRegistry, perSecond } from './task-metrics.js';
import { SubtaskQueryableStates } from '../state/index.js';

export interface TaskSpec {
  jobGraph: JobGraph;
  vertex: JobVertex;
  subtaskIndex: number;
  attemptNumber: number;
  jobConfig: Record<string, string>;
  inputs: InputSpec[];
  /** Per outgoing job edge id: one channel per consumer subtask. */
  outputs: Map<string, TaskOutputChannel[]>;
  restore: Map<string, OperatorRestore> | undefined;
  listener: TaskListener;
  clock: Clock;
  checkpointMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /**
   * Periodic checkpoints are on: at end of input the task reports its final state, then waits for the
   * final checkpoint's notification before it ends (its sinks commit then). Absent: false.
   */
  checkpointingEnabled?: boolean;
  autoWatermarkIntervalMs: number;
  metrics?: MetricRegistry;
  /** The job's keyed state backend; absent: hashmap. */
  stateBackend?: StateBackendSpec;
}

export async function createTask(spec: TaskSpec): Promise<StreamTask> {
  const { jobGraph, vertex } = spec;
  let task: StreamTask | undefined;
  const processingTime = new MailboxProcessingTimeService(spec.clock, (fn) => task!.enqueueMail(fn));
  const vertexById = new Map(jobGraph.vertices.map((v) => [v.id, v]));
  const writers = vertex.outputs.map((e) => {
    const target = vertexById.get(e.targetVertexId)!;
    const channels = spec.outputs.get(e.id);
    if (!channels) throw new Error(`no output channels for edge ${e.id}`);
    return new RecordWriter(e, channels, spec.subtaskIndex, vertex.parallelism, target.maxParallelism);
  });
  const metrics = spec.metrics ?? new MetricRegistry();
  const recordsOut = { count: 0 };
  const queryableStates = new SubtaskQueryableStates();
  const keyedBackends = await openKeyedBackends(spec.stateBackend ?? { type: 'hashmap' }, {
    jobGraph,
    vertex,
    subtaskIndex: spec.subtaskIndex,
    attemptNumber: spec.attemptNumber,
    jobConfig: spec.jobConfig,
  });
  let drivers: ReturnType<typeof buildChain>;
  try {
    drivers = buildChain({
      keyedBackends,
      recordsOut,
      queryableStates,
      jobGraph,
      vertex,
      subtaskIndex: spec.subtaskIndex,
      attemptNumber: spec.attemptNumber,
      checkpointingEnabled: spec.checkpointingEnabled,
      // Operators that emit periodic watermarks (assignTimestampsAndWatermarks) read the job's effective
      // pipeline.auto-watermark-interval here, unless the program set one as a job parameter.
      jobConfig: { 'pipeline.auto-watermark-interval': `${spec.autoWatermarkIntervalMs} ms`, ...spec.jobConfig },
      processingTime,
      writers,
      restore: spec.restore,
      metrics,
    });
  } catch (err) {
    for (const b of keyedBackends.values()) await b.dispose?.().catch(() => undefined);
    throw err;
  }
  let source: SourceDriver | undefined;
  if (vertex.isSource) {
    const node = jobGraph.streamGraph.node(vertex.chain[0]!);
    const sideWriters = (tag: string) =>
      writers.filter((w) => w.edge.sideOutputTag === tag && w.edge.sourceNodeId === node.id);
    const head: Output = drivers[0]
      ? {
          collect: (r) => drivers[0]!.processRecord(0, r),
          // the source's own side outputs (MALFORMED_TAG) leave the chain through the vertex's writers
          collectSide: (tag, r) => {
            for (const w of sideWriters(tag.id)) w.emitRecord(r);
          },
          emitWatermark: (ts) => drivers[0]!.processWatermark(0, ts),
          emitWatermarkStatus: (idle) => drivers[0]!.processWatermarkStatus(0, idle),
        }
      : {
          collect: (r) => {
            recordsOut.count++;
            for (const w of writers) if (w.edge.sideOutputTag === undefined) w.emitRecord(r);
          },
          collectSide: (tag, r) => {
            for (const w of sideWriters(tag.id)) w.emitRecord(r);
          },
          emitWatermark: (ts) => {
            for (const w of writers) w.broadcastEvent({ kind: ElementKind.Watermark, timestamp: ts });
          },
          emitWatermarkStatus: (idle) => {
            for (const w of writers) w.broadcastEvent({ kind: ElementKind.WatermarkStatus, idle });
          },
        };
    const uid = operatorUid(node);
    const restored = spec.restore?.get(uid)?.operator as { 'source-splits'?: { items?: unknown[] } } | undefined;
    source = await createSourceInput({
      uid,
      source: node.source!,
      watermarkStrategy: node.watermarkStrategy,
      subtaskIndex: spec.subtaskIndex,
      parallelism: vertex.parallelism,
      jobConfig: spec.jobConfig,
      restoredSplits: restored?.['source-splits']?.items,
      head,
      processingTime,
      autoWatermarkIntervalMs: spec.autoWatermarkIntervalMs,
      onMalformed: (raw, reason) => {
        metrics.counter(`${vertex.id}.${spec.subtaskIndex}.numMalformedRecords`).inc();
        head.collectSide(MALFORMED_TAG, {
          kind: ElementKind.Record,
          value: { source: uid, subtaskIndex: spec.subtaskIndex, reason, raw } satisfies MalformedRecord,
          timestamp: NaN,
        });
      },
    });
  }
  task = new StreamTask(
    `${vertex.name} (${spec.subtaskIndex + 1}/${vertex.parallelism})`,
    drivers,
    spec.inputs,
    writers,
    source,
    processingTime,
    spec.clock,
    spec.listener,
    spec.checkpointMode,
    spec.checkpointingEnabled ?? false,
  );
  task.queryableStates = queryableStates;
  const channelsOut = [...spec.outputs.values()].flat();
  const bytes = {
    in: () => spec.inputs.reduce((n, i) => n + (i.channel.bytesIn?.() ?? 0), 0),
    out: () => channelsOut.reduce((n, c) => n + (c.bytesOut?.() ?? 0), 0),
  };
  registerTaskMetrics(
    metrics,
    taskMetricScope(vertex.id, spec.subtaskIndex),
    task,
    recordsOut,
    bytes,
    drivers,
    spec.clock,
  );
  return task;
}

/** Metric names of a subtask start with this scope (the job manager sums them per vertex). */
export function taskMetricScope(vertexId: string, subtaskIndex: number): string {
  return `${vertexId}.${subtaskIndex}`;
}

/** Flink's task metrics (names as in Flink's metric reference), read by the worker at each heartbeat. */
function registerTaskMetrics(
  metrics: MetricRegistry,
  scope: string,
  task: StreamTask,
  recordsOut: { count: number },
  bytes: { in(): number; out(): number },
  drivers: ReturnType<typeof buildChain>,
  clock: Clock,
): void {
  const now = () => clock.monotonicMs();
  const createdMs = now();
  const g = (name: string, read: () => number) => metrics.gauge(`${scope}.${name}`, read);
  g('numRecordsIn', () => task.recordsIn);
  g('numRecordsOut', () => recordsOut.count);
  g(
    'numRecordsInPerSecond',
    perSecond(() => task.recordsIn, now),
  );
  g(
    'numRecordsOutPerSecond',
    perSecond(() => recordsOut.count, now),
  );
  g('numBytesIn', bytes.in);
  g('numBytesOut', bytes.out);
  g('numBytesInPerSecond', perSecond(bytes.in, now));
  g('numBytesOutPerSecond', perSecond(bytes.out, now));
  // The three time metrics are read together at each heartbeat; idle is the rest of the second.
  const busy = perSecond(() => task.busyTimeMs, now);
  const backPressured = perSecond(() => task.backPressuredNowMs(), now);
  const last = { busy: 0, backPressured: 0 };
  g('busyTimeMsPerSecond', () => (last.busy = Math.min(1000, Math.round(busy()))));
  g('backPressuredTimeMsPerSecond', () => (last.backPressured = Math.min(1000, Math.round(backPressured()))));
  g('idleTimeMsPerSecond', () => Math.max(0, 1000 - last.busy - last.backPressured));
  // Totals since the task was created, as Flink's IOMetrics accumulates them (the vertex views sum these).
  g('accumulatedBusyTime', () => Math.round(task.busyTimeMs));
  g('accumulatedBackPressuredTime', () => Math.round(task.backPressuredNowMs()));
  g('accumulatedIdleTime', () =>
    Math.max(0, Math.round(now() - createdMs - task.busyTimeMs - task.backPressuredNowMs())),
  );
  g('currentInputWatermark', () => drivers[0]?.currentWatermark() ?? Number.NaN);
}
