/**
 * LiveTransactions: the prepared transactions of this process's EXACTLY_ONCE writers, by transactional
 * id, so the committer of the same sink commits them with the producer that opened them (kafkajs can
 * commit a transaction only through that producer). Owned by one KafkaSink instance.
 *
 * Invariants: an entry is taken at most once (take removes it); a writer removes the entries it put
 * when it closes (never those of a newer writer of the same subtask), so a committer never commits
 * through a closed producer.
 */
import type { Producer, Transaction } from 'kafkajs';

export interface LiveTransaction {
  token: string;
  producer: Producer;
  txn: Transaction;
  recordCount: number;
  /** Disconnects the producer (after commit or abort). */
  done(): Promise<void>;
}

export class LiveTransactions {
  private readonly live = new Map<string, LiveTransaction>();

  put(transactionalId: string, t: LiveTransaction): void {
    this.live.set(transactionalId, t);
  }

  has(transactionalId: string, token: string): boolean {
    return this.live.get(transactionalId)?.token === token;
  }

  take(transactionalId: string, token: string): LiveTransaction | undefined {
    const t = this.live.get(transactionalId);
    if (!t || t.token !== token) return undefined;
    this.live.delete(transactionalId);
    return t;
  }

  /** Removes and returns the entries a closing writer put (by id and token; a newer writer's stay). */
  drain(owned: ReadonlyMap<string, string>): LiveTransaction[] {
    const out: LiveTransaction[] = [];
    for (const [id, token] of owned) {
      const t = this.take(id, token);
      if (t) out.push(t);
    }
    return out;
  }
}
