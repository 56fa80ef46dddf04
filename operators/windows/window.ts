/**
 * Windows (Flink's TimeWindow and GlobalWindow) and their state namespaces.
 *
 * Invariants: a TimeWindow is [start, end) with maxTimestamp = end − 1; two TimeWindows intersect when they
 * overlap or touch (start ≤ other.end && end ≥ other.start), so adjacent sessions merge. The namespace of
 * a window — the key under which its state and timers live — is "start:end" for a TimeWindow and "global"
 * for the GlobalWindow; windowFromNamespace inverts it.
 */
import { LONG_MAX } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';

export interface Window {
  /** Largest timestamp that still belongs to the window. */
  maxTimestamp(): number;
  /** The window's state namespace. */
  toString(): string;
}

export class TimeWindow implements Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  maxTimestamp(): number {
    return this.end - 1;
  }

  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  toString(): string {
    return `${this.start}:${this.end}`;
  }

  /** Flink's TimeWindow.getWindowStartWithOffset (Java % truncates toward zero, as JS %). */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Flink's TimeWindow.mergeWindows: sorts by start, groups overlapping or touching windows (a group is a
   * set: equal windows count once) and calls `merge(group, cover)` for every group of more than one window.
   */
  static mergeWindows(
    windows: Iterable<TimeWindow>,
    merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    const groups: Array<{ cover: TimeWindow; members: Map<string, TimeWindow> }> = [];
    let current: { cover: TimeWindow; members: Map<string, TimeWindow> } | undefined;
    for (const w of sorted) {
      if (current?.cover.intersects(w)) {
        current.cover = current.cover.cover(w);
        current.members.set(w.toString(), w);
      } else {
        current = { cover: w, members: new Map([[w.toString(), w]]) };
        groups.push(current);
      }
    }
    for (const g of groups) if (g.members.size > 1) merge([...g.members.values()], g.cover);
  }
}

/** The single window of GlobalWindows; it never ends. */
export class GlobalWindow implements Window {
  private static readonly INSTANCE = new GlobalWindow();
  private constructor() {}
  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }
  maxTimestamp(): number {
    return LONG_MAX;
  }
  equals(other: unknown): boolean {
    return other === this;
  }
  toString(): string {
    return 'global';
  }
}

/** Rebuilds a window from its namespace ("start:end" or "global"). */
export function windowFromNamespace(namespace: string): TimeWindow | GlobalWindow {
  if (namespace === 'global') return GlobalWindow.get();
  const i = namespace.indexOf(':', 1);
  const start = Number(namespace.slice(0, i));
  const end = Number(namespace.slice(i + 1));
  if (i < 0 || !Number.isFinite(start) || !Number.isFinite(end)) {
    throw new SluiceError(
      'STATE_CORRUPT_NAMESPACE',
      `"${namespace}" is not a window namespace ("start:end" or "global")`,
    );
  }
  return new TimeWindow(start, end);
}
