/**
 * StreamInputProcessor: the input side of a non-source task's mailbox turn (Flink's StreamInputProcessor).
 * Polls one buffer per input channel, round-robin, within a turn budget; hands each run of records to the
 * chain's head — in one call when the head takes batches of that input (`processBatch`), else record by
 * record — and every other element to the task (watermark valve, barrier alignment, end of input); and
 * tells the chain once when its inputs ran dry (`inputDrained`), so buffering operators flush at once.
 *
 * Invariants: elements reach the head in channel order, records of a run before the element after it; the
 * head's pending async work is settled before the next run or element (as after each record before); a
 * channel blocked by alignment or ended is not polled; the drain signal is given once per idle period: a
 * turn that found nothing queued gives it, one that processed input re-arms it.
 */
import type { StreamElement } from '../api/elements.js';
import type { OperatorDriver } from './operator-chain.js';
import { BufferReader, RUN } from './record-runs.js';
import type { InputSpec } from './task-contracts.js';

const TURN_BUDGET = 4096;

export interface InputHost {
  /** The channel takes no input now (aligned barrier, or ended). */
  isBlocked(channel: number): boolean;
  /** The task is still RUNNING (a failure or the end stops the turn). */
  isRunning(): boolean;
  /** Every element that is not a record (watermarks, statuses, barriers, end of input). */
  processElement(channel: number, e: StreamElement): Promise<void>;
  settlePending(): Promise<void> | undefined;
  outputsWritable(): boolean;
  countRecordsIn(n: number): void;
}

export class StreamInputProcessor {
  private readonly readers: BufferReader[];
  private rr = 0;
  private drainSignalled = false;

  constructor(
    private readonly inputs: InputSpec[],
    private readonly drivers: OperatorDriver[],
    private readonly host: InputHost,
  ) {
    this.readers = inputs.map((i) => new BufferReader(drivers[0]?.keySelectors[i.logicalInput]));
  }

  /** One turn: true when input was processed (another turn may find more). */
  async turn(): Promise<boolean> {
    let budget = TURN_BUDGET;
    let progressed = false;
    const n = this.inputs.length;
    for (let k = 0; k < n && budget > 0; k++) {
      const i = (this.rr + k) % n;
      if (this.host.isBlocked(i)) continue;
      const ch = this.inputs[i]!.channel;
      const buffer = ch.pollBuffer ? ch.pollBuffer() : ch.poll();
      if (!buffer) continue;
      progressed = true;
      budget -= buffer.length;
      const reader = this.readers[i]!;
      reader.reset(buffer);
      try {
        if (!(await this.processBuffer(i, reader))) return false;
      } finally {
        reader.clear();
      }
      if (!this.host.outputsWritable()) break;
    }
    this.rr = (this.rr + 1) % Math.max(1, n);
    if (progressed) this.drainSignalled = false;
    else if (!this.drainSignalled && n > 0) {
      this.drainSignalled = true;
      for (const d of this.drivers) d.inputDrained();
      const pending = this.host.settlePending();
      if (pending) await pending;
    }
    return progressed;
  }

  private async processBuffer(ch: number, reader: BufferReader): Promise<boolean> {
    const host = this.host;
    const input = this.inputs[ch]!.logicalInput;
    const head = this.drivers[0]!;
    const batches = head.takesBatches(input);
    for (let s = reader.next(); s !== null; s = reader.next()) {
      if (s !== RUN) {
        await host.processElement(ch, s);
        if (!host.isRunning()) return false;
        continue;
      }
      const run = reader.run;
      if (batches) {
        host.countRecordsIn(run.size);
        head.processBatch(input, run);
        const pending = host.settlePending();
        if (pending) await pending;
        if (!host.isRunning()) return false;
        continue;
      }
      for (let j = 0; j < run.size; j++) {
        // Records stay synchronous unless an operator returned a promise: no promise or microtask per record.
        host.countRecordsIn(1);
        head.processRecord(input, run.recordAt(j));
        const pending = host.settlePending();
        if (pending) await pending;
        if (!host.isRunning()) return false;
      }
    }
    return true;
  }
}
