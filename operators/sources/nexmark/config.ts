/**
 * Nexmark generator configuration: the workload knobs of the Nexmark benchmark (`nexmark.workload.*` in the
 * `nexmark` project used for Flink's published figures) with the same defaults, validated once. Event time
 * advances by `1e6 / eventsPerSecond` µs per event (Nexmark's `firstEventRate`, a constant rate shape); that
 * is the *event-time* rate. How fast the source emits in wall-clock time is `maxEmitPerSecond` (0: as fast as
 * possible, as Nexmark's benchmark runs).
 *
 * Invariant: a validated config generates every event in [0, events) without error.
 */
import { SluiceError } from '../../../runtime/errors/catalogue.js';

export interface NexmarkConfig {
  /** Number of events to generate (persons + auctions + bids); Infinity for an unbounded source. */
  events: number;
  /** Event-time rate: events per second of event time (Nexmark's firstEventRate, default 10 000). */
  eventsPerSecond: number;
  /** Wall-clock emission limit over all subtasks, events/s; 0 = unlimited (default). */
  maxEmitPerSecond: number;
  /** Event time of event 0, epoch ms. */
  baseTimeMs: number;
  personProportion: number;
  auctionProportion: number;
  bidProportion: number;
  avgPersonByteSize: number;
  avgAuctionByteSize: number;
  avgBidByteSize: number;
  hotAuctionRatio: number;
  hotSellersRatio: number;
  hotBiddersRatio: number;
  numInFlightAuctions: number;
  numActivePeople: number;
}

export const NEXMARK_DEFAULTS: Readonly<NexmarkConfig> = Object.freeze({
  events: 100_000_000,
  eventsPerSecond: 10_000,
  maxEmitPerSecond: 0,
  baseTimeMs: 1_700_000_000_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
});

function fail(key: string, value: unknown, rule: string): never {
  throw new SluiceError('NEXMARK_CONFIG', `Nexmark configuration: ${key} = ${String(value)} ${rule}`);
}

/** Fills defaults and validates; throws NEXMARK_CONFIG naming the first bad key. */
export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in NEXMARK_DEFAULTS))
      fail(k, v, `is not a Nexmark option (known: ${Object.keys(NEXMARK_DEFAULTS).join(', ')})`);
  }
  const c: NexmarkConfig = { ...NEXMARK_DEFAULTS, ...overrides };
  const positiveInts: (keyof NexmarkConfig)[] = [
    'auctionProportion',
    'bidProportion',
    'hotAuctionRatio',
    'hotSellersRatio',
    'hotBiddersRatio',
    'numInFlightAuctions',
    'numActivePeople',
    'personProportion',
  ];
  for (const k of positiveInts) {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) < 1)
      fail(k, v, 'must be an integer ≥ 1 (zero persons, auctions or bids cannot be generated)');
  }
  for (const k of ['avgPersonByteSize', 'avgAuctionByteSize', 'avgBidByteSize'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) fail(k, c[k], 'must be an integer ≥ 0');
  }
  if (!(c.events >= 1) || (Number.isFinite(c.events) && !Number.isInteger(c.events))) {
    fail('events', c.events, 'must be a positive integer or Infinity');
  }
  if (!(c.eventsPerSecond > 0) || !Number.isFinite(c.eventsPerSecond)) {
    fail('eventsPerSecond', c.eventsPerSecond, 'must be a positive number (a negative or zero rate has no event time)');
  }
  if (!(c.maxEmitPerSecond >= 0) || !Number.isFinite(c.maxEmitPerSecond)) {
    fail('maxEmitPerSecond', c.maxEmitPerSecond, 'must be ≥ 0 (0 = unlimited)');
  }
  if (!Number.isSafeInteger(c.baseTimeMs)) fail('baseTimeMs', c.baseTimeMs, 'must be an integer epoch millisecond');
  return c;
}
