/**
 * Nexmark q3, local item suggestion (queries/q3.sql): sellers in OR, ID or CA joined with the auctions they
 * open in category 10, a regular (unwindowed) join keyed by person id. Result rows have the SQL's columns.
 *
 * Invariants: per person id, the person (when seen) and the ids of auctions that arrived before it; each
 * (person, auction) pair is emitted once, whichever side arrives first. The join's uid is `nexmark-q3-join`.
 */
import {
  type Auction,
  type Collector,
  type DataStream,
  type KeyedCoProcessFunctionLike,
  type KeyedProcessContext,
  type ListState,
  ListStateDescriptor,
  type NexmarkEvent,
  type Person,
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
} from 'sluice';
import { auctions, persons } from './event-streams.js';

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
