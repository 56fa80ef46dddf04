/**
 * The job manager's side of `executeAndCollect()` on a cluster (Flink's collect-sink coordinator): per job,
 * the published results of each collect sink, kept until the client acknowledges them. A collect sink's
 * committer sends each transaction in chunks (`collect` RPC); a transaction is published whole, once: its
 * chunks are staged per job attempt and appended to the sink's results when the attempt's last chunk
 * arrives, and a transaction id already published is ignored (a commit repeated after a restore).
 *
 * Invariants: results of one sink are numbered from 0 in publication order; the client reads from an
 * offset, and reading from offset N acknowledges (and frees) every result below N; an offset below the
 * acknowledged one is refused, since those results are gone. Results of a job that ended cancelled or
 * failed are discarded (nobody reads them), so a client that went away leaves nothing behind.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { CollectChunk } from '../api/collect-transport.js';

/** Results one fetch returns at most. */
export const MAX_FETCH_RECORDS = 10_000;

export interface CollectFetch {
  /** Offset of `records[0]`: the offset the client asked for. */
  offset: number;
  records: unknown[];
}

interface SinkResults {
  /** Offset of `records[0]` (every result below it was acknowledged). */
  base: number;
  records: unknown[];
}

export class CollectResults {
  private readonly published = new Set<string>();
  private readonly staged = new Map<string, Array<unknown[] | undefined>>();
  private readonly sinks = new Map<string, SinkResults>();
  private discarded = false;

  /** Stages one chunk; publishes its transaction when every chunk of this attempt's copy has arrived. */
  stage(attempt: number, c: CollectChunk): void {
    const id = `${c.sinkId}/${c.txn}`;
    if (this.discarded || this.published.has(id)) return;
    const key = `${id}@${attempt}`;
    const parts = this.staged.get(key) ?? new Array<unknown[] | undefined>(c.total).fill(undefined);
    if (parts.length !== c.total || c.index >= c.total)
      throw new SluiceError(
        'RPC_MALFORMED_MESSAGE',
        `collect chunk ${c.index}/${c.total} of ${id} does not fit its transaction (${parts.length} chunks)`,
      );
    parts[c.index] = c.records;
    this.staged.set(key, parts);
    if (parts.some((p) => p === undefined)) return;
    this.published.add(id);
    for (const k of [...this.staged.keys()]) if (k.startsWith(`${id}@`)) this.staged.delete(k);
    const sink = this.sink(c.sinkId);
    for (const p of parts) for (const r of p!) sink.records.push(r);
  }

  /** Results from `offset` on (at most `max`); acknowledges everything below `offset`. */
  fetch(sinkId: string, offset: number, max = MAX_FETCH_RECORDS): CollectFetch {
    const sink = this.sink(sinkId);
    if (offset < sink.base)
      throw new SluiceError(
        'REST_BAD_REQUEST',
        `collect results of ${sinkId} below offset ${sink.base} were acknowledged and are gone (asked for ${offset})`,
      );
    const drop = Math.min(offset - sink.base, sink.records.length);
    sink.records.splice(0, drop);
    sink.base += drop;
    if (offset > sink.base)
      throw new SluiceError(
        'REST_BAD_REQUEST',
        `collect results of ${sinkId} end at offset ${sink.base}; offset ${offset} is beyond them`,
      );
    return { offset, records: sink.records.slice(0, Math.max(1, Math.min(max, MAX_FETCH_RECORDS))) };
  }

  /**
   * The job ended without a result to read (cancelled — e.g. its collectAsync() iterator was closed — or
   * failed): frees every result held and staged and ignores later chunks; fetches then return none.
   */
  discard(): void {
    this.discarded = true;
    this.staged.clear();
    for (const s of this.sinks.values()) {
      s.base += s.records.length;
      s.records = [];
    }
  }

  /** Results held (published, not yet acknowledged) over every sink. */
  held(): number {
    let n = 0;
    for (const s of this.sinks.values()) n += s.records.length;
    return n;
  }

  private sink(sinkId: string): SinkResults {
    let s = this.sinks.get(sinkId);
    if (!s) this.sinks.set(sinkId, (s = { base: 0, records: [] }));
    return s;
  }
}
