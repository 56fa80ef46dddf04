/**
 * TensorFlow.js model builders: a dense layers model built in code with seeded weights and saved to the
 * sluice artifact bytes (model.save(tf.io.withSaveHandler(…)) → tf-artifacts.ts). For tests and jobs.
 * Invariant: same options → same weights and same scores.
 */
import type { io } from '@tensorflow/tfjs';
import { seededRandom } from '../../../runtime/platform/random.js';
import { encodeTfArtifacts } from '../tf-artifacts.js';
import { loadTf } from '../tf-backend.js';

export async function buildTfDenseModel(opts: {
  layers: number[];
  seed?: number;
  sigmoid?: boolean;
}): Promise<Uint8Array> {
  const { tf } = await loadTf();
  const rnd = seededRandom(opts.seed ?? 11);
  const { layers } = opts;
  const model = tf.sequential();
  for (let l = 1; l < layers.length; l++) {
    const last = l === layers.length - 1;
    model.add(
      tf.layers.dense({
        units: layers[l]!,
        inputShape: l === 1 ? [layers[0]!] : undefined,
        activation: last ? (opts.sigmoid ? 'sigmoid' : 'linear') : 'relu',
      }),
    );
  }
  tf.tidy(() =>
    model.setWeights(
      model.getWeights().map((w) => {
        const vals = new Float32Array(w.size);
        for (let i = 0; i < vals.length; i++) vals[i] = (rnd() * 2 - 1) * 0.5;
        return tf.tensor(vals, w.shape);
      }),
    ),
  );
  let saved: io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return encodeTfArtifacts(saved!);
}
