/**
 * Two-input operators: (Keyed)CoProcessOperator, CoMap, CoFlatMap. The runtime sets the current key from
 * the input's key selector before each element; watermarks combine as min(input1, input2) in the runtime.
 */
import { AbstractUdfOperator } from '../../runtime/api/abstract-operator.js';
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
} from '../../runtime/api/functions.js';
import type { InternalTimer, Triggerable } from '../../runtime/api/operator.js';
import { TimeDomain } from '../../runtime/api/time.js';

export class CoProcessOperator
  extends AbstractUdfOperator<
    CoProcessFunction<unknown, unknown, unknown> | KeyedCoProcessFunction<unknown, unknown, unknown, unknown>
  >
  implements Triggerable
{
  override async open(): Promise<void> {
    if (this.userFunction.onTimer && this.ctx.keyedStateBackend) this.timers(this);
    await super.open();
  }

  /** A user function may return a Promise (e.g. training a model); the task waits for it before the next element. */
  processElement1(r: StreamRecord): void | Promise<void> {
    this.currentTimestamp = r.timestamp;
    return this.userFunction.processElement1(r.value, this.functionContext, this.collector) as void | Promise<void>;
  }

  processElement2(r: StreamRecord): void | Promise<void> {
    this.currentTimestamp = r.timestamp;
    return this.userFunction.processElement2(r.value, this.functionContext, this.collector) as void | Promise<void>;
  }

  onEventTime(t: InternalTimer): void {
    this.enterTimer(t, TimeDomain.EVENT_TIME);
    this.userFunction.onTimer?.(t.timestamp, this.functionContext, this.collector);
  }

  onProcessingTime(t: InternalTimer): void {
    this.enterTimer(t, TimeDomain.PROCESSING_TIME);
    this.userFunction.onTimer?.(t.timestamp, this.functionContext, this.collector);
  }
}

export class CoMapOperator extends AbstractUdfOperator<CoMapFunction<unknown, unknown, unknown>> {
  processElement1(r: StreamRecord): void {
    this.ctx.output.collect({
      kind: ElementKind.Record,
      value: this.userFunction.map1(r.value),
      timestamp: r.timestamp,
    });
  }
  processElement2(r: StreamRecord): void {
    this.ctx.output.collect({
      kind: ElementKind.Record,
      value: this.userFunction.map2(r.value),
      timestamp: r.timestamp,
    });
  }
}

export class CoFlatMapOperator extends AbstractUdfOperator<CoFlatMapFunction<unknown, unknown, unknown>> {
  processElement1(r: StreamRecord): void {
    this.currentTimestamp = r.timestamp;
    this.userFunction.flatMap1(r.value, this.collector);
  }
  processElement2(r: StreamRecord): void {
    this.currentTimestamp = r.timestamp;
    this.userFunction.flatMap2(r.value, this.collector);
  }
}
