/**
 * A promise-shaped ZooKeeper session over node-zookeeper-client (pure JavaScript: the native `zookeeper`
 * package ships no Linux prebuilt binaries and would have to compile at install time, which sluice's
 * `allowScripts` forbids). Connecting waits at most `connectionTimeoutMs` and fails naming the quorum;
 * `onState` reports disconnects, reconnects and session expiry so callers can step down.
 *
 * Invariants: paths given to this class are absolute under the chroot it was built with; a closed session
 * never reconnects.
 */
import zookeeper from 'node-zookeeper-client';
import { SluiceError } from '../errors/catalogue.js';
import { platform, type TimerHandle } from '../platform/index.js';

export type ZkState = 'connected' | 'disconnected' | 'expired';

const NO_NODE = -101;
const NODE_EXISTS = -110;

export interface ZkOptions {
  quorum: string;
  sessionTimeoutMs: number;
  connectionTimeoutMs: number;
}

export class ZkSession {
  private client: zookeeper.Client;
  private readonly listeners: Array<(s: ZkState) => void> = [];
  private closed = false;

  private constructor(readonly o: ZkOptions) {
    this.client = this.newClient();
  }

  /**
   * A client whose state changes reach the listeners. An expired session is replaced by a new one (its
   * ephemeral nodes are gone): listeners hear `expired`, then `connected` once the new session is up.
   */
  private newClient(): zookeeper.Client {
    // spinDelay: pause between connection attempts over the servers of the quorum.
    const client = zookeeper.createClient(this.o.quorum, {
      sessionTimeout: this.o.sessionTimeoutMs,
      spinDelay: 200,
      retries: 1,
    });
    client.on('state', (s) => {
      if (this.closed || client !== this.client) return;
      const st: ZkState | undefined =
        s === zookeeper.State.SYNC_CONNECTED
          ? 'connected'
          : s === zookeeper.State.DISCONNECTED
            ? 'disconnected'
            : s === zookeeper.State.EXPIRED
              ? 'expired'
              : undefined;
      if (!st) return;
      if (st === 'connected' && this.stallTimer) {
        platform.clock.clear(this.stallTimer);
        this.stallTimer = undefined;
      }
      for (const l of this.listeners) l(st);
      if (st === 'expired') this.replaceClient();
      else if (st === 'disconnected') this.watchReconnect();
    });
    return client;
  }

  private stallTimer: TimerHandle | undefined;

  /**
   * A reconnect that stalls past the session timeout (the client can hang on a server that is still
   * starting) is given up: listeners hear `expired` and a fresh session replaces the old one.
   */
  private watchReconnect(): void {
    if (this.stallTimer) return;
    this.stallTimer = platform.clock.setTimeout(
      () => {
        this.stallTimer = undefined;
        if (this.closed || this.connected) return;
        for (const l of this.listeners) l('expired');
        this.replaceClient();
      },
      Math.max(2000, this.o.sessionTimeoutMs),
    );
  }

  private replaceClient(): void {
    if (this.closed) return;
    this.client.close();
    this.client = this.newClient();
    this.client.connect();
    this.watchReconnect();
  }

  /**
   * A connected session, or HA_UNREACHABLE naming the quorum after `connectionTimeoutMs`. A client whose
   * first handshake stalls (a server still starting) is replaced by a fresh one every couple of seconds.
   */
  static async connect(o: ZkOptions): Promise<ZkSession> {
    const deadline = platform.clock.nowMs() + o.connectionTimeoutMs;
    for (;;) {
      const z = new ZkSession(o);
      const attemptMs = Math.min(2000, Math.max(0, deadline - platform.clock.nowMs()));
      const ok = await new Promise<boolean>((resolve) => {
        const timer = platform.clock.setTimeout(() => resolve(false), attemptMs);
        z.client.once('connected', () => {
          platform.clock.clear(timer);
          resolve(true);
        });
        z.client.connect();
      });
      if (ok) return z;
      z.close();
      if (platform.clock.nowMs() >= deadline)
        throw new SluiceError(
          'HA_UNREACHABLE',
          `cannot reach the ZooKeeper quorum ${o.quorum} (high-availability.zookeeper.quorum) within ${o.connectionTimeoutMs} ms`,
        );
    }
  }

