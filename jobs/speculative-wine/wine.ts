/**
 * Wine-quality-style data (seed 002/004 speculative serving): a seeded generator of the 11 physico-chemical
 * features of the UCI wine-quality set, with a quality score that is a known noisy function of them.
 * Responsibility: `wine(seed)(i)` → the i-th sample (a pure function of seed and i, so every process and
 * every run generates the same stream), `qualityOf` (the label function), `wineFeatures` (standardised
 * features written into a batch buffer, the extractor the serving operator and the trainer share).
 *
 * The label: latent = 0.8·alcohol − 0.6·volatile acidity + 0.4·sulphates + 0.7·tanh(2·alcohol·sulphates)
 * − 0.4·chlorides² + 0.3·sin(2·pH) (all standardised) + N(0, 0.15); quality = round(5.6 + latent) in 3..9;
 * `good` = quality ≥ 6, the binary target the models predict. The interaction and curvature terms are what a
 * linear model cannot fit.
 */
import { seededRandom } from 'sluice/platform';

export const FEATURE_NAMES = [
  'fixed acidity',
  'volatile acidity',
  'citric acid',
  'residual sugar',
  'chlorides',
  'free sulfur dioxide',
  'total sulfur dioxide',
  'density',
  'pH',
  'sulphates',
  'alcohol',
] as const;
export const WIDTH = FEATURE_NAMES.length;
/** Means and standard deviations roughly as in the red-wine set; features are drawn around them. */
const MEAN = [8.3, 0.53, 0.27, 2.5, 0.087, 15.9, 46.5, 0.9967, 3.31, 0.66, 10.4];
const STD = [1.7, 0.18, 0.19, 1.4, 0.047, 10.5, 32.9, 0.0019, 0.15, 0.17, 1.07];

export interface Wine {
  id: number;
  /** Raw physico-chemical values in FEATURE_NAMES order. */
  x: number[];
  quality: number;
  good: boolean;
}

function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** The noiseless latent quality of standardised features z. */
export function latentQuality(z: ArrayLike<number>): number {
  const [, vol, , , chl, , , , ph, sul, alc] = Array.from(z) as number[];
  return (
    0.8 * alc! -
    0.6 * vol! +
    0.4 * sul! +
    0.7 * Math.tanh(2 * alc! * sul!) -
    0.4 * chl! * chl! +
    0.3 * Math.sin(2 * ph!)
  );
}

export function qualityOf(z: ArrayLike<number>, noise: number): number {
  return Math.min(9, Math.max(3, Math.round(5.6 + latentQuality(z) + noise)));
}

/** The i-th wine of the stream with this seed (independent of how many were drawn before). */
export function wine(seed: number): (i: number) => Wine {
  return (i) => {
    const rnd = seededRandom((seed * 1_000_003 + i * 7919) >>> 0);
    const z = new Array<number>(WIDTH);
    for (let j = 0; j < WIDTH; j++) z[j] = gaussian(rnd);
    const quality = qualityOf(z, 0.15 * gaussian(rnd));
    return { id: i, x: z.map((v, j) => MEAN[j]! + STD[j]! * v), quality, good: quality >= 6 };
  };
}

/** Feature extractor: standardised features of `w` into out[offset .. offset+11). */
export function wineFeatures(w: Pick<Wine, 'x'>, out: Float32Array | Float64Array, offset: number): void {
  for (let j = 0; j < WIDTH; j++) out[offset + j] = (w.x[j]! - MEAN[j]!) / STD[j]!;
}
