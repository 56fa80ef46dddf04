/**
 * The client's side of a collect sink on a cluster: fetches the sink's published results from the job
 * manager (`POST /jobs/:jobid/coordinators/:sinkId` with `{"offset": N}`, which also acknowledges — and
 * frees — every result below N) one batch at a time, polling with back-off while none are there. Both
 * `executeAndCollect()` (which drains it) and `collectAsync()`'s iterator (which pulls a batch when the
 * program wants more) read through it, so the client holds at most one fetched batch.
 *
 * Invariants: batches are handed out in offset order, each once; the feed ends (undefined) only when a
 * fetch returned no results together with the status FINISHED; any other terminal status rejects with
 * `failure(status)`; a closed feed fetches nothing more.
 */
import { unpack } from 'msgpackr';
import type { CollectFeed } from '../datastream/collect-iterator.js';
import { delay } from '../platform/clock.js';
import { platform } from '../platform/index.js';
import type { RestClient } from './rest-client.js';

const TERMINAL = ['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED'];
const FIRST_WAIT_MS = 20;
const MAX_WAIT_MS = 500;

interface CollectReply {
  offset: number;
  count: number;
  jobStatus: string;
  serializedResults: string;
}

export function remoteCollectFeed(
  client: RestClient,
  jobId: string,
  sinkId: string,
  failure: (status: string) => Promise<Error>,
): CollectFeed {
  let offset = 0;
  let closed = false;
  return {
    async next() {
      let waitMs = FIRST_WAIT_MS;
      while (!closed) {
        const r = await client.call<CollectReply>('POST', `/jobs/${jobId}/coordinators/${encodeURIComponent(sinkId)}`, {
          offset,
        });
        if (r.count > 0) {
          const batch = unpack(Buffer.from(r.serializedResults, 'base64')) as unknown[];
          offset += batch.length;
          return batch;
        }
        if (r.jobStatus === 'FINISHED') return undefined; // read with the (empty) results: nothing more comes
        if (TERMINAL.includes(r.jobStatus)) throw await failure(r.jobStatus);
        await delay(platform.clock, waitMs);
        waitMs = Math.min(MAX_WAIT_MS, waitMs * 2);
      }
      return undefined;
    },
    close() {
      closed = true;
    },
  };
}
