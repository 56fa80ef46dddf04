/**
 * IntervalJoinOperator: the bound cases of Flink's IntervalJoinOperatorTest (inclusive / exclusive,
 * negative / positive), checked against the join rule by brute force with watermarks interleaved as Flink's
 * test does (so cleanup never loses a match); buffer cleanup timing; late data; output timestamps and the
 * join context.
 */
import t from 'tap';
import { OutputTag } from '../../../runtime/api/output-tag.js';
import { MapStateDescriptor } from '../../../runtime/api/state.js';
import { MAX_WATERMARK } from '../../../runtime/api/time.js';
import { IntervalJoinOperator, type IntervalJoinOptions } from '../../../operators/joins/index.js';
import { OperatorHarness } from '../windows/harness.js';

type E = { key: string; ts: number; side: 'L' | 'R' };
const key = (e: E) => e.key;

async function setup(
  o: Omit<IntervalJoinOptions<E, E, string>, 'function'> & { function?: IntervalJoinOptions<E, E, string>['function'] },
) {
  const op = new IntervalJoinOperator<E, E, string>({
    function: (l, r, _ctx, out) => out.collect(`${l.ts}-${r.ts}`),
    ...o,
  });
  return new OperatorHarness(op, { keySelectors: [key, key] }).open();
}

function expected(lower: number, upper: number, lowerEx: boolean, upperEx: boolean, ts: number[]): string[] {
  const out: string[] = [];
  for (const l of ts)
    for (const r of ts) {
      const okLow = lowerEx ? r > l + lower : r >= l + lower;
      const okUp = upperEx ? r < l + upper : r <= l + upper;
      if (okLow && okUp) out.push(`${l}-${r}`);
    }
  return out.sort();
}

const CASES: Array<[number, number, boolean, boolean]> = [
  [-3, -1, false, true], // Flink: negative inclusive / negative exclusive → (3,1) (4,1) (4,2)
  [1, 3, false, false], // positive inclusive / inclusive
  [-1, 1, true, true], // exclusive both sides → equal timestamps only
  [-2, 2, false, false],
  [0, 0, false, false],
  [-1, 0, false, false],
  [0, 2, true, false],
  [-5, -2, true, false],
  [2, 2, false, false],
];

t.test('bound cases against the join rule, watermarks interleaved per input (Flink test order)', async (t) => {
  const ts = [1, 2, 3, 4, 5, 6];
  for (const [lower, upper, lowerEx, upperEx] of CASES) {
    const h = await setup({
      lowerBoundMs: lower,
      upperBoundMs: upper,
      lowerBoundExclusive: lowerEx,
      upperBoundExclusive: upperEx,
    });
    for (const x of ts) {
      h.element({ key: 'k', ts: x, side: 'L' }, x, 0).watermark(x, 0);
      h.element({ key: 'k', ts: x, side: 'R' }, x, 1).watermark(x, 1);
    }
    h.watermark(MAX_WATERMARK, 0).watermark(MAX_WATERMARK, 1);
    const got = h
      .records()
      .map((r) => r.value as string)
      .sort();
    t.same(
      got,
      expected(lower, upper, lowerEx, upperEx, ts),
      `[${lowerEx ? '(' : '['}${lower}, ${upper}${upperEx ? ')' : ']'}]`,
    );
    t.equal(h.timers.numEventTimeTimers(), 0, 'all cleanup timers fired');
    for (const name of ['LEFT_BUFFER', 'RIGHT_BUFFER']) {
      h.backend.setCurrentKey('k');
      t.ok(h.backend.getState(new MapStateDescriptor<number, unknown>(name)).isEmpty(), `${name} empty at the end`);
    }
  }
  const flink = await setup({ lowerBoundMs: -3, upperBoundMs: -1, upperBoundExclusive: true });
  for (const x of [1, 2, 3, 4])
    flink.element({ key: 'k', ts: x, side: 'L' }, x, 0).element({ key: 'k', ts: x, side: 'R' }, x, 1);
  t.same(
    flink
      .records()
      .map((r) => r.value)
      .sort(),
    ['3-1', '4-1', '4-2'],
    "Flink's testNegativeInclusiveAndNegativeExclusive",
  );
});

