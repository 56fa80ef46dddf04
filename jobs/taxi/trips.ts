/**
 * Seeded taxi-trip generator: trip requests `{tripId, pickupZone, dropoffZone, pickupMs, passengerCount}` in
 * pickup-time order with realistic shape — arrivals follow an hourly demand curve (weekday rush hours,
 * late weekend nights), pickups and dropoffs follow zone popularity with a preference for nearby zones,
 * airport trips peak in the morning and evening — and the actual duration: road distance (centroid
 * distance × detour, or a short intra-zone hop) over a speed that depends on hour, weekday, zone kinds and
 * trip length, times log-normal noise, plus a fixed pick-up/drop-off overhead. `drift` multiplies durations
 * from a given time on (a traffic slowdown) to make a served model go stale.
 * Invariants: same options → same trips (only `seededRandom` is used); pickupMs is non-decreasing; every
 * trip's completion is `dropoffMs = pickupMs + durationSec·1000`; all times are UTC.
 */
import { seededRandom } from 'sluice/platform';
import { ZONES, ZONE_COUNT, zoneDistanceKm } from './zones.js';

export interface TripRequest {
  tripId: string;
  pickupZone: number;
  dropoffZone: number;
  pickupMs: number;
  passengerCount: number;
}

export interface TripCompleted {
  tripId: string;
  dropoffMs: number;
  durationSec: number;
}

/** A request with its outcome (what the training set holds once the completion arrived). */
export interface LabelledTrip extends TripRequest {
  dropoffMs: number;
  durationSec: number;
}

export interface TrafficDrift {
  /** Duration multiplier (e.g. 1.6 = 60 % slower traffic). */
  slowdown: number;
  /** Applies to trips picked up at or after this time (default: every trip). */
  fromMs?: number;
}

export interface TripGeneratorOptions {
  seed: number;
  /** First possible pickup time (default Monday 2026-01-05T00:00Z). */
  startMs?: number;
  /** Mean trips per day (default 2000). */
  tripsPerDay?: number;
  drift?: TrafficDrift;
  /** Prefix of trip ids (default `t<seed>-`). */
  idPrefix?: string;
}

export const DEFAULT_START_MS = Date.UTC(2026, 0, 5);
const _HOUR_MS = 3_600_000;
const PASSENGER_CDF = [0.7, 0.85, 0.9, 0.93, 0.97, 1]; // 1..6 passengers

/** Relative demand per hour of day (weekday, weekend); mean ≈ 1. */
const DEMAND_WEEKDAY = [
  0.45, 0.3, 0.2, 0.15, 0.2, 0.4, 0.8, 1.3, 1.6, 1.4, 1.1, 1.1, 1.2, 1.2, 1.2, 1.3, 1.4, 1.6, 1.7, 1.6, 1.4, 1.2, 1.0,
  0.7,
];
const DEMAND_WEEKEND = [
  1.0, 0.9, 0.8, 0.6, 0.4, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.2, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3,
  1.2,
];

/** Typical speed in km/h by hour of day (weekday, weekend), before zone and length adjustments. */
const SPEED_WEEKDAY = [30, 32, 34, 34, 32, 27, 20, 14, 12, 14, 17, 17, 16, 16, 16, 15, 13, 12, 12, 14, 18, 22, 25, 28];
const SPEED_WEEKEND = [26, 27, 29, 31, 32, 32, 30, 27, 25, 22, 19, 18, 17, 17, 17, 18, 18, 18, 19, 20, 21, 22, 23, 24];

/** 0 = Monday … 6 = Sunday (UTC). */
export function dayOfWeekUtc(ms: number): number {
  return (new Date(ms).getUTCDay() + 6) % 7;
}

export function hourOfDayUtc(ms: number): number {
  return new Date(ms).getUTCHours();
}

/** 0-based day of year (0..365, UTC). */
export function dayOfYearUtc(ms: number): number {
  const d = new Date(ms);
  return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000);
}

export class TripGenerator {
  private readonly rnd: () => number;
  private readonly startMs: number;
  private readonly meanGapMs: number;
  private readonly prefix: string;
  private nowMs: number;
  private seq = 0;

  constructor(private readonly opts: TripGeneratorOptions) {
    this.rnd = seededRandom(opts.seed);
    this.startMs = opts.startMs ?? DEFAULT_START_MS;
    this.meanGapMs = 86_400_000 / (opts.tripsPerDay ?? 2000);
    this.prefix = opts.idPrefix ?? `t${opts.seed}-`;
    this.nowMs = this.startMs;
  }

  /** The next trip in pickup-time order (unbounded). */
  next(): LabelledTrip {
    this.nowMs = this.nextArrival();
    const pickupMs = Math.floor(this.nowMs);
    const hour = hourOfDayUtc(pickupMs);
    const weekend = dayOfWeekUtc(pickupMs) >= 5;
    const pickupZone = this.pickZone(hour, -1);
    const dropoffZone = this.pickZone(hour, pickupZone);
    const u = this.rnd();
    const passengerCount = 1 + PASSENGER_CDF.findIndex((c) => u < c);
    const durationSec = this.duration(pickupZone, dropoffZone, pickupMs, hour, weekend, passengerCount);
    return {
      tripId: `${this.prefix}${this.seq++}`,
      pickupZone,
      dropoffZone,
      pickupMs,
      passengerCount,
      dropoffMs: pickupMs + durationSec * 1000,
      durationSec,
    };
  }

