/**
 * Nexmark q7, highest bid (queries/q7.sql): per tumbling event-time window of 10 s, the bids whose price is
 * the window's maximum.
 *
 * Deliberate difference: a bid is matched to the window it falls in (half-open), where the SQL's BETWEEN
 * would also match a bid stamped exactly at the next window's start with the same maximum price.
 *
 * Invariant: one all-window aggregate (parallelism 1, as the SQL's global maximum), uid `nexmark-q7-max`.
 */
import { type Bid, type Collector, type DataStream, type NexmarkEvent, TumblingEventTimeWindows } from 'sluice';
import { bids } from './event-streams.js';

interface HighestBids {
  max: number;
  bids: Bid[];
}

/** q7 highest bid: per tumbling 10 s window, the bids whose price is the window's maximum. */
export function q7(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .windowAll(TumblingEventTimeWindows.of(10_000))
    .aggregate({
      createAccumulator: (): HighestBids => ({ max: -1, bids: [] }),
      add(b: Bid, acc: HighestBids): HighestBids {
        if (b.price > acc.max) return { max: b.price, bids: [b] };
        if (b.price === acc.max) acc.bids.push(b);
        return acc;
      },
      getResult: (acc: HighestBids) => acc.bids,
      merge: (a: HighestBids, b: HighestBids) =>
        a.max === b.max ? { max: a.max, bids: [...a.bids, ...b.bids] } : a.max > b.max ? a : b,
    })
    .uid('nexmark-q7-max')
    .name('q7: highest bids per window')
    .flatMap((winners: Bid[], out: Collector<Omit<Bid, 'kind' | 'channel' | 'url'>>) => {
      for (const b of winners)
        out.collect({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
    })
    .name('q7: project');
}
