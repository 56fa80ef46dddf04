import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { FileSource, type FileSplit } from '../../../operators/sources/file-source.js';
import {
  MALFORMED_TAG,
  StreamExecutionEnvironment,
  type MalformedRecord,
  type Sink,
} from '../../../runtime/exports/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-fs-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('JSON lines, CSV and Arrow IPC through a job', async (t) => {
  writeFileSync(join(dir, 'a.jsonl'), '{"k":"x","v":1}\n{"k":"y","v":2}\nnot json\n{"k":"x","v":3}\n');
  writeFileSync(join(dir, 'b.csv'), 'k,v\nx,10\ny,20\nbroken\n');
  writeFileSync(join(dir, 'c.arrow'), tableToIPC(tableFromArrays({ k: ['z', 'z'], v: Float64Array.from([100, 200]) })));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const rows = await env
    .fromSource(
      new FileSource<{ k: string; v: number | string }>([join(dir, 'a.jsonl')], { format: 'jsonl' }),
      undefined,
      'jsonl',
    )
    .union(
      env.fromSource(
        new FileSource<{ k: string; v: number | string }>([join(dir, 'b.csv')], { format: 'csv' }),
        undefined,
        'csv',
      ),
    )
    .union(
      env.fromSource(
        new FileSource<{ k: string; v: number | string }>([join(dir, 'c.arrow')], { format: 'arrow' }),
        undefined,
        'arrow',
      ),
    )
    .map((r: { k: string; v: number | string }) => `${r.k}=${Number(r.v)}`)
    .executeAndCollect();
  t.same(
    rows.sort(),
    ['x=1', 'x=10', 'x=3', 'y=2', 'y=20', 'z=100', 'z=200'],
    'malformed lines are skipped, the rest read',
  );
});

t.test("malformed lines reach the source's MALFORMED_TAG side output with a reason; the rest is read", async (t) => {
  writeFileSync(join(dir, 'm.jsonl'), '{"k":"x","v":1}\nnot json\n{"k":"y","v":2}\n{broken\n');
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const good: string[] = [];
  const bad: MalformedRecord[] = [];
  const sinkOf = <T>(into: T[]): Sink<T> => ({ createWriter: () => ({ write: (v: T) => void into.push(v) }) });
  const src = env
    .fromSource(
      new FileSource<{ k: string; v: number }>([join(dir, 'm.jsonl')], { format: 'jsonl' }),
      undefined,
      'jsonl',
    )
    .uid('lines');
  src
    .map((r: { k: string; v: number }) => `${r.k}=${r.v}`)
    .sinkTo(sinkOf(good))
    .uid('good');
  src.getSideOutput(MALFORMED_TAG).sinkTo(sinkOf(bad)).uid('bad');
  await env.execute('malformed side output');
  t.same(good.sort(), ['x=1', 'y=2']);
  t.equal(bad.length, 2, 'both bad lines, none lost');
  t.ok(
    bad.every((m) => m.source === 'lines' && m.subtaskIndex === 0 && m.reason.length > 0),
    'each names its source and a reason',
  );
  t.match(bad.map((m) => m.reason).join('\n'), /line 2[\s\S]*line 4|m\.jsonl/, 'reasons say where');
});

t.test('split positions are the checkpointed state: a restored reader continues exactly', async (t) => {
  const path = join(dir, 'seq.jsonl');
  writeFileSync(path, [...Array(2500).keys()].map((i) => JSON.stringify({ i })).join('\n') + '\n');
  const src = new FileSource<{ i: number }>([path], { format: 'jsonl', batchSize: 1000 });
  const malformed: string[] = [];
  const ctx = {
    subtaskIndex: 0,
    parallelism: 1,
    jobConfig: {},
    reportMalformed: (_r: unknown, why: string) => void malformed.push(why),
  };
  const seen: number[] = [];
  const out = { collect: (v: { i: number }) => void seen.push(v.i), markIdle() {} };
  const r1 = src.createReader(ctx);
  r1.addSplits(src.createSplits());
  r1.pollNext(out);
  const snap: FileSplit[] = r1.snapshotState(1);
  t.same(
    snap.map((s) => s.next),
    [1000],
  );
  r1.pollNext(out); // progress after the checkpoint is lost with the failure
  const r2 = src.createReader(ctx);
  r2.addSplits(snap);
  const replay: number[] = [];
  while (r2.pollNext({ collect: (v: { i: number }) => void replay.push(v.i), markIdle() {} }) !== 'END_OF_INPUT');
  t.same(
    replay,
    [...Array(1500).keys()].map((i) => i + 1000),
  );
  t.same(malformed, []);
});

t.test('malformed lines are reported in position order and belong to the checkpointed position', async (t) => {
  const path = join(dir, 'mixed.jsonl');
  // every 10th line is malformed: 200 of 2000
  const lines = [...Array(2000).keys()].map((i) => (i % 10 === 9 ? `bad ${i}` : JSON.stringify({ i })));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const src = new FileSource<{ i: number }>([path], { format: 'jsonl', batchSize: 500 });
  const events: string[] = [];
  const ctx = {
    subtaskIndex: 0,
    parallelism: 1,
    jobConfig: {},
    reportMalformed: (raw: unknown) => void events.push(String(raw)),
  };
  const out = { collect: (v: { i: number }) => void events.push(`ok ${v.i}`), markIdle() {} };
  const r1 = src.createReader(ctx);
  r1.addSplits(src.createSplits());
  r1.pollNext(out);
  t.same(
    events,
    lines.slice(0, 500).map((l, i) => (l.startsWith('bad') ? l : `ok ${i}`)),
    'records and malformed lines interleave in file order, nothing reported ahead',
  );
  const snap = r1.snapshotState(1);
  r1.pollNext(out); // lost with the failure
  events.length = 0;
  const r2 = src.createReader(ctx);
  r2.addSplits(snap);
  while (r2.pollNext(out) !== 'END_OF_INPUT');
  t.same(
    events,
    lines.slice(500).map((l, i) => (l.startsWith('bad') ? l : `ok ${i + 500}`)),
    'after a restore: exactly the input after the position, malformed lines once',
  );
  t.equal(events.filter((e) => e.startsWith('bad')).length, 150);
});
