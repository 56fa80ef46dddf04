/**
 * Taxi zones: a fixed table of 30 New-York-like zones with centroids (lat/lon), a kind (core, residential,
 * outer, airport) and a popularity weight, plus the great-circle (haversine) distance between centroids —
 * the seed's "distance approximated from zone centroids" (BigQuery ST_DISTANCE of ST_CENTROIDs).
 * Invariants: zone ids are the array indices 0..ZONE_COUNT-1 and never change (features and trained
 * models index by them); zoneDistanceKm is symmetric and 0 on the diagonal.
 */

export type ZoneKind = 'core' | 'residential' | 'outer' | 'airport';

export interface Zone {
  id: number;
  name: string;
  lat: number;
  lon: number;
  kind: ZoneKind;
  /** Relative pickup/dropoff popularity (unnormalised). */
  weight: number;
}

const RAW: [string, number, number, ZoneKind, number][] = [
  ['Midtown Center', 40.7549, -73.984, 'core', 10],
  ['Times Sq/Theatre District', 40.759, -73.9845, 'core', 9],
  ['Upper East Side South', 40.7681, -73.9592, 'core', 8],
  ['Upper West Side South', 40.7812, -73.9777, 'residential', 6],
  ['Murray Hill', 40.7479, -73.9757, 'core', 6],
  ['Gramercy', 40.7368, -73.9845, 'core', 5],
  ['Chelsea', 40.7465, -74.0014, 'core', 6],
  ['Greenwich Village', 40.7336, -74.0027, 'core', 5],
  ['East Village', 40.7265, -73.9815, 'residential', 5],
  ['SoHo', 40.7233, -74.003, 'core', 4],
  ['Lower East Side', 40.715, -73.9843, 'residential', 3],
  ['Financial District', 40.7075, -74.0113, 'core', 5],
  ['Tribeca', 40.7163, -74.0086, 'core', 3],
  ['Battery Park City', 40.7115, -74.0156, 'residential', 2],
  ["Hell's Kitchen", 40.7638, -73.9918, 'core', 5],
  ['Lincoln Square', 40.7736, -73.9844, 'residential', 4],
  ['Yorkville', 40.7762, -73.9492, 'residential', 4],
  ['Harlem', 40.8116, -73.9465, 'residential', 2],
  ['Washington Heights', 40.8417, -73.9394, 'residential', 1],
  ['Central Park', 40.7829, -73.9654, 'core', 2],
  ['Williamsburg', 40.7081, -73.9571, 'outer', 3],
  ['Downtown Brooklyn', 40.6928, -73.9903, 'outer', 2],
  ['Park Slope', 40.671, -73.9814, 'outer', 1.5],
  ['Astoria', 40.7644, -73.9235, 'outer', 1.5],
  ['Long Island City', 40.7447, -73.9485, 'outer', 2],
  ['Flushing', 40.7675, -73.833, 'outer', 0.8],
  ['South Bronx', 40.8163, -73.9187, 'outer', 0.6],
  ['JFK Airport', 40.6413, -73.7781, 'airport', 3],
  ['LaGuardia Airport', 40.7769, -73.874, 'airport', 3],
  ['Newark Airport', 40.6895, -74.1745, 'airport', 0.8],
];

export const ZONES: readonly Zone[] = RAW.map(([name, lat, lon, kind, weight], id) => ({
  id,
  name,
  lat,
  lon,
  kind,
  weight,
}));
export const ZONE_COUNT = ZONES.length;

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km between two lat/lon points. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

const DISTANCES = new Float64Array(ZONE_COUNT * ZONE_COUNT);
for (const a of ZONES)
  for (const b of ZONES) DISTANCES[a.id * ZONE_COUNT + b.id] = haversineKm(a.lat, a.lon, b.lat, b.lon);

/** Centroid-to-centroid distance in km (precomputed table). Throws on an unknown zone id. */
export function zoneDistanceKm(pickupZone: number, dropoffZone: number): number {
  if (!isZone(pickupZone) || !isZone(dropoffZone))
    throw new RangeError(`unknown taxi zone ${pickupZone} or ${dropoffZone} (0..${ZONE_COUNT - 1})`);
  return DISTANCES[pickupZone * ZONE_COUNT + dropoffZone]!;
}

export function isZone(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id < ZONE_COUNT;
}
