/**
 * Arrow feature batches. A FeatureBatchBuilder is FeatureRows (feature-rows.ts: one preallocated
 * Float32Array of capacity·width values a per-job extraction function writes each record's features into)
 * whose build() produces an apache-arrow RecordBatch whose `features` column is a FixedSizeList<Float32>(width)
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
import { FeatureRows } from './feature-rows.js';

export type { FeatureExtractor } from './feature-rows.js';

/** FeatureRows that also build an Arrow RecordBatch over their storage. */
export class FeatureBatchBuilder<T = unknown> extends FeatureRows<T> {
  /**
   * The Arrow RecordBatch of the rows so far; its feature and timestamp values share the builder's
   * storage. `withKeys: false` leaves out the Utf8 key column (encoding every key is the one per-row cost
   * of building a batch; the scorer reads keys from the builder instead).
   */
  build(opts: { withKeys?: boolean } = {}): RecordBatch {
    const withKeys = opts.withKeys ?? true;
    const n = this.rows;
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
