/**
 * The serving statistics of a key's models as queryable state: a keyed serving operator registers the view
 * `model-stats` (or the name its options give), so `GET /jobs/:jobid/state/model-stats?key=K` answers, from
 * the subtask owning K, the models installed for K (newest last) with their usage, latency and quality —
 * the per-key counterpart of `/jobs/:jobid/models`, as the model-serving talk serves model statistics.
 *
 * Invariant: read-only; a key with no installed model has no value.
 */
import type { OperatorContext } from '../../runtime/api/operator.js';
import type { ModelManager } from './model-manager.js';

export const MODEL_STATS_STATE = 'model-stats';

export function registerModelStatsView(ctx: OperatorContext, manager: ModelManager, name = MODEL_STATS_STATE): void {
  const backend = ctx.keyedStateBackend;
  if (!ctx.queryableStates || !backend) return;
  ctx.queryableStates.registerView(name, backend, ctx.operatorName, (key) => {
    const history = manager.store.history(String(key));
    if (history.length === 0) return undefined;
    return history.map(({ model, validFrom, installedAtMs }) => {
      const d = model.descriptor;
      const stats = manager.stats.get(`${d.name}@${d.version}`)?.snapshot();
      return { name: d.name, version: d.version, validFrom, installedAtMs, backend: model.backend, stats };
    });
  });
}