  onState(l: (s: ZkState) => void): void {
    this.listeners.push(l);
  }

  get connected(): boolean {
    return this.client.getState() === zookeeper.State.SYNC_CONNECTED;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.stallTimer) platform.clock.clear(this.stallTimer);
    this.client.close();
  }

  private call<T>(what: string, path: string, f: (cb: (e: unknown, v: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) =>
      f((e, v) =>
        e
          ? reject(Object.assign(new Error(`ZooKeeper ${what} ${path}: ${String(e)}`), { zkCode: codeOf(e) }))
          : resolve(v),
      ),
    );
  }

  async mkdirp(path: string): Promise<void> {
    await this.call<string>('mkdirp', path, (cb) => this.client.mkdirp(path, cb));
  }

  /** Creates `path` (parents as persistent nodes); returns the created path (with its sequence suffix). */
  async create(path: string, data: Buffer, mode: 'persistent' | 'ephemeral' | 'ephemeral-sequential'): Promise<string> {
    const m = {
      persistent: zookeeper.CreateMode.PERSISTENT,
      ephemeral: zookeeper.CreateMode.EPHEMERAL,
      'ephemeral-sequential': zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
    }[mode];
    await this.mkdirp(parentOf(path));
    return this.call<string>('create', path, (cb) => this.client.create(path, data, m, cb));
  }

  /** Writes `data` to a persistent node, creating it when missing. */
  async put(path: string, data: Buffer): Promise<void> {
    try {
      await this.call('setData', path, (cb) => this.client.setData(path, data, cb));
    } catch (e) {
      if ((e as { zkCode?: number }).zkCode !== NO_NODE) throw e;
      try {
        await this.create(path, data, 'persistent');
      } catch (e2) {
        if ((e2 as { zkCode?: number }).zkCode !== NODE_EXISTS) throw e2;
        await this.call('setData', path, (cb) => this.client.setData(path, data, cb));
      }
    }
  }

  /** The node's data, or undefined when it does not exist; `watch` fires once on its next change. */
  async get(path: string, watch?: () => void): Promise<Buffer | undefined> {
    try {
      const w = watch ? () => watch() : undefined;
      return await this.call<Buffer>('getData', path, (cb) =>
        w ? this.client.getData(path, w, cb) : this.client.getData(path, cb),
      );
    } catch (e) {
      if ((e as { zkCode?: number }).zkCode === NO_NODE) {
        // still watch for the node's creation
        if (watch) await this.exists(path, watch);
        return undefined;
      }
      throw e;
    }
  }

  async exists(path: string, watch?: () => void): Promise<boolean> {
    const stat = await this.call<unknown>('exists', path, (cb) =>
      watch ? this.client.exists(path, () => watch(), cb) : this.client.exists(path, cb),
    );
    return Boolean(stat);
  }

  async children(path: string, watch?: () => void): Promise<string[]> {
    try {
      return await this.call<string[]>('getChildren', path, (cb) =>
        watch ? this.client.getChildren(path, () => watch(), cb) : this.client.getChildren(path, cb),
      );
    } catch (e) {
      if ((e as { zkCode?: number }).zkCode === NO_NODE) return [];
      throw e;
    }
  }

  /** Removes a node; a missing node is no error. */
  async remove(path: string): Promise<void> {
    try {
      await this.call('remove', path, (cb) => this.client.remove(path, (e) => cb(e, undefined)));
    } catch (e) {
      if ((e as { zkCode?: number }).zkCode !== NO_NODE) throw e;
    }
  }
}

function codeOf(e: unknown): number | undefined {
  return typeof (e as { getCode?: () => number }).getCode === 'function'
    ? (e as { getCode: () => number }).getCode()
    : undefined;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Joins znode path segments, tolerating leading/trailing slashes in each. */
export function zkPath(...parts: string[]): string {
  const segs = parts.flatMap((p) => p.split('/')).filter(Boolean);
  return `/${segs.join('/')}`;
}
