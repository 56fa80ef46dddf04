/**
 * A client for the Open Inference Protocol (KServe v2 REST, spoken by Seldon MLServer, NVIDIA Triton and
 * KServe): `infer` posts one FP32 tensor [rows, width] to `/v2/models/{name}[/versions/{v}]/infer` and returns
 * the first output's data; `ready` and `metadata` read `/v2/models/{name}/ready` and `/v2/models/{name}`.
 * Every call has a timeout; failures that may pass (connection errors, 429, 5xx) are retried with exponential
 * back-off up to `maxRetries`; the rest fail at once.
 *
 * Invariants: a returned Float32Array has rows × outputWidth values, checked against the reply's shape; every
 * error is a SluiceError (MODEL_SERVER_FAILED) naming the URL, the status and the server's message.
 */
import { SluiceError } from '../../runtime/errors/index.js';
import { delay, systemClock } from '../../runtime/platform/index.js';

export interface KServeV2Options {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 (no trailing /v2). */
  baseUrl: string;
  model: string;
  version?: string;
  /** Input tensor name (default the first input the model's metadata names, else "input-0"). */
  inputName?: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** First back-off delay; doubles per retry (default 20 ms). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

interface V2Output {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
}

export class KServeV2Client {
  private readonly fetch: typeof fetch;
  private readonly modelPath: string;
  requests = 0;

  constructor(private readonly o: KServeV2Options) {
    this.fetch = o.fetch ?? fetch;
    const base = o.baseUrl.replace(/\/+$/, '');
    this.modelPath = `${base}/v2/models/${encodeURIComponent(o.model)}${o.version ? `/versions/${encodeURIComponent(o.version)}` : ''}`;
  }

  private fail(what: string, reason: string): never {
    throw new SluiceError('MODEL_SERVER_FAILED', `${what} ${this.modelPath}: ${reason}`);
  }

  private async call(url: string, init: RequestInit, what: string): Promise<unknown> {
    const timeoutMs = this.o.timeoutMs ?? 1000;
    const retries = this.o.maxRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      let retryable: string | undefined;
      try {
        this.requests++;
        const res = await this.fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        const text = await res.text();
        if (res.ok) return text ? JSON.parse(text) : {};
        const message = (() => {
          try {
            return (JSON.parse(text) as { error?: string }).error ?? text;
          } catch {
            return text;
          }
        })();
        if (res.status === 429 || res.status >= 500) retryable = `HTTP ${res.status} ${message}`;
        else this.fail(what, `HTTP ${res.status} ${message}`);
      } catch (e) {
        if (e instanceof SluiceError) throw e;
        const name = (e as Error).name;
        retryable =
          name === 'TimeoutError' || name === 'AbortError'
            ? `no answer within ${timeoutMs} ms`
            : `unreachable (${(e as Error).message})`;
      }
      if (attempt >= retries) this.fail(what, `${retryable} (after ${attempt + 1} attempts)`);
      await delay(systemClock, (this.o.retryDelayMs ?? 20) * 2 ** attempt);
    }
  }

  async ready(): Promise<boolean> {
    try {
      await this.call(`${this.modelPath}/ready`, { method: 'GET' }, 'ready');
      return true;
    } catch {
      return false;
    }
  }

  metadata(): Promise<unknown> {
    return this.call(this.modelPath, { method: 'GET' }, 'metadata');
  }

  /** Scores a row-major FP32 batch; returns the first output's values, [rows × outputWidth]. */
  async infer(
    features: Float32Array,
    rows: number,
    width: number,
  ): Promise<{ values: Float32Array; outputWidth: number }> {
    const body = JSON.stringify({
      inputs: [
        {
          name: this.o.inputName ?? 'input-0',
          shape: [rows, width],
          datatype: 'FP32',
          data: Array.from(features.subarray(0, rows * width)),
        },
      ],
    });
    const reply = (await this.call(
      `${this.modelPath}/infer`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      },
      'infer',
    )) as { outputs?: V2Output[] };
    const out = reply.outputs?.[0];
    if (!out || !Array.isArray(out.data)) this.fail('infer', 'the reply has no outputs');
    const outputWidth = out.shape.length > 1 ? out.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    if (out.shape[0] !== rows || out.data.length !== rows * outputWidth) {
      this.fail('infer', `the reply's shape [${out.shape}] does not fit ${rows} rows`);
    }
    return { values: Float32Array.from(out.data), outputWidth };
  }
}
