import t from 'tap';
import {
  DEEP_GROUPS,
  DEEP_VOCAB,
  FEATURE_SCHEMA,
  FEATURE_WIDTH,
  WIDE_GROUPS,
  WIDE_VOCAB,
  encodeTrips,
  featureWidth,
  tripFeatures,
  writeFeatures,
} from '../../../jobs/taxi/features.js';
import { ZONES, ZONE_COUNT, haversineKm, zoneDistanceKm } from '../../../jobs/taxi/zones.js';
import { generateTrips } from '../../../jobs/taxi/trips.js';
import { FeatureBatchBuilder, featureValues } from '../../../operators/ml/arrow-batch.js';

const MIDTOWN = 0;
const JFK = ZONES.findIndex((z) => z.name === 'JFK Airport');
// Tuesday 2026-03-10 08:30 UTC: day of year 68 (0-based: 31 + 28 + 9), Monday = 0 → Tuesday = 1.
const trip = {
  tripId: 'x',
  pickupZone: MIDTOWN,
  dropoffZone: JFK,
  pickupMs: Date.UTC(2026, 2, 10, 8, 30),
  passengerCount: 2,
};

t.test('a hand-picked trip decodes to its calendar fields, zones and centroid distance', async (t) => {
  const f = tripFeatures(trip);
  t.equal(f.dayOfWeek, 1, 'Tuesday');
  t.equal(f.hourOfDay, 8);
  t.equal(f.dayOfYear, 68);
  t.equal(f.pickupZone, MIDTOWN);
  t.equal(f.dropoffZone, JFK);
  // Independent check: spherical law of cosines on the same centroids; Midtown → JFK is ~20 km as the crow flies.
  const a = ZONES[MIDTOWN]!;
  const b = ZONES[JFK]!;
  const r = Math.PI / 180;
  const cosines =
    6371.0088 *
    Math.acos(
      Math.sin(a.lat * r) * Math.sin(b.lat * r) +
        Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.cos((b.lon - a.lon) * r),
    );
  t.ok(Math.abs(f.distanceKm - cosines) < 1e-6, `haversine ${f.distanceKm} = law of cosines ${cosines}`);
  t.ok(f.distanceKm > 18 && f.distanceKm < 22, `Midtown → JFK ${f.distanceKm.toFixed(2)} km`);
  t.equal(zoneDistanceKm(JFK, MIDTOWN), f.distanceKm, 'symmetric');
  t.equal(zoneDistanceKm(JFK, JFK), 0);
  t.equal(haversineKm(0, 0, 0, 1).toFixed(1), '111.2', 'one degree of longitude at the equator');
  t.throws(() => zoneDistanceKm(ZONE_COUNT, 0), RangeError);
});

t.test('the flat encoding: wide one-hot indices, deep embedding ids, dense distance', async (t) => {
  t.equal(FEATURE_WIDTH, 13);
  t.equal(featureWidth, FEATURE_WIDTH);
  t.equal(FEATURE_SCHEMA.length, FEATURE_WIDTH);
  const out = new Float32Array(FEATURE_WIDTH + 3).fill(-7);
  writeFeatures(trip, out, 2);
  t.equal(out[0], -7);
  t.equal(out[1], -7);
  t.equal(out[FEATURE_WIDTH + 2], -7, 'writes exactly FEATURE_WIDTH values at the offset');
  const row = Array.from(out.subarray(2, 2 + FEATURE_WIDTH));
  const [dow, hour, doyHour, pu, dz, cross] = WIDE_GROUPS;
  t.same(row.slice(0, 6), [
    dow!.offset + 1,
    hour!.offset + 8,
    doyHour!.offset + 68 * 24 + 8,
    pu!.offset + MIDTOWN,
    dz!.offset + JFK,
    cross!.offset + MIDTOWN * ZONE_COUNT + JFK,
  ]);
  t.same(
    WIDE_GROUPS.map((g) => g.size),
    [7, 24, 366 * 24, 30, 30, 900],
    'day-of-year × hour is exact, not hashed',
  );
  t.equal(WIDE_VOCAB, 7 + 24 + 8784 + 30 + 30 + 900);
  const [doy, dh, dpu, ddz, pax] = DEEP_GROUPS;
  t.same(row.slice(6, 11), [
    doy!.offset + 68,
    dh!.offset + 8,
    dpu!.offset + MIDTOWN,
    ddz!.offset + JFK,
    pax!.offset + 2,
  ]);
  t.equal(DEEP_VOCAB, 366 + 24 + 30 + 30 + 7);
  const km = zoneDistanceKm(MIDTOWN, JFK);
  t.ok(Math.abs(row[11]! - km / 10) < 1e-6);
  t.ok(Math.abs(row[12]! - Math.log1p(km)) < 1e-6);
});

t.test(
  'every generated trip encodes within the vocabularies; writeFeatures is a FeatureBatchBuilder extractor',
  async (t) => {
    const trips = generateTrips(3000, { seed: 5 });
    const x = encodeTrips(trips);
    let bad = 0;
    for (let r = 0; r < trips.length; r++) {
      for (let i = 0; i < 6; i++)
        if (!Number.isInteger(x[r * 13 + i]!) || x[r * 13 + i]! < 0 || x[r * 13 + i]! >= WIDE_VOCAB) bad++;
      for (let i = 6; i < 11; i++) if (!Number.isInteger(x[r * 13 + i]!) || x[r * 13 + i]! >= DEEP_VOCAB) bad++;
      for (let g = 0; g < 6; g++) {
        const v = x[r * 13 + g]! - WIDE_GROUPS[g]!.offset;
        if (v < 0 || v >= WIDE_GROUPS[g]!.size) bad++;
      }
    }
    t.equal(bad, 0, 'indices stay inside their own group');
    const b = new FeatureBatchBuilder(FEATURE_WIDTH, 64, writeFeatures);
    trips.slice(0, 10).forEach((tr) => b.append(tr, tr.tripId, tr.pickupMs));
    t.same(
      Array.from(featureValues(b.build())),
      Array.from(x.subarray(0, 10 * FEATURE_WIDTH)),
      'Arrow batch column = encodeTrips rows',
    );
  },
);
