/**
 * Nexmark q5, hot items (queries/q5.sql): bids per auction in sliding event-time windows of 10 s every 2 s;
 * per window, the auctions whose count is the window's maximum.
 *
 * Invariants: the per-window maximum is taken when the watermark passes the window's end, once every
 * subtask's counts for it have arrived; its state is then cleared. uids `nexmark-q5-counts`, `nexmark-q5-max`.
 */
import {
  type Bid,
  type Collector,
  type DataStream,
  type KeyedProcessContext,
  type ListState,
  ListStateDescriptor,
  type NexmarkEvent,
  type OnTimerContext,
  type RuntimeContext,
  SlidingEventTimeWindows,
} from 'sluice';
import { bids, countBids } from './event-streams.js';

interface AuctionCount {
  auction: number;
  num: number;
  end: number;
}

/**
 * q5 hot items: bids per auction in sliding windows of 10 s every 2 s; per window, the auctions whose count
 * is the window's maximum. The per-window maximum waits for the watermark to pass the window's end, when
 * every subtask's counts for it have arrived.
 */
class HottestInWindow {
  private counts!: ListState<[number, number]>;
  open(ctx: RuntimeContext): void {
    this.counts = ctx.getListState(new ListStateDescriptor<[number, number]>('counts'));
  }
  processElement(c: AuctionCount, ctx: KeyedProcessContext<number>): void {
    this.counts.add([c.auction, c.num]);
    ctx.timerService().registerEventTimeTimer(c.end - 1);
  }
  onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<{ auction: number; num: number }>): void {
    const all = this.counts.get();
    let max = 0;
    for (const [, n] of all) if (n > max) max = n;
    for (const [auction, num] of all) if (num >= max) out.collect({ auction, num });
    this.counts.clear();
  }
}

export function q5(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .keyBy((b: Bid) => b.auction)
    .window(SlidingEventTimeWindows.of(10_000, 2_000))
    .aggregate(countBids, (auction: number, ctx, counts: number[], out: Collector<AuctionCount>) =>
      out.collect({ auction, num: counts[0]!, end: ctx.window().end }),
    )
    .uid('nexmark-q5-counts')
    .name('q5: bids per auction and window')
    .keyBy((c: AuctionCount) => c.end)
    .process(new HottestInWindow())
    .uid('nexmark-q5-max')
    .name('q5: hottest auctions per window');
}
