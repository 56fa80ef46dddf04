/**
 * A from-scratch computation of what Flink's event-time windows must output for a stream of events with
 * a known watermark before each event (a punctuated source at parallelism 1 makes that sequence exact):
 * every window firing (on time when the watermark passes maxTimestamp, again for each element that
 * arrives within the allowed lateness), and every element that is late for all its windows.
 *
 * It shares no code with the engine: windows are plain intervals, sessions merge like intervals (Flink's
 * TimeWindow.intersects is inclusive at the ends), state is a map per key.
 */
import type { TimedEvent } from '../fixtures/event-time-events.js';

export type WindowKind =
  | { kind: 'tumbling'; sizeMs: number }
  | { kind: 'sliding'; sizeMs: number; slideMs: number }
  | { kind: 'session'; gapMs: number };

interface Win {
  start: number;
  end: number;
  count: number;
  sum: number;
}

export interface OracleResult {
  /** `${label},${key},${start},${end},${count},${sum}` per firing. */
  fires: string[];
  /** `late-${label},${key},${id}` per element late for every window. */
  late: string[];
}

const maxTs = (w: { end: number }) => w.end - 1;

function fixedWindows(ts: number, k: WindowKind): Array<{ start: number; end: number }> {
  if (k.kind === 'tumbling') {
    const start = ts - (((ts % k.sizeMs) + k.sizeMs) % k.sizeMs);
    return [{ start, end: start + k.sizeMs }];
  }
  if (k.kind !== 'sliding') throw new Error('not a fixed window');
  const out: Array<{ start: number; end: number }> = [];
  const last = ts - (((ts % k.slideMs) + k.slideMs) % k.slideMs);
  for (let start = last; start > ts - k.sizeMs; start -= k.slideMs) out.push({ start, end: start + k.sizeMs });
  return out;
}

export function windowOracle(
  label: string,
  events: TimedEvent[],
  boundMs: number,
  latenessMs: number,
  k: WindowKind,
): OracleResult {
  const fires: string[] = [];
  const late: string[] = [];
  const perKey = new Map<string, Map<string, Win>>();
  const fire = (key: string, w: Win) => fires.push(`${label},${key},${w.start},${w.end},${w.count},${w.sum}`);
  let wm = Number.MIN_SAFE_INTEGER;
  let seenMax = -Infinity;

  const advance = (next: number) => {
    if (next <= wm) return;
    for (const [key, wins] of perKey) {
      // timers in (wm, next]: on-time fire at maxTs, then cleanup at maxTs + lateness
      for (const [id, w] of wins) {
        if (maxTs(w) > wm && maxTs(w) <= next) fire(key, w);
        if (maxTs(w) + latenessMs <= next) wins.delete(id);
      }
    }
    wm = next;
  };

  for (const e of events) {
    const wins = perKey.get(e.key) ?? new Map<string, Win>();
    perKey.set(e.key, wins);
    let placed = false;
    if (k.kind === 'session') {
      let cur = { start: e.ts, end: e.ts + k.gapMs, count: 0, sum: 0 };
      // merge with every in-flight session that intersects, transitively (sorted sweep)
      let changed = true;
      const merged: string[] = [];
      while (changed) {
        changed = false;
        for (const [id, w] of wins) {
          if (merged.includes(id)) continue;
          if (cur.start <= w.end && cur.end >= w.start) {
            cur = {
              start: Math.min(cur.start, w.start),
              end: Math.max(cur.end, w.end),
              count: cur.count + w.count,
              sum: cur.sum + w.sum,
            };
            merged.push(id);
            changed = true;
          }
        }
      }
      if (maxTs(cur) + latenessMs > wm) {
        for (const id of merged) wins.delete(id);
        cur.count++;
        cur.sum += e.v;
        wins.set(`${cur.start}-${cur.end}`, cur);
        placed = true;
        if (maxTs(cur) <= wm) fire(e.key, cur);
      }
    } else {
      for (const { start, end } of fixedWindows(e.ts, k)) {
        if (end - 1 + latenessMs <= wm) continue; // window already cleaned up
        const id = `${start}-${end}`;
        const w = wins.get(id) ?? { start, end, count: 0, sum: 0 };
        w.count++;
        w.sum += e.v;
        wins.set(id, w);
        placed = true;
        if (maxTs(w) <= wm) fire(e.key, w); // late but within the allowed lateness: fires again
      }
    }
    if (!placed && e.ts + latenessMs <= wm) late.push(`late-${label},${e.key},${e.id}`);
    if (e.ts > seenMax) seenMax = e.ts;
    advance(seenMax - boundMs - 1);
  }
  advance(Number.MAX_SAFE_INTEGER); // end of input: MAX_WATERMARK fires what is left
  return { fires, late };
}

/** Plain GROUP BY over the accepted (not late) elements: the last firing of each window must equal it. */
export function batchWindows(
  label: string,
  events: TimedEvent[],
  lateIds: Set<number>,
  k: WindowKind,
): Map<string, string> {
  const out = new Map<string, { count: number; sum: number }>();
  for (const e of events) {
    if (lateIds.has(e.id)) continue;
    for (const { start, end } of fixedWindows(e.ts, k)) {
      const id = `${label},${e.key},${start},${end}`;
      const agg = out.get(id) ?? { count: 0, sum: 0 };
      agg.count++;
      agg.sum += e.v;
      out.set(id, agg);
    }
  }
  return new Map([...out].map(([id, a]) => [id, `${a.count},${a.sum}`]));
}
