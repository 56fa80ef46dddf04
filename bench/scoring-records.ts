/**
 * The records every scoring benchmark scores, and their 16 features, so sluice and the no-engine loops
 * do the same work per record.
 */
export interface BenchRecord {
  id: number;
  key: number;
  createdMs: number;
}

export function mlpFeatures(r: BenchRecord, out: Float32Array, offset: number): void {
  const x = r.id * 0.000_1;
  for (let i = 0; i < 16; i++) out[offset + i] = Math.sin(x + i);
}
