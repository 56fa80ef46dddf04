/**
 * Print and collect sinks. `PrintSink` writes one line per value to stdout (prefixed with the subtask index
 * when parallelism > 1, as Flink's print()): the value's own `toString` when its class defines one (Flink's
 * tuples print `(a,1)`, as a Java POJO prints its toString), JSON for plain objects and arrays; `CollectSink` appends to an in-process list registered under
 * an id, used by executeAndCollect in local execution.
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

const collectors = new Map<string, unknown[]>();

export function registerCollector(id: string): unknown[] {
  const list: unknown[] = [];
  collectors.set(id, list);
  return list;
}

export function releaseCollector(id: string): void {
  collectors.delete(id);
}

export class CollectSink<T> implements Sink<T> {
  constructor(private readonly collectorId: string) {}
  createWriter(): SinkWriter<T> {
    const list = collectors.get(this.collectorId);
    if (!list)
      throw new Error(
        `collect sink ${this.collectorId} has no collector in this process; executeAndCollect needs local execution`,
      );
    return { write: (v: T) => void list.push(v) };
  }
}
