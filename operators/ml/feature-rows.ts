/**
 * FeatureRows: the rows a batch scorer collects for one model run — one preallocated Float32Array of
 * capacity·width values that a per-job extraction function writes each record's features into (no
 * per-record arrays), with each row's key and timestamp. The layout is Arrow's FixedSizeList<Float32>
 * values buffer, so arrow-batch.ts wraps the same storage as a RecordBatch without a copy; this module does
 * not load apache-arrow, so scoring (which hands `featureView()` to the model) starts without it.
 * Invariants: `featureView()` is a view on the storage (no copy), valid only until the next reset();
 * append past capacity is refused.
 */
import { SluiceError } from '../../runtime/errors/index.js';

/** Writes one record's `width` features into `out[offset .. offset+width)`. */
export type FeatureExtractor<T> = (record: T, out: Float32Array, offset: number) => void;

export class FeatureRows<T = unknown> {
  readonly values: Float32Array;
  protected readonly keys: (string | null)[] = [];
  protected readonly timestamps: Float64Array;
  private rowCount = 0;

  constructor(
    readonly width: number,
    readonly capacity: number,
    private readonly extract: FeatureExtractor<T>,
  ) {
    if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(capacity) || capacity <= 0) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `feature batch width (${width}) and capacity (${capacity}) must be positive integers`,
      );
    }
    this.values = new Float32Array(width * capacity);
    this.timestamps = new Float64Array(capacity);
  }

  get rows(): number {
    return this.rowCount;
  }

  get full(): boolean {
    return this.rowCount >= this.capacity;
  }

  /** Appends a record; returns its row index. */
  append(record: T, key: string | null, timestampMs: number): number {
    if (this.rowCount >= this.capacity) {
      throw new SluiceError('API_INVALID_ARGUMENT', `feature batch is full (capacity ${this.capacity}); flush first`);
    }
    const row = this.rowCount++;
    const offset = row * this.width;
    this.extract(record, this.values, offset);
    this.keys.push(key);
    this.timestamps[row] = timestampMs;
    return row;
  }

  /** Features of the rows appended so far, a view on the storage (no copy). */
  featureView(): Float32Array {
    return this.values.subarray(0, this.rowCount * this.width);
  }

  /** Key of row `i` (as appended). */
  keyAt(i: number): string | null {
    return this.keys[i] ?? null;
  }

  /** Timestamp of row `i` (as appended). */
  timestampAt(i: number): number {
    return this.timestamps[i]!;
  }

  reset(): void {
    this.rowCount = 0;
    this.keys.length = 0;
  }
}
