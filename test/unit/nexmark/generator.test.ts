/**
 * The Nexmark generator: proportions, ids, distributions and event time as the benchmark specifies them;
 * determinism per event; the source's interleaved splits and restore positions; invalid configurations.
 */
import t from 'tap';
import {
  NEXMARK_DEFAULTS,
  NexmarkGenerator,
  NexmarkSource,
  type NexmarkEvent,
  nexmarkConfig,
} from '../../../runtime/exports/index.js';

const N = 50_000;
const gen = new NexmarkGenerator(nexmarkConfig({ events: N }));
const events = Array.from({ length: N }, (_, i) => gen.generate(i));
const of = <K extends NexmarkEvent['kind']>(k: K) =>
  events.filter((e) => e.kind === k) as Extract<NexmarkEvent, { kind: K }>[];

t.test('persons : auctions : bids = 1 : 3 : 46 in every 50 events', async (t) => {
  for (let epoch = 0; epoch < 20; epoch++) {
    const slice = events.slice(epoch * 50, epoch * 50 + 50);
    t.same(
      ['person', 'auction', 'bid'].map((k) => slice.filter((e) => e.kind === k).length),
      [1, 3, 46],
    );
  }
});

t.test(
  'person and auction ids are consecutive from 1000; bids and auctions refer to existing or near-future ids',
  async (t) => {
    t.same(
      of('person').map((p) => p.id),
      Array.from({ length: N / 50 }, (_, i) => 1000 + i),
    );
    t.same(
      of('auction').map((a) => a.id),
      Array.from({ length: (N / 50) * 3 }, (_, i) => 1000 + i),
    );
    const lastAuction = 1000 + (N / 50) * 3;
    const lastPerson = 1000 + N / 50;
    t.ok(
      of('bid').every((b) => b.auction >= 1000 && b.auction < lastAuction + 10),
      'bid auctions within the lead',
    );
    t.ok(
      of('bid').every((b) => b.bidder >= 1000 && b.bidder < lastPerson + 10),
      'bidders are people (within the lead)',
    );
    t.ok(
      of('auction').every((a) => a.seller >= 1000 && a.seller < lastPerson + 10),
      'sellers are people',
    );
    t.ok(
      of('auction').every((a) => a.category >= 10 && a.category < 15),
      'five categories from 10',
    );
  },
);

t.test('hot auctions, bidders and sellers follow the configured ratios', async (t) => {
  const bids = of('bid');
  // With hotAuctionRatio 2, about half the bids go to the first auction of the latest batch of 100.
  const hot = bids.filter((b) => (b.auction - 1000) % 100 === 0).length / bids.length;
  t.ok(hot > 0.45 && hot < 0.6, `hot-auction share ${hot.toFixed(3)} ≈ 0.5`);
  const hotBidders = bids.filter((b) => (b.bidder - 1000) % 100 === 1).length / bids.length;
  t.ok(hotBidders > 0.7 && hotBidders < 0.8, `hot-bidder share ${hotBidders.toFixed(3)} ≈ 0.75`);
  const sellers = of('auction');
  const hotSellers = sellers.filter((a) => (a.seller - 1000) % 100 === 0).length / sellers.length;
  t.ok(hotSellers > 0.7 && hotSellers < 0.8, `hot-seller share ${hotSellers.toFixed(3)} ≈ 0.75`);
});

t.test(
  'prices are 10^U(0,6) dollars in cents; reserve above the initial bid; auctions expire after they open',
  async (t) => {
    const prices = of('bid').map((b) => b.price);
    t.ok(
      prices.every((p) => Number.isInteger(p) && p >= 100 && p <= 100_000_000),
      'within [1 $, 1 M $]',
    );
    const decades = [0, 0, 0, 0, 0, 0];
    for (const p of prices) decades[Math.min(5, Math.floor(Math.log10(p / 100)))]!++;
    for (const d of decades) t.ok(Math.abs(d / prices.length - 1 / 6) < 0.02, `log-uniform: ${d}`);
    t.ok(of('auction').every((a) => a.reserve > a.initialBid && a.expires > a.dateTime));
  },
);

t.test('event time advances 1e6 / eventsPerSecond µs per event; sizes average the configured bytes', async (t) => {
  t.equal(events[0]!.dateTime, NEXMARK_DEFAULTS.baseTimeMs);
  t.equal(events[10_000]!.dateTime, NEXMARK_DEFAULTS.baseTimeMs + 1000, '10 000 events/s of event time');
  t.ok(
    events.every((e, i) => i === 0 || e.dateTime >= events[i - 1]!.dateTime),
    'monotonous',
  );
  const size = (b: { extra: string }) => 32 + b.extra.length;
  const avg = of('bid').reduce((s, b) => s + size(b), 0) / of('bid').length;
  t.ok(Math.abs(avg - 100) < 5, `bid size ≈ 100 bytes (${avg.toFixed(1)})`);
});

t.test('an event depends only on its number', async (t) => {
  const other = new NexmarkGenerator(nexmarkConfig({ events: N }));
  for (const i of [0, 1, 7, 49, 12_345, N - 1]) t.same(other.generate(i), events[i]);
});

t.test('splits interleave event numbers and resume from their position', async (t) => {
  const src = new NexmarkSource({ events: 100 });
  const splits = src.createSplits(3);
  t.same(
    splits.map((s) => [s.next, s.stride]),
    [
      [0, 3],
      [1, 3],
      [2, 3],
    ],
  );
  const got: number[] = [];
  const reader = src.createReader({ subtaskIndex: 0, parallelism: 1, jobConfig: {}, reportMalformed() {} });
  reader.addSplits([{ ...splits[1]!, next: 31 }]);
  const out = { collect: (e: NexmarkEvent) => got.push(e.dateTime), markIdle() {} };
  while (reader.pollNext(out) !== 'END_OF_INPUT');
  const expect = [];
  for (let n = 31; n < 100; n += 3) expect.push(gen.generate(n).dateTime);
  t.same(got, expect, 'a restored split regenerates exactly the events after its position');
});

t.test('invalid configurations are refused with the option named', async (t) => {
  t.throws(() => new NexmarkSource({ eventsPerSecond: -5 }), /eventsPerSecond = -5 must be a positive number/);
  t.throws(() => new NexmarkSource({ personProportion: 0 }), /personProportion = 0 must be an integer ≥ 1/);
  t.throws(() => new NexmarkSource({ events: 0 }), /events = 0/);
  t.throws(() => nexmarkConfig({ bogus: 1 } as never), /bogus = 1 is not a Nexmark option/);
  t.throws(() => new NexmarkSource({ maxEmitPerSecond: -1 }), { code: 'NEXMARK_CONFIG' });
});
