/**
 * The print sink. `PrintSink` writes one line per value to stdout (prefixed with the subtask index
 * when parallelism > 1, as Flink's print()): the value's own `toString` when its class defines one (Flink's
 * tuples print `(a,1)`, as a Java POJO prints its toString), JSON for plain objects and arrays.
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../../runtime/api/source.js';

export class PrintSink<T> implements Sink<T> {
  constructor(
    private readonly prefix = '',
    private readonly write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  ) {}
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const pre = [this.prefix, ctx.parallelism > 1 ? `${ctx.subtaskIndex + 1}` : ''].filter(Boolean).join(':');
    const write = this.write;
    return {
      write(value: T) {
        const s = printString(value);
        write(pre ? `${pre}> ${s}` : s);
      },
    };
  }
}

/** Flink prints `value.toString()`; JS objects without their own toString print as JSON instead. */
export function printString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const own = (value as { toString?: unknown }).toString;
    if (typeof own === 'function' && own !== Object.prototype.toString) return String(value);
  }
  return JSON.stringify(value) ?? String(value);
}
