/**
 * The Nexmark event generator as the benchmark specifies it: event n is a person, an auction or a bid by
 * n mod (person + auction + bid proportions) (1 : 3 : 46 by default, so 2 % / 6 % / 92 %); ids, hot sellers,
 * hot bidders, hot auctions, in-flight auctions, active people, prices (10^U(0,6) dollars, in cents), auction
 * lengths and padding follow the formulas of Nexmark's Person/Auction/Bid generators. Event time is
 * `baseTime + floor(n · 1e6 / eventsPerSecond µs / 1000)`.
 *
 * Invariant: `generate(n)` is a pure function of (config, n): any subtask can produce any event, and a
 * restored source regenerates exactly what it would have. Events are plain objects (one per call).
 */
import type { NexmarkConfig } from './config.js';
import type { Auction, Bid, NexmarkEvent, Person } from './model.js';
import { EventRandom } from './random.js';
import { nextExtra, nextString } from './strings.js';

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = [
  'Phoenix',
  'Los Angeles',
  'San Francisco',
  'Boise',
  'Portland',
  'Bend',
  'Redmond',
  'Seattle',
  'Kent',
  'Cheyenne',
];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

function baseUrl(r: EventRandom): string {
  return `https://www.nexmark.com/${nextString(r, 5, '_')}/${nextString(r, 5, '_')}/${nextString(r, 5, '_')}/item.htm?query=1`;
}

/** Java's Integer.reverse. */
function reverseBits32(i: number): number {
  let x = i >>> 0;
  let out = 0;
  for (let b = 0; b < 32; b++) {
    out = (out << 1) | (x & 1);
    x >>>= 1;
  }
  return out | 0;
}

const fixed = new EventRandom().reseed(0x636e6c73);
const HOT_URLS = HOT_CHANNELS.map(() => baseUrl(fixed));
const CHANNEL_URLS: string[] = [];
for (let i = 0; i < CHANNELS_NUMBER; i++) {
  const url = baseUrl(fixed);
  CHANNEL_URLS.push(fixed.nextInt(10) > 0 ? `${url}&channel_id=${Math.abs(reverseBits32(i))}` : url);
}

export class NexmarkGenerator {
  private readonly r = new EventRandom();
  private readonly total: number;
  private readonly interEventDelayUs: number;

  constructor(readonly config: NexmarkConfig) {
    this.total = config.personProportion + config.auctionProportion + config.bidProportion;
    this.interEventDelayUs = 1e6 / config.eventsPerSecond;
  }

  timestampForEvent(n: number): number {
    return this.config.baseTimeMs + Math.floor(Math.floor(n * this.interEventDelayUs) / 1000);
  }

  kindOf(n: number): NexmarkEvent['kind'] {
    const rem = n % this.total;
    const c = this.config;
    return rem < c.personProportion ? 'person' : rem < c.personProportion + c.auctionProportion ? 'auction' : 'bid';
  }

  generate(n: number): NexmarkEvent {
    const ts = this.timestampForEvent(n);
    this.r.reseed(n);
    const kind = this.kindOf(n);
    return kind === 'person' ? this.person(n, ts) : kind === 'auction' ? this.auction(n, ts) : this.bid(n, ts);
  }

  lastBase0PersonId(n: number): number {
    const c = this.config;
    const epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset >= c.personProportion) offset = c.personProportion - 1;
    return epoch * c.personProportion + offset;
  }

  lastBase0AuctionId(n: number): number {
    const c = this.config;
    let epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset < c.personProportion) {
      epoch--;
      offset = c.auctionProportion - 1;
    } else if (offset >= c.personProportion + c.auctionProportion) {
      offset = c.auctionProportion - 1;
    } else {
      offset -= c.personProportion;
    }
    return epoch * c.auctionProportion + offset;
  }

  private nextBase0PersonId(n: number): number {
    const numPeople = this.lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + this.r.nextInt(active + PERSON_ID_LEAD);
  }

  private nextBase0AuctionId(n: number): number {
    const last = this.lastBase0AuctionId(n);
    const min = Math.max(last - this.config.numInFlightAuctions, 0);
    return min + this.r.nextInt(last - min + 1 + AUCTION_ID_LEAD);
  }

  private nextPrice(): number {
    return Math.round(10 ** (this.r.nextDouble() * 6) * 100);
  }

  private person(n: number, ts: number): Person {
    const r = this.r;
    const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
    const emailAddress = `${nextString(r, 7)}@${nextString(r, 5)}.com`;
    const cc = () => String(r.nextInt(10_000)).padStart(4, '0');
    const creditCard = `${cc()} ${cc()} ${cc()} ${cc()}`;
    const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
    const state = US_STATES[r.nextInt(US_STATES.length)]!;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    return {
      kind: 'person',
      id: this.lastBase0PersonId(n) + FIRST_PERSON_ID,
      name,
      emailAddress,
      creditCard,
      city,
      state,
      dateTime: ts,
      extra: nextExtra(r, size, this.config.avgPersonByteSize),
    };
  }

  private auction(n: number, ts: number): Auction {
    const r = this.r;
    const c = this.config;
    const seller =
      (r.nextInt(c.hotSellersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(n) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
        : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
    const initialBid = this.nextPrice();
    // Auction length: on average until numInFlightAuctions more auctions have been generated.
    const eventsForAuctions = Math.floor((c.numInFlightAuctions * this.total) / c.auctionProportion);
    const horizonMs = this.timestampForEvent(n + eventsForAuctions) - ts;
    const expires = ts + 1 + r.nextInt(Math.max(horizonMs * 2, 1));
    const itemName = nextString(r, 20);
    const description = nextString(r, 100);
    const reserve = initialBid + this.nextPrice();
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    return {
      kind: 'auction',
      id: this.lastBase0AuctionId(n) + FIRST_AUCTION_ID,
      itemName,
      description,
      initialBid,
      reserve,
      dateTime: ts,
      expires,
      seller,
      category,
      extra: nextExtra(r, size, c.avgAuctionByteSize),
    };
  }

  private bid(n: number, ts: number): Bid {
    const r = this.r;
    const c = this.config;
    const auction =
      (r.nextInt(c.hotAuctionRatio) > 0
        ? Math.floor(this.lastBase0AuctionId(n) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
        : this.nextBase0AuctionId(n)) + FIRST_AUCTION_ID;
    // Hot bidders are the second person of a batch, so hot bidders and hot sellers differ. (Nexmark's Java
    // BidGenerator adds FIRST_PERSON_ID twice, so its bidders name no person; here it is added once.)
    const bidder =
      (r.nextInt(c.hotBiddersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(n) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
        : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
    const price = this.nextPrice();
    let channel: string;
    let url: string;
    if (r.nextInt(HOT_CHANNELS_RATIO) > 0) {
      const i = r.nextInt(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = HOT_URLS[i]!;
    } else {
      const i = r.nextInt(CHANNELS_NUMBER);
      channel = `channel-${i}`;
      url = CHANNEL_URLS[i]!;
    }
    return {
      kind: 'bid',
      auction,
      bidder,
      price,
      channel,
      url,
      dateTime: ts,
      extra: nextExtra(r, 32, c.avgBidByteSize),
    };
  }
}
