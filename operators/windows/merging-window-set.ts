/**
 * MergingWindowSet (Flink's): for one key, the in-flight windows of a merging assigner, each mapped to
 * the "state window" whose namespace actually holds its contents. Merging never moves contents eagerly:
 * the merge result adopts one merged window's state window and the others' state is merged into it.
 *
 * Invariants: the mapping lives in keyed ListState "merging-window-set" (so checkpoints include it) as
 * [start, end, stateStart, stateEnd] rows and is written back by persist() only when it changed. A window
 * equal to the new window counts once in a merge group (Flink merges sets).
 */
import type { KeyedStateBackend } from '../../runtime/api/operator.js';
import { ListStateDescriptor, type ListState } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { MergingWindowAssigner } from './window-assigner.js';
import { TimeWindow } from './window.js';

export type MergeFunction = (
  mergeResult: TimeWindow,
  mergedWindows: TimeWindow[],
  stateWindowResult: TimeWindow,
  mergedStateWindows: TimeWindow[],
) => void;

type Row = [number, number, number, number];

export const MERGING_WINDOW_SET_STATE = new ListStateDescriptor<Row>('merging-window-set');

export class MergingWindowSet {
  /** window namespace → [window, state window] */
  private readonly mapping = new Map<string, [TimeWindow, TimeWindow]>();
  private readonly initial: string;
  private readonly state: ListState<Row>;

  constructor(
    private readonly assigner: MergingWindowAssigner<any, TimeWindow>,
    backend: KeyedStateBackend,
  ) {
    this.state = backend.getPartitionedState('', MERGING_WINDOW_SET_STATE);
    for (const [s, e, ss, se] of this.state.get())
      this.mapping.set(`${s}:${e}`, [new TimeWindow(s, e), new TimeWindow(ss, se)]);
    this.initial = this.serialize();
  }

  /** Writes the mapping back to keyed state if it changed since it was read. */
  persist(): void {
    const now = this.serialize();
    if (now === this.initial) return;
    const rows: Row[] = [...this.mapping.values()].map(([w, s]) => [w.start, w.end, s.start, s.end]);
    if (rows.length === 0) this.state.clear();
    else this.state.update(rows);
  }

  getStateWindow(window: TimeWindow): TimeWindow | undefined {
    return this.mapping.get(window.toString())?.[1];
  }

  /** Removes a window that was purged and cleaned up. */
  retireWindow(window: TimeWindow): void {
    if (!this.mapping.delete(window.toString())) {
      throw new SluiceError('WINDOW_STATE_INCONSISTENT', `Window ${window.toString()} is not in in-flight window set.`);
    }
  }

  windows(): TimeWindow[] {
    return [...this.mapping.values()].map(([w]) => w);
  }

  /**
   * Adds `newWindow`, merging it with in-flight windows as the assigner says; `mergeFunction` is called
   * for every merge that involves pre-existing windows. Returns the window `newWindow` ended up in.
   */
  addWindow(newWindow: TimeWindow, mergeFunction: MergeFunction): TimeWindow {
    const windows = [...this.mapping.values()].map(([w]) => w);
    windows.push(newWindow);
    const mergeResults: Array<[TimeWindow, TimeWindow[]]> = [];
    this.assigner.mergeWindows(
      windows,
      (toBeMerged, mergeResult) => void mergeResults.push([mergeResult, [...toBeMerged]]),
    );

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, group] of mergeResults) {
      const newKey = newWindow.toString();
      const idx = group.findIndex((w) => w.toString() === newKey);
      if (idx >= 0) {
        group.splice(idx, 1);
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // the merge result takes the state window of one of the merged windows (the earliest, for determinism)
      group.sort((a, b) => a.start - b.start || a.end - b.end);
      const mergedStateWindow = this.mapping.get(group[0]!.toString())![1];
      const mergedStateWindows: TimeWindow[] = [];
      for (const w of group) {
        const res = this.mapping.get(w.toString());
        if (res) {
          this.mapping.delete(w.toString());
          mergedStateWindows.push(res[1]);
        }
      }
      this.mapping.set(mergeResult.toString(), [mergeResult, mergedStateWindow]);
      const targetIdx = mergedStateWindows.findIndex((s) => s.equals(mergedStateWindow));
      if (targetIdx >= 0) mergedStateWindows.splice(targetIdx, 1);
      // a pre-existing window that merely absorbed the new window has nothing to merge
      if (!(group.length === 1 && group[0]!.equals(mergeResult)))
        mergeFunction(mergeResult, group, mergedStateWindow, mergedStateWindows);
    }
    if (mergeResults.length === 0 || (resultWindow.equals(newWindow) && !mergedNewWindow)) {
      this.mapping.set(resultWindow.toString(), [resultWindow, resultWindow]);
    }
    return resultWindow;
  }

  private serialize(): string {
    return [...this.mapping.values()]
      .map(([w, s]) => `${w.toString()}>${s.toString()}`)
      .sort()
      .join(',');
  }
}
