/**
 * The `output: 'arrow-ipc'` form of model serving: each scored batch becomes one Arrow IPC stream with columns
 * key, timestamp, prediction, model, version, sha256, emitted with the batch's latest timestamp.
 *
 * Invariant: apache-arrow is imported only when a serving operator chooses this output.
 */
import type { ScoredOutput } from './batch-scorer.js';

export /** Turns a scored batch into one Arrow IPC stream (apache-arrow is loaded only when this output is chosen). */
async function arrowBatchEmitter<T>(
  emit: (bytes: Uint8Array, timestampMs: number) => void,
  count: (n: number) => void,
): Promise<(outs: ScoredOutput<T>[]) => void> {
  const { tableFromArrays, tableToIPC } = await import('apache-arrow');
  return (outs) => {
    const n = outs.length;
    const ts = new Float64Array(n);
    const prediction = new Float32Array(n);
    let latest = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      ts[i] = outs[i]!.timestampMs;
      prediction[i] = outs[i]!.prediction;
      if (ts[i]! > latest) latest = ts[i]!;
    }
    const table = tableFromArrays({
      key: outs.map((o) => o.key),
      timestamp: ts,
      prediction,
      model: outs.map((o) => o.model),
      version: outs.map((o) => o.version),
      sha256: outs.map((o) => o.sha256),
    });
    count(n);
    emit(tableToIPC(table, 'stream'), latest);
  };
}
