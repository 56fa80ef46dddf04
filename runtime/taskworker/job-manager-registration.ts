/**
 * How a task worker registers with the job manager: dialling it (over TLS when internal TLS is on), the
 * authenticated handshake, the `register` call announcing the worker's slots, data address and hardware,
 * and the retries around it while the job manager cannot be reached.
 *
 * Invariants: retries pause for a growing interval (doubling up to 2 s) and stop at
 * taskmanager.registration.timeout with RPC_CONNECTION_LOST naming the address; a job manager that answers
 * but refuses the worker (TLS, secret, protocol, or closing before its greeting) fails it at once, since it
 * would refuse it again, while a connection lost after the greeting (during the handshake or the `register`
 * call) is retried like an unreachable job manager; a connection that did not complete registration is
 * closed.
 */
import { SluiceError } from '../errors/catalogue.js';
import { delay, platform } from '../platform/index.js';
import type { SluiceConfig } from '../config/sluice-config.js';
import { internalTls } from '../config/tls-material.js';
import { type ConnectionToJobManager, taskWorkerEnd, type ToTaskWorker } from '../rpc/messages.js';
import type { Handlers } from '../rpc/protocol.js';
import { clientHandshake, RpcConnection } from '../rpc/rpc-connection.js';
import { heapLimitBytes } from '../diagnostics/process-metrics.js';

export interface JobManagerAddress {
  host: string;
  port: number;
}

/** How a worker (re-)registers: for taskmanager.registration.timeout, with a pause doubling up to 2 s. */
export function registrationPolicy(config: SluiceConfig) {
  return { timeoutMs: config['taskmanager.registration.timeout'], initialBackoffMs: 100, maxBackoffMs: 2000 };
}

/** What the retry loop needs of its task worker. */
export interface RegistrationHost {
  config: SluiceConfig;
  log: (msg: string) => void;
  stopped(): boolean;
  /** The job manager to register with, waiting for a leader (HA) until `untilMs`; undefined: none leads. */
  jobManagerAddress(untilMs: number): Promise<JobManagerAddress | undefined>;
  /** One registration attempt; an error with `refused: true` is not retried. */
  register(addr: JobManagerAddress): Promise<void>;
}

/**
 * Registers with the job manager (the leader, with HA), retrying with a growing pause while it cannot be
 * reached, until taskmanager.registration.timeout; then fails with RPC_CONNECTION_LOST naming the address
 * and the key. A job manager that answers but refuses the worker (TLS, secret, protocol) fails it at once.
 */
export async function registerUntilDeadline(host: RegistrationHost): Promise<void> {
  const { timeoutMs, initialBackoffMs, maxBackoffMs } = registrationPolicy(host.config);
  const deadline = platform.clock.nowMs() + timeoutMs;
  let backoffMs = initialBackoffMs;
  let lastProblem = '';
  for (let attempt = 1; !host.stopped(); attempt++) {
    const addr = await host.jobManagerAddress(deadline);
    try {
      if (!addr) throw new Error('no job manager leads the cluster');
      await host.register(addr);
      return;
    } catch (e) {
      // a job manager that answers but refuses this worker (TLS, secret, protocol) will refuse it again
      if ((e as { refused?: boolean }).refused) throw e;
      const where = addr ? `the job manager at ${addr.host}:${addr.port}` : 'a job manager leader';
      const problem = `Could not register with ${where}: ${(e as Error).message}`;
      if (problem !== lastProblem) host.log(`${problem}; retrying (attempt ${attempt}).`);
      lastProblem = problem;
      if (platform.clock.nowMs() + backoffMs > deadline)
        throw new SluiceError(
          'RPC_CONNECTION_LOST',
          `cannot reach ${where} within taskmanager.registration.timeout (${timeoutMs} ms): ${(e as Error).message}`,
        );
      await delay(platform.clock, backoffMs);
      backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    }
  }
}

/** What one registration attempt announces and installs. */
export interface RegistrationRequest {
  config: SluiceConfig;
  secret: string;
  log: (msg: string) => void;
  /** The advertised data-plane address peers dial. */
  dataAddress: { host: string; port: number };
  /** Installed on the connection before the worker registers. */
  handlers: Handlers<ToTaskWorker>;
}

/**
 * One registration attempt: dials the job manager, shakes hands and registers; resolves with the
 * connection and the id the job manager gave the worker. Errors that show the job manager refusing the
 * worker (a `refused` handshake reply, a TLS refusal, a close before the greeting) carry `refused: true`;
 * others `refused: false`.
 */
export async function connectAndRegister(
  addr: JobManagerAddress,
  r: RegistrationRequest,
): Promise<{ conn: ConnectionToJobManager; workerId: string }> {
  const tls = internalTls(r.config);
  const socket = platform.net.connect(addr.host, addr.port, tls);
  await platform.net.connected(socket).catch((e: NodeJS.ErrnoException) => {
    const tlsRefused = tls !== undefined && e.syscall !== 'connect';
    throw Object.assign(
      new SluiceError(
        tlsRefused ? 'TLS_HANDSHAKE_FAILED' : 'RPC_CONNECTION_LOST',
        `cannot reach the job manager at ${addr.host}:${addr.port}${tls ? ' over TLS' : ''}: ${e.message}`,
      ),
      { refused: tlsRefused },
    );
  });
  const conn: ConnectionToJobManager = new RpcConnection(socket, taskWorkerEnd);
  conn.peerId = 'jobmanager';
  conn.onRefused = (e) => r.log(`Refused a control-plane message from the job manager: ${e.message}`);
  try {
    await clientHandshake(conn, r.secret, 'taskworker').catch((e: Error & { code?: string }) => {
      // under TLS 1.3 a job manager refusing this worker's certificate simply closes the connection
      if (!tls || e.code !== 'RPC_CONNECTION_LOST') throw e;
      throw new SluiceError(
        'TLS_HANDSHAKE_FAILED',
        `the job manager at ${addr.host}:${addr.port} closed the connection before the handshake finished; over TLS this is how a refused certificate looks (the job manager logs why): ${e.message}`,
      );
    });
    conn.setHandlers(r.handlers);
    const reg = await conn.call({
      kind: 'register',
      body: {
        host: r.dataAddress.host,
        dataPort: r.dataAddress.port,
        numSlots: r.config['taskmanager.numberOfTaskSlots'],
        hardware: {
          cpuCores: platform.host.cpuCount(),
          physicalMemory: platform.host.totalMemoryBytes(),
          freeMemory: platform.host.freeMemoryBytes(),
        },
        memory: { heapLimitBytes: heapLimitBytes() },
      },
    });
    return { conn, workerId: reg.workerId };
  } catch (e) {
    conn.close();
    throw Object.assign(e as Error, { refused: isRefusal(e) });
  }
}

/** Codes with which a job manager refuses a worker; it would refuse it again. */
const REFUSALS: ReadonlySet<string> = new Set(['RPC_AUTH_FAILED', 'RPC_PROTOCOL_VERSION', 'TLS_HANDSHAKE_FAILED']);

/**
 * Whether a failed handshake or `register` call was the job manager refusing this worker: an explicit refusal
 * (secret, protocol, TLS), or a connection closed before the job manager greeted (it does not speak the
 * plain protocol, e.g. it requires TLS). A connection lost after the greeting or a call timing out is not: a
 * job manager stepping down closes its connections, and the next attempt (perhaps at the next leader) may
 * succeed.
 */
function isRefusal(e: unknown): boolean {
  const err = e as { code?: string; beforeGreeting?: boolean };
  return REFUSALS.has(err.code ?? '') || err.beforeGreeting === true;
}
