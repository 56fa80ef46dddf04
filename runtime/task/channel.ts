/**
 * What a task needs from the data plane: input channels it polls and output channels it writes. The
 * network module (runtime/network) implements these for TCP and in-process channels; the task never sees
 * sockets or frames.
 *
 * Invariants: `poll` returns the elements of one buffer in order, or null when none is ready; consuming
 * a buffer is what returns credit to the sender. `isWritable() === false` means the task must stop
 * processing input until `onWritable` fires (backpressure).
 */
import type { StreamElement } from '../api/elements.js';

export interface TaskInputChannel {
  poll(): StreamElement[] | null;
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
