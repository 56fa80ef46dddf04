/**
 * The client's side of the collect protocol (Flink's CollectResultFetcher buffers): what the client has
 * fetched from a collect sink, and which of it the program may see. Results are fetched by offset within
 * a sink version; the next request acknowledges them, so the sink frees them.
 *
 * Visibility. With checkpointing a result is handed out once the sink's lastCheckpointedOffset covers it;
 * a sink that restarted (another version) resumes from its checkpoint, so the client drops what it holds
 * beyond lastCheckpointedOffset and fetches from there — nothing lost, nothing duplicated. Without
 * checkpointing results are handed out as they arrive (`collectAsync`), and a restarted sink starts over
 * from offset 0: results already handed out come again (at-least-once, as in Flink), with a warning; in
 * `exact` mode (`executeAndCollect`, which returns everything at the end anyway) nothing is handed out
 * before the job finished, so a restart just starts the list over. Once the job finished (`complete`)
 * every fetched result is final.
 *
 * Invariants: `handedOut <= offset`; results are handed out in offset order, each at most once per
 * version lineage; the client holds only what it fetched and has not handed out.
 */

export interface CollectResponse {
  version: string;
  offset: number;
  lastCheckpointedOffset: number;
  checkpointed: boolean;
  complete: boolean;
  results: unknown[];
}

export class CollectResultBuffer {
  /** The sink version the client follows ('' before the first answer). */
  version = '';
  /** The next offset to fetch: every result below it was received. */
  offset = 0;
  /** Results below this offset were handed out (or are counted as such). */
  private handedOut = 0;
  private pending: unknown[] = [];

  constructor(
    private readonly exact: boolean,
    private readonly warn: (line: string) => void,
  ) {}

  /** Takes a sink's answer; returns the results that became visible (in order, possibly none). */
  accept(r: CollectResponse): unknown[] {
    if (r.version !== this.version) {
      if (this.version !== '') this.sinkRestarted(r);
      else this.handedOut = this.offset = r.lastCheckpointedOffset; // a restored sink: start where it stands
      this.version = r.version;
      return r.complete ? this.take(this.offset) : [];
    }
    const skip = this.offset - r.offset; // already received (a retried request)
    for (let i = Math.max(0, skip); i < r.results.length; i++) this.pending.push(r.results[i]);
    this.offset = Math.max(this.offset, r.offset + r.results.length);
    if (r.complete) return this.take(this.offset);
    if (r.checkpointed) return this.take(Math.min(r.lastCheckpointedOffset, this.offset));
    return this.exact ? [] : this.take(this.offset);
  }

  /** The job finished with no sink left to ask: everything fetched is final. */
  complete(): unknown[] {
    return this.take(this.offset);
  }

  /** Results fetched and not handed out yet. */
  held(): number {
    return this.pending.length;
  }

  private sinkRestarted(r: CollectResponse): void {
    if (r.checkpointed && r.lastCheckpointedOffset >= this.handedOut) {
      this.pending.length = Math.min(this.pending.length, r.lastCheckpointedOffset - this.handedOut);
      this.offset = r.lastCheckpointedOffset;
      return;
    }
    if (this.handedOut > 0 && !this.exact)
      this.warn(
        r.checkpointed
          ? `the collect sink restarted from a checkpoint older than results already handed out (offset ${r.lastCheckpointedOffset} < ${this.handedOut}): those results come again`
          : 'the job restarted without checkpointing: its results are delivered again from the start (enable checkpointing for exactly-once results)',
      );
    this.pending = [];
    this.handedOut = this.offset = r.lastCheckpointedOffset;
  }

  private take(upTo: number): unknown[] {
    if (upTo <= this.handedOut) return [];
    const out = this.pending.splice(0, upTo - this.handedOut);
    this.handedOut = upTo;
    return out;
  }
}
