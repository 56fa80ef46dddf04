/**
 * A small Open Inference Protocol (KServe v2 REST) stand-in server for benchmarks and tests: one linear model
 * `y = w·x + b` per row, answering `/v2/health/ready`, `/v2/models/{name}`, `/v2/models/{name}/ready` and
 * `/v2/models/{name}/infer` with the protocol's JSON shapes. A test sets a delay per request, makes the next
 * N requests fail with a status, and reads how many requests and rows arrived. Listens on 127.0.0.1, port 0.
 */
import { createServer, type Server } from 'node:http';

export interface V2Stub {
  url: string;
  requests: number;
  rows: number;
  delayMs: number;
  failNext: { count: number; status: number };
  close(): Promise<void>;
}

export async function startV2Server(model: string, weights: number[], bias: number): Promise<V2Stub> {
  const width = weights.length;
  const stub = { requests: 0, rows: 0, delayMs: 0, failNext: { count: 0, status: 503 } } as V2Stub;
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      if (path === '/v2/health/ready') return send(res, 200, { ready: true });
      const m = /^\/v2\/models\/([^/]+)(\/ready|\/infer)?$/.exec(path);
      if (!m || decodeURIComponent(m[1]!) !== model)
        return send(res, 404, { error: `model ${m?.[1] ?? '?'} not found` });
      if (m[2] === '/ready') return send(res, 200, { name: model, ready: true });
      if (!m[2])
        return send(res, 200, {
          name: model,
          platform: 'sluice-test',
          inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, width] }],
          outputs: [{ name: 'output-0', datatype: 'FP32', shape: [-1, 1] }],
        });
      stub.requests++;
      if (stub.failNext.count > 0) {
        stub.failNext.count--;
        return send(res, stub.failNext.status, { error: 'injected failure' });
      }
      let input: { shape: number[]; datatype: string; data: number[] };
      try {
        input = (JSON.parse(body) as { inputs: (typeof input)[] }).inputs[0]!;
      } catch {
        return send(res, 400, { error: 'malformed inference request' });
      }
      if (input.datatype !== 'FP32' || input.shape[1] !== width)
        return send(res, 400, { error: `expected FP32 [n, ${width}], got ${input.datatype} [${input.shape}]` });
      const rows = input.shape[0]!;
      stub.rows += rows;
      const data = Array.from({ length: rows }, (_, r) =>
        weights.reduce((s, w, i) => s + w * input.data[r * width + i]!, bias),
      );
      const reply = () =>
        send(res, 200, {
          model_name: model,
          outputs: [{ name: 'output-0', datatype: 'FP32', shape: [rows, 1], data }],
        });
      if (stub.delayMs > 0) setTimeout(reply, stub.delayMs);
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  stub.url = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return stub;
}
