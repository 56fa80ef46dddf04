/**
 * StreamTask: one subtask of a job vertex running as a mailbox on the event loop. Control mails
 * (checkpoint triggers and notifications, processing-time timers) run first; a turn then processes a
 * bounded batch of input and yields. Handles the watermark valve per logical input, end of input (finish
 * operators head to tail, then forward end of input), stop-with-savepoint (its phases in
 * stop-with-savepoint.ts), backpressure (no input is read while an output channel is not writable) and the
 * task's lifecycle (open, close, cancel, failure). Input turns (records in runs or batches, the drain signal)
 * are input-processor.ts's. Barriers go to checkpoint-barrier-handler.ts (alignment),
 * which triggers the checkpoint in subtask-checkpoint-coordinator.ts (synchronous part, asynchronous part in
 * async-snapshot.ts, acknowledgement or decline).
 *
 * Invariants: operator methods never run concurrently (everything, checkpoints included, runs as mails or
 * turns of this mailbox); `close` runs on every operator exactly once, also after failure or cancel; a
 * checkpoint's state is taken after every operator's prepareSnapshotPreBarrier and after the barrier was
 * forwarded, before any post-barrier input is processed; the final state is reported only after every
 * checkpoint still being built was acknowledged or declined. A cancel during start or end takes effect at the
 * next await: no operator initializes or opens after the close, no final state or FINISHED follows it.
 *
 * End of input with checkpointing (Flink's final checkpoint, FLIP-147): after finish the task reports its
 * final state and forwards end of input, but stays RUNNING — reading nothing, firing no timers, ignoring
 * checkpoint triggers (its final state stands in for them) — until a checkpoint that holds its final state
 * completed; that notification reaches the operators (two-phase sinks commit their last transaction), then
 * the task closes and is FINISHED. Without checkpointing it closes right after finish.
 */
import { ElementKind, type CheckpointBarrier, type StreamElement } from '../api/elements.js';
import type { Clock } from '../platform/clock.js';
import { StatusWatermarkValve } from './watermark-valve.js';
import type { OperatorDriver } from './operator-chain.js';
import type { RecordWriter } from './record-writer.js';
import type { MailboxProcessingTimeService } from './processing-time.js';
import type { TaskState } from '../api/task-state.js';
import { StopWithSavepoint } from './stop-with-savepoint.js';
import type { SubtaskQueryableStates } from '../state/index.js';
import { CheckpointBarrierHandler } from './checkpoint-barrier-handler.js';
import { StreamInputProcessor } from './input-processor.js';
import { SubtaskCheckpointCoordinator } from './subtask-checkpoint-coordinator.js';
import type { InputSpec, SourceDriver, TaskListener } from './task-contracts.js';

export type { TaskState } from '../api/task-state.js';
export type { InputSpec, SourceDriver, TaskListener } from './task-contracts.js';

export class StreamTask {
  state: TaskState = 'CREATED';
  private readonly mails: Array<() => void | Promise<void>> = [];
  private scheduled = false;
  private running = false;
  private readonly ended: boolean[];
  private readonly barriers: CheckpointBarrierHandler;
  private readonly checkpoints: SubtaskCheckpointCoordinator;
  private readonly valves: StatusWatermarkValve[] = [];
  private readonly channelIndexInInput: number[] = [];
  private readonly input: StreamInputProcessor;
  private waitingForOutput = false;
  recordsIn = 0;
  /** What the subtask's operators expose to queries by key (set by the task factory). */
  queryableStates: SubtaskQueryableStates | undefined;
  /** Milliseconds spent processing (mailbox turns) and waiting for output credit, since the task started. */
  busyTimeMs = 0;
  backPressuredTimeMs = 0;
  private backPressuredSince = -1;