t.test('keys join only with themselves; output timestamp is the max; context timestamps', async (t) => {
  const seen: string[] = [];
  const h = await setup({
    lowerBoundMs: -10,
    upperBoundMs: 10,
    function: (l, r, ctx, out) => {
      seen.push(`${ctx.getLeftTimestamp()}/${ctx.getRightTimestamp()}/${ctx.getTimestamp()}`);
      out.collect(`${l.key}:${l.ts}-${r.ts}`);
    },
  });
  h.element({ key: 'a', ts: 100, side: 'L' }, 100, 0);
  h.element({ key: 'b', ts: 105, side: 'R' }, 105, 1);
  h.element({ key: 'a', ts: 108, side: 'R' }, 108, 1);
  t.same(h.records(), [{ value: 'a:100-108', timestamp: 108 }]);
  t.same(seen, ['100/108/108']);
});

t.test('buffer cleanup times (lower -1, upper 2)', async (t) => {
  const h = await setup({ lowerBoundMs: -1, upperBoundMs: 2 });
  h.element({ key: 'k', ts: 5, side: 'L' }, 5, 0).element({ key: 'k', ts: 5, side: 'R' }, 5, 1);
  const left = () => (
    h.backend.setCurrentKey('k'), [...h.backend.getState(new MapStateDescriptor<number, unknown>('LEFT_BUFFER')).keys()]
  );
  const right = () => (
    h.backend.setCurrentKey('k'),
    [...h.backend.getState(new MapStateDescriptor<number, unknown>('RIGHT_BUFFER')).keys()]
  );
  h.watermark(5, 0).watermark(5, 1);
  t.same([left(), right()], [[5], [5]]);
  h.watermark(6, 0).watermark(6, 1);
  t.same([left(), right()], [[5], []], 'right 5 can only match left in [3, 6]: gone at watermark 6');
  h.watermark(7, 0).watermark(7, 1);
  t.same([left(), right()], [[], []], 'left 5 can only match right in [4, 7]: gone at watermark 7');
});

t.test('late elements: dropped and counted, or sent to the side output tags', async (t) => {
  const h = await setup({ lowerBoundMs: 0, upperBoundMs: 5 });
  h.watermark(10, 0).watermark(10, 1);
  h.element({ key: 'k', ts: 9, side: 'L' }, 9, 0);
  h.element({ key: 'k', ts: 10, side: 'R' }, 10, 1);
  t.equal(h.counters.get('numLateRecordsDropped'), 1, 'ts 9 < watermark 10 is late; ts 10 is not');
  const lateL = new OutputTag<E>('late-left');
  const lateR = new OutputTag<E>('late-right');
  const s = await setup({
    lowerBoundMs: 0,
    upperBoundMs: 5,
    leftLateDataOutputTag: lateL,
    rightLateDataOutputTag: lateR,
  });
  s.watermark(10, 0).watermark(10, 1);
  s.element({ key: 'k', ts: 3, side: 'L' }, 3, 0).element({ key: 'k', ts: 4, side: 'R' }, 4, 1);
  t.same(
    s.take().filter((e) => e.kind === 'side'),
    [
      { kind: 'side', tag: 'late-left', value: { key: 'k', ts: 3, side: 'L' }, timestamp: 3 },
      { kind: 'side', tag: 'late-right', value: { key: 'k', ts: 4, side: 'R' }, timestamp: 4 },
    ],
  );
});

t.test('argument and timestamp checks; rich functions and side outputs', async (t) => {
  t.throws(() => new IntervalJoinOperator({ lowerBoundMs: 5, upperBoundMs: 1, function: () => {} }), {
    code: 'API_INVALID_ARGUMENT',
    message: /lowerBound <= upperBound/,
  });
  const h = await setup({ lowerBoundMs: 0, upperBoundMs: 1 });
  t.throws(() => h.element({ key: 'k', ts: 0, side: 'L' }, NaN, 0), { code: 'EVENT_TIME_NO_TIMESTAMP' });
  const tag = new OutputTag<string>('info');
  let opened = 0;
  const rich = {
    joined: 0,
    open() {
      opened++;
    },
    processElement(l: E, r: E, ctx: { output<X>(tag: OutputTag<X>, v: X): void }, out: { collect(v: string): void }) {
      this.joined++;
      ctx.output(tag, `side ${l.ts}`);
      out.collect(`${l.ts}-${r.ts}`);
    },
  };
  const r = await setup({ lowerBoundMs: 0, upperBoundMs: 1, function: rich });
  t.equal(opened, 1, 'open() called once');
  r.element({ key: 'k', ts: 1, side: 'R' }, 1, 1).element({ key: 'k', ts: 1, side: 'L' }, 1, 0);
  t.same(r.take(), [
    { kind: 'side', tag: 'info', value: 'side 1', timestamp: 1 },
    { kind: 'record', value: '1-1', timestamp: 1 },
  ]);
  t.equal(rich.joined, 0, 'the operator works on its own copy of the rich function (Flink serializes functions)');
});
