/**
 * Independent answers for the ported Flink examples (test/fixtures/flink-examples): each computes, from the
 * example's input alone, the lines its print() must produce — with plain loops and tables, not sluice's
 * operators — so the in-process and the cluster tests judge the ports by the same rules. Inputs that the
 * examples read from files (car data, grades, salaries) are generated here from fixed seeds.
 */
import { seededRandom } from '../../runtime/platform/random.js';
import { EventsGenerator, formatAddress } from '../fixtures/flink-examples/state-machine-events.js';
import { WORDS } from '../fixtures/flink-examples/word-count-data.js';

export const sorted = (a: readonly string[]) => [...a].sort();

function tokens(): string[] {
  return WORDS.flatMap((line) => line.toLowerCase().split(/\W+/)).filter((w) => w.length > 0);
}

function totals(words: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

/** WordCount: a running count per word, (word,1) … (word,n). */
export function wordCountExpected(): string[] {
  const expected: string[] = [];
  for (const [w, n] of totals(tokens())) for (let i = 1; i <= n; i++) expected.push(`(${w},${i})`);
  return expected;
}

/** WindowWordCount: count windows of 10 sliding by 5 per word fire at every 5th word. */
export function windowWordCountExpected(): string[] {
  const expected: string[] = [];
  for (const [w, n] of totals(tokens()))
    for (let fired = 5; fired <= n; fired += 5) expected.push(`(${w},${Math.min(fired, 10)})`);
  return expected;
}

export interface Car {
  id: number;
  speed: number;
  distance: number;
  ts: number;
}

/** Car records for TopSpeedWindowing's `--input`: `cars` cars, one record each per 100 ms, `rounds` rounds. */
export function carData(cars: number, rounds: number, seed = 11): Car[] {
  const rnd = seededRandom(seed);
  const speeds = new Array<number>(cars).fill(50);
  const distances = new Array<number>(cars).fill(0);
  const out: Car[] = [];
  for (let r = 1; r <= rounds; r++)
    for (let id = 0; id < cars; id++) {
      speeds[id] = rnd() < 0.5 ? Math.min(100, speeds[id]! + 5) : Math.max(0, speeds[id]! - 5);
      distances[id]! += speeds[id]! / 3.6;
      out.push({ id, speed: speeds[id]!, distance: distances[id]!, ts: r * 100 });
    }
  return out;
}

export const carLine = (c: Car) => `(${c.id},${c.speed},${c.distance},${c.ts})`;

/**
 * TopSpeedWindowing: per car, every record enters the window; once a record has driven more than 50 m
 * beyond the last firing one, the window drops what is 10 s or more older than its newest record and emits
 * its first record with the highest speed.
 */
export function topSpeedExpected(data: Car[]): string[] {
  const out: string[] = [];
  for (const id of new Set(data.map((c) => c.id))) {
    let window: Car[] = [];
    let last: Car | undefined;
    for (const c of data.filter((x) => x.id === id)) {
      window.push(c);
      if (!last) {
        last = c;
        continue;
      }
      if (!(c.distance - last.distance > 50)) continue;
      last = c;
      const newest = Math.max(...window.map((x) => x.ts));
      window = window.filter((x) => x.ts > newest - 10_000);
      let best = window[0]!;
      for (const x of window) if (x.speed > best.speed) best = x;
      out.push(carLine(best));
    }
  }
  return out;
}

export interface Scored {
  ts: number;
  name: string;
  value: number;
}

/** Records for WindowJoin's `--grades`/`--salaries`: ascending timestamps 1–10 ms apart. */
export function joinInput(count: number, maxValue: number, seed: number): Scored[] {
  const names = ['tom', 'jerry', 'alice', 'bob', 'john', 'grace'];
  const rnd = seededRandom(seed);
  const out: Scored[] = [];
  let ts = 0;
  for (let i = 0; i < count; i++) {
    ts += Math.floor(rnd() * 10) + 1;
    out.push({ ts, name: names[Math.floor(rnd() * names.length)]!, value: Math.floor(rnd() * maxValue) + 1 });
  }
  return out;
}

export const scoredLine = (s: Scored) => `(${s.ts},${s.name},${s.value})`;

/** WindowJoin: every grade and salary of the same name in the same 5 ms window, (name,grade,salary). */
export function windowJoinExpected(grades: Scored[], salaries: Scored[]): string[] {
  const out: string[] = [];
  for (const g of grades)
    for (const s of salaries)
      if (g.name === s.name && Math.floor(g.ts / 5) === Math.floor(s.ts / 5))
        out.push(`(${g.name},${g.value},${s.value})`);
  return out;
}

/** The state machine's legal transitions, written out as a table. */
const NEXT: Record<string, Record<string, string>> = {
  Initial: { a: 'W', c: 'X' },
  W: { b: 'Y' },
  X: { b: 'Y', d: 'Z' },
  Y: { e: 'Z' },
  Z: { g: 'Terminal' },
};

/**
 * StateMachineExample: the events each source subtask generates (its generator seeded by its index, over
 * its share of the addresses), checked per address against the transition table; every event that is not
 * a legal transition is an alert, a terminal state starts the address over.
 */
export function stateMachineExpected(parallelism: number, eventsPerSubtask: number, errorRate: number): string[] {
  const perAddress = new Map<number, string[]>();
  const range = Math.floor(0x7fffffff / parallelism);
  for (let s = 0; s < parallelism; s++) {
    const gen = new EventsGenerator(seededRandom(1000 + s), errorRate);
    for (let i = 0; i < eventsPerSubtask; i++) {
      const e = gen.next(range * s, range * s + range);
      const list = perAddress.get(e.sourceAddress) ?? [];
      list.push(e.type);
      perAddress.set(e.sourceAddress, list);
    }
  }
  const alerts: string[] = [];
  for (const [address, types] of perAddress) {
    let state = 'Initial';
    for (const type of types) {
      const next = NEXT[state]?.[type];
      if (!next) alerts.push(`ALERT ${formatAddress(address)} : ${state} -> ${type}`);
      else state = next === 'Terminal' ? 'Initial' : next;
    }
  }
  return alerts;
}

/** AsyncIOExample: a running count per key-(n % 10) over the numbers 0 … maxCount-1. */
export function asyncIoExpected(maxCount: number): string[] {
  const counts = new Map<string, number>();
  const out: string[] = [];
  for (let n = 0; n < maxCount; n++) {
    const key = `key-${n % 10}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    out.push(`(${key},${counts.get(key)})`);
  }
  return out;
}

/** SessionWindowing: per id, event-time sessions with a gap of 3 ms over the example's fixed input, summed. */
export function sessionWindowingExpected(): string[] {
  const input: [string, number, number][] = [
    ['a', 1, 1],
    ['b', 1, 1],
    ['b', 3, 1],
    ['b', 5, 1],
    ['c', 6, 1],
    ['a', 10, 1],
    ['c', 11, 1],
  ];
  const gap = 3;
  const expected: string[] = [];
  for (const id of new Set(input.map((r) => r[0]))) {
    const rows = input.filter((r) => r[0] === id).sort((x, y) => x[1] - y[1]);
    let start = rows[0]!;
    let end = start[1] + gap;
    let sum = 0;
    for (const r of rows) {
      if (r[1] >= end) {
        expected.push(`(${id},${start[1]},${sum})`);
        start = r;
        sum = 0;
      }
      sum += r[2];
      end = Math.max(end, r[1] + gap);
    }
    expected.push(`(${id},${start[1]},${sum})`);
  }
  return expected;
}

/** SideOutputExample: words longer than 5 letters go to the side output, the others are counted. */
export function sideOutputExpected(): { rejected: string[]; counted: Map<string, number> } {
  const words = tokens();
  return { rejected: words.filter((w) => w.length > 5), counted: totals(words.filter((w) => w.length <= 5)) };
}

/**
 * IncrementalLearningSkeleton: the legacy training source (parallelism 1) feeds LinearTimestamp at the
 * job's parallelism `p` round-robin, and each assigner instance counts its own elements: its n-th gets the
 * timestamp 10·n. Each 5 s tumbling event-time window that holds an element yields one partial model, which
 * the Predictor turns into a 1 — so the windows are those of 10, 20, … up to the largest instance's count
 * (as in Flink, fewer models at a higher parallelism); each of the 50 new-data elements is predicted as a
 * 0. Output order between the two inputs depends on timing, so the answer is the multiset.
 */
export function incrementalLearningExpected(
  parallelism: number,
  trainingElements = 8200,
  newDataElements = 50,
): string[] {
  const perInstance = Math.ceil(trainingElements / parallelism);
  const windows = new Set<number>();
  for (let n = 1; n <= perInstance; n++) windows.add(Math.floor((n * 10) / 5000));
  return [...Array.from(windows, () => '1'), ...Array.from({ length: newDataElements }, () => '0')];
}
