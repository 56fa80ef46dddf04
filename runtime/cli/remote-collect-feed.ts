/**
 * The client's side of a collect sink on a cluster (Flink's CollectResultFetcher): pulls the sink's
 * results through the job manager (`POST /jobs/:jobid/coordinators/:sinkId` with the sink version and the
 * offset reached, which acknowledges — and frees — every result below it), one bounded batch per request,
 * polling with back-off while none are there; collect-result-buffer.ts decides what may be handed out.
 * Both `executeAndCollect()` (exact mode, which drains it) and `collectAsync()`'s iterator (which pulls
 * when the program wants more) read through it. While the feed is open it also sends the job's client
 * heartbeat (`PATCH /jobs/:jobid/clientHeartbeat`) every client.heartbeat.interval, so a program busy with
 * a batch for longer than client.heartbeat.timeout is not taken for a client that died.
 *
 * Invariants: batches are handed out in offset order, each once; the feed ends (undefined) only when the
 * job finished and every result was handed out; any other terminal status rejects with `failure(status)`;
 * a closed or ended feed fetches nothing more and sends no heartbeat.
 */
import { unpackMultiple } from 'msgpackr';
import type { CollectFeed } from '../datastream/collect-iterator.js';
import { delay } from '../platform/clock.js';
import { platform } from '../platform/index.js';
import type { RestClient } from './rest-client.js';
import { CollectResultBuffer } from './collect-result-buffer.js';
import type { CollectResultsReply } from '../rest/cluster-facade.js';

const TERMINAL = ['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED'];
const FIRST_WAIT_MS = 20;
const MAX_WAIT_MS = 500;

export interface RemoteCollectOptions {
  /** executeAndCollect: hand out nothing a restart could take back (everything is returned at the end). */
  exact: boolean;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  warn(line: string): void;
}

export function remoteCollectFeed(
  client: RestClient,
  jobId: string,
  sinkId: string,
  failure: (status: string) => Promise<Error>,
  o: RemoteCollectOptions,
): CollectFeed {
  const buffer = new CollectResultBuffer(o.exact, (l) => o.warn(`Job ${jobId}: ${l}`));
  let closed = false;
  let heartbeat: ReturnType<typeof platform.clock.setInterval> | undefined;
  const beat = () =>
    void client
      .call('PATCH', `/jobs/${jobId}/clientHeartbeat`, {
        expiredTimestamp: platform.clock.nowMs() + o.heartbeatTimeoutMs,
      })
      .catch(() => undefined); // the next fetch reports an unreachable cluster
  const stop = () => {
    closed = true;
    if (heartbeat) platform.clock.clear(heartbeat);
    heartbeat = undefined;
  };
  const fetch = () =>
    client.call<CollectResultsReply>('POST', `/jobs/${jobId}/coordinators/${encodeURIComponent(sinkId)}`, {
      version: buffer.version,
      offset: buffer.offset,
    });
  return {
    async next() {
      if (!heartbeat && !closed) {
        heartbeat = platform.clock.setInterval(beat, o.heartbeatIntervalMs);
        heartbeat.unref?.(); // a program that stops reading without close() may still exit
      }
      let waitMs = FIRST_WAIT_MS;
      try {
        while (!closed) {
          const r = await fetch();
          if (r.version === '') {
            // no sink answers: not running yet, restarting, or the job ended and left nothing more
            if (r.jobStatus === 'FINISHED') {
              const last = buffer.complete();
              if (last.length) return last;
              stop();
              return undefined;
            }
            if (TERMINAL.includes(r.jobStatus)) throw await failure(r.jobStatus);
          } else {
            const results = r.count > 0 ? unpackMultiple(Buffer.from(r.serializedResults, 'base64')) : [];
            const switched = r.version !== buffer.version; // first answer, or the sink restarted
            const visible = buffer.accept({ ...r, results });
            if (visible.length) return visible;
            if (r.count > 0 || switched) continue; // more may be there: ask at once
            if (r.complete) {
              stop();
              return undefined; // the job finished and its sink's remainder was handed out
            }
            if (TERMINAL.includes(r.jobStatus) && r.jobStatus !== 'FINISHED') throw await failure(r.jobStatus);
          }
          await delay(platform.clock, waitMs);
          waitMs = Math.min(MAX_WAIT_MS, waitMs * 2);
        }
        return undefined;
      } catch (e) {
        stop();
        throw e;
      }
    },
    close: stop,
  };
}
