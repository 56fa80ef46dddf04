/**
 * What a task needs from the data plane: input channels it polls and output channels it writes. The
 * network module (runtime/network) implements these for TCP and in-process channels; the task never sees
 * sockets or frames.
 *
 * Invariants: `poll` returns the elements of one buffer in order, or null when none is ready; consuming
 * a buffer is what returns credit to the sender. `isWritable() === false` means the task must stop
 * processing input until `onWritable` fires (backpressure). A channel whose buffers arrive as columns
 * offers `pollBuffer`, which hands them over as they are (no object per record); `poll` and `pollBuffer`
 * take from the same queue.
 */
import type { StreamElement } from '../api/elements.js';

/**
 * One buffer of elements as columns: element kinds and timestamps per element, the records' values by record
 * ordinal (the i-th record of the buffer), the other elements (statuses, barriers, end of input) in order.
 */
export interface ColumnarElements {
  readonly columnar: true;
  readonly length: number;
  /** ElementKind of each element. */
  readonly kinds: Uint8Array;
  /** A record's or watermark's timestamp per element (NaN for the other kinds). */
  readonly timestamps: Float64Array;
  /** The records' values, by record ordinal. */
  readonly values: ArrayLike<unknown>;
  /** The elements that are neither records nor watermarks, in order. */
  readonly events: StreamElement[];
}

export type InputBuffer = StreamElement[] | ColumnarElements;

export interface TaskInputChannel {
  poll(): StreamElement[] | null;
  /** The next buffer, columnar when it arrived so; null when none is ready. */
  pollBuffer?(): InputBuffer | null;
  onAvailable(cb: () => void): void;
  /** Bytes received so far (frames read off the network; in-process channels move objects and count 0). */
  bytesIn?(): number;
}

export interface TaskOutputChannel {
  emit(element: StreamElement): void;
  /** Sends buffered elements now (barriers and end of input do this implicitly). */
  flush(): void;
  isWritable(): boolean;
  onWritable(cb: () => void): void;
  close?(): void;
  /** Bytes sent so far (frames written to the network; in-process channels move objects and count 0). */
  bytesOut?(): number;
}
