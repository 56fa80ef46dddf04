/**
 * Which model scores a record. Per key, a ModelStore keeps the live models under a declared switch policy:
 * - 'processing-time': the most recently installed model serves every record (lowest latency);
 * - 'event-time': a history ordered by validFrom; a record with timestamp t is scored by the model with the
 *   greatest validFrom ≤ t, so a replay reproduces the same scores. A missing validFrom counts as -∞; a model
 *   with the same validFrom as an existing one replaces it.
 * Invariants: history per key is sorted by validFrom and bounded (maxHistoryPerKey, oldest evicted first);
 * prune(watermark) evicts models no record at or after the watermark can select; every evicted or replaced
 * model is passed to onEvict exactly once (to dispose native sessions).
 */
export type SwitchPolicy = 'processing-time' | 'event-time';

export interface StoredModel<M> {
  model: M;
  validFrom: number;
  installedAtMs: number;
}

export interface ModelStoreOptions<M> {
  policy: SwitchPolicy;
  maxHistoryPerKey?: number;
  onEvict?: (model: M, key: string) => void;
}

export class ModelStore<M> {
  readonly policy: SwitchPolicy;
  private readonly maxHistory: number;
  private readonly byKey = new Map<string, StoredModel<M>[]>();

  constructor(private readonly opts: ModelStoreOptions<M>) {
    this.policy = opts.policy;
    this.maxHistory = Math.max(1, opts.maxHistoryPerKey ?? 16);
  }

  install(key: string, model: M, validFrom: number | undefined, installedAtMs: number): void {
    const vf = validFrom ?? Number.NEGATIVE_INFINITY;
    let list = this.byKey.get(key);
    if (!list) {
      list = [];
      this.byKey.set(key, list);
    }
    const entry: StoredModel<M> = { model, validFrom: vf, installedAtMs };
    if (this.policy === 'processing-time') {
      for (const old of list) this.evict(old, key);
      list.length = 0;
      list.push(entry);
      return;
    }
    const same = list.findIndex((e) => e.validFrom === vf);
    if (same >= 0) {
      this.evict(list[same]!, key);
      list[same] = entry;
    } else {
      let i = list.length;
      while (i > 0 && list[i - 1]!.validFrom > vf) i--;
      list.splice(i, 0, entry);
    }
    while (list.length > this.maxHistory) this.evict(list.shift()!, key);
  }

  /** The model that scores a record of `key` with event timestamp `timestampMs` (ignored for processing time). */
  select(key: string, timestampMs: number): M | undefined {
    const list = this.byKey.get(key);
    if (!list || list.length === 0) return undefined;
    if (this.policy === 'processing-time') return list[0]!.model;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.validFrom <= timestampMs) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 ? list[found]!.model : undefined;
  }

  /** The newest model of a key (greatest validFrom, or the current one). */
  latest(key: string): M | undefined {
    const list = this.byKey.get(key);
    return list && list.length > 0 ? list[list.length - 1]!.model : undefined;
  }

  history(key: string): readonly StoredModel<M>[] {
    return this.byKey.get(key) ?? [];
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /** Event time: drops models superseded by a successor whose validFrom ≤ watermark. */
  prune(watermarkMs: number): void {
    if (this.policy !== 'event-time') return;
    for (const [key, list] of this.byKey) {
      while (list.length > 1 && list[1]!.validFrom <= watermarkMs) this.evict(list.shift()!, key);
    }
  }

  /** Drops every model of a key (disposal through onEvict, as for replaced models). */
  remove(key: string): void {
    for (const e of this.byKey.get(key) ?? []) this.evict(e, key);
    this.byKey.delete(key);
  }

  clear(): void {
    for (const [key, list] of this.byKey) for (const e of list) this.evict(e, key);
    this.byKey.clear();
  }

  private evict(e: StoredModel<M>, key: string): void {
    this.opts.onEvict?.(e.model, key);
  }
}
