import t from 'tap';
import { pack, unpack } from 'msgpackr';
import type { InternalTimer, ProcessingTimeService, Triggerable } from '../../../runtime/api/operator.js';
import { ValueStateDescriptor } from '../../../runtime/api/state.js';
import {
  createKeyedStateBackend,
  createTimerServiceManager,
  TimerHeap,
  type KeyedStateSnapshot,
  type TimerEntry,
} from '../../../runtime/state/index.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';

/** A manual ProcessingTimeService: callbacks run when the test advances time. */
class FakePts implements ProcessingTimeService {
  now = 0;
  scheduled: { at: number; fn: (t: number) => void; cancelled: boolean }[] = [];
  currentProcessingTime(): number {
    return this.now;
  }
  registerTimer(timeMs: number, fn: (timeMs: number) => void): () => void {
    const s = { at: timeMs, fn, cancelled: false };
    this.scheduled.push(s);
    return () => {
      s.cancelled = true;
    };
  }
  live() {
    return this.scheduled.filter((s) => !s.cancelled);
  }
  advanceTo(ms: number): void {
    this.now = ms;
    for (;;) {
      const due = this.scheduled.filter((s) => !s.cancelled && s.at <= ms).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      due.cancelled = true;
      due.fn(due.at);
    }
  }
}

type Fired = [string, unknown, string, number];
/** Timers fired while the backend's current key was not the timer's key (must stay 0). */
let keyMismatches = 0;

function setup(range = { start: 0, end: 127 }) {
  const backend = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: range });
  const pts = new FakePts();
  const mgr = createTimerServiceManager({ backend, processingTimeService: pts });
  const fired: Fired[] = [];
  const target: Triggerable & { onEvent?: (tm: InternalTimer) => void } = {
    onEventTime(tm) {
      if (backend.getCurrentKey() !== tm.key) keyMismatches++;
      fired.push(['event', tm.key, tm.namespace, tm.timestamp]);
      target.onEvent?.(tm);
    },
    onProcessingTime(tm) {
      if (backend.getCurrentKey() !== tm.key) keyMismatches++;
      fired.push(['proc', tm.key, tm.namespace, tm.timestamp]);
    },
  };
  return { backend, pts, mgr, fired, target, svc: mgr.getTimerService('user-timers', target) };
}

t.test('timer heap orders by timestamp then registration', async (t) => {
  const h = new TimerHeap();
  const ts = [5, 3, 9, 3, 1, 7, 7, 2, 8, 0, 6, 4];
  ts.forEach((x, seq) =>
    h.push({ key: 'k', namespace: '', timestamp: x, canon: 'k', keyGroup: 0, seq, deleted: x === 8 }),
  );
  const out: TimerEntry[] = [];
  for (let e = h.pop(); e; e = h.pop()) out.push(e);
  t.same(
    out.map((e) => e.timestamp),
    [0, 1, 2, 3, 3, 4, 5, 6, 7, 7, 9],
    'sorted, deleted skipped',
  );
  t.ok(out[3]!.seq < out[4]!.seq, 'ties in registration order');
});

t.test('event-time: order, dedupe, delete, watermark, registration during firing', async (t) => {
  const { backend, mgr, fired, target, svc } = setup();
  for (const [k, ts] of [
    ['a', 30],
    ['b', 10],
    ['a', 20],
    ['c', 10],
    ['b', 10],
    ['a', 30],
  ] as const) {
    backend.setCurrentKey(k);
    svc.registerEventTimeTimer('', ts);
  }
  backend.setCurrentKey('a');
  svc.registerEventTimeTimer('w', 30); // other namespace: distinct timer
  svc.deleteEventTimeTimer('', 20);
  svc.deleteEventTimeTimer('', 999); // absent: no-op
  t.equal(svc.numEventTimeTimers(), 4, 'deduped and deleted');
  t.equal(svc.currentWatermark(), -(2 ** 63));
  mgr.advanceWatermark(9);
  t.same(fired, []);
  target.onEvent = (tm) => {
    if (tm.key === 'b' && tm.timestamp === 10) {
      svc.registerEventTimeTimer('', 15); // <= wm: fires in this advance
      svc.registerEventTimeTimer('', 100); // later
    }
  };
  mgr.advanceWatermark(30);
  t.same(fired, [
    ['event', 'b', '', 10],
    ['event', 'c', '', 10],
    ['event', 'b', '', 15],
    ['event', 'a', '', 30],
    ['event', 'a', 'w', 30],
  ]);
  t.equal(svc.currentWatermark(), 30);
  t.equal(mgr.currentWatermark(), 30);
  fired.length = 0;
  backend.setCurrentKey('a');
  svc.registerEventTimeTimer('', 20); // re-register a fired/old time: fires on the next advance
  mgr.advanceWatermark(31);
  t.same(fired, [['event', 'a', '', 20]]);
  fired.length = 0;
  mgr.advanceWatermark(Number.MAX_SAFE_INTEGER);
  t.same(fired, [['event', 'b', '', 100]]);
  t.equal(svc.numEventTimeTimers(), 0);
  t.equal(keyMismatches, 0, 'current key was the timer key at every firing');
});

