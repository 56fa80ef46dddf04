/**
 * A Node process's figures under Flink's JVM names, for the job manager (`/jobmanager/metrics`) and every
 * task worker (`/taskmanagers/:id/metrics`): the V8 heap stands in for the JVM heap, the rest of the resident
 * set for non-heap, ArrayBuffers for direct memory, V8's code spaces for metaspace, garbage
 * collections by V8's kinds (Scavenge, MarkSweepCompact, …); plus `EnvironmentInfo` (`/…/environment`).
 *
 * Invariant: values are read when asked (a heartbeat or a request), each in microseconds (none walks the
 * heap); CPU load is the share of one core used since the previous read.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import { platform } from '../platform/index.js';

interface GaugeSink {
  gauge(name: string, read: () => number | string): void;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'MarkSweepCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'IncrementalMarking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'WeakCallbacks',
};

let gcStats: Map<string, { count: number; timeMs: number }> | undefined;
function watchGc(): Map<string, { count: number; timeMs: number }> {
  if (gcStats) return gcStats;
  const stats = new Map(Object.values(GC_KINDS).map((k) => [k, { count: 0, timeMs: 0 }]));
  gcStats = stats;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1];
      const s = kind ? stats.get(kind) : undefined;
      if (s) {
        s.count++;
        s.timeMs += e.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  return stats;
}

/**
 * Bytes used in V8's code spaces: the metaspace stand-in. Read from the space statistics (microseconds), not
 * getHeapCodeStatistics, which walks the whole heap (tens of ms at a few million objects) and would stall a
 * busy worker on every heartbeat.
 */
function codeSpaceBytes(): number {
  let bytes = 0;
  for (const sp of v8.getHeapSpaceStatistics()) if (sp.space_name.startsWith('code')) bytes += sp.space_used_size;
  return bytes;
}

/** V8's heap size limit (`--max-old-space-size` and friends): the process's configured heap. */
export function heapLimitBytes(): number {
  return v8.getHeapStatistics().heap_size_limit;
}

/** Registers the process gauges on `sink` (a MetricRegistry or a plain collector). */
export function registerProcessMetrics(sink: GaugeSink): void {
  let lastCpu = process.cpuUsage();
  let lastMs = platform.clock.monotonicMs();
  const mem = () => process.memoryUsage();
  const gc = watchGc();
  sink.gauge('Status.JVM.Memory.Heap.Used', () => mem().heapUsed);
  sink.gauge('Status.JVM.Memory.Heap.Committed', () => mem().heapTotal);
  sink.gauge('Status.JVM.Memory.Heap.Max', heapLimitBytes);
  sink.gauge('Status.JVM.Memory.NonHeap.Used', () => Math.max(0, mem().rss - mem().heapTotal));
  sink.gauge('Status.JVM.Memory.NonHeap.Committed', () => Math.max(0, mem().rss - mem().heapTotal));
  sink.gauge('Status.JVM.Memory.NonHeap.Max', () => -1);
  sink.gauge('Status.JVM.Memory.Direct.MemoryUsed', () => mem().arrayBuffers);
  sink.gauge('Status.JVM.Memory.Direct.TotalCapacity', () => mem().arrayBuffers);
  sink.gauge('Status.JVM.Memory.Metaspace.Used', codeSpaceBytes);
  sink.gauge('Status.JVM.Memory.Metaspace.Max', () => -1);
  sink.gauge('Status.ProcessTree.Memory.RSS', () => mem().rss);
  sink.gauge('Status.JVM.CPU.Time', () => {
    const c = process.cpuUsage();
    return Math.round((c.user + c.system) / 1000);
  });
  sink.gauge('Status.JVM.CPU.Load', () => {
    const cpu = process.cpuUsage(lastCpu);
    const now = platform.clock.monotonicMs();
    const load = now > lastMs ? (cpu.user + cpu.system) / 1000 / (now - lastMs) : 0;
    lastCpu = process.cpuUsage();
    lastMs = now;
    return Math.round(load * 1000) / 1000;
  });
  sink.gauge('Status.JVM.Threads.Count', () => 1 + Number(process.env.UV_THREADPOOL_SIZE ?? 4));
  for (const [kind, s] of gc) {
    sink.gauge(`Status.JVM.GarbageCollector.${kind}.Count`, () => s.count);
    sink.gauge(`Status.JVM.GarbageCollector.${kind}.Time`, () => Math.round(s.timeMs));
  }
}

/** The process gauges read once, as a metric map (the job manager's own metrics). */
export function processMetricsReader(): () => Record<string, number | string> {
  const gauges = new Map<string, () => number | string>();
  registerProcessMetrics({ gauge: (n, r) => gauges.set(n, r) });
  return () => Object.fromEntries([...gauges].map(([n, r]) => [n, r()]));
}

/** Flink's `EnvironmentInfo`: the runtime in place of the JVM, Node's flags as its options. */
export function environmentInfo(): { jvm: { version: string; arch: string; options: string[] }; classpath: string[] } {
  return {
    jvm: {
      version: `Node.js ${process.version} (V8 ${process.versions.v8})`,
      arch: `${platform.host.osName()} ${process.arch}`,
      options: [...process.execArgv],
    },
    classpath: [process.argv[1] ?? '', ...(process.env.NODE_PATH ?? '').split(':')].filter(Boolean),
  };
}