  /** Non-homogeneous Poisson arrivals by thinning against the hourly demand curve. */
  private nextArrival(): number {
    const maxDemand = 1.7;
    let t = this.nowMs;
    for (;;) {
      t += -Math.log(1 - this.rnd()) * (this.meanGapMs / maxDemand);
      const curve = dayOfWeekUtc(t) >= 5 ? DEMAND_WEEKEND : DEMAND_WEEKDAY;
      if (this.rnd() * maxDemand < curve[hourOfDayUtc(t)]!) return t;
    }
  }

  /** Zone by popularity; for a dropoff (`from` ≥ 0) nearby zones are preferred. Airports peak 5–9 h and 16–21 h. */
  private pickZone(hour: number, from: number): number {
    const airportBoost = (hour >= 5 && hour <= 9) || (hour >= 16 && hour <= 21) ? 1.8 : 0.7;
    let total = 0;
    const w = new Float64Array(ZONE_COUNT);
    for (const z of ZONES) {
      let x = z.weight * (z.kind === 'airport' ? airportBoost : 1);
      if (from >= 0) {
        const d = zoneDistanceKm(from, z.id);
        const fromAirport = ZONES[from]!.kind === 'airport';
        x *= fromAirport ? (z.kind === 'airport' ? 0.05 : 1) : Math.exp(-d / 6) + (z.kind === 'airport' ? 0.15 : 0.02);
      }
      w[z.id] = x;
      total += x;
    }
    let u = this.rnd() * total;
    for (let i = 0; i < ZONE_COUNT; i++) {
      u -= w[i]!;
      if (u < 0) return i;
    }
    return ZONE_COUNT - 1;
  }

  private gaussian(): number {
    const u = 1 - this.rnd();
    const v = this.rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private duration(
    pu: number,
    dz: number,
    pickupMs: number,
    hour: number,
    weekend: boolean,
    passengers: number,
  ): number {
    const centroidKm = zoneDistanceKm(pu, dz);
    const roadKm = pu === dz ? 0.6 + 1.4 * this.rnd() : centroidKm * (1.25 + 0.15 * this.rnd());
    let speed = (weekend ? SPEED_WEEKEND : SPEED_WEEKDAY)[hour]!;
    const kinds = [ZONES[pu]!.kind, ZONES[dz]!.kind];
    if (kinds.includes('airport')) speed *= 1.35; // highways
    if (kinds[0] === 'core' && kinds[1] === 'core') speed *= 0.85; // midtown grid
    speed *= 0.8 + 0.4 * Math.min(1, roadKm / 15); // longer trips reach faster roads
    const overheadSec = 60 + 15 * Math.max(0, passengers - 2);
    let sec = overheadSec + (roadKm / speed) * 3600 * Math.exp(0.18 * this.gaussian());
    const drift = this.opts.drift;
    if (drift && pickupMs >= (drift.fromMs ?? -Infinity)) sec *= drift.slowdown;
    return Math.max(60, Math.round(sec));
  }
}

/** `count` trips from a fresh generator. */
export function generateTrips(count: number, opts: TripGeneratorOptions): LabelledTrip[] {
  const g = new TripGenerator(opts);
  return Array.from({ length: count }, () => g.next());
}

export function tripRequest(t: LabelledTrip): TripRequest {
  return {
    tripId: t.tripId,
    pickupZone: t.pickupZone,
    dropoffZone: t.dropoffZone,
    pickupMs: t.pickupMs,
    passengerCount: t.passengerCount,
  };
}

export function tripCompleted(t: LabelledTrip): TripCompleted {
  return { tripId: t.tripId, dropoffMs: t.dropoffMs, durationSec: t.durationSec };
}

/** Joins a request with its completion (what the retraining job collects); throws on mismatched ids. */
export function labelTrip(request: TripRequest, completed: TripCompleted): LabelledTrip {
  if (request.tripId !== completed.tripId)
    throw new RangeError(`trip ids differ: ${request.tripId} vs ${completed.tripId}`);
  return { ...request, dropoffMs: completed.dropoffMs, durationSec: completed.durationSec };
}

export type TripEvent =
  | { kind: 'request'; atMs: number; request: TripRequest }
  | { kind: 'completed'; atMs: number; completed: TripCompleted };

/**
 * Requests (at pickup) and completions (at dropoff) merged in event-time order; ties put the request first
 * and then keep trip order, so the sequence is deterministic.
 */
export function tripEvents(trips: readonly LabelledTrip[]): TripEvent[] {
  const ev: (TripEvent & { i: number })[] = [];
  trips.forEach((t, i) => {
    ev.push({ kind: 'request', atMs: t.pickupMs, request: tripRequest(t), i });
    ev.push({ kind: 'completed', atMs: t.dropoffMs, completed: tripCompleted(t), i });
  });
  ev.sort((a, b) => a.atMs - b.atMs || (a.kind === b.kind ? a.i - b.i : a.kind === 'request' ? -1 : 1));
  return ev.map(({ i: _i, ...e }) => e as TripEvent);
}
