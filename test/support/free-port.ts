/**
 * A loopback TCP port that was free a moment ago, for a process that must be told its port up front (a
 * restarted job manager keeping its RPC address, a configuration check that binds). Racy by nature: use it
 * only where port 0 cannot be passed.
 */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}
