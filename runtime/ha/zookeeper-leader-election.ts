/**
 * Leader election on ZooKeeper (the leader-latch recipe): each contender creates an ephemeral sequential
 * node under `<cluster>/leaderlatch`; the lowest sequence number leads; every other contender watches its
 * predecessor and checks again when that node goes. The leader publishes its addresses in the ephemeral
 * `<cluster>/leader` node, which retrieval watches.
 *
 * Invariants (no split brain): leadership is revoked the moment the session disconnects — before ZooKeeper
 * could expire it and let a standby in — and granted again only after the connection is back and this
 * contender's latch node is still first; a grant's session id is fresh each time, and `confirmLeadership`
 * for another session id is ignored. Checks run one at a time.
 */
import { platform } from '../platform/index.js';
import type { LeaderContender, LeaderElection, LeaderInfo } from './ha-services.js';
import { type ZkSession, zkPath } from './zk-client.js';

export class ZooKeeperLeaderElection implements LeaderElection {
  private contender: LeaderContender | undefined;
  private latchPath: string | undefined;
  private leaderSession: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly zk: ZkSession,
    private readonly base: string,
    /** Written into the latch node, for operators reading ZooKeeper. */
    private readonly contenderId: string,
    private readonly log: (m: string) => void,
  ) {}

  private get latchDir(): string {
    return zkPath(this.base, 'leaderlatch');
  }

  async start(contender: LeaderContender): Promise<void> {
    this.contender = contender;
    this.zk.onState((s) => {
      if (this.stopped) return;
      if (s === 'disconnected' || s === 'expired') {
        if (s === 'expired') this.latchPath = undefined; // the ephemeral latch node went with the session
        this.serially(() => this.revoke(`the ZooKeeper session is ${s === 'expired' ? 'expired' : 'disconnected'}`));
      } else this.serially(() => this.check());
    });
    await this.serially(() => this.check());
  }

  /** Runs `f` after every earlier check, logging (not throwing) its failure: the next state change retries. */
  private serially(f: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(f).catch((e: Error) => {
      if (!this.stopped) this.log(`Leader election: ${e.message}`);
    });
    return this.queue;
  }

  private async check(): Promise<void> {
    if (this.stopped || !this.zk.connected) return;
    if (!this.latchPath || !(await this.zk.exists(this.latchPath)))
      this.latchPath = await this.zk.create(
        zkPath(this.latchDir, 'latch-'),
        Buffer.from(this.contenderId),
        'ephemeral-sequential',
      );
    const children = (await this.zk.children(this.latchDir)).sort(bySequence);
    const mine = this.latchPath.slice(this.latchPath.lastIndexOf('/') + 1);
    const at = children.indexOf(mine);
    if (at < 0) {
      this.latchPath = undefined; // removed under us (session replaced): enter the latch again
      return this.check();
    }
    if (at === 0) {
      if (this.leaderSession === undefined) await this.grant();
      return;
    }
    await this.revoke('another job manager holds the leader latch');
    const predecessor = zkPath(this.latchDir, children[at - 1] ?? '');
    // watch the node just ahead; when it goes (its job manager died or left), check again
    const there = await this.zk.exists(predecessor, () => void this.serially(() => this.check()));
    if (!there) await this.check();
  }

  private async grant(): Promise<void> {
    const sessionId = platform.random.hex(16);
    this.leaderSession = sessionId;
    this.log(`Granted leadership with session ${sessionId}.`);
    await this.contender!.grantLeadership(sessionId);
  }

  private async revoke(reason: string): Promise<void> {
    if (this.leaderSession === undefined) return;
    this.leaderSession = undefined;
    this.log(`Revoked leadership: ${reason}.`);
    await this.contender!.revokeLeadership(reason);
  }

  hasLeadership(sessionId: string): boolean {
    return this.leaderSession === sessionId;
  }

  async confirmLeadership(info: LeaderInfo): Promise<void> {
    if (!this.hasLeadership(info.sessionId)) return;
    const path = zkPath(this.base, 'leader');
    const data = Buffer.from(JSON.stringify(info));
    await this.zk.remove(path); // a node of this session's earlier grant, or of a leader whose session is gone
    await this.zk.create(path, data, 'ephemeral');
  }

  async stop(): Promise<void> {
    const wasLeader = this.leaderSession !== undefined;
    await this.serially(() => this.revoke('the job manager is stopping'));
    this.stopped = true;
    if (this.zk.connected) {
      if (wasLeader) await this.zk.remove(zkPath(this.base, 'leader')).catch(() => {});
      if (this.latchPath) await this.zk.remove(this.latchPath).catch(() => {});
    }
  }
}

/** Orders latch node names by their 10-digit sequence suffix. */
function bySequence(a: string, b: string): number {
  return a.slice(-10).localeCompare(b.slice(-10));
}