  constructor(
    readonly name: string,
    private readonly drivers: OperatorDriver[],
    private readonly inputs: InputSpec[],
    private readonly writers: RecordWriter[],
    private readonly source: SourceDriver | undefined,
    private readonly processingTime: MailboxProcessingTimeService,
    private readonly clock: Clock,
    private readonly listener: TaskListener,
    checkpointMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE',
    /** Periodic checkpoints are on: the end of input waits for the final checkpoint. */
    private readonly checkpointingEnabled = false,
  ) {
    this.stop = new StopWithSavepoint(name);
    this.ended = inputs.map(() => false);
    this.checkpoints = new SubtaskCheckpointCoordinator(name, drivers, writers, source, clock, listener, this.stop, {
      isClosed: () => this.closed,
      suspend: () => {
        this.suspended = true;
      },
    });
    this.barriers = new CheckpointBarrierHandler(
      this.ended,
      checkpointMode,
      (b) => this.checkpoints.performCheckpoint(b),
      () => this.schedule(),
    );
    const counts = [0, 0];
    for (const i of inputs) this.channelIndexInInput.push(counts[i.logicalInput]!++);
    for (let li = 0; li < 2; li++) {
      if (!counts[li]) continue;
      const head = drivers[0]!;
      this.valves[li] = new StatusWatermarkValve(counts[li]!, {
        emitWatermark: (ts) => head.processWatermark(li, ts),
        emitWatermarkStatus: (idle) => head.processWatermarkStatus(li, idle),
      });
    }
    for (const i of inputs) i.channel.onAvailable(() => this.schedule());
    this.input = new StreamInputProcessor(inputs, drivers, {
      isBlocked: (ch) => this.barriers.isBlocked(ch) || this.ended[ch]!,
      isRunning: () => this.state === 'RUNNING',
      processElement: (ch, e) => this.processElement(ch, e),
      settlePending: () => this.settlePending(),
      outputsWritable: () => this.outputsWritable(),
      countRecordsIn: (n) => {
        this.recordsIn += n;
      },
    });
  }

  /** Opens every operator (state already restored by the chain builder) and starts the mailbox. */
  async start(isRestored: boolean): Promise<void> {
    if (this.state !== 'CREATED') return; // cancelled before it started
    this.setState('INITIALIZING');
    try {
      // a cancel meanwhile closed every operator: none may initialize or open after that (never closed)
      for (const d of this.drivers) {
        if (this.left('INITIALIZING')) return;
        await d.operator.initializeState?.({
          isRestored: () => isRestored,
          operatorStateStore: d.opStore,
          keyedStateBackend: d.keyed,
        });
      }
      for (const d of this.drivers) {
        if (this.left('INITIALIZING')) return;
        await d.operator.open?.();
      }
    } catch (e) {
      await this.fail(e as Error);
      return;
    }
    if (this.left('INITIALIZING')) return; // cancelled while opening
    this.setState('RUNNING');
    this.schedule();
  }

  enqueueMail(fn: () => void | Promise<void>): void {
    this.mails.push(fn);
    this.schedule();
  }

  triggerCheckpoint(barrier: CheckpointBarrier): void {
    // after the end of input the final state stands in for the task's part of any checkpoint
    this.enqueueMail(() => (this.finalCheckpointId < 0 ? this.checkpoints.performCheckpoint(barrier) : undefined));
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.enqueueMail(async () => {
      await this.checkpoints.notifyCheckpointComplete(checkpointId);
      if (this.finalCheckpointId >= 0 && checkpointId >= this.finalCheckpointId) {
        if (this.left('RUNNING')) return; // cancelled during the commits: the cancel closed the operators
        await this.closeAll(); // the final checkpoint completed: its commits are done
        this.setState('FINISHED');
        return;
      }
      if (this.stop.checkpointCompleted(checkpointId) === 'end') await this.end(); // the deferred end
    });
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.enqueueMail(async () => {
      const endWasDeferred = this.stop.phase === 'END_DEFERRED';
      const resumed = this.stop.checkpointAborted(checkpointId) === 'resume';
      if (resumed) {
        // the stop-with-savepoint failed: keep running, as Flink does
        this.suspended = false;
        this.schedule();
      }
      this.barriers.checkpointAborted(checkpointId);
      await this.checkpoints.notifyCheckpointAborted(checkpointId);
      // a task whose every input ended while it waited for the savepoint ends now, normally
      if (endWasDeferred && resumed && !this.source) await this.endOfInput();
    });
  }

