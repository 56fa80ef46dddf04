/**
 * MetadataStore: the broker's small durable state outside the partition logs — topic partition counts,
 * committed consumer-group offsets, the producer-id counter and transactional-id → producer mappings with
 * the partitions/groups of their open transaction — kept in one JSON file `<dir>/broker-state.json`.
 * Invariants: every mutation goes through `save()`, which writes a temporary file and renames it over the
 * old one (a crash leaves either the old or the new state, never a torn file); without a directory the
 * state lives in memory only.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

export interface TxnRecord {
  producerId: number;
  epoch: number;
  timeoutMs: number;
  /** 'Empty' | 'Ongoing' — markers are written synchronously in EndTxn, so no Prepare* state persists */
  state: 'Empty' | 'Ongoing';
  partitions: Array<[string, number]>;
  groups: string[];
  /** TxnOffsetCommit offsets, applied to the groups on commit */
  pendingOffsets: Array<{ group: string; topic: string; partition: number; offset: number; metadata: string | null }>;
}

export interface BrokerState {
  topics: Record<string, number>;
  offsets: Record<string, Record<string, Record<string, CommittedOffset>>>;
  nextProducerId: number;
  transactions: Record<string, TxnRecord>;
}

export class MetadataStore {
  readonly state: BrokerState;
  private readonly file: string | null;

  constructor(dir: string | null) {
    this.file = dir === null ? null : join(dir, 'broker-state.json');
    const empty: BrokerState = { topics: {}, offsets: {}, nextProducerId: 1000, transactions: {} };
    this.state =
      this.file !== null && existsSync(this.file)
        ? { ...empty, ...(JSON.parse(readFileSync(this.file, 'utf8')) as Partial<BrokerState>) }
        : empty;
  }

  save(): void {
    if (this.file === null) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }

  commitOffset(group: string, topic: string, partition: number, offset: number, metadata: string | null): void {
    const g = (this.state.offsets[group] ??= {});
    const t = (g[topic] ??= {});
    t[String(partition)] = { offset, metadata };
  }

  committed(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.state.offsets[group]?.[topic]?.[String(partition)];
  }

  /** Topics with committed offsets for a group (OffsetFetch with a null topic list). */
  committedTopics(group: string): Array<[string, number[]]> {
    const g = this.state.offsets[group] ?? {};
    return Object.entries(g).map(([topic, parts]) => [topic, Object.keys(parts).map(Number)]);
  }

  allocateProducerId(): number {
    const id = this.state.nextProducerId++;
    return id;
  }
}
