/**
 * Nexmark q8, monitor new users (queries/q8.sql): people who opened an auction in the same tumbling
 * event-time window of 10 s in which they joined.
 *
 * Invariants: keyed by person id (the auction's seller); each (person, window) pair is reported once; a
 * window's state is dropped when the watermark passes its end. uid `nexmark-q8-join`.
 */
import {
  type Auction,
  type Collector,
  type DataStream,
  type KeyedCoProcessFunctionLike,
  type KeyedProcessContext,
  type MapState,
  MapStateDescriptor,
  type NexmarkEvent,
  type Person,
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
} from 'sluice';
import { auctions, persons } from './event-streams.js';

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
