/**
 * What counts as "no state" in a snapshot. Flink writes no handles for operators without state, so
 * stateless operators never appear in a snapshot and never block a restore; sluice's state stores always
 * produce a snapshot object, so storage and restore mapping use this predicate instead.
 */
/**
 * True for "no state": undefined, an empty object (an operator state store with no states), or a keyed
 * snapshot with no key groups (runtime/state's KeyedStateSnapshot with `keyGroups: {}`). Handles (objects
 * with a file name) always count as state.
 */
export function isEmptyStateValue(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 0) return true;
  const kg = o.keyGroups;
  return 'keyGroupRange' in o && typeof kg === 'object' && kg !== null && Object.keys(kg).length === 0;
}
