/**
 * StreamExecutionEnvironment: builds the stream graph and executes it. `execute(name)` hands the graph
 * to the host process when one is installed (the CLI while planning, the job manager and workers while
 * rebuilding from a bundle); otherwise it runs the job in this process (Flink's local environment).
 *
 * Invariant: building is deterministic — node ids follow call order — so every process rebuilds the
 * same graph from the same bundle.
 */
import { SluiceError } from '../errors/catalogue.js';
import { StreamGraph } from '../graph/stream-graph.js';
import type { Source } from '../api/source.js';
import { ElementsSource, SequenceSource } from '../../operators/sources/collection-source.js';
import { FileSource } from '../../operators/sources/file-source.js';
import { TextLineInputFormat } from '../../operators/sources/text-line-format.js';
import { SingleOutputStreamOperator } from './data-stream.js';
import { deprecated, warnOnce } from '../api/deprecation.js';
import { toMillis, type TimeSpan } from '../api/duration.js';
import type { SourceFunction } from '../api/source-functions.js';
import { SourceFunctionSource } from '../../operators/sources/source-function-source.js';
import { unsupported } from './unsupported.js';
// loaded for their registration in data-stream.ts' streamClasses (keyBy, connect and broadcast return them)
import './keyed-stream.js';
import './connected-streams.js';
import { getExecutionHost, loadLocalExecutor, type JobExecutionResult } from './execution-host.js';
import type { JobClient } from './job-client.js';

export class ExecutionConfig {
  /** pipeline.auto-watermark-interval set in code; undefined = the job configuration's (default 200 ms). */
  private autoWatermarkIntervalMs: number | undefined;
  private readonly params: Record<string, string> = {};
  setAutoWatermarkInterval(ms: number): this {
    if (!(Number.isFinite(ms) && ms >= 0))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `setAutoWatermarkInterval(${ms}): must be >= 0 ms (0 disables periodic watermarks)`,
      );
    this.autoWatermarkIntervalMs = ms;
    return this;
  }
  getAutoWatermarkInterval(): number {
    return this.autoWatermarkIntervalMs ?? 200;
  }
  autoWatermarkIntervalIfSet(): number | undefined {
    return this.autoWatermarkIntervalMs;
  }
  /** Accepts a map or a ParameterTool (anything with `toMap()`). */
  setGlobalJobParameters(p: Record<string, string> | { toMap(): Record<string, string> }): this {
    Object.assign(this.params, typeof p.toMap === 'function' ? p.toMap() : p);
    return this;
  }
  getGlobalJobParameters(): Record<string, string> {
    return { ...this.params };
  }
}

export interface CheckpointConfig {
  intervalMs: number; // -1 = disabled
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
}

export class StreamExecutionEnvironment {
  readonly graph = new StreamGraph();
  private parallelism = -1;
  private maxParallelism = -1;
  private readonly config = new ExecutionConfig();
  readonly checkpointConfig: CheckpointConfig = { intervalMs: -1, mode: 'EXACTLY_ONCE' };
  /** Told the JobClient when executeAsync() has started the job (collectAsync() iterators bind to it). */
  private readonly jobStartListeners: Array<(client: JobClient) => void> = [];

