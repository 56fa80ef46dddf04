/**
 * REST client used by the CLI (the CLI talks only REST, as Flink's RestClusterClient): JSON requests with
 * Flink's `{"errors":[…]}` turned into SluiceErrors, async-operation polling with a deadline, multipart
 * upload of job bundles. A connection that cannot be made (nothing listening, unknown host) is a
 * CLI_CLUSTER_UNREACHABLE error naming the address, which the CLI prints as one line. The bearer token for
 * a cluster with `sluice.security.tokens` comes from $SLUICE_REST_TOKEN unless given; an HTTPS endpoint with a
 * private CA is trusted through Node's NODE_EXTRA_CA_CERTS=<the security.ssl.rest.truststore file>.
 */
import { SluiceError } from '../errors/catalogue.js';
import { delay, platform } from '../platform/index.js';

export class RestClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined = process.env.SLUICE_REST_TOKEN,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, { method, headers, body: payload });
    } catch (e) {
      throw unreachable(this.baseUrl, e);
    }
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const msg = json?.errors?.join('; ') ?? `${res.status} ${res.statusText}`;
      throw new SluiceError(
        res.status === 404 ? 'REST_NOT_FOUND' : res.status === 401 ? 'REST_UNAUTHORIZED' : 'REST_BAD_REQUEST',
        msg,
      );
    }
    return json as T;
  }

  async reachable(): Promise<boolean> {
    try {
      await this.call('GET', '/overview');
      return true;
    } catch {
      return false;
    }
  }

  async uploadBundle(name: string, code: string): Promise<string> {
    const form = new FormData();
    form.append('jarfile', new Blob([code], { type: 'application/x-java-archive' }), name);
    const r = await this.call<{ filename: string; status: string }>('POST', '/jars/upload', form);
    return r.filename.split('/').pop()!;
  }

  /** Polls an async operation until COMPLETED; returns its `operation`. */
  async poll(path: string, timeoutMs = 600_000): Promise<Record<string, unknown>> {
    const deadline = platform.clock.monotonicMs() + timeoutMs;
    let wait = 50;
    for (;;) {
      const r = await this.call<{ status: { id: string }; operation?: Record<string, unknown> }>('GET', path);
      if (r.status.id === 'COMPLETED') return r.operation ?? {};
      if (platform.clock.monotonicMs() > deadline)
        throw new SluiceError('CHECKPOINT_EXPIRED', `operation ${path} did not complete within ${timeoutMs} ms`);
      await delay(platform.clock, wait);
      wait = Math.min(1000, wait * 2);
    }
  }

  async waitForTerminal(jobId: string, timeoutMs = Number.POSITIVE_INFINITY): Promise<string> {
    const deadline = platform.clock.monotonicMs() + timeoutMs;
    for (;;) {
      const r = await this.call<{ status: string }>('GET', `/jobs/${jobId}/status`);
      if (['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED'].includes(r.status)) return r.status;
      if (platform.clock.monotonicMs() > deadline)
        throw new SluiceError('JOB_NOT_RUNNING', `job ${jobId} not terminal after ${timeoutMs} ms`);
      await delay(platform.clock, 200);
    }
  }
}

/** The error for a request that never reached a server: the address and the socket error's code, no stack. */
function unreachable(baseUrl: string, e: unknown): SluiceError {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
  return new SluiceError(
    'CLI_CLUSTER_UNREACHABLE',
    `no job manager reachable at ${baseUrl} (${why}); start one with "sluice cluster start" or pass -m host:port`,
    { cause: e },
  );
}
