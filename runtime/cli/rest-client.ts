/**
 * REST client used by the CLI (the CLI talks only REST, as Flink's RestClusterClient): JSON requests with
 * Flink's `{"errors":[…]}` turned into SluiceErrors, async-operation polling with a deadline, multipart
 * upload of job bundles. A connection that cannot be made (nothing listening, unknown host) is a
 * CLI_CLUSTER_UNREACHABLE error naming the address, which the CLI prints as one line. The bearer token for
 * a cluster with `sluice.security.tokens` comes from $SLUICE_REST_TOKEN unless given. Over HTTPS, `tls`
 * (from `security.ssl.rest.*`) names the CA the server's certificate must chain to and, for mutual TLS, the
 * client's key and certificate; a handshake the server or the client refuses is TLS_HANDSHAKE_FAILED, not
 * "unreachable".
 */
import { Agent, type Dispatcher } from 'undici';
import type { RestClientTls } from '../config/tls-material.js';
import { SluiceError } from '../errors/catalogue.js';
import { delay, platform } from '../platform/index.js';

export class RestClient {
  private readonly dispatcher: Dispatcher | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined = process.env.SLUICE_REST_TOKEN,
    readonly tls?: RestClientTls,
  ) {
    this.dispatcher = tls ? new Agent({ connect: { ca: tls.ca, key: tls.key, cert: tls.cert } }) : undefined;
  }

  /** A client for another address (a mini cluster, a new leader) with the same token and TLS material. */
  at(baseUrl: string): RestClient {
    return new RestClient(baseUrl, this.token, this.tls);
  }

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
      // Node's fetch is undici's: it takes an undici dispatcher (here, one with the TLS material)
      const init = { method, headers, body: payload, dispatcher: this.dispatcher } as RequestInit;
      res = await fetch(this.baseUrl + path, init);
    } catch (e) {
      throw unreachable(this.baseUrl, e, this.tls !== undefined);
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

  /** Whether a job manager answers; a refused TLS handshake is thrown (something listens, and says why). */
  async reachable(): Promise<boolean> {
    try {
      await this.call('GET', '/overview');
      return true;
    } catch (e) {
      if ((e as SluiceError).code === 'TLS_HANDSHAKE_FAILED') throw e;
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
        throw new SluiceError('JOB_NOT_RUNNING', `job ${jobId} not terminal after ${timeoutMs} ms (still ${r.status})`);
      await delay(platform.clock, 200);
    }
  }
}

/** The error for a request that never reached a server: the address and the socket error's code, no stack. */
function unreachable(baseUrl: string, e: unknown, withTls: boolean): SluiceError {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
  // Under TLS 1.3 a server refusing the client's certificate (or its absence) closes the connection right
  // after the handshake: the client sees the socket closed, not an alert
  const refusedAfterHandshake = baseUrl.startsWith('https:') && why === 'UND_ERR_SOCKET';
  if (refusedAfterHandshake || /SSL|TLS|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(why))
    return new SluiceError(
      'TLS_HANDSHAKE_FAILED',
      `TLS handshake with ${baseUrl} failed (${
        refusedAfterHandshake
          ? 'the server closed the connection: it requires a client certificate it trusts'
          : (cause?.message ?? why)
      }); ${
        withTls
          ? 'check security.ssl.rest.truststore, and .key/.cert where the server requires client certificates'
          : 'set security.ssl.rest.enabled with the truststore (and .key/.cert for mutual TLS) in the CLI configuration'
      }`,
      { cause: e },
    );
  return new SluiceError(
    'CLI_CLUSTER_UNREACHABLE',
    `no job manager reachable at ${baseUrl} (${why}); start one with "sluice cluster start" or pass -m host:port`,
    { cause: e },
  );
}
