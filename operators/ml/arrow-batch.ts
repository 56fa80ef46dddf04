/**
 * Arrow feature batches. A FeatureBatchBuilder owns one preallocated Float32Array of capacity·width values;
 * a per-job extraction function writes each record's features straight into it (no per-record arrays), and
 * build() produces an apache-arrow RecordBatch whose `features` column is a FixedSizeList<Float32>(width)
 * over a view of that same buffer, plus `key` (Utf8) and `timestamp` (Float64, epoch ms) columns.
 * Invariants: featureValues(batch) returns the column's values buffer itself (same ArrayBuffer and
 * byteOffset as the builder's storage) so onnxruntime gets it without a copy; a built batch is valid only
 * until the next reset() (the storage is reused).
 */
import {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
} from 'apache-arrow';
import { SluiceError } from '../../runtime/errors/index.js';

/** Writes one record's `width` features into `out[offset .. offset+width)`. */
export type FeatureExtractor<T> = (record: T, out: Float32Array, offset: number) => void;

export class FeatureBatchBuilder<T = unknown> {
  readonly values: Float32Array;
  private readonly keys: (string | null)[] = [];
  private readonly timestamps: Float64Array;
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

  /** Features of the rows appended so far, a view on the builder's storage (no copy). */
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

  /**
   * The Arrow RecordBatch of the rows so far; its feature and timestamp values share the builder's
   * storage. `withKeys: false` leaves out the Utf8 key column (encoding every key is the one per-row cost
   * of building a batch; the scorer reads keys from the builder instead).
   */
  build(opts: { withKeys?: boolean } = {}): RecordBatch {
    const withKeys = opts.withKeys ?? true;
    const n = this.rowCount;
    const valueType = new Float32();
    const listType = new FixedSizeList(this.width, new Field('item', valueType, false));
    const child = makeData({ type: valueType, length: n * this.width, nullCount: 0, data: this.featureView() });
    const features = makeData({ type: listType, length: n, nullCount: 0, child });
    const tsData = makeData({ type: new Float64(), length: n, nullCount: 0, data: this.timestamps.subarray(0, n) });
    const fields = [
      new Field('features', listType, false),
      ...(withKeys ? [new Field('key', new Utf8(), true)] : []),
      new Field('timestamp', new Float64(), false),
    ];
    const children: Data[] = withKeys
      ? [features, vectorFromArray(this.keys, new Utf8()).data[0] as Data, tsData]
      : [features, tsData];
    const struct = makeData({
      type: new Struct(fields),
      length: n,
      nullCount: 0,
      children,
    });
    return new RecordBatch(new Schema(fields), struct);
  }

  reset(): void {
    this.rowCount = 0;
    this.keys.length = 0;
  }
}

/** The Float32 values buffer under a batch's FixedSizeList `features` column (no copy). */
export function featureValues(batch: RecordBatch, column = 'features'): Float32Array {
  const col = batch.getChild(column);
  if (!col) throw new SluiceError('API_INVALID_ARGUMENT', `record batch has no ${column} column`);
  const data = col.data[0]!;
  const values = data.children[0]!.values as Float32Array;
  const width = (data.type as FixedSizeList).listSize;
  return values.subarray(data.offset * width, (data.offset + data.length) * width);
}
