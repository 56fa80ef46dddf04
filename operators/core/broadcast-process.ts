/**
 * (Keyed)BroadcastProcessOperator: input 1 is the (keyed or not) data stream, input 2 the broadcast
 * stream. Broadcast state lives in the operator state store (copied to every subtask on restore); it is
 * writable only from processBroadcastElement, as in Flink.
 */
import { AbstractUdfOperator } from '../../runtime/api/abstract-operator.js';
import type { StreamRecord } from '../../runtime/api/elements.js';
import type {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  OnTimerContext,
} from '../../runtime/api/functions.js';
import type { InternalTimer, Triggerable } from '../../runtime/api/operator.js';
import type { MapStateDescriptor, StateDescriptor, StateOf } from '../../runtime/api/state.js';
import { TimeDomain } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';

type Fn =
  | BroadcastProcessFunction<unknown, unknown, unknown>
  | KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;

export class BroadcastProcessOperator extends AbstractUdfOperator<Fn> implements Triggerable {
  constructor(
    fn: Fn,
    private readonly descriptors: MapStateDescriptor<unknown, unknown>[],
  ) {
    super(fn);
  }

  private checkDescriptor(d: MapStateDescriptor<unknown, unknown>) {
    if (!this.descriptors.some((x) => x.name === d.name)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `broadcast state "${d.name}" was not declared in broadcast(...) for operator "${this.ctx.operatorName}"`,
      );
    }
    return this.ctx.operatorStateStore.getBroadcastState(d);
  }

  private readonly readOnlyCtx = {
    ...this.functionContext,
    getBroadcastState: (d: MapStateDescriptor<any, any>) => this.checkDescriptor(d),
  } as unknown as OnTimerContext & { getBroadcastState: never };
  private readonly broadcastCtx = {
    ...this.functionContext,
    getBroadcastState: (d: MapStateDescriptor<any, any>) => this.checkDescriptor(d),
    applyToKeyedState: <D extends StateDescriptor>(desc: D, fn: (key: unknown, state: StateOf<D>) => void) => {
      const kb = this.ctx.keyedStateBackend;
      if (!kb) throw new SluiceError('API_NOT_KEYED', 'applyToKeyedState needs a keyed data stream');
      kb.applyToAllKeys('', desc, fn);
    },
  };

  override async open(): Promise<void> {
    for (const d of this.descriptors) this.ctx.operatorStateStore.getBroadcastState(d);
    if (
      (this.userFunction as KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>).onTimer &&
      this.ctx.keyedStateBackend
    )
      this.timers(this);
    await super.open();
  }

  processElement1(r: StreamRecord): void {
    this.currentTimestamp = r.timestamp;
    this.userFunction.processElement(r.value, this.readOnlyCtx as never, this.collector);
  }

  processElement2(r: StreamRecord): void {
    this.currentTimestamp = r.timestamp;
    this.userFunction.processBroadcastElement(r.value, this.broadcastCtx as never, this.collector);
  }

  onEventTime(t: InternalTimer): void {
    this.enterTimer(t, TimeDomain.EVENT_TIME);
    (this.userFunction as KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>).onTimer?.(
      t.timestamp,
      this.readOnlyCtx as never,
      this.collector,
    );
  }

  onProcessingTime(t: InternalTimer): void {
    this.enterTimer(t, TimeDomain.PROCESSING_TIME);
    (this.userFunction as KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>).onTimer?.(
      t.timestamp,
      this.readOnlyCtx as never,
      this.collector,
    );
  }
}
