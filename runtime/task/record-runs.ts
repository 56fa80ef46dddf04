/**
 * Input buffers cut into runs of consecutive records (the StreamRecordBatch views handed to batch operators)
 * and the single elements between them. One `BufferReader` per input channel walks a polled buffer — an
 * element array or a decoded columnar frame — and re-targets one view object per run, so a run costs no
 * allocation; a `StreamRecord` is built only for operators without a batch method (`recordAt`).
 *
 * Invariants: runs and elements come out in the buffer's order; a run holds records only (never a
 * watermark, status, barrier or end of input) and at least one; a view is valid until the next `next()`.
 */
import { ElementKind, type StreamElement, type StreamRecord } from '../api/elements.js';
import type { StreamRecordBatch } from '../api/record-batch.js';
import type { ColumnarElements, InputBuffer } from './channel.js';

/** A run of records of the current buffer: the operator-facing view plus the per-record fallback. */
export interface RecordRun extends StreamRecordBatch {
  /** Record `i` as a StreamRecord (the element itself for array buffers; built for columnar ones). */
  recordAt(i: number): StreamRecord;
}

type KeySelector = ((value: unknown) => unknown) | undefined;

class ArrayRun implements RecordRun {
  size = 0;
  elements: StreamElement[] = [];
  start = 0;
  keySelector: KeySelector;
  value(i: number): unknown {
    return (this.elements[this.start + i] as StreamRecord).value;
  }
  timestamp(i: number): number {
    return (this.elements[this.start + i] as StreamRecord).timestamp;
  }
  key(i: number): unknown {
    return this.keySelector?.((this.elements[this.start + i] as StreamRecord).value);
  }
  recordAt(i: number): StreamRecord {
    return this.elements[this.start + i] as StreamRecord;
  }
}

class ColumnarRun implements RecordRun {
  size = 0;
  buffer = EMPTY;
  /** Element index of the run's first record, and its record ordinal. */
  start = 0;
  ordinal = 0;
  keySelector: KeySelector;
  value(i: number): unknown {
    return this.buffer.values[this.ordinal + i];
  }
  timestamp(i: number): number {
    return this.buffer.timestamps[this.start + i]!;
  }
  key(i: number): unknown {
    return this.keySelector?.(this.buffer.values[this.ordinal + i]);
  }
  recordAt(i: number): StreamRecord {
    return { kind: ElementKind.Record, value: this.value(i), timestamp: this.timestamp(i) };
  }
}

const EMPTY: ColumnarElements = {
  columnar: true,
  length: 0,
  kinds: new Uint8Array(0),
  timestamps: new Float64Array(0),
  values: [],
  events: [],
};

/** What `next()` returned: a run of records (`reader.run`), one other element, or the end of the buffer. */
export const RUN = 1;

export class BufferReader {
  private readonly arrayRun = new ArrayRun();
  private readonly columnarRun = new ColumnarRun();
  private buffer: InputBuffer | null = null;
  private at = 0;
  private ordinal = 0;
  private event = 0;
  /** The run `next()` returned RUN for. */
  run: RecordRun = this.arrayRun;

  constructor(keySelector: KeySelector) {
    this.arrayRun.keySelector = keySelector;
    this.columnarRun.keySelector = keySelector;
  }

  reset(buffer: InputBuffer): void {
    this.buffer = buffer;
    this.at = 0;
    this.ordinal = 0;
    this.event = 0;
  }

  /** The next run of records (RUN, see `run`), the next other element, or null at the end of the buffer. */
  next(): typeof RUN | StreamElement | null {
    const b = this.buffer;
    if (!b || this.at >= b.length) return null;
    if (Array.isArray(b)) {
      const first = b[this.at]!;
      if (first.kind !== ElementKind.Record) {
        this.at++;
        return first;
      }
      let end = this.at + 1;
      while (end < b.length && b[end]!.kind === ElementKind.Record) end++;
      const r = this.arrayRun;
      r.elements = b;
      r.start = this.at;
      r.size = end - this.at;
      this.at = end;
      this.run = r;
      return RUN;
    }
    return this.nextColumnar(b);
  }

  private nextColumnar(b: ColumnarElements): typeof RUN | StreamElement {
    const kinds = b.kinds;
    const kind = kinds[this.at]!;
    if (kind === ElementKind.Watermark) return { kind: ElementKind.Watermark, timestamp: b.timestamps[this.at++]! };
    if (kind !== ElementKind.Record) {
      this.at++;
      return b.events[this.event++]!;
    }
    let end = this.at + 1;
    while (end < b.length && kinds[end] === ElementKind.Record) end++;
    const r = this.columnarRun;
    r.buffer = b;
    r.start = this.at;
    r.ordinal = this.ordinal;
    r.size = end - this.at;
    this.ordinal += r.size;
    this.at = end;
    this.run = r;
    return RUN;
  }

  /** Drops the buffer (its values are no longer reachable from the reader). */
  clear(): void {
    this.buffer = null;
    this.arrayRun.elements = [];
    this.columnarRun.buffer = EMPTY;
  }
}
