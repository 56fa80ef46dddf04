/**
 * Task-level metric registry: counters and gauges named by scope (vertex.subtask.operator), read by the
 * worker's metric reporter. Flink's names (numRecordsIn/Out, …) are registered by the task itself.
 * Counters user functions register (`getMetricGroup().counter`) are also the subtask's user accumulators
 * (Flink's `/accumulators` views), kept apart from the runtime's own counters.
 */
export interface Counter {
  inc(n?: number): void;
  getCount(): number;
}

/**
 * A per-second rate of a monotonically growing value, over the interval since the previous read (the
 * worker's heartbeat reads every metric once per heartbeat, so that interval is the reporting period).
 */
export function perSecond(read: () => number, nowMs: () => number): () => number {
  let lastValue = read();
  let lastMs = nowMs();
  return () => {
    const v = read();
    const t = nowMs();
    const dt = t - lastMs;
    if (dt <= 0) return 0;
    const rate = ((v - lastValue) * 1000) / dt;
    lastValue = v;
    lastMs = t;
    return Math.round(rate * 100) / 100;
  };
}

export class MetricRegistry {
  readonly counters = new Map<string, Counter>();
  readonly gauges = new Map<string, () => number | string>();
  /** Full names of the counters user functions registered. */
  private readonly userCounters = new Set<string>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) {
      let v = 0;
      c = { inc: (n = 1) => void (v += n), getCount: () => v };
      this.counters.set(name, c);
    }
    return c;
  }

  userCounter(name: string): Counter {
    this.userCounters.add(name);
    return this.counter(name);
  }

  /** User counters under `prefix.` (all when no prefix), with the prefix removed. */
  accumulators(prefix?: string): Record<string, number> {
    const out: Record<string, number> = {};
    const p = prefix === undefined ? '' : `${prefix}.`;
    for (const k of this.userCounters)
      if (k.startsWith(p)) out[k.slice(p.length)] = this.counters.get(k)?.getCount() ?? 0;
    return out;
  }

  gauge(name: string, read: () => number | string): void {
    this.gauges.set(name, read);
  }

  /** Values under `prefix.`, with the prefix removed. */
  valuesOf(prefix: string): Record<string, number | string> {
    const out: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(this.values()))
      if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
    return out;
  }

  /** Drops every metric under `prefix.` (a finished or cancelled task's). */
  removeScope(prefix: string): void {
    for (const k of [...this.counters.keys()]) if (k.startsWith(`${prefix}.`)) this.counters.delete(k);
    for (const k of [...this.userCounters]) if (k.startsWith(`${prefix}.`)) this.userCounters.delete(k);
    for (const k of [...this.gauges.keys()]) if (k.startsWith(`${prefix}.`)) this.gauges.delete(k);
  }

  group(scope: string) {
    return {
      counter: (n: string) => this.counter(`${scope}.${n}`),
      userCounter: (n: string) => this.userCounter(`${scope}.${n}`),
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
