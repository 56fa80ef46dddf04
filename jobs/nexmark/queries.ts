/**
 * The Nexmark queries q0–q5, q7 and q8 on sluice's DataStream API, one function per query, each from the
 * events stream (timestamps and watermarks assigned) to its result stream. The SQL each implements is
 * Nexmark's (the `nexmark` project's queries/qN.sql); result rows have the SQL's column names.
 *
 * Deliberate differences, each documented at its query: q4 emits the updated average of a category whenever
 * it changes (Flink's SQL emits retractions and updates; the last value per category is the same); q7 matches
 * a bid to the window it falls in (half-open), where the SQL's BETWEEN would also match a bid stamped exactly at
 * the next window's start with the same maximum price.
 *
 * Invariant: every stateful operator has a uid (`nexmark-qN-…`), so the queries restore from savepoints.
 */
import {
  type Auction,
  type Bid,
  type DataStream,
  type KeyedCoProcessFunctionLike,
  type KeyedProcessContext,
  type Collector,
  type ListState,
  ListStateDescriptor,
  type MapState,
  MapStateDescriptor,
  type NexmarkEvent,
  type OnTimerContext,
  type Person,
  type RuntimeContext,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type ValueState,
  ValueStateDescriptor,
} from 'sluice';

export const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8'] as const;
export type QueryName = (typeof QUERIES)[number];

const isBid = (e: NexmarkEvent): e is Bid => e.kind === 'bid';
const isAuction = (e: NexmarkEvent): e is Auction => e.kind === 'auction';
const isPerson = (e: NexmarkEvent): e is Person => e.kind === 'person';
const bids = (events: DataStream<NexmarkEvent>) => events.filter(isBid).name('bids') as unknown as DataStream<Bid>;
const auctions = (events: DataStream<NexmarkEvent>) =>
  events.filter(isAuction).name('auctions') as unknown as DataStream<Auction>;
const persons = (events: DataStream<NexmarkEvent>) =>
  events.filter(isPerson).name('persons') as unknown as DataStream<Person>;

/** q0 pass-through: SELECT auction, bidder, price, dateTime, extra FROM bid. */
export function q0(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }))
    .name('q0: project');
}

/** q1 currency conversion: price in euros, 0.908 × price (the SQL's DECIMAL(23, 3), rounded to 3 places). */
export function q1(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .map((b) => ({
      auction: b.auction,
      bidder: b.bidder,
      price: Math.round(b.price * 908) / 1000,
      dateTime: b.dateTime,
      extra: b.extra,
    }))
    .name('q1: dollars to euros');
}

/** q2 selection: SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0. */
export function q2(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .filter((b) => b.auction % 123 === 0)
    .map((b) => ({ auction: b.auction, price: b.price }))
    .name('q2: auction % 123 = 0');
}

export interface Q3Row {
  name: string;
  city: string;
  state: string;
  id: number;
}

/** q3 local item suggestion: sellers in OR, ID or CA joined with their category-10 auctions (a regular join). */
class LocalItemJoin implements KeyedCoProcessFunctionLike<number, Person, Auction, Q3Row> {
  private person!: ValueState<Person | null>;
  private pending!: ListState<number>;
  open(ctx: RuntimeContext): void {
    this.person = ctx.getState(new ValueStateDescriptor<Person | null>('person', null));
    this.pending = ctx.getListState(new ListStateDescriptor<number>('pending-auctions'));
  }
  processElement1(p: Person, _ctx: KeyedProcessContext<number>, out: Collector<Q3Row>): void {
    this.person.update(p);
    for (const id of this.pending.get()) out.collect({ name: p.name, city: p.city, state: p.state, id });
    this.pending.clear();
  }
  processElement2(a: Auction, _ctx: KeyedProcessContext<number>, out: Collector<Q3Row>): void {
    const p = this.person.value();
    if (p) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
    else this.pending.add(a.id);
  }
}

const Q3_STATES = new Set(['OR', 'ID', 'CA']);
export function q3(events: DataStream<NexmarkEvent>) {
  const sellers = persons(events).filter((p) => Q3_STATES.has(p.state));
  const items = auctions(events).filter((a) => a.category === 10);
  return sellers
    .connect(items)
    .keyBy(
      (p: Person) => p.id,
      (a: Auction) => a.seller,
    )
    .process(new LocalItemJoin())
    .uid('nexmark-q3-join')
    .name('q3: seller ⋈ auction');
}

interface MaxChange {
  category: number;
  previous: number | null;
  current: number;
}

/**
 * q4, first half: per auction, the maximum bid price among bids within [auction.dateTime, auction.expires];
 * bids that arrive before their auction wait in state. Emits each change of an auction's maximum.
 */
