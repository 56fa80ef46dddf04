/**
 * The operator-level batch contract (StreamInputProcessor with record-runs.ts): an operator that takes
 * batches gets runs of records cut at every watermark, status, barrier and end of input, in channel order,
 * from element arrays and from decoded columnar frames alike (values, timestamps including NaN, keys under
 * the input's key selector); one without gets a StreamRecord per record (the default); the drain signal comes
 * once per idle period.
 */
import t from 'tap';
import { ElementKind, type StreamElement, type StreamRecord } from '../../../runtime/api/elements.js';
import type { StreamRecordBatch } from '../../../runtime/api/record-batch.js';
import { decodeColumnarBuffer, encodeColumnar } from '../../../runtime/network/columnar-codec.js';
import type { InputBuffer, TaskInputChannel } from '../../../runtime/task/channel.js';
import { StreamInputProcessor } from '../../../runtime/task/input-processor.js';
import type { OperatorDriver } from '../../../runtime/task/operator-chain.js';

type V = { id: number; key: number };
const rec = (id: number, timestamp = id * 10): StreamRecord<V> => ({
  kind: ElementKind.Record,
  value: { id, key: id % 3 },
  timestamp,
});
const elements: StreamElement[] = [
  rec(1),
  rec(2, NaN),
  { kind: ElementKind.Watermark, timestamp: 15 },
  rec(3),
  { kind: ElementKind.WatermarkStatus, idle: true },
  { kind: ElementKind.Barrier, checkpointId: 7, timestampMs: 1, checkpointKind: 'CHECKPOINT' },
  rec(4),
  rec(5),
  rec(6),
  { kind: ElementKind.EndOfInput },
];

/** A chain head that logs what reaches it; `batches` decides whether it declares processBatch. */
function fakeHead(batches: boolean) {
  const log: unknown[] = [];
  let drained = 0;
  const driver = {
    keySelectors: [(v: V) => v.key],
    takesBatches: () => batches,
    processBatch: (_input: number, b: StreamRecordBatch) => {
      const run: unknown[] = [];
      for (let i = 0; i < b.size; i++) run.push([(b.value(i) as V).id, b.timestamp(i), b.key(i)]);
      log.push({ batch: run });
    },
    processRecord: (_input: number, r: StreamRecord) => log.push({ record: r }),
    inputDrained: () => {
      drained++;
    },
  };
  return { driver: driver as unknown as OperatorDriver, log, drained: () => drained };
}

/** A channel handing out the given buffers, one per poll. */
function channel(buffers: InputBuffer[], columnar: boolean): TaskInputChannel {
  return {
    poll: () => (columnar ? null : ((buffers.shift() as StreamElement[] | undefined) ?? null)),
    ...(columnar ? { pollBuffer: () => buffers.shift() ?? null } : {}),
    onAvailable: () => {},
  };
}

function processor(head: ReturnType<typeof fakeHead>, ch: TaskInputChannel) {
  const events: StreamElement[] = [];
  let counted = 0;
  const p = new StreamInputProcessor([{ channel: ch, logicalInput: 0 }], [head.driver], {
    isBlocked: () => false,
    isRunning: () => true,
    processElement: async (_ch, e) => {
      events.push(e);
      head.log.push({ event: e.kind });
    },
    settlePending: () => undefined,
    outputsWritable: () => true,
    countRecordsIn: (n) => {
      counted += n;
    },
  });
  return { p, events, counted: () => counted };
}

const expectedBatches = [
  {
    batch: [
      [1, 10, 1],
      [2, NaN, 2],
    ],
  },
  { event: ElementKind.Watermark },
  { batch: [[3, 30, 0]] },
  { event: ElementKind.WatermarkStatus },
  { event: ElementKind.Barrier },
  {
    batch: [
      [4, 40, 1],
      [5, 50, 2],
      [6, 60, 0],
    ],
  },
  { event: ElementKind.EndOfInput },
];

for (const columnar of [false, true]) {
  const form = columnar ? 'a decoded columnar frame' : 'an element array';
  t.test(`a batch operator gets runs cut at every other element, in order, from ${form}`, async (t) => {
    const head = fakeHead(true);
    const buffer = columnar ? decodeColumnarBuffer(encodeColumnar(elements)) : [...elements];
    const { p, events, counted } = processor(head, channel([buffer], columnar));
    t.equal(await p.turn(), true);
    t.same(head.log, expectedBatches);
    t.equal(counted(), 6, 'every record counted in');
    t.same(
      events.filter((e) => e.kind === ElementKind.Barrier),
      [elements[5]],
      'the barrier arrives as it was sent',
    );
  });

  t.test(`an operator without processBatch gets one StreamRecord per record, from ${form}`, async (t) => {
    const head = fakeHead(false);
    const buffer = columnar ? decodeColumnarBuffer(encodeColumnar(elements)) : [...elements];
    const { p } = processor(head, channel([buffer], columnar));
    await p.turn();
    t.same(
      head.log,
      elements.map((e) => (e.kind === ElementKind.Record ? { record: e } : { event: e.kind })),
      'records and events in channel order, records whole (value and timestamp)',
    );
  });
}

t.test('the drain signal: once when a turn finds nothing queued, again only after more input', async (t) => {
  const head = fakeHead(true);
  const buffers: InputBuffer[] = [[rec(1)]];
  const { p } = processor(head, channel(buffers, false));
  t.equal(await p.turn(), true, 'a turn with input');
  t.equal(head.drained(), 0, 'not drained while a turn found input');
  t.equal(await p.turn(), false, 'nothing queued');
  t.equal(head.drained(), 1, 'drained once');
  await p.turn();
  t.equal(head.drained(), 1, 'an idle turn (a mail, a timer) does not signal again');
  buffers.push([rec(2)]);
  await p.turn();
  await p.turn();
  t.equal(head.drained(), 2, 'more input, then nothing: drained again');
});
