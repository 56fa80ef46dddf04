/**
 * Registered task workers: their slots, data-plane address and last heartbeat. A worker that misses
 * heartbeats for `heartbeatTimeoutMs`, or whose connection closes, is declared lost exactly once.
 */
import type { ConnectionToTaskWorker } from '../rpc/messages.js';
import { platform } from '../platform/index.js';
import type { TimerHandle } from '../platform/clock.js';

export interface SlotAssignment {
  jobId: string;
  vertexId: string;
  subtaskIndex: number;
}

export interface RegisteredWorker {
  id: string;
  host: string;
  dataPort: number;
  numSlots: number;
  slots: Array<SlotAssignment | undefined>;
  lastHeartbeatMs: number;
  registeredAtMs: number;
  conn: ConnectionToTaskWorker;
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number };
  /** The worker's V8 heap limit: its configured memory (0 from a worker that did not say). */
  memory: { heapLimitBytes: number };
  metrics: Record<string, number | string>;
  /** User counters of its subtasks ("vertexId.subtask.uid.name" → count), from the last heartbeat. */
  accumulators: Record<string, number>;
}

export class WorkerRegistry {
  readonly workers = new Map<string, RegisteredWorker>();
  private monitor: TimerHandle | undefined;

  constructor(
    private readonly heartbeatTimeoutMs: number,
    private readonly onLost: (w: RegisteredWorker, reason: string) => void,
  ) {}

  start(checkEveryMs: number): void {
    this.monitor = platform.clock.setInterval(() => this.check(), checkEveryMs);
  }

  stop(): void {
    if (this.monitor) platform.clock.clear(this.monitor);
  }

  register(
    w: Omit<RegisteredWorker, 'slots' | 'lastHeartbeatMs' | 'registeredAtMs' | 'metrics' | 'accumulators'>,
  ): RegisteredWorker {
    const now = platform.clock.nowMs();
    const full: RegisteredWorker = {
      ...w,
      slots: new Array(w.numSlots).fill(undefined),
      lastHeartbeatMs: now,
      registeredAtMs: now,
      metrics: {},
      accumulators: {},
    };
    this.workers.set(w.id, full);
    w.conn.onClose(() => this.lose(w.id, `connection to task worker ${w.id} closed`));
    return full;
  }

  heartbeat(id: string, metrics?: Record<string, number | string>, accumulators?: Record<string, number>): void {
    const w = this.workers.get(id);
    if (w) {
      w.lastHeartbeatMs = platform.clock.nowMs();
      if (metrics) w.metrics = metrics;
      if (accumulators) w.accumulators = accumulators;
    }
  }

  lose(id: string, reason: string): void {
    const w = this.workers.get(id);
    if (!w) return;
    this.workers.delete(id);
    w.conn.close();
    this.onLost(w, reason);
  }

  private check(): void {
    const now = platform.clock.nowMs();
    for (const w of [...this.workers.values()]) {
      if (now - w.lastHeartbeatMs > this.heartbeatTimeoutMs)
        this.lose(
          w.id,
          `task worker ${w.id} missed heartbeats for ${now - w.lastHeartbeatMs} ms (heartbeat.timeout ${this.heartbeatTimeoutMs} ms)`,
        );
    }
  }

  totalSlots(): number {
    let n = 0;
    for (const w of this.workers.values()) n += w.numSlots;
    return n;
  }

  freeSlots(): number {
    let n = 0;
    for (const w of this.workers.values()) n += w.slots.filter((s) => !s).length;
    return n;
  }

  releaseJob(jobId: string): void {
    for (const w of this.workers.values()) w.slots = w.slots.map((s) => (s?.jobId === jobId ? undefined : s));
  }
}