class WinningBid implements KeyedCoProcessFunctionLike<number, Auction, Bid, MaxChange> {
  private auction!: ValueState<Auction | null>;
  private max!: ValueState<number | null>;
  private early!: ListState<[number, number]>;
  open(ctx: RuntimeContext): void {
    this.auction = ctx.getState(new ValueStateDescriptor<Auction | null>('auction', null));
    this.max = ctx.getState(new ValueStateDescriptor<number | null>('max-price', null));
    this.early = ctx.getListState(new ListStateDescriptor<[number, number]>('early-bids'));
  }
  private offer(a: Auction, price: number, at: number, out: Collector<MaxChange>): void {
    if (at < a.dateTime || at > a.expires) return;
    const previous = this.max.value() ?? null;
    if (previous !== null && price <= previous) return;
    this.max.update(price);
    out.collect({ category: a.category, previous, current: price });
  }
  processElement1(a: Auction, _ctx: KeyedProcessContext<number>, out: Collector<MaxChange>): void {
    this.auction.update(a);
    for (const [price, at] of this.early.get()) this.offer(a, price, at, out);
    this.early.clear();
  }
  processElement2(b: Bid, _ctx: KeyedProcessContext<number>, out: Collector<MaxChange>): void {
    const a = this.auction.value();
    if (a) this.offer(a, b.price, b.dateTime, out);
    else this.early.add([b.price, b.dateTime]);
  }
}

/** q4, second half: per category, the running sum and count of winning prices; emits the new average. */
class CategoryAverage {
  private sum!: ValueState<[number, number]>;
  open(ctx: RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor<[number, number]>('sum-count', [0, 0]));
  }
  processElement(c: MaxChange, _ctx: KeyedProcessContext<number>, out: Collector<{ id: number; final: number }>) {
    const [s, n] = this.sum.value() ?? [0, 0];
    const next: [number, number] = c.previous === null ? [s + c.current, n + 1] : [s + c.current - c.previous, n];
    this.sum.update(next);
    out.collect({ id: c.category, final: Math.trunc(next[0] / next[1]) });
  }
}

/** q4: SELECT category, AVG(final) over the auctions' winning prices (BIGINT average, truncated, as Flink's AVG). */
export function q4(events: DataStream<NexmarkEvent>) {
  return auctions(events)
    .connect(bids(events))
    .keyBy(
      (a: Auction) => a.id,
      (b: Bid) => b.auction,
    )
    .process(new WinningBid())
    .uid('nexmark-q4-winning-bid')
    .name('q4: max price per auction')
    .keyBy((c: MaxChange) => c.category)
    .process(new CategoryAverage())
    .uid('nexmark-q4-average')
    .name('q4: average per category');
}

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
    .aggregate(
      {
        createAccumulator: () => 0,
        add: (_b: Bid, n: number) => n + 1,
        getResult: (n: number) => n,
        merge: (a: number, b: number) => a + b,
      },
      (auction: number, ctx, counts: number[], out: Collector<AuctionCount>) =>
        out.collect({ auction, num: counts[0]!, end: ctx.window().end }),
    )
    .uid('nexmark-q5-counts')
    .name('q5: bids per auction and window')
    .keyBy((c: AuctionCount) => c.end)
    .process(new HottestInWindow())
    .uid('nexmark-q5-max')
    .name('q5: hottest auctions per window');
}

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

export interface Q8Row {
  id: number;
  name: string;
  stime: number;
}

/**
 * q8 monitor new users: people who opened an auction in the same tumbling 10 s window in which they joined.
 * Per person id: the person's window and name, and the windows in which they opened auctions; each pair is
 * reported once, and a window's state is dropped when the watermark passes its end.
 */
class NewSellers implements KeyedCoProcessFunctionLike<number, Person, Auction, Q8Row> {
  private person!: ValueState<[number, string, boolean] | null>;
  private auctionWindows!: MapState<number, boolean>;
  open(ctx: RuntimeContext): void {
    this.person = ctx.getState(new ValueStateDescriptor<[number, string, boolean] | null>('person-window', null));
    this.auctionWindows = ctx.getMapState(new MapStateDescriptor<number, boolean>('auction-windows'));
  }
  processElement1(p: Person, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    const start = p.dateTime - (p.dateTime % 10_000);
    const matched = this.auctionWindows.contains(start);
    if (matched) out.collect({ id: p.id, name: p.name, stime: start });
    this.person.update([start, p.name, matched]);
    ctx.timerService().registerEventTimeTimer(start + 10_000 - 1);
  }
  processElement2(a: Auction, ctx: KeyedProcessContext<number>, out: Collector<Q8Row>): void {
    const start = a.dateTime - (a.dateTime % 10_000);
    this.auctionWindows.put(start, true);
    const p = this.person.value();
    if (p && p[0] === start && !p[2]) {
      out.collect({ id: ctx.getCurrentKey(), name: p[1], stime: start });
      this.person.update([p[0], p[1], true]);
    }
    ctx.timerService().registerEventTimeTimer(start + 10_000 - 1);
  }
  onTimer(ts: number): void {
    const start = ts + 1 - 10_000;
    this.auctionWindows.remove(start);
    const p = this.person.value();
    if (p && p[0] === start) this.person.clear();
  }
}

export function q8(events: DataStream<NexmarkEvent>) {
  return persons(events)
    .connect(auctions(events))
    .keyBy(
      (p: Person) => p.id,
      (a: Auction) => a.seller,
    )
    .process(new NewSellers())
    .uid('nexmark-q8-join')
    .name('q8: new users with auctions');
}

export const QUERY_BUILDERS: Record<QueryName, (events: DataStream<NexmarkEvent>) => DataStream<any>> = {
  q0,
  q1,
  q2,
  q3,
  q4,
  q5,
  q7,
  q8,
};
