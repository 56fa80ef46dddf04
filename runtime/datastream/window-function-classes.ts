/**
 * Flink's window-function classes users extend: `ProcessWindowFunction` (`process(key, context, elements,
 * out)`, `context.window()` as in Flink), `ProcessAllWindowFunction` (the same without the key), and the
 * older `WindowFunction` / `AllWindowFunction` (`apply(key, window, input, out)`). Elements arrive as an
 * array (Flink's Iterable: `for (const e of elements)` reads the same).
 */
import type { ProcessWindowContext } from '../../operators/windows/window-functions.js';
import type { Window } from '../../operators/windows/window.js';
import type { Collector } from '../api/functions.js';
import { AbstractRichFunction } from '../api/rich-functions.js';

export abstract class ProcessWindowFunction<IN, OUT, KEY, W extends Window> extends AbstractRichFunction {
  abstract process(key: KEY, context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  /** Called when the window is purged for good; clear per-window state here. */
  clear(_context: ProcessWindowContext<W>): void {}
}
export declare namespace ProcessWindowFunction {
  type Context<W extends Window = Window> = ProcessWindowContext<W>;
}

export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  abstract process(context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  clear(_context: ProcessWindowContext<W>): void {}
}
export declare namespace ProcessAllWindowFunction {
  type Context<W extends Window = Window> = ProcessWindowContext<W>;
}

export abstract class WindowFunction<IN, OUT, KEY, W extends Window> extends AbstractRichFunction {
  abstract apply(key: KEY, window: W, input: IN[], out: Collector<OUT>): void;
}

export abstract class AllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  abstract apply(window: W, input: IN[], out: Collector<OUT>): void;
}
