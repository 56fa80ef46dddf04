/**
 * A job manager process as a leader contender. It serves (control plane, REST) only while it leads: on a
 * grant it starts a fresh JobManager and REST server, publishes their addresses for the grant's session,
 * and recovers the jobs of the HA job store; on revocation (another leader, or ZooKeeper unreachable) it
 * suspends its jobs and stops serving at once, then waits to be granted again. Without HA (`none`) the
 * grant comes at start and lasts until stop — the plain job manager.
 *
 * Invariant: at most one JobManager of this process serves at a time, and only between a grant and its
 * revocation; grants and revocations are handled in the order the election delivers them.
 */
import { JobManager } from '../jobmanager/job-manager.js';
import { createClusterFacade } from '../jobmanager/cluster-facade-impl.js';
import { createRestServer, type RestServer } from '../rest/index.js';
import type { HighAvailabilityServices, LeaderElection } from '../ha/ha-services.js';
import type { ProcessLog } from '../diagnostics/process-log.js';
import type { ClusterSettings } from './cluster-settings.js';

export interface Serving {
  jm: JobManager;
  rest: RestServer;
  restUrl: string;
  rpc: { host: string; port: number };
}

export class LeaderJobManager {
  serving: Serving | undefined;
  private election: LeaderElection | undefined;
  /** Hears each grant once its REST and RPC serve (the process announces readiness on the first). */
  onServing: ((s: Serving) => void) | undefined;

  constructor(
    private readonly s: ClusterSettings,
    private readonly ha: HighAvailabilityServices,
    private readonly plog: ProcessLog,
    private readonly exit: () => Promise<void>,
  ) {}

  private log(m: string): void {
    this.plog.info(m);
  }

  async start(): Promise<void> {
    this.election = this.ha.leaderElection();
    await this.election.start({
      grantLeadership: (sessionId) => this.grant(sessionId),
      revokeLeadership: (reason) => this.revoke(reason),
    });
  }

  private async grant(sessionId: string): Promise<void> {
    const log = (m: string) => this.log(m);
    const jm = new JobManager({
      rpcHost: this.s.rpcHost,
      rpcPort: this.s.rpcPort,
      secret: this.s.secret,
      config: this.s.typed,
      log,
      ha: this.ha,
    });
    const rpc = await jm.start();
    const rest = createRestServer({
      facade: createClusterFacade(jm, () => this.exit(), { processLog: this.plog }),
      config: this.s.config,
      logger: { info: log, error: (m) => this.plog.error(m) },
    });
    const addr = await rest.listen();
    const restUrl = `${addr.scheme}://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
    this.serving = { jm, rest, restUrl, rpc };
    await this.election!.confirmLeadership({ sessionId, rpcHost: rpc.host, rpcPort: rpc.port, restUrl });
    log(
      this.ha.kind === 'none'
        ? `Job manager ready: REST ${restUrl}, RPC ${rpc.host}:${rpc.port}`
        : `Job manager leads (session ${sessionId}): REST ${restUrl}, RPC ${rpc.host}:${rpc.port}`,
    );
    this.onServing?.(this.serving);
    void (this.ha.recoversJobs ? jm.recoverJobs() : jm.reportLostJobs()).catch((e: Error) =>
      log(`Job recovery failed: ${e.message}`),
    );
  }

  private async revoke(reason: string): Promise<void> {
    const s = this.serving;
    this.serving = undefined;
    if (!s) return;
    if (this.ha.kind !== 'none')
      this.log(`Stepping down (${reason}): suspending ${s.jm.jobs.size} job(s); they stay in the HA store.`);
    await s.rest.close();
    await (this.ha.kind === 'none' ? s.jm.stop() : s.jm.suspend());
  }

  /** Leaves the election (a leader suspends its jobs for the next one; without HA they are cancelled). */
  async stop(): Promise<void> {
    await this.election?.stop();
    await this.ha.close();
  }
}
