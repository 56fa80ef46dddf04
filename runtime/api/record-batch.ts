/**
 * StreamRecordBatch: consecutive records of one input handed to an operator in one call (`processBatch`,
 * `processBatch1/2`), the operator-level batch contract (as Arroyo's RecordBatch operators, or Flink's bundle
 * operators). An input buffer that arrived as columns (a decoded columnar frame) becomes batches without one
 * `StreamRecord` per row; operators that declare no batch method get the records one by one, as before.
 *
 * Invariants: a batch never spans a watermark, watermark status, barrier or end of input — those reach the
 * operator between batches, in their channel order, exactly as between records. A batch object is a view
 * that is valid during the call and until the Promise it returned settles (then the runtime re-targets it):
 * keep values, never the batch. The runtime does not set the keyed backend's current key for a batch: an
 * operator that reads or writes keyed state for record `i` sets it first with `key(i)` (the input's key
 * selector applied to `value(i)`), which routes to the same key group as the per-record path.
 */
export interface StreamRecordBatch<T = unknown> {
  /** Number of records, at least 1. */
  readonly size: number;
  /** The value of record `i` (0 ≤ i < size). */
  value(i: number): T;
  /** The event timestamp of record `i` in ms, NaN when it has none. */
  timestamp(i: number): number;
  /** The key of record `i` under the input's key selector; undefined when the input is not keyed. */
  key(i: number): unknown;
}