  async cancel(): Promise<void> {
    if (this.isTerminal()) return;
    this.setState('CANCELING');
    try {
      await this.closeAll();
    } catch {
      /* cancelling: close errors must not keep the task from reaching CANCELED */
    }
    this.setState('CANCELED');
  }

  /** The task is no longer in `s` (a cancel or failure happened during an await). */
  private left(s: TaskState): boolean {
    return this.state !== s;
  }

  private isTerminal(): boolean {
    return this.state === 'FINISHED' || this.state === 'CANCELED' || this.state === 'FAILED';
  }

  private setState(s: TaskState, err?: Error): void {
    this.state = s;
    this.listener.onStateChange(s, err);
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.isTerminal()) return;
    this.scheduled = true;
    this.clock.setImmediate(() => {
      this.scheduled = false;
      void this.turn();
    });
  }

  private async turn(): Promise<void> {
    if (this.state !== 'RUNNING' || this.running) return;
    this.running = true;
    const startedMs = this.clock.monotonicMs();
    let more = false;
    try {
      while (this.mails.length) {
        await this.mails.shift()!();
        await this.settlePending();
        if (this.state !== 'RUNNING') return;
      }
      if (this.finalCheckpointId >= 0 || !this.outputsWritable()) return; // input ended: mails only
      more = this.source ? await this.sourceTurn() : await this.input.turn();
    } catch (e) {
      await this.fail(e as Error);
      return;
    } finally {
      this.running = false;
      this.busyTimeMs += this.clock.monotonicMs() - startedMs;
    }
    if (this.mails.length || more) this.schedule();
  }

  private outputsWritable(): boolean {
    for (const w of this.writers) {
      if (!w.isWritable()) {
        if (!this.waitingForOutput) {
          this.waitingForOutput = true;
          this.backPressuredSince = this.clock.monotonicMs();
          w.onWritable(() => {
            this.waitingForOutput = false;
            this.backPressuredTimeMs += this.clock.monotonicMs() - this.backPressuredSince;
            this.backPressuredSince = -1;
            this.schedule();
          });
        }
        return false;
      }
    }
    return true;
  }

  private async sourceTurn(): Promise<boolean> {
    if (this.stop.phase === 'END_DEFERRED') return false; // stopped; ends when the savepoint completes
    if (this.stop.stopping) {
      await this.endOfInput(); // stop-with-savepoint: no record after the barrier
      return false;
    }
    const r = this.source!.pollBatch();
    // async operators chained to the source (async I/O with a full queue) hold the next batch back
    await this.settlePending();
    if (r === 'MORE') return true;
    if (r === 'WAIT') {
      void this.source!.availability().then(() => this.schedule());
      return false;
    }
    await this.endOfInput();
    return false;
  }

  private async processElement(ch: number, e: StreamElement): Promise<void> {
    const input = this.inputs[ch]!.logicalInput;
    const head = this.drivers[0]!;
    switch (e.kind) {
      case ElementKind.Record:
        this.recordsIn++;
        head.processRecord(input, e);
        return this.settlePending();
      case ElementKind.Watermark:
        this.valves[input]!.inputWatermark(e.timestamp, this.channelIndexInInput[ch]!); // emits into the head
        return this.settlePending();
      case ElementKind.WatermarkStatus:
        this.valves[input]!.inputWatermarkStatus(e.idle, this.channelIndexInInput[ch]!);
        return this.settlePending();
      case ElementKind.Barrier:
        return this.barriers.onBarrier(ch, e);
      case ElementKind.EndOfInput:
        this.ended[ch] = true;
        if (e.suspended) this.suspended = true;
        await this.barriers.onChannelEnded();
        if (this.ended.every(Boolean)) await this.endOfInput();
        return;
    }
  }

  /** Back-pressured time including a wait still in progress. */
  backPressuredNowMs(): number {
    return (
      this.backPressuredTimeMs + (this.backPressuredSince >= 0 ? this.clock.monotonicMs() - this.backPressuredSince : 0)
    );
  }

  /** Awaits async operator work (see OperatorDriver) so nothing overtakes its results. */
  private settlePending(): Promise<void> | undefined {
    // Synchronous unless an operator returned a promise: no allocation per element on the hot path.
    let pending: Promise<void>[] | undefined;
    for (let i = 0; i < this.drivers.length; i++) {
      const p = this.drivers[i]!.takePending();
      if (p) (pending ??= []).push(p);
    }
    return pending && (pending.length === 1 ? pending[0] : Promise.all(pending).then(() => undefined));
  }

  /** Stop-with-savepoint: the task ends only once that savepoint completed (its sinks commit). */
  private readonly stop: StopWithSavepoint;
  /** Ended by stop-with-savepoint without drain: close without finish(). */
  private suspended = false;
  /** After the end of input, waiting for the final checkpoint: the first checkpoint holding the final state. */
  private finalCheckpointId = -1;

  /** End of all input (or a source stopped): the end, unless it waits for a stop's savepoint to complete. */
  private async endOfInput(): Promise<void> {
    if (this.stop.inputEnded() === 'end') await this.end();
  }

  private async end(): Promise<void> {
    if (this.suspended) {
      // stop-with-savepoint (no drain): the savepoint holds the state; nothing past it is flushed or committed
      for (const w of this.writers) w.broadcastEvent({ kind: ElementKind.EndOfInput, suspended: true });
      await this.closeAll();
      if (!this.left('RUNNING')) this.setState('FINISHED');
      return;
    }
    // After each await: a cancel meanwhile closed the task; it reports no final state and never FINISHED.
    for (const d of this.drivers) {
      await d.operator.finish?.();
      if (this.left('RUNNING')) return;
    }
    await this.settlePending();
    // A checkpoint taken before the end must be acknowledged before the final state stands in for it.
    await this.checkpoints.awaitInFlight();
    if (this.left('RUNNING')) return;
    // Final state: later checkpoints of the still running tasks include it (and a restore finds the end).
    const final = await this.checkpoints.finalState(this.clock.nowMs());
    if (this.left('RUNNING')) return;
    this.listener.reportFinalState?.(final.snapshots, final.firstCheckpointId);
    for (const w of this.writers) w.broadcastEvent({ kind: ElementKind.EndOfInput });
    if (this.checkpointingEnabled) {
      this.processingTime.quiesce(); // finished operators fire no more timers
      this.finalCheckpointId = final.firstCheckpointId;
      return;
    }
    await this.closeAll();
    if (!this.left('RUNNING')) this.setState('FINISHED');
  }

  private closed = false;
  private async closeAll(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.processingTime.quiesce();
    let first: Error | undefined;
    for (const d of this.drivers) {
      try {
        await d.operator.close?.();
      } catch (e) {
        first ??= e as Error;
      }
    }
    try {
      await this.source?.close();
    } catch (e) {
      first ??= e as Error;
    }
    for (const d of this.drivers) await d.keyed?.dispose?.().catch(() => undefined); // RocksDB: close, remove files
    for (const w of this.writers) w.flush();
    if (first) throw first;
  }

  private async fail(err: Error): Promise<void> {
    if (this.isTerminal()) return;
    try {
      await this.closeAll();
    } catch {
      /* the original error is what matters */
    }
    this.setState('FAILED', err);
  }
}
