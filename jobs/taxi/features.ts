/**
 * The seed's taxi features, encoded compactly into one flat float32 row of FEATURE_WIDTH values:
 *   [0, 6)   wide: global indices of the six one-hot groups (each group's index + its offset into one
 *            concatenated one-hot space of WIDE_VOCAB) — day of week, hour of day, day-of-year × hour
 *            (exact: 366·24 = 8784 buckets, no hashing), pickup zone, dropoff zone, pickup × dropoff zone;
 *   [6, 11)  deep: global ids into one shared embedding table of DEEP_VOCAB rows — day of year, hour,
 *            pickup zone, dropoff zone, passenger count (clamped to 0..6);
 *   [11, 13) dense: centroid haversine distance km / 10 and log(1 + km).
 * Ids are small integers, exact in float32, so the whole row travels as one `features` tensor and the
 * model casts the id columns back to integers. All calendar fields are UTC (dayOfWeek 0 = Monday).
 * Invariants: writeFeatures writes exactly FEATURE_WIDTH values at `offset` and allocates nothing; every
 * wide index is < WIDE_VOCAB and every deep id < DEEP_VOCAB; the layout only changes with FEATURE_VERSION.
 */
import { ZONE_COUNT, zoneDistanceKm } from './zones.js';
import { dayOfWeekUtc, dayOfYearUtc, hourOfDayUtc, type TripRequest } from './trips.js';

export const FEATURE_VERSION = 'taxi-features-v1';

interface Group {
  name: string;
  size: number;
  offset: number;
}

function groups(defs: [string, number][]): Group[] {
  let offset = 0;
  return defs.map(([name, size]) => {
    const g = { name, size, offset };
    offset += size;
    return g;
  });
}

/** One-hot groups of the wide (linear) part, in column order. */
export const WIDE_GROUPS: readonly Group[] = groups([
  ['day_of_week', 7],
  ['hour_of_day', 24],
  ['day_of_year_x_hour', 366 * 24],
  ['pickup_zone', ZONE_COUNT],
  ['dropoff_zone', ZONE_COUNT],
  ['pickup_x_dropoff_zone', ZONE_COUNT * ZONE_COUNT],
]);
/** Embedded categorical features of the deep part, in column order (one shared table, disjoint ranges). */
export const DEEP_GROUPS: readonly Group[] = groups([
  ['day_of_year', 366],
  ['hour_of_day', 24],
  ['pickup_zone', ZONE_COUNT],
  ['dropoff_zone', ZONE_COUNT],
  ['passenger_count', 7],
]);
export const DENSE_NAMES = ['distance_km_div10', 'log1p_distance_km'] as const;

export const WIDE_COUNT = WIDE_GROUPS.length;
export const DEEP_COUNT = DEEP_GROUPS.length;
export const DENSE_COUNT = DENSE_NAMES.length;
export const WIDE_VOCAB = WIDE_GROUPS.reduce((a, g) => a + g.size, 0);
export const DEEP_VOCAB = DEEP_GROUPS.reduce((a, g) => a + g.size, 0);
export const WIDE_START = 0;
export const DEEP_START = WIDE_COUNT;
export const DENSE_START = WIDE_COUNT + DEEP_COUNT;
export const FEATURE_WIDTH = DENSE_START + DENSE_COUNT;
export const featureWidth = FEATURE_WIDTH;

/** Column names of the flat layout (the descriptor's training.featureSchema). */
export const FEATURE_SCHEMA: readonly string[] = [
  ...WIDE_GROUPS.map((g) => `wide:${g.name}[${g.offset}+${g.size}]`),
  ...DEEP_GROUPS.map((g) => `deep:${g.name}[${g.offset}+${g.size}]`),
  ...DENSE_NAMES.map((n) => `dense:${n}`),
];

/** The decoded (human-readable) features of one trip, for tests and debugging. */
export interface TripFeatures {
  dayOfWeek: number;
  hourOfDay: number;
  dayOfYear: number;
  pickupZone: number;
  dropoffZone: number;
  passengerCount: number;
  distanceKm: number;
}

export function tripFeatures(
  t: Pick<TripRequest, 'pickupZone' | 'dropoffZone' | 'pickupMs' | 'passengerCount'>,
): TripFeatures {
  return {
    dayOfWeek: dayOfWeekUtc(t.pickupMs),
    hourOfDay: hourOfDayUtc(t.pickupMs),
    dayOfYear: dayOfYearUtc(t.pickupMs),
    pickupZone: t.pickupZone,
    dropoffZone: t.dropoffZone,
    passengerCount: Math.max(0, Math.min(6, Math.round(t.passengerCount))),
    distanceKm: zoneDistanceKm(t.pickupZone, t.dropoffZone),
  };
}

const W = WIDE_GROUPS;
const D = DEEP_GROUPS;

/** Writes the trip's FEATURE_WIDTH encoded values into out[offset ..); a FeatureBatchBuilder extractor. */
export function writeFeatures(
  t: Pick<TripRequest, 'pickupZone' | 'dropoffZone' | 'pickupMs' | 'passengerCount'>,
  out: Float32Array,
  offset: number,
): void {
  const f = tripFeatures(t);
  out[offset + 0] = W[0]!.offset + f.dayOfWeek;
  out[offset + 1] = W[1]!.offset + f.hourOfDay;
  out[offset + 2] = W[2]!.offset + f.dayOfYear * 24 + f.hourOfDay;
  out[offset + 3] = W[3]!.offset + f.pickupZone;
  out[offset + 4] = W[4]!.offset + f.dropoffZone;
  out[offset + 5] = W[5]!.offset + f.pickupZone * ZONE_COUNT + f.dropoffZone;
  out[offset + 6] = D[0]!.offset + f.dayOfYear;
  out[offset + 7] = D[1]!.offset + f.hourOfDay;
  out[offset + 8] = D[2]!.offset + f.pickupZone;
  out[offset + 9] = D[3]!.offset + f.dropoffZone;
  out[offset + 10] = D[4]!.offset + f.passengerCount;
  out[offset + 11] = f.distanceKm / 10;
  out[offset + 12] = Math.log1p(f.distanceKm);
}

/** Row-major [trips.length, FEATURE_WIDTH] encoding of many trips. */
export function encodeTrips(
  trips: readonly Pick<TripRequest, 'pickupZone' | 'dropoffZone' | 'pickupMs' | 'passengerCount'>[],
): Float32Array {
  const out = new Float32Array(trips.length * FEATURE_WIDTH);
  trips.forEach((t, i) => writeFeatures(t, out, i * FEATURE_WIDTH));
  return out;
}
