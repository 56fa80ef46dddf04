/**
 * Shared by the WindowOperator tests (window-operator-kinds.test.ts, window-operator-lateness.test.ts):
 * (key, count) records summed by `sum`, an operator opened in the OperatorHarness (optionally restored from
 * another harness's snapshot), output records sorted as Flink's WindowOperatorTest compares them, and its
 * out-of-order ELEMENTS input.
 */
import { WindowOperator, type TimeWindow, type WindowOperatorOptions } from '../../../operators/windows/index.js';
import { OperatorHarness, type Emitted } from './harness.js';

export type KV = [string, number];
export const sum = (a: KV, b: KV): KV => [a[0], a[1] + b[1]];

export async function harness<W extends TimeWindow | import('../../../operators/windows/index.js').GlobalWindow>(
  o: WindowOperatorOptions<any, any, any, W>,
  restore?: OperatorHarness,
) {
  const h = new OperatorHarness(new WindowOperator(o), restore ? { restore: restore.snapshot() } : {});
  return h.open();
}

/** Records sorted by (timestamp, JSON) — Flink's tests compare window output ignoring order within a timestamp. */
export function recs(out: Emitted[]): Array<[unknown, number]> {
  return out
    .filter((e) => e.kind === 'record')
    .map((e) => [(e as { value: unknown }).value, (e as { timestamp: number }).timestamp] as [unknown, number])
    .sort((a, b) => a[1] - b[1] || JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
}

export const ELEMENTS: Array<[KV, number]> = [
  [['key2', 1], 3999],
  [['key2', 1], 3000],
  [['key1', 1], 20],
  [['key1', 1], 0],
  [['key1', 1], 999],
  [['key2', 1], 1998],
  [['key2', 1], 1999],
  [['key2', 1], 1000],
];
