/**
 * Flink's process-function classes users extend: `ProcessFunction`, `KeyedProcessFunction`,
 * `CoProcessFunction`, `KeyedCoProcessFunction`, `BroadcastProcessFunction`,
 * `KeyedBroadcastProcessFunction`, `ProcessJoinFunction`. Each is an AbstractRichFunction with Flink's
 * abstract method names; `onTimer` is optional as in Flink (the default does nothing). Their nested
 * `Context` / `OnTimerContext` types are reachable as in Java (`ProcessFunction.Context`).
 *
 * Invariant: these are only a convenient shape; operators call the methods by name, so a lambda or an
 * object literal with the same methods is accepted wherever a class instance is.
 */
import type { ProcessJoinContext } from '../../operators/joins/interval-join-operator.js';
import type {
  BroadcastContext,
  BroadcastReadOnlyContext,
  Collector,
  KeyedBroadcastContext,
  KeyedProcessContext,
  OnTimerContext as OnTimerCtx,
  ProcessContext,
} from '../api/functions.js';
import { AbstractRichFunction } from '../api/rich-functions.js';

export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void | Promise<void>;
}
export declare namespace ProcessFunction {
  type Context = ProcessContext;
  type OnTimerContext = OnTimerCtx;
}

export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void | Promise<void>;
  onTimer(_timestamp: number, _ctx: OnTimerCtx<K>, _out: Collector<O>): void {}
}
export declare namespace KeyedProcessFunction {
  type Context<K = any> = KeyedProcessContext<K>;
  type OnTimerContext<K = any> = OnTimerCtx<K>;
}

export abstract class CoProcessFunction<I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  abstract processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerCtx, _out: Collector<O>): void {}
}
export declare namespace CoProcessFunction {
  type Context = ProcessContext;
  type OnTimerContext = OnTimerCtx;
}

export abstract class KeyedCoProcessFunction<K, I1, I2, O> extends AbstractRichFunction {
  abstract processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void | Promise<void>;
  abstract processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void | Promise<void>;
  onTimer(_timestamp: number, _ctx: OnTimerCtx<K>, _out: Collector<O>): void {}
}
export declare namespace KeyedCoProcessFunction {
  type Context<K = any> = KeyedProcessContext<K>;
  type OnTimerContext<K = any> = OnTimerCtx<K>;
}

export abstract class BroadcastProcessFunction<I1, I2, O> extends AbstractRichFunction {
  abstract processElement(value: I1, ctx: BroadcastReadOnlyContext, out: Collector<O>): void;
  abstract processBroadcastElement(value: I2, ctx: BroadcastContext, out: Collector<O>): void;
}
export declare namespace BroadcastProcessFunction {
  type ReadOnlyContext = BroadcastReadOnlyContext;
  type Context = BroadcastContext;
}

export abstract class KeyedBroadcastProcessFunction<K, I1, I2, O> extends AbstractRichFunction {
  abstract processElement(value: I1, ctx: BroadcastReadOnlyContext & KeyedProcessContext<K>, out: Collector<O>): void;
  abstract processBroadcastElement(value: I2, ctx: KeyedBroadcastContext, out: Collector<O>): void;
  onTimer(_timestamp: number, _ctx: OnTimerCtx<K> & BroadcastReadOnlyContext, _out: Collector<O>): void {}
}
export declare namespace KeyedBroadcastProcessFunction {
  type ReadOnlyContext<K = any> = BroadcastReadOnlyContext & KeyedProcessContext<K>;
  type Context = KeyedBroadcastContext;
}

export abstract class ProcessJoinFunction<L, R, O> extends AbstractRichFunction {
  abstract processElement(left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>): void;
}
export declare namespace ProcessJoinFunction {
  type Context = ProcessJoinContext;
}
