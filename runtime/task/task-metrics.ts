/**
 * Task-level metric registry: counters and gauges named by scope (vertex.subtask.operator), read by the
 * worker's metric reporter. Flink's names (numRecordsIn/Out, …) are registered by the task itself.
 */
export interface Counter {
  inc(n?: number): void;
  getCount(): number;
}

export class MetricRegistry {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, () => number | string>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      let v = 0;
      c = { inc: (n = 1) => void (v += n), getCount: () => v };
      this.counters.set(name, c);
    }
    return c;
  }

  gauge(name: string, read: () => number | string): void {
    this.gauges.set(name, read);
  }

  group(scope: string) {
    return {
      counter: (n: string) => this.counter(`${scope}.${n}`),
      gauge: (n: string, read: () => number | string) => this.gauge(`${scope}.${n}`, read),
    };
  }

  /** Snapshot of every metric value (for REST and heartbeats). */
  values(): Record<string, number | string> {
    const out: Record<string, number | string> = {};
    for (const [k, c] of this.counters) out[k] = c.getCount();
    for (const [k, g] of this.gauges) out[k] = g();
    return out;
  }
}
