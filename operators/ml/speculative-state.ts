/**
 * The operator state of speculative serving: the installed models' descriptors (with bytes) in broadcast state
 * `speculative-models`, one per model name, and the records waiting for missing models in list state
 * `speculative-pending`; `reinstallModels` puts the descriptors back into the ModelManager on restore.
 *
 * Invariants: a restored model goes through the same validation, sha256 check and warm-up as a new one, and one
 * that is no longer accepted fails the restore (`MODEL_LOAD_FAILED`), so a restored job scores with exactly the
 * models it had. A waiting record is kept as an `Envelope` (value + event timestamp in epoch ms).
 */
import {
  type BroadcastState,
  type ListState,
  ListStateDescriptor,
  MapStateDescriptor,
  type OperatorStateStore,
} from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { ModelDescriptor } from './descriptor.js';
import type { ModelManager } from './model-manager.js';

/** A data record as the operator buffers and batches it. */
export interface Envelope<T> {
  value: T;
  ts: number;
}

export interface SpeculativeState<T> {
  models: BroadcastState<string, ModelDescriptor>;
  pending: ListState<Envelope<T>>;
}

/** Registers (or, on restore, reopens) the operator's two states. */
export function speculativeState<T>(store: OperatorStateStore): SpeculativeState<T> {
  return {
    models: store.getBroadcastState(new MapStateDescriptor<string, ModelDescriptor>('speculative-models')),
    pending: store.getListState(new ListStateDescriptor<Envelope<T>>('speculative-pending')),
  };
}

/** Installs every restored descriptor under its name; a rejected one fails the restore. */
export async function reinstallModels(
  manager: ModelManager,
  models: BroadcastState<string, ModelDescriptor>,
): Promise<void> {
  for (const [name, d] of [...models.entries()]) {
    const st = await manager.install(name, d);
    if (st.status !== 'accepted')
      throw new SluiceError(
        'MODEL_LOAD_FAILED',
        `restoring model ${st.name}@${st.version} failed: ${st.code} ${st.reason}`,
      );
  }
}
