/**
 * Flink's published Nexmark figures, per core, for comparison only (never presented as measured here).
 *
 * Source: the `nexmark` project (github.com/nexmark/nexmark), GUIDE_V1.md, "Nexmark Benchmark Result": the
 * example result table for Flink (versions 1.13–2.0) on 3 worker machines of 8 cores and 32 GB each, 8
 * TaskManagers of one slot, parallelism 8, RocksDB with incremental checkpoints every 3 minutes, mini-batch
 * on; 100 million events generated at 10 million events/s. "Throughput/Cores" is events per second divided
 * by the CPU cores the TaskManagers used (measured by a CPU collector on the workers).
 */
export const FLINK_PUBLISHED_EVENTS_PER_CORE: Readonly<Record<string, number>> = {
  q0: 155_020,
  q1: 157_940,
  q2: 175_210,
  q3: 152_120,
  q4: 34_330,
  q5: 22_140,
  q7: 12_330,
  q8: 146_140,
  q9: 14_240,
  q11: 39_700,
  q12: 75_670,
};

export const FLINK_PUBLISHED_SOURCE =
  'nexmark GUIDE_V1.md example table (Flink 1.13–2.0, 3 × 8-core workers, p = 8, RocksDB)';
