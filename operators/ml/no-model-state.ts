/**
 * The no-model policy inside the serving operator, with the 'buffer' policy kept in state so a record
 * waiting for its model survives a failure (the in-memory NoModelHandler is for engine-free use):
 * keyed mode buffers in keyed ListState (`serving-no-model`, moves with its key group on rescale);
 * broadcast mode buffers per model key in memory and writes the buffer to operator list state at
 * snapshots. 'side-output' and 'drop' keep no state.
 *
 * Invariants: every record without a model is side-output, buffered, or counted in `dropped`; the buffer
 * holds at most maxBuffered records (a record arriving at a full buffer is dropped and counted); a model
 * arriving for key k releases k's records (broadcast: the default model '*' releases every key's).
 */
import type { KeyedStateBackend } from '../../runtime/api/operator.js';
import { ListStateDescriptor, type ListState, type OperatorStateStore } from '../../runtime/api/state.js';
import type { NoModelPolicyKind } from './no-model-policy.js';

export interface WaitingRecord<T> {
  value: T;
  ts: number;
  key: string;
}

const STATE = 'serving-no-model';

export class NoModelState<T> {
  dropped = 0;
  sideOutput = 0;
  private buffered = 0;
  private keyed: ListState<WaitingRecord<T>> | undefined;
  private readonly byKey = new Map<string, WaitingRecord<T>[]>();
  private opState: ListState<WaitingRecord<T>> | undefined;

  constructor(
    readonly policy: NoModelPolicyKind,
    private readonly maxBuffered: number,
    private readonly toSideOutput: (r: WaitingRecord<T>) => void,
    private readonly backend: KeyedStateBackend | undefined,
  ) {}

  get bufferedCount(): number {
    return this.buffered;
  }

  /** Binds state; on restore counts (keyed) or reloads (broadcast) what was waiting. */
  initialize(store: OperatorStateStore, restored: boolean): void {
    if (this.policy !== 'buffer') return;
    if (this.backend) {
      this.keyed = this.backend.getState(new ListStateDescriptor<WaitingRecord<T>>(STATE));
      if (!restored) return;
      for (const k of this.backend.getKeys(STATE, '')) {
        this.backend.setCurrentKey(k);
        this.buffered += this.keyed.get().length;
      }
      return;
    }
    const opState = store.getListState(new ListStateDescriptor<WaitingRecord<T>>(STATE));
    this.opState = opState;
    if (restored) {
      for (const r of opState.get()) this.push(r);
      this.buffered = [...this.byKey.values()].reduce((n, l) => n + l.length, 0);
    }
    opState.clear();
  }

  /** A record no model can score (keyed mode: its key is the backend's current key). */
  handle(r: WaitingRecord<T>): void {
    if (this.policy === 'drop') {
      this.dropped++;
      return;
    }
    if (this.policy === 'side-output') {
      this.sideOutput++;
      this.toSideOutput(r);
      return;
    }
    if (this.buffered >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    if (this.keyed) this.keyed.add(r);
    else this.push(r);
    this.buffered++;
  }

  /** Records released by a model for `modelKey` (keyed mode: the current key's). */
  release(modelKey: string, defaultKey: string): WaitingRecord<T>[] {
    if (this.policy !== 'buffer') return [];
    let out: WaitingRecord<T>[];
    if (this.keyed) {
      out = [...this.keyed.get()];
      this.keyed.clear();
    } else if (modelKey === defaultKey) {
      out = [...this.byKey.values()].flat();
      this.byKey.clear();
    } else {
      out = this.byKey.get(modelKey) ?? [];
      this.byKey.delete(modelKey);
    }
    this.buffered -= out.length;
    return out;
  }

  snapshot(): void {
    if (this.opState) this.opState.update([...this.byKey.values()].flat());
  }

  private push(r: WaitingRecord<T>): void {
    const list = this.byKey.get(r.key);
    if (list) list.push(r);
    else this.byKey.set(r.key, [r]);
  }
}
