/**
 * Nexmark q12, processing-time windows (queries/q12.sql): per bidder, the bids in each tumbling window of
 * 10 s of processing time (the wall clock when the bid reaches the window operator). One row per bidder and
 * window: bidder, bid_count, starttime, endtime (window_start and window_end).
 *
 * Processing time makes the rows depend on the run's speed: which window a bid lands in is not a function
 * of the input, so no oracle can give the rows. What is a function of the input, and what the unit test
 * checks: every window is aligned to 10 s (starttime a multiple of 10 000 ms, endtime = starttime + 10 000)
 * and, per bidder, the counts summed over the windows equal the bidder's number of bids.
 *
 * Deliberate difference: sluice fires no processing-time timer once a bounded input has ended (a finished
 * task's timers are quiesced), so with Flink's ProcessingTimeTrigger the windows still open at the end of a
 * bounded run would be dropped. q12's trigger (ProcessingTimeOrEndOfInput below) fires them at the end-of-
 * input watermark too, so a bounded run counts every bid. An unbounded run never sees that watermark: there
 * the trigger is exactly ProcessingTimeTrigger.
 *
 * Invariants: one count per (bidder, open window); a window's row is emitted once, when the processing-time
 * clock passes its end or at the end of a bounded input, whichever is first; uid `nexmark-q12-windows`.
 */
import {
  type Bid,
  type Collector,
  type DataStream,
  type NexmarkEvent,
  type TimeWindow,
  type Trigger,
  type TriggerContext,
  TriggerResult,
  TumblingProcessingTimeWindows,
} from 'sluice';
import { bids, countBids } from './event-streams.js';

export const Q12_WINDOW_MS = 10_000;
/** The watermark a bounded source emits at the end of input: Flink's Long.MAX_VALUE, 2^63 as a double. */
const END_OF_INPUT_WATERMARK = 2 ** 63;

export interface Q12Row {
  bidder: number;
  bid_count: number;
  starttime: number;
  endtime: number;
}

/** ProcessingTimeTrigger (fire when the clock passes the window's end) that also fires at the end of input. */
class ProcessingTimeOrEndOfInput implements Trigger<Bid, TimeWindow> {
  onElement(_b: Bid, _ts: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    ctx.registerEventTimeTimer(END_OF_INPUT_WATERMARK);
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }
  onEventTime(time: number): TriggerResult {
    return time >= END_OF_INPUT_WATERMARK ? TriggerResult.FIRE_AND_PURGE : TriggerResult.CONTINUE;
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
    ctx.deleteEventTimeTimer(END_OF_INPUT_WATERMARK);
  }
}

/** q12: SELECT bidder, count(*), window_start, window_end FROM TUMBLE(bid, PROCTIME(), 10 s) GROUP BY … */
export function q12(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .keyBy((b: Bid) => b.bidder)
    .window(TumblingProcessingTimeWindows.of(Q12_WINDOW_MS))
    .trigger(new ProcessingTimeOrEndOfInput())
    .aggregate(countBids, (bidder: number, ctx, counts: number[], out: Collector<Q12Row>) =>
      out.collect({ bidder, bid_count: counts[0]!, starttime: ctx.window().start, endtime: ctx.window().end }),
    )
    .uid('nexmark-q12-windows')
    .name('q12: bids per bidder and processing-time window');
}
