/**
 * A task worker's registration with a job manager (taskworker/job-manager-registration.ts): a connection
 * closed after the job manager's greeting — a job manager stepping down mid-handshake — is retried until the
 * registration succeeds, while a job manager refusing the worker (wrong secret) or a peer closing before any
 * greeting (a TLS-only control plane, to a plain worker) fails it at once, without a second attempt. Real sockets on an ephemeral loopback port; no processes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { type ConnectionToTaskWorker, jobManagerEnd, type ToJobManager } from '../../../runtime/rpc/messages.js';
import type { Handlers } from '../../../runtime/rpc/protocol.js';
import { acceptHandshake, RpcConnection } from '../../../runtime/rpc/rpc-connection.js';
import {
  connectAndRegister,
  registerUntilDeadline,
  type JobManagerAddress,
} from '../../../runtime/taskworker/job-manager-registration.js';

const config = loadConfiguration({ file: false, overrides: { 'taskmanager.registration.timeout': '10 s' } }).typed;

/**
 * A job manager on an ephemeral port. Its first `dropFirst` connections are dropped: `afterGreeting` sends
 * the nonce and closes on the worker's hello (a job manager stepping down mid-handshake); `silently` closes
 * before saying anything (what a control plane that requires TLS looks like to a plain worker).
 */
async function jobManager(t: Test, dropFirst: number, drop: 'afterGreeting' | 'silently' = 'afterGreeting') {
  let accepted = 0;
  const conns: ConnectionToTaskWorker[] = [];
  const sockets: Socket[] = [];
  const handlers: Partial<Handlers<ToJobManager>> = { register: (b) => ({ workerId: `${b.host}:${b.dataPort}` }) };
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const dropped = accepted++ < dropFirst;
    if (dropped && drop === 'silently') return void socket.destroy();
    const conn: ConnectionToTaskWorker = new RpcConnection(socket, jobManagerEnd);
    conns.push(conn);
    if (dropped) socket.once('data', () => socket.destroy());
    void acceptHandshake(conn, 'jm-secret', 5000).then(
      () => conn.setHandlers(handlers as Handlers<ToJobManager>),
      () => {},
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    for (const c of conns) c.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const addr: JobManagerAddress = { host: '127.0.0.1', port: (server.address() as { port: number }).port };
  return { addr, accepted: () => accepted };
}

async function register(t: Test, addr: JobManagerAddress, secret: string, log: string[]): Promise<string> {
  let workerId = '';
  await registerUntilDeadline({
    config,
    log: (m) => log.push(m),
    stopped: () => false,
    jobManagerAddress: async () => addr,
    register: async (a) => {
      const r = await connectAndRegister(a, {
        config,
        secret,
        log: (m) => log.push(m),
        dataAddress: { host: '127.0.0.1', port: 7 },
        handlers: {} as never,
      });
      t.teardown(() => r.conn.close());
      workerId = r.workerId;
    },
  });
  return workerId;
}

t.test('a connection closed during the handshake is retried until the worker registers', async (t) => {
  const jm = await jobManager(t, 2);
  const log: string[] = [];
  const workerId = await register(t, jm.addr, 'jm-secret', log);
  t.equal(workerId, '127.0.0.1:7', 'registered');
  t.equal(jm.accepted(), 3, 'two dropped connections, then the one that registered');
  t.match(log.join('\n'), /Could not register with the job manager at 127\.0\.0\.1:\d+: .*; retrying \(attempt 1\)/);
});

t.test('a job manager refusing the worker (wrong secret) fails it at once', async (t) => {
  const jm = await jobManager(t, 0);
  const log: string[] = [];
  await t.rejects(register(t, jm.addr, 'another-secret', log), { code: 'RPC_AUTH_FAILED', refused: true });
  t.equal(jm.accepted(), 1, 'no second attempt');
});

t.test('a peer that closes before greeting (not the plain control plane) fails the worker at once', async (t) => {
  const jm = await jobManager(t, 1, 'silently');
  await t.rejects(register(t, jm.addr, 'jm-secret', []), { code: 'RPC_CONNECTION_LOST', refused: true });
  t.equal(jm.accepted(), 1, 'no second attempt');
});
