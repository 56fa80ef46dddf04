/**
 * The source of a training worker thread (run with `eval: true`, so it needs no loader of its own): it imports
 * runtime/bundle/training-worker-main by the URL the parent resolved (from the TypeScript sources after
 * registering tsx), which evaluates the job module and returns the named trainer, then answers `{id, input}` messages one at a time, in arrival order: `{id, started: true}` when the
 * training function starts (the parent's timeout counts from there), then `{id, out}` or `{id, error}`. Invariant: a failing training answers an error; the thread itself keeps running.
 */
export const TRAINING_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const loader = workerData.tsLoaderUrl
  ? import(workerData.tsLoaderUrl).then((tsx) => tsx.register())
  : Promise.resolve();
const ready = loader
  .then(() => import(workerData.mainUrl))
  .then((m) => m.loadTrainer(workerData.moduleUrl, workerData.name, workerData.args));
ready.catch(() => {});
let chain = Promise.resolve();
parentPort.on('message', (m) => {
  chain = chain.then(async () => {
    try {
      const train = await ready;
      parentPort.postMessage({ id: m.id, started: true });
      const out = await train(m.input);
      parentPort.postMessage({ id: m.id, out });
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
    }
  });
});
`;
