/**
 * One-time warnings for the Flink 1.x API forms sluice accepts as aliases (`Time`, `addSource`,
 * `setStreamTimeCharacteristic`, `keyBy(0)` …) and for other "this works, but know that…" notices
 * (generated uids). Each distinct code warns once per process, through Node's `process.emitWarning`, so
 * `--no-deprecation` / `--no-warnings` silence them the usual way.
 *
 * Invariant: warning never throws and never changes behaviour; it only reports.
 */
const warned = new Set<string>();

/** A Flink 1.x form used where 2.x has `replacement`; warns once per `api`. */
export function deprecated(api: string, replacement: string): void {
  warnOnce(`deprecated:${api}`, `${api} is deprecated in Flink 2.x; use ${replacement}`, 'DeprecationWarning');
}

/** Any other one-time notice; `key` decides what counts as "the same" warning. */
export function warnOnce(key: string, message: string, type: 'Warning' | 'DeprecationWarning' = 'Warning'): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { type, code: 'SLUICE' });
}

/** For tests: which one-time warnings were issued so far. */
export function issuedWarnings(): ReadonlySet<string> {
  return warned;
}
