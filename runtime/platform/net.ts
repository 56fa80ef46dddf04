/**
 * Sockets: the only place sluice opens TCP servers and connections (RPC, the data plane). A simulator can
 * replace these with in-memory pipes. Types are re-exported so callers need not import node:net.
 */
import * as net from 'node:net';

export type { Server, Socket } from 'node:net';

export interface Net {
  /** A TCP server calling `onConnection` per accepted socket; the caller listens and closes it. */
  createServer(onConnection: (socket: net.Socket) => void): net.Server;
  /** Connects to host:port; the socket emits 'connect' or 'error'. */
  connect(host: string, port: number): net.Socket;
}

export const nodeNet: Net = {
  createServer: (onConnection) => net.createServer(onConnection),
  connect: (host, port) => net.connect({ host, port }),
};
