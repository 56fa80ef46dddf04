/**
 * The base of Flink's function classes users extend — `AbstractRichFunction` with `getRuntimeContext()`,
 * default `open`/`close` — and the one-input ones: `RichMapFunction`, `RichFlatMapFunction`,
 * `RichFilterFunction`, `RichReduceFunction`. Plain functions and object literals keep working wherever
 * these are accepted; a class is just an object with the method the operator calls.
 *
 * Invariants: the runtime context is attached by `openFunction` (every operator opens user functions
 * through it) before `open` runs, on the per-subtask copy of the function; `getRuntimeContext()` before
 * that is an API_NO_RUNTIME_CONTEXT error, as Flink's IllegalStateException. `open` receives the
 * OpenContext, which in sluice is the RuntimeContext itself (so 1.x-style `open(ctx)` code that reads state
 * from its argument keeps working).
 */
import { SluiceError } from '../errors/catalogue.js';
import type { Collector, RuntimeContext } from './functions.js';

/** Flink 2.x `open(OpenContext)`: sluice passes the RuntimeContext, which is also the OpenContext. */
export type OpenContext = RuntimeContext;

/**
 * Flink 1.x `open(Configuration parameters)`: accepted so ported code type-checks; the value passed is the
 * OpenContext. A small string map otherwise (`new Configuration()`), as Flink's.
 * @deprecated Flink 2.x passes an OpenContext to open().
 */
export class Configuration {
  private readonly values = new Map<string, string>();
  setString(key: string, value: string): void {
    this.values.set(key, value);
  }
  getString(key: string, defaultValue?: string): string | undefined {
    return this.values.get(key) ?? defaultValue;
  }
  setInteger(key: string, value: number): void {
    this.values.set(key, String(Math.trunc(value)));
  }
  getInteger(key: string, defaultValue: number): number {
    const v = this.values.get(key);
    return v === undefined ? defaultValue : Number.parseInt(v, 10);
  }
  setBoolean(key: string, value: boolean): void {
    this.values.set(key, String(value));
  }
  getBoolean(key: string, defaultValue: boolean): boolean {
    const v = this.values.get(key);
    return v === undefined ? defaultValue : v === 'true';
  }
  toMap(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}

const RUNTIME_CONTEXT = Symbol('sluice.runtimeContext');

export abstract class AbstractRichFunction {
  declare private [RUNTIME_CONTEXT]?: RuntimeContext;

  /** Called by the runtime before open(); not for user code. */
  setRuntimeContext(ctx: RuntimeContext): void {
    Object.defineProperty(this, RUNTIME_CONTEXT, { value: ctx, configurable: true, writable: true });
  }
  getRuntimeContext(): RuntimeContext {
    const ctx = this[RUNTIME_CONTEXT];
    if (!ctx)
      throw new SluiceError(
        'API_NO_RUNTIME_CONTEXT',
        `${this.constructor.name}.getRuntimeContext(): the runtime context is only available from open() on, once the function runs in a task`,
      );
    return ctx;
  }
  open(_openContext: OpenContext | Configuration): void | Promise<void> {}
  close(): void | Promise<void> {}
}

export abstract class RichMapFunction<IN, OUT> extends AbstractRichFunction {
  abstract map(value: IN): OUT;
}

export abstract class RichFlatMapFunction<IN, OUT> extends AbstractRichFunction {
  abstract flatMap(value: IN, out: Collector<OUT>): void;
}

export abstract class RichFilterFunction<T> extends AbstractRichFunction {
  abstract filter(value: T): boolean;
}

export abstract class RichReduceFunction<T> extends AbstractRichFunction {
  abstract reduce(value1: T, value2: T): T;
}

/** Attaches the runtime context and opens an object/class user function; lambdas need neither. */
export async function openFunction(fn: unknown, ctx: RuntimeContext): Promise<void> {
  if (!fn || typeof fn !== 'object') return;
  const f = fn as { setRuntimeContext?: (c: RuntimeContext) => void; open?: (c: RuntimeContext) => unknown };
  if (typeof f.setRuntimeContext === 'function') f.setRuntimeContext(ctx);
  await f.open?.(ctx);
}
