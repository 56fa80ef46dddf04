/**
 * A throwaway ZooKeeper server for tests: Debian's `zookeeper` package run as a standalone server
 * (ZooKeeperServerMain with the package's classpath) on an ephemeral port (loopback unless given another
 * address) with a temporary data directory, the admin HTTP server off. `stop()` kills it; `restart()` brings it back on the same port and
 * data (sessions and nodes survive, as after a real server restart). Stopped in the test's teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../wait-for.js';

const JAR = '/usr/share/java/zookeeper.jar';

/** Why ZooKeeper tests cannot run here, or undefined when they can. */
export function zookeeperMissing(): string | undefined {
  if (!existsSync(JAR) || !existsSync('/usr/bin/java'))
    return "skipped: ZooKeeper is not installed (Debian package 'zookeeper': apt-get install -y zookeeper)";
  return undefined;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface ZooKeeperServer {
  port: number;
  quorum: string;
  /** SIGKILLs the server (as a crash would). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
}

async function freePort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Whether the server answers the `srvr` four-letter command (it serves, not just listens). */
function serves(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const s = connect(port, host, () => s.write('srvr'));
    s.setTimeout(1000, () => s.destroy());
    s.on('data', (d) => (reply += d));
    s.once('close', () => resolve(reply.includes('Mode:')));
    s.once('error', () => resolve(false));
  });
}

/** `host`: the address it listens on (default loopback; a bridge address for hosts in network namespaces). */
export async function startZooKeeper(t: Teardown, host = '127.0.0.1'): Promise<ZooKeeperServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-zk-'));
  const port = await freePort(host);
  const cfg = join(dir, 'zoo.cfg');
  writeFileSync(
    cfg,
    [
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      `clientPortAddress=${host}`,
      'tickTime=500',
      'minSessionTimeout=1000',
      'maxSessionTimeout=60000',
      'admin.enableServer=false',
      'maxClientCnxns=0',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    child = spawn('/usr/bin/java', ['-Xmx128m', '-cp', JAR, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const c = child;
    await waitFor(
      `ZooKeeper on ${host}:${port}`,
      async () => {
        if (c.exitCode !== null) throw new Error(`ZooKeeper exited with ${c.exitCode}: ${output}`);
        return serves(host, port);
      },
      60_000,
      100,
    );
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  t.teardown(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await start();
  return { port, quorum: `${host}:${port}`, stop, restart: start };
}
