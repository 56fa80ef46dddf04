/**
 * q9's ranking on hand-made events, where the generated workload of queries.test.ts has no case: equal
 * prices (the earlier bid wins; at equal times the lower bidder id), bids stamped exactly at an auction's
 * `dateTime` and `expires` (the SQL's BETWEEN includes both), one past `expires`, one before its auction's
 * `dateTime`. Auctions and bids reach the join on two inputs, so how they interleave is the runtime's; bids
 * that arrive before their auction are exercised by queries.test.ts (dropping them fails it there).
 */
import t from 'tap';
import type { Auction, Bid, NexmarkEvent } from '../../../runtime/exports/index.js';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../runtime/exports/index.js';
import { q9 } from '../../../jobs/nexmark/queries.js';

const auction = (id: number, dateTime: number, expires: number): Auction => ({
  kind: 'auction',
  id,
  itemName: `item-${id}`,
  description: '',
  initialBid: 1,
  reserve: 1,
  dateTime,
  expires,
  seller: 1000,
  category: 10,
  extra: '',
});
const bid = (auction: number, price: number, dateTime: number, bidder: number): Bid => ({
  kind: 'bid',
  auction,
  bidder,
  price,
  channel: 'Google',
  url: '',
  dateTime,
  extra: '',
});

t.test('q9 ranks by price, then earliest, then lowest bidder, within [dateTime, expires]', async (t) => {
  const events: NexmarkEvent[] = [
    auction(1000, 0, 1000),
    auction(1001, 0, 50),
    bid(1000, 5, 5, 9),
    bid(1000, 5, 10, 7), // same price, later: loses to bidder 9
    bid(1000, 6, 20, 3),
    bid(1000, 6, 20, 2), // same price and time: the lower bidder wins
    bid(1000, 6, 30, 1), // same price, later
    bid(1001, 9, 50, 4), // stamped at expires: included
    bid(1001, 10, 51, 5), // past expires: excluded
    bid(1002, 99, 55, 6), // before its auction's dateTime: excluded
    bid(1002, 8, 60, 7), // at its auction's dateTime: included
    auction(1002, 60, 2000),
    bid(1000, 100, 1001, 8), // past expires: excluded
  ];
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const stream = env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>().withTimestampAssigner((e) => e.dateTime),
    );
  const rows = (await q9(stream).executeAndCollect()) as {
    id: number;
    bidder: number;
    price: number;
    bid_dateTime: number;
  }[];
  t.same(
    rows.map((r) => [r.id, r.price, r.bid_dateTime, r.bidder]).sort((a, b) => a[0]! - b[0]!),
    [
      [1000, 6, 20, 2],
      [1001, 9, 50, 4],
      [1002, 8, 60, 7],
    ],
  );
});
