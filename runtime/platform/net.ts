/**
 * Sockets: the only place sluice opens TCP servers and connections (RPC, the data plane), plain or with
 * mutual TLS (node:tls). A simulator can replace these with in-memory pipes. Types are re-exported so callers
 * need not import node:net.
 *
 * Invariants: with `tls`, a server hands `onConnection` only sockets whose peer completed the handshake with a
 * certificate chaining to `ca` (mutual TLS, TLS 1.2 or later); every other connection (an untrusted or missing
 * certificate, plain TCP, a handshake slower than `handshakeTimeoutMs`) is closed and reported to `onRefused`
 * with the peer's address, and the server keeps serving. A client checks the server's certificate against
 * `ca` and, with `verifyHostname`, against the host it dialled. `connected(socket)` resolves once a socket
 * is usable: after 'connect' for plain TCP, after the handshake for TLS.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export type { Server, Socket } from 'node:net';

/** PEM material and policy for one TLS endpoint (client or server). */
export interface TlsOptions {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
  verifyHostname: boolean;
  handshakeTimeoutMs: number;
}

export interface ServerOptions {
  tls?: TlsOptions;
  /** A connection refused before `onConnection` (TLS only): the peer's "address:port" and why. */
  onRefused?: (peer: string, error: Error) => void;
}

export interface Net {
  /** A TCP (or TLS) server calling `onConnection` per accepted socket; the caller listens and closes it. */
  createServer(onConnection: (socket: net.Socket) => void, options?: ServerOptions): net.Server;
  /** Connects to host:port (writes before the connection is usable are buffered). */
  connect(host: string, port: number, tls?: TlsOptions): net.Socket;
  /** Resolves when a socket of `connect` is usable, rejects with its first error. */
  connected(socket: net.Socket): Promise<void>;
}

function peerOf(s: net.Socket): string {
  return `${s.remoteAddress ?? 'unknown'}:${s.remotePort ?? '?'}`;
}

function createTlsServer(
  onConnection: (socket: net.Socket) => void,
  o: TlsOptions,
  onRefused: ServerOptions['onRefused'],
) {
  // The peer certificate is checked here rather than by `rejectUnauthorized`, which closes the socket
  // without telling anyone why; requestCert still makes the handshake ask for it.
  const server = tls.createServer(
    {
      key: o.key,
      cert: o.cert,
      ca: o.ca,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      handshakeTimeout: o.handshakeTimeoutMs,
    },
    (s: tls.TLSSocket) => {
      if (s.authorized) return onConnection(s);
      const presented = Object.keys(s.getPeerCertificate() ?? {}).length > 0;
      const why = presented
        ? `certificate not trusted (${String(s.authorizationError)})`
        : 'no client certificate presented';
      const peer = peerOf(s);
      s.destroy();
      onRefused?.(peer, new Error(why));
    },
  );
  // the raw socket's address, kept: a TLS socket that failed its handshake may no longer know it
  const peers = new WeakMap<net.Socket, string>();
  server.on('connection', (raw: net.Socket) => peers.set(raw, peerOf(raw)));
  server.on('tlsClientError', (error: Error, s: tls.TLSSocket) => {
    const parent = (s as unknown as { _parent?: net.Socket })._parent;
    const peer = (parent && peers.get(parent)) ?? peerOf(s);
    s.destroy();
    onRefused?.(peer, error);
  });
  return server;
}

function connectTls(host: string, port: number, o: TlsOptions): net.Socket {
  const socket = tls.connect({
    host,
    port,
    key: o.key,
    cert: o.cert,
    ca: o.ca,
    minVersion: 'TLSv1.2',
    // SNI carries host names only
    ...(net.isIP(host) ? {} : { servername: host }),
    checkServerIdentity: o.verifyHostname ? tls.checkServerIdentity : () => undefined,
  });
  const timer = setTimeout(
    () =>
      socket.destroy(new Error(`TLS handshake with ${host}:${port} did not finish within ${o.handshakeTimeoutMs} ms`)),
    o.handshakeTimeoutMs,
  );
  socket.once('secureConnect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return socket;
}

export const nodeNet: Net = {
  createServer: (onConnection, options) =>
    options?.tls ? createTlsServer(onConnection, options.tls, options.onRefused) : net.createServer(onConnection),
  connect: (host, port, tlsOptions) => (tlsOptions ? connectTls(host, port, tlsOptions) : net.connect({ host, port })),
  connected: (socket) =>
    new Promise<void>((resolve, reject) => {
      socket.once(socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    }),
};