t.test('processing-time: one scheduled callback for the earliest timer', async (t) => {
  const { backend, pts, fired, svc } = setup();
  backend.setCurrentKey('x');
  svc.registerProcessingTimeTimer('', 100);
  t.same(
    pts.live().map((s) => s.at),
    [100],
  );
  svc.registerProcessingTimeTimer('', 200);
  t.same(
    pts.live().map((s) => s.at),
    [100],
    'later timer does not reschedule',
  );
  backend.setCurrentKey('y');
  svc.registerProcessingTimeTimer('', 50);
  t.same(
    pts.live().map((s) => s.at),
    [50],
    'earlier timer reschedules',
  );
  svc.registerProcessingTimeTimer('', 50);
  t.equal(svc.numProcessingTimeTimers(), 3, 'deduped');
  t.equal(svc.currentProcessingTime(), 0);
  pts.advanceTo(120);
  t.same(fired, [
    ['proc', 'y', '', 50],
    ['proc', 'x', '', 100],
  ]);
  t.same(
    pts.live().map((s) => s.at),
    [200],
    'next head scheduled',
  );
  backend.setCurrentKey('x');
  svc.deleteProcessingTimeTimer('', 200);
  pts.advanceTo(300);
  t.equal(fired.length, 2, 'deleted timer never fires');
  t.equal(svc.numProcessingTimeTimers(), 0);
  t.equal(keyMismatches, 0, 'current key was the timer key at every firing');
});

t.test('timers are snapshotted per key group and restored where their key lands', async (t) => {
  const a = setup();
  const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
  for (const k of keys) {
    a.backend.setCurrentKey(k);
    a.backend.getState(new ValueStateDescriptor<number>('v')).update(1);
    a.svc.registerEventTimeTimer('', 1000 + Number(k.slice(1)));
    a.svc.registerProcessingTimeTimer('p', 5000);
  }
  const snap = unpack(pack(a.backend.snapshot())) as KeyedStateSnapshot;
  let n = 0;
  for (const [kg, g] of Object.entries(snap.keyGroups)) {
    for (const [key] of g.timers!['user-timers']!.event) {
      t.equal(assignToKeyGroup(key, 128), Number(kg));
      n++;
    }
  }
  t.equal(n, keys.length);
  const parts = [0, 1, 2].map((op) => {
    const p = setup(computeKeyGroupRangeForOperatorIndex(128, 3, op));
    p.backend.restore([snap]);
    return p;
  });
  // a service requested after restore picks its timers up too
  const late = setup({ start: 0, end: 127 });
  const backend2 = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  backend2.restore(snap);
  const mgr2 = createTimerServiceManager({ backend: backend2, processingTimeService: late.pts });
  t.equal(
    Object.keys(backend2.snapshot().keyGroups).length,
    Object.keys(snap.keyGroups).length,
    'pending timers still snapshotted',
  );
  const svc2 = mgr2.getTimerService('user-timers', late.target);
  t.equal(svc2.numEventTimeTimers(), keys.length);
  let total = 0;
  for (const p of parts) {
    total += p.svc.numEventTimeTimers();
    t.equal(p.svc.numProcessingTimeTimers(), p.svc.numEventTimeTimers());
    p.mgr.advanceWatermark(2000);
    for (const [, key] of p.fired) {
      const kg = assignToKeyGroup(key, 128);
      t.ok(kg >= p.backend.keyGroupRange.start && kg <= p.backend.keyGroupRange.end, 'timer restored in owning range');
    }
    const ts = p.fired.map((f) => f[3]);
    t.same(
      ts,
      [...ts].sort((x, y) => x - y),
      'fired in timestamp order',
    );
    p.pts.advanceTo(5000);
  }
  t.equal(total, keys.length, 'every timer restored exactly once');
  t.equal(
    parts.reduce((s, p) => s + p.fired.filter((f) => f[0] === 'proc').length, 0),
    keys.length,
    'processing timers rescheduled after restore',
  );
  t.equal(keyMismatches, 0, 'current key was the timer key at every firing');
});

t.test('a service requested after watermarks starts at the current watermark without firing', async (t) => {
  const a = setup();
  a.backend.setCurrentKey('k');
  a.svc.registerEventTimeTimer('', 10);
  const snap = a.backend.snapshot();
  const backend = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  const b = { backend, mgr: createTimerServiceManager({ backend, processingTimeService: new FakePts() }) };
  b.mgr.advanceWatermark(50);
  b.backend.restore(snap);
  const fired: number[] = [];
  const svc = b.mgr.getTimerService('user-timers', {
    onEventTime: (tm) => fired.push(tm.timestamp),
    onProcessingTime: () => {},
  });
  t.equal(svc.currentWatermark(), 50);
  t.same(fired, [], 'nothing fires while the service is created');
  b.mgr.advanceWatermark(51);
  t.same(fired, [10]);
  b.mgr.close();
});

t.test('restore accepts snapshots whose records decoded as Maps', async (t) => {
  const { Packr } = await import('msgpackr');
  const codec = new Packr({ useRecords: false, mapsAsObjects: false, moreTypes: true });
  const a = setup();
  for (const k of ['p', 'q', 'r']) {
    a.backend.setCurrentKey(k);
    a.backend.getState(new ValueStateDescriptor<string>('v')).update(k.toUpperCase());
    a.svc.registerEventTimeTimer('ns', 7);
  }
  const decoded = codec.unpack(codec.pack(a.backend.snapshot())) as KeyedStateSnapshot;
  t.ok((decoded as unknown) instanceof Map, 'decoded as Maps');
  const b = setup();
  b.backend.restore([decoded]);
  b.backend.setCurrentKey('q');
  t.equal(b.backend.getState(new ValueStateDescriptor<string>('v')).value(), 'Q');
  b.mgr.advanceWatermark(7);
  t.same(b.fired.map((f) => f[1]).sort(), ['p', 'q', 'r']);
});
