/**
 * The source of an inference worker thread, run with `new Worker(source, { eval: true })` so it needs no
 * TypeScript loader or build step. Requests are handled one at a time in arrival order. It requires onnxruntime-node from the path the pool resolved, keeps one
 * InferenceSession per model id, and answers `load`, `unload` and `run` messages by id.
 * Invariant: a failed request answers `{ id, error }`; the worker itself only dies on a native crash.
 */
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
async function handle(m) {
  try {
    if (m.type === 'load') {
      const s = await ort.InferenceSession.create(m.bytes, m.options || {});
      const old = sessions.get(m.modelId);
      sessions.set(m.modelId, s);
      if (old) await old.release();
      parentPort.postMessage({ id: m.id, ok: true });
    } else if (m.type === 'unload') {
      const s = sessions.get(m.modelId);
      sessions.delete(m.modelId);
      if (s) await s.release();
      parentPort.postMessage({ id: m.id, ok: true });
    } else if (m.type === 'run') {
      const s = sessions.get(m.modelId);
      if (!s) throw new Error('model ' + m.modelId + ' is not loaded in this worker');
      const input = new ort.Tensor('float32', m.features, [m.rows, m.width]);
      const r = await s.run({ [s.inputNames[0]]: input });
      const out = r[s.outputNames[0]].data;
      parentPort.postMessage({ id: m.id, ok: true, out }, [out.buffer]);
    } else if (m.type === 'crash') {
      process.exit(70);
    } else if (m.type === 'memory') {
      parentPort.postMessage({ id: m.id, ok: true, memory: process.memoryUsage(), sessions: sessions.size });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
}
// One request at a time, in arrival order: a run never overtakes the load before it.
let chain = Promise.resolve();
parentPort.on('message', (m) => { chain = chain.then(() => handle(m)); });
`;
