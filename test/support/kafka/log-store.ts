/**
 * LogStore: the broker's topics — name → partition logs — with creation, deletion, optional auto-creation
 * and a wake-up signal for long-polling fetches. Topic partition counts are recorded in the MetadataStore;
 * partition data lives under `<dir>/logs/`.
 * Invariants: a topic exists in `topics` iff it is recorded in the metadata store; `notifyAppend()` is called
 * after every append (producer batches and transaction markers) so waiting fetches re-check.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from './partition-log.js';
import type { MetadataStore } from './metadata-store.js';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class LogStore {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly waiters = new Set<() => void>();
  private readonly logDir: string | null;

  constructor(
    private readonly meta: MetadataStore,
    dir: string | null,
    readonly defaultPartitions: number,
    readonly autoCreate: boolean,
  ) {
    this.logDir = dir === null ? null : join(dir, 'logs');
    for (const [name, n] of Object.entries(meta.state.topics)) this.open(name, n);
  }

  static isValidName(name: string): boolean {
    return TOPIC_NAME.test(name) && name !== '.' && name !== '..';
  }

  names(): string[] {
    return [...this.topics.keys()];
  }
  get(topic: string): PartitionLog[] | undefined {
    return this.topics.get(topic);
  }
  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[partition];
  }

  create(name: string, partitions: number): void {
    this.open(name, partitions);
    this.meta.state.topics[name] = partitions;
    this.meta.save();
  }

  /** Topic for Metadata: auto-created when allowed by both the broker and the request. */
  getOrAutoCreate(name: string, allow: boolean): PartitionLog[] | undefined {
    const t = this.topics.get(name);
    if (t !== undefined || !allow || !this.autoCreate || !LogStore.isValidName(name)) return t;
    this.create(name, this.defaultPartitions);
    return this.topics.get(name);
  }

  delete(name: string): boolean {
    const logs = this.topics.get(name);
    if (logs === undefined) return false;
    for (const l of logs) l.close();
    this.topics.delete(name);
    delete this.meta.state.topics[name];
    this.meta.save();
    if (this.logDir !== null) {
      for (let p = 0; p < logs.length; p++) rmSync(join(this.logDir, `${name}-${p}`), { recursive: true, force: true });
    }
    return true;
  }

  /** Registers a one-shot callback run at the next append; returns a function that unregisters it. */
  onAppend(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  notifyAppend(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  close(): void {
    for (const logs of this.topics.values()) for (const l of logs) l.close();
    this.topics.clear();
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  private open(name: string, partitions: number): void {
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) logs.push(new PartitionLog(name, p, this.logDir));
    this.topics.set(name, logs);
  }
}
