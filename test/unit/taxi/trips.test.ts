import t from 'tap';
import {
  TripGenerator,
  dayOfWeekUtc,
  generateTrips,
  hourOfDayUtc,
  labelTrip,
  tripCompleted,
  tripEvents,
  tripRequest,
} from '../../../jobs/taxi/trips.js';
import { ZONES, zoneDistanceKm } from '../../../jobs/taxi/zones.js';

const N = 20000;
const trips = generateTrips(N, { seed: 11 });

t.test(
  'same seed → same trips; another seed → other trips; pickup times ordered; completion = pickup + duration',
  async (t) => {
    t.same(generateTrips(500, { seed: 11 }), trips.slice(0, 500));
    t.notSame(
      generateTrips(50, { seed: 12 }).map((x) => x.pickupZone),
      trips.slice(0, 50).map((x) => x.pickupZone),
    );
    let ordered = true;
    for (let i = 1; i < N; i++) if (trips[i]!.pickupMs < trips[i - 1]!.pickupMs) ordered = false;
    t.ok(ordered, 'pickupMs non-decreasing');
    t.ok(trips.every((x) => x.dropoffMs === x.pickupMs + x.durationSec * 1000 && x.durationSec >= 60));
    t.equal(new Set(trips.map((x) => x.tripId)).size, N, 'unique ids');
    t.ok(trips.every((x) => x.passengerCount >= 1 && x.passengerCount <= 6));
    const days = (trips[N - 1]!.pickupMs - trips[0]!.pickupMs) / 86_400_000;
    t.ok(days > 8 && days < 12, `~2000 trips a day: ${N} trips over ${days.toFixed(1)} days`);
    t.same(Object.keys(tripRequest(trips[0]!)).sort(), [
      'dropoffZone',
      'passengerCount',
      'pickupMs',
      'pickupZone',
      'tripId',
    ]);
    t.same(Object.keys(tripCompleted(trips[0]!)).sort(), ['dropoffMs', 'durationSec', 'tripId']);
    t.same(
      labelTrip(tripRequest(trips[3]!), tripCompleted(trips[3]!)),
      trips[3],
      'request + completion = labelled trip',
    );
    t.throws(() => labelTrip(tripRequest(trips[3]!), tripCompleted(trips[4]!)), RangeError);
    const g = new TripGenerator({ seed: 11 });
    t.same(g.next(), trips[0], 'the streaming generator yields the same sequence');
  },
);

t.test('realistic shape: rush hours, weekends, airports, distance drives duration', async (t) => {
  const secPerKm = (pred: (x: (typeof trips)[number]) => boolean) => {
    const s = trips.filter((x) => pred(x) && x.pickupZone !== x.dropoffZone);
    return s.reduce((a, x) => a + x.durationSec / zoneDistanceKm(x.pickupZone, x.dropoffZone), 0) / s.length;
  };
  const weekday = (x: (typeof trips)[number]) => dayOfWeekUtc(x.pickupMs) < 5;
  const rush = secPerKm((x) => weekday(x) && hourOfDayUtc(x.pickupMs) === 8);
  const night = secPerKm((x) => weekday(x) && hourOfDayUtc(x.pickupMs) === 3);
  t.ok(
    rush > night * 1.8,
    `weekday 8h is much slower per km (${rush.toFixed(0)} s/km) than 3h (${night.toFixed(0)} s/km)`,
  );
  const count = (pred: (x: (typeof trips)[number]) => boolean) => trips.filter(pred).length;
  const wkRush = count((x) => weekday(x) && hourOfDayUtc(x.pickupMs) === 8);
  const wkNight = count((x) => weekday(x) && hourOfDayUtc(x.pickupMs) === 3);
  t.ok(wkRush > 4 * wkNight, `weekday demand peaks at rush hour (${wkRush} at 8h vs ${wkNight} at 3h)`);
  const weNight = count((x) => !weekday(x) && hourOfDayUtc(x.pickupMs) === 1) / 2;
  const wdNight = count((x) => weekday(x) && hourOfDayUtc(x.pickupMs) === 1) / 5;
  t.ok(weNight > 2 * wdNight, `weekend nights are busier per day (${weNight} vs ${wdNight})`);
  const airport = count((x) => ZONES[x.pickupZone]!.kind === 'airport' || ZONES[x.dropoffZone]!.kind === 'airport') / N;
  t.ok(airport > 0.05 && airport < 0.35, `airport trips ${(airport * 100).toFixed(1)} %`);
  const near = trips.filter((x) => zoneDistanceKm(x.pickupZone, x.dropoffZone) < 3);
  const far = trips.filter((x) => zoneDistanceKm(x.pickupZone, x.dropoffZone) > 10);
  const mean = (a: typeof trips) => a.reduce((s, x) => s + x.durationSec, 0) / a.length;
  t.ok(mean(far) > 2 * mean(near), `far trips take longer (${mean(far).toFixed(0)} s vs ${mean(near).toFixed(0)} s)`);
  t.ok(near.length > far.length, 'short trips dominate');
});

t.test('drift slows trips from its start time on and leaves earlier trips unchanged', async (t) => {
  const from = trips[N / 2]!.pickupMs;
  const drifted = generateTrips(N, { seed: 11, drift: { slowdown: 1.6, fromMs: from } });
  const before = drifted.filter((x) => x.pickupMs < from);
  t.same(before, trips.slice(0, before.length), 'identical before the drift');
  let ratio = 0;
  let n = 0;
  drifted.forEach((x, i) => {
    if (x.pickupMs >= from) {
      ratio += x.durationSec / trips[i]!.durationSec;
      n++;
    }
  });
  t.ok(Math.abs(ratio / n - 1.6) < 0.05, `durations ×${(ratio / n).toFixed(3)} after the drift`);
});

t.test('tripEvents merges requests and completions in event-time order', async (t) => {
  const few = trips.slice(0, 200);
  const ev = tripEvents(few);
  t.equal(ev.length, 400);
  t.ok(ev.every((e, i) => i === 0 || e.atMs >= ev[i - 1]!.atMs));
  const seen = new Set<string>();
  let completionBeforeRequest = 0;
  for (const e of ev) {
    if (e.kind === 'request') seen.add(e.request.tripId);
    else if (!seen.has(e.completed.tripId)) completionBeforeRequest++;
  }
  t.equal(completionBeforeRequest, 0);
  t.same(tripEvents(few), ev, 'deterministic');
});
