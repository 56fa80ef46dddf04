/**
 * TransactionCoordinator: producer ids and epochs (InitProducerId), the partitions and groups of each
 * transactional id's open transaction, transactional offset commits, and EndTxn — which writes a commit or
 * abort control batch to every partition of the transaction and, on commit, applies its offsets to the
 * groups. Transactions left open longer than their timeout are aborted and their producer fenced.
 * Invariants: a newer InitProducerId for the same transactional id aborts any open transaction and bumps
 * the epoch, so requests carrying the old epoch fail with INVALID_PRODUCER_EPOCH; markers are written
 * synchronously inside EndTxn, so after a successful EndTxn the last stable offset has moved past them;
 * all state changes are persisted through the MetadataStore before the response is sent.
 */
import { ErrorCode } from './protocol/api-keys.js';
import type { LogStore } from './log-store.js';
import type { MetadataStore, TxnRecord } from './metadata-store.js';

export class TransactionCoordinator {
  /** transactional id → when its current transaction started (in memory: restarts give a fresh timeout) */
  private readonly startedAt = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly meta: MetadataStore,
    private readonly logs: LogStore,
    sweepMs = 500,
  ) {
    this.sweeper = setInterval(() => this.abortExpired(), sweepMs);
    this.sweeper.unref();
    const now = Date.now();
    for (const [id, rec] of Object.entries(meta.state.transactions))
      if (rec.state === 'Ongoing') this.startedAt.set(id, now);
  }

  initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
  ): { error: number; producerId: number; epoch: number } {
    if (transactionalId === null || transactionalId === '') {
      const producerId = this.meta.allocateProducerId();
      this.meta.save();
      return { error: ErrorCode.NONE, producerId, epoch: 0 };
    }
    let rec = this.meta.state.transactions[transactionalId];
    if (rec === undefined) {
      rec = {
        producerId: this.meta.allocateProducerId(),
        epoch: 0,
        timeoutMs,
        state: 'Empty',
        partitions: [],
        groups: [],
        pendingOffsets: [],
      };
      this.meta.state.transactions[transactionalId] = rec;
    } else {
      if (rec.state === 'Ongoing') this.complete(transactionalId, rec, false);
      this.bumpEpoch(rec);
      rec.timeoutMs = timeoutMs;
    }
    this.meta.save();
    return { error: ErrorCode.NONE, producerId: rec.producerId, epoch: rec.epoch };
  }

  /** Checks a transactional Produce batch; marks the partition as part of the transaction. */
  checkProduce(transactionalId: string, producerId: number, epoch: number, topic: string, partition: number): number {
    const check = this.validate(transactionalId, producerId, epoch);
    if (typeof check === 'number') return check;
    if (!check.partitions.some(([t, p]) => t === topic && p === partition)) {
      check.partitions.push([topic, partition]);
      this.begin(transactionalId, check);
      this.meta.save();
    }
    return ErrorCode.NONE;
  }

  addPartitions(transactionalId: string, producerId: number, epoch: number, parts: Array<[string, number]>): number[] {
    const check = this.validate(transactionalId, producerId, epoch);
    if (typeof check === 'number') return parts.map(() => check);
    const codes = parts.map(([topic, partition]) => {
      if (this.logs.partition(topic, partition) === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (!check.partitions.some(([t, p]) => t === topic && p === partition)) check.partitions.push([topic, partition]);
      return ErrorCode.NONE;
    });
    this.begin(transactionalId, check);
    this.meta.save();
    return codes;
  }

  addOffsets(transactionalId: string, producerId: number, epoch: number, group: string): number {
    const check = this.validate(transactionalId, producerId, epoch);
    if (typeof check === 'number') return check;
    if (!check.groups.includes(group)) check.groups.push(group);
    this.begin(transactionalId, check);
    this.meta.save();
    return ErrorCode.NONE;
  }

  txnOffsetCommit(
    transactionalId: string,
    producerId: number,
    epoch: number,
    group: string,
    offsets: Array<{ topic: string; partition: number; offset: number; metadata: string | null }>,
  ): number {
    const check = this.validate(transactionalId, producerId, epoch);
    if (typeof check === 'number') return check;
    if (!check.groups.includes(group)) return ErrorCode.INVALID_TXN_STATE;
    for (const o of offsets) {
      check.pendingOffsets = check.pendingOffsets.filter(
        (p) => !(p.group === group && p.topic === o.topic && p.partition === o.partition),
      );
      check.pendingOffsets.push({ group, ...o });
    }
    this.meta.save();
    return ErrorCode.NONE;
  }

  endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): number {
    const check = this.validate(transactionalId, producerId, epoch);
    if (typeof check === 'number') return check;
    if (check.state === 'Ongoing') this.complete(transactionalId, check, commit);
    this.meta.save();
    return ErrorCode.NONE;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private validate(transactionalId: string, producerId: number, epoch: number): TxnRecord | number {
    const rec = this.meta.state.transactions[transactionalId];
    if (rec === undefined || rec.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== rec.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return rec;
  }

  private begin(transactionalId: string, rec: TxnRecord): void {
    if (rec.state === 'Ongoing') return;
    rec.state = 'Ongoing';
    this.startedAt.set(transactionalId, Date.now());
  }

  /** Writes the markers, applies offsets on commit, and empties the transaction (caller saves). */
  private complete(transactionalId: string, rec: TxnRecord, commit: boolean): void {
    const timestamp = Date.now();
    for (const [topic, partition] of rec.partitions) {
      this.logs
        .partition(topic, partition)
        ?.appendMarker({ producerId: rec.producerId, producerEpoch: rec.epoch, commit, timestamp });
    }
    if (commit)
      for (const o of rec.pendingOffsets) this.meta.commitOffset(o.group, o.topic, o.partition, o.offset, o.metadata);
    rec.state = 'Empty';
    rec.partitions = [];
    rec.groups = [];
    rec.pendingOffsets = [];
    this.startedAt.delete(transactionalId);
    this.logs.notifyAppend();
  }

  private bumpEpoch(rec: TxnRecord): void {
    if (rec.epoch >= 32766) {
      rec.producerId = this.meta.allocateProducerId();
      rec.epoch = 0;
    } else rec.epoch++;
  }

  private abortExpired(): void {
    const now = Date.now();
    let changed = false;
    for (const [id, started] of this.startedAt) {
      const rec = this.meta.state.transactions[id];
      if (rec === undefined || rec.state !== 'Ongoing' || now - started <= rec.timeoutMs) continue;
      this.complete(id, rec, false);
      this.bumpEpoch(rec);
      changed = true;
    }
    if (changed) this.meta.save();
  }
}
