/**
 * External model servers over the Open Inference Protocol, against the stand-in v2 server
 * (test/support/kserve-v2-server.ts): the client's shapes, timeouts, retries and errors; the async function's
 * batching of concurrent records; the in-stream fallback when the server fails or misses the deadline.
 */
import t from 'tap';
import { ExternalModelFunction, type ExternalScore } from '../../../operators/ml/external-model-function.js';
import { KServeV2Client } from '../../../operators/ml/kserve-v2-client.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { startV2Server } from '../../../bench/stand-ins/kserve-v2-server.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

const W = [0.5, -1, 2];
const B = 0.25;
const linear = (x: number[]) => W.reduce((s, w, i) => s + w * x[i]!, B);

async function server(t: { teardown(f: () => unknown): void }) {
  const s = await startV2Server('lin', W, B);
  t.teardown(() => s.close());
  return s;
}

t.test('infer sends FP32 [rows, width] and reads the output tensor', async (t) => {
  const s = await server(t);
  const c = new KServeV2Client({ baseUrl: s.url, model: 'lin' });
  t.ok(await c.ready());
  t.match(await c.metadata(), { name: 'lin', inputs: [{ datatype: 'FP32', shape: [-1, 3] }] });
  const rows = [
    [1, 2, 3],
    [-1, 0.5, 4],
  ];
  const { values, outputWidth } = await c.infer(Float32Array.from(rows.flat()), 2, 3);
  t.equal(outputWidth, 1);
  t.same(Array.from(values), rows.map(linear));
});

t.test('errors: unknown model, bad request, timeout, retries on 503 then success', async (t) => {
  const s = await server(t);
  // Where the timeout is not what is tested, a generous one: on a loaded machine a first answer can take
  // longer than the client's default second, and the error would then be the timeout, not the one tested.
  const timeoutMs = 10_000;
  const missing = new KServeV2Client({ baseUrl: s.url, model: 'nope', maxRetries: 0, timeoutMs });
  await t.rejects(missing.infer(new Float32Array(3), 1, 3), {
    code: 'MODEL_SERVER_FAILED',
    message: /HTTP 404 model nope not found/,
  });
  const c = new KServeV2Client({ baseUrl: s.url, model: 'lin', maxRetries: 0, timeoutMs });
  await t.rejects(c.infer(new Float32Array(4), 1, 4), { message: /HTTP 400 expected FP32 \[n, 3\]/ });
  s.delayMs = 500;
  await t.rejects(
    new KServeV2Client({ baseUrl: s.url, model: 'lin', timeoutMs: 100, maxRetries: 0 }).infer(
      new Float32Array(3),
      1,
      3,
    ),
    {
      message: /no answer within 100 ms/,
    },
  );
  s.delayMs = 0;
  s.failNext = { count: 2, status: 503 };
  const before = s.requests;
  const retrying = new KServeV2Client({ baseUrl: s.url, model: 'lin', maxRetries: 2, retryDelayMs: 5, timeoutMs });
  t.same(Array.from((await retrying.infer(Float32Array.from([1, 1, 1]), 1, 3)).values), [linear([1, 1, 1])]);
  t.equal(s.requests - before, 3, 'two 503s retried, the third answered');
  s.failNext = { count: 5, status: 503 };
  await t.rejects(
    new KServeV2Client({ baseUrl: s.url, model: 'lin', maxRetries: 1, retryDelayMs: 5, timeoutMs }).infer(
      new Float32Array(3),
      1,
      3,
    ),
    {
      message: /HTTP 503 injected failure \(after 2 attempts\)/,
    },
  );
});

function invoke<T>(fn: ExternalModelFunction<T>, record: T): Promise<ExternalScore<T>> {
  return new Promise((resolve, reject) =>
    fn.asyncInvoke(record, { complete: (r) => resolve([...r][0]!), completeExceptionally: reject }),
  );
}

t.test('concurrent records are batched into few server calls; each gets its own row', async (t) => {
  const s = await server(t);
  const fn = new ExternalModelFunction<number[]>({
    baseUrl: s.url,
    model: 'lin',
    width: 3,
    extract: (r, out, off) => out.set(r, off),
    maxBatchSize: 16,
    lingerMs: 5,
  });
  const records = Array.from({ length: 40 }, (_, i) => [i, i / 2, -i]);
  const got = await Promise.all(records.map((r) => invoke(fn, r)));
  t.same(
    got.map((g) => Math.round(g.prediction * 1000) / 1000),
    records.map((r) => Math.round(linear(r) * 1000) / 1000),
  );
  t.ok(got.every((g) => g.source === 'server' && g.model === 'lin'));
  t.equal(s.rows, 40);
  t.ok(s.requests <= 4, `40 records in ${s.requests} requests (batches of ≤ 16)`);
});

t.test('with a fallback model, a failing or slow server scores in-stream instead', async (t) => {
  const s = await server(t);
  const local = await OnnxModel.load(mlpDescriptor('fallback', 3));
  t.teardown(() => local.dispose());
  const extract = (r: number, out: Float32Array, off: number) => {
    for (let i = 0; i < MLP_WIDTH; i++) out[off + i] = Math.sin(r + i);
  };
  const fn = new ExternalModelFunction<number>({
    baseUrl: s.url,
    model: 'missing-model',
    maxRetries: 0,
    width: MLP_WIDTH,
    extract,
    fallback: local,
  });
  const r = await invoke(fn, 7);
  t.equal(r.source, 'fallback');
  t.equal(r.model, 'mlp@fallback');
  const f = new Float32Array(MLP_WIDTH);
  extract(7, f, 0);
  t.equal(r.prediction, (await local.scoreBatch(f, 1, MLP_WIDTH))[0]);
  // The async operator's deadline: timeout() scores locally and the late server answer is ignored.
  const wide = await startV2Server('lin16', new Array(MLP_WIDTH).fill(0.1), 0);
  t.teardown(() => wide.close());
  wide.delayMs = 300;
  const slow = new ExternalModelFunction<number>({
    baseUrl: wide.url,
    model: 'lin16',
    width: MLP_WIDTH,
    extract,
    fallback: local,
  });
  const results: ExternalScore<number>[] = [];
  const future = {
    complete: (x: Iterable<ExternalScore<number>>) => results.push(...x),
    completeExceptionally: () => {},
  };
  slow.asyncInvoke(3, future);
  slow.timeout(3, future);
  const deadline = Date.now() + 5000;
  while (slow.lateReplies === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.equal(
    slow.lateReplies,
    1,
    `the server answered after the deadline, and the answer was dropped (server saw ${wide.rows} row)`,
  );
  t.equal(results.length, 1, 'completed once');
  t.equal(results[0]!.source, 'fallback');
});

t.test('without a fallback, errors fail the future and a timeout reports the missed deadline', async (t) => {
  const s = await server(t);
  const fn = new ExternalModelFunction<number[]>({
    baseUrl: s.url,
    model: 'nope',
    maxRetries: 0,
    width: 3,
    extract: (r, o, off) => o.set(r, off),
  });
  await t.rejects(invoke(fn, [1, 2, 3]), { code: 'MODEL_SERVER_FAILED' });
  const err = await new Promise<Error>((resolve) =>
    fn.timeout([1, 2, 3], { complete: () => {}, completeExceptionally: (e) => resolve(e as Error) }),
  );
  t.match(err.message, /no answer before the async deadline/);
});