  static getExecutionEnvironment(): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment();
  }

  setParallelism(p: number): this {
    if (!Number.isInteger(p) || p < 1)
      throw new SluiceError('API_INVALID_ARGUMENT', `setParallelism(${p}): parallelism must be a positive integer`);
    this.parallelism = p;
    return this;
  }
  getParallelism(): number {
    return this.parallelism;
  }
  setMaxParallelism(p: number): this {
    if (!Number.isInteger(p) || p < 1 || p > 32768)
      throw new SluiceError('API_INVALID_ARGUMENT', `setMaxParallelism(${p}): must be an integer in [1, 32768]`);
    this.maxParallelism = p;
    return this;
  }
  getMaxParallelism(): number {
    return this.maxParallelism;
  }
  getConfig(): ExecutionConfig {
    return this.config;
  }
  enableCheckpointing(interval: TimeSpan, mode: CheckpointConfig['mode'] = 'EXACTLY_ONCE'): this {
    const intervalMs = toMillis(interval, 'enableCheckpointing(interval)');
    this.checkpointConfig.intervalMs = intervalMs;
    this.checkpointConfig.mode = mode;
    return this;
  }

  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.fromSource(new ElementsSource(elements), undefined, 'Collection Source').setParallelism(1);
  }

  fromCollection<T>(elements: Iterable<T>): SingleOutputStreamOperator<T> {
    return this.fromSource(new ElementsSource([...elements]), undefined, 'Collection Source').setParallelism(1);
  }

  fromSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    return this.fromSource(new SequenceSource(from, to), undefined, 'Sequence Source');
  }

  /** @deprecated Flink 1.x; use fromSequence. */
  generateSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    deprecated('generateSequence()', 'fromSequence()');
    return this.fromSequence(from, to);
  }

  /**
   * Flink 1.x legacy sources (`SourceFunction`, `RichSourceFunction`, `RichParallelSourceFunction`): runs
   * `fn.run(ctx)` per subtask; a non-parallel function runs at parallelism 1. Not checkpointable: after a
   * restore it runs from the beginning.
   * @deprecated Flink 2.x has only `fromSource(source, watermarkStrategy, name)`.
   */
  addSource<T>(fn: SourceFunction<T>, sourceName = 'Custom Source'): SingleOutputStreamOperator<T> {
    deprecated('addSource(SourceFunction)', 'fromSource(source, watermarkStrategy, name)');
    const op = this.fromSource(new SourceFunctionSource<T>(fn, sourceName), undefined, sourceName);
    if (!(fn as { isParallelSource?: boolean }).isParallelSource) op.setParallelism(1);
    if (this.checkpointConfig.intervalMs > 0)
      warnOnce(
        'legacy-source-checkpoints',
        `source "${sourceName}" is a legacy SourceFunction: it is not checkpointed, and after a failure or restore it runs from the beginning`,
      );
    return op;
  }

  /** Flink 1.x: event time is always on in 2.x (and in sluice); this only warns. */
  setStreamTimeCharacteristic(characteristic: 'EventTime' | 'ProcessingTime' | 'IngestionTime' | string): this {
    deprecated(
      'setStreamTimeCharacteristic()',
      'nothing: event time is always on; set watermarks with a WatermarkStrategy, use processing-time windows for processing time',
    );
    if (characteristic === 'IngestionTime')
      unsupported(
        'TimeCharacteristic.IngestionTime',
        'assign timestamps at the source with WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner((e) => e.ingestedAtMs), with the time taken from platform.clock.nowMs() where the record is made',
      );
    return this;
  }

  /** Flink 1.x BATCH/STREAMING switch: sluice always runs streaming (bounded sources end the job). */
  setRuntimeMode(mode: 'STREAMING' | 'BATCH' | 'AUTOMATIC'): this {
    if (mode === 'BATCH')
      unsupported(
        'setRuntimeMode(BATCH)',
        'run in STREAMING mode: bounded sources still end the job, with the same results',
      );
    return this;
  }

  socketTextStream(_host: string, _port: number): never {
    return unsupported('socketTextStream()', 'read from Kafka (KafkaSource) or a file (FileSource) with fromSource()');
  }
  registerCachedFile(_path: string, _name: string): never {
    return unsupported(
      'registerCachedFile()',
      'read the file in open() with node:fs, or ship it inside the job bundle',
    );
  }
  getCheckpointConfig(): never {
    return unsupported(
      'getCheckpointConfig()',
      'set execution.checkpointing.* keys (timeout, min-pause, externalized-checkpoint-retention …) in cluster.yaml or with -D; enableCheckpointing(interval, mode) sets interval and mode',
    );
  }
  setStateBackend(_backend: unknown): never {
    return unsupported(
      'setStateBackend()',
      "set state.backend.type (hashmap or rocksdb) in cluster.yaml, with -D or in the job's flinkConfiguration",
    );
  }
  setRestartStrategy(_strategy: unknown): never {
    return unsupported(
      'setRestartStrategy()',
      'set restart-strategy.type and its restart-strategy.* keys in cluster.yaml or with -D',
    );
  }
  getExecutionPlan(): never {
    return unsupported('getExecutionPlan()', 'run `sluice info <job>` for the plan JSON');
  }
  setBufferTimeout(_timeoutMs: number): this {
    warnOnce('setBufferTimeout', 'setBufferTimeout() is ignored: sluice flushes network buffers on its own schedule');
    return this;
  }

  /** The lines of a text file or of the files under a directory (Flink's readTextFile), positions checkpointed. */
  readTextFile(filePath: string, charsetName = 'UTF-8'): SingleOutputStreamOperator<string> {
    const source = FileSource.forRecordStreamFormat(new TextLineInputFormat(charsetName), filePath).build();
    return this.fromSource(source, undefined, 'FileSource');
  }

  fromSource<T>(source: Source<T, any>, watermarkStrategy: unknown, sourceName: string): SingleOutputStreamOperator<T> {
    const node = this.graph.addNode({
      name: `Source: ${sourceName}`,
      description: `Source: ${sourceName}`,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      kind: 'source',
      source: source as Source<unknown, unknown>,
      watermarkStrategy,
      // Split positions are state, but like Flink a source may go without a uid (auto id by position).
      stateful: false,
      keyed: false,
      numInputs: 0,
    });
    return new SingleOutputStreamOperator<T>(this, node.id);
  }

  /**
   * Flink's execute(): executeAsync() and then the job's execution result (attached). Under a host, the host
   * decides (the client submits and waits, or returns at submission when detached; cluster processes stop here).
   */
  async execute(jobName = 'sluice job'): Promise<JobExecutionResult> {
    this.graph.jobName = jobName;
    const host = getExecutionHost();
    if (host) return host.execute(this, jobName);
    return (await this.executeAsync(jobName)).getJobExecutionResult();
  }

  /** Flink's executeAsync(): submits the job and resolves, once it runs, with its JobClient. */
  async executeAsync(jobName = 'sluice job'): Promise<JobClient> {
    this.graph.jobName = jobName;
    const host = getExecutionHost();
    const client = host?.executeAsync
      ? await host.executeAsync(this, jobName)
      : await (await loadLocalExecutor()).executeLocallyAsync(this, jobName);
    for (const listener of this.jobStartListeners.splice(0)) listener(client);
    return client;
  }

  /** Internal: `listener` hears the JobClient of the job executeAsync() starts next. */
  onJobStarted(listener: (client: JobClient) => void): void {
    this.jobStartListeners.push(listener);
  }
}
