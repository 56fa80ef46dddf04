/**
 * Text files in and out: `env.readTextFile`, `FileSource.forRecordStreamFormat(new TextLineInputFormat(),
 * path)` (files and directories, line breaks, charsets, split positions as restore points), and
 * `FileSink.forRowFormat(path, new SimpleStringEncoder())` through a job (committed part files only).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SimpleStringEncoder, flinkString } from '../../../operators/sinks/row-encoders.js';
import { FileSource, type FileSplit } from '../../../operators/sources/file-source.js';
import { TextLineInputFormat } from '../../../operators/sources/text-line-format.js';
import { FileSink, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-text-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const env = () => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);

t.test('readTextFile: lines without their breaks (\\n, \\r\\n, \\r), a directory read recursively', async (t) => {
  const d = join(dir, 'in');
  mkdirSync(join(d, 'sub'), { recursive: true });
  writeFileSync(join(d, 'a.txt'), 'alpha\r\nbeta\n\ngamma');
  writeFileSync(join(d, 'sub', 'b.txt'), 'delta\repsilon\n');
  writeFileSync(join(d, '.hidden'), 'never\n');
  writeFileSync(join(d, '_SUCCESS'), 'never\n');
  const lines = await env().readTextFile(d).executeAndCollect();
  t.same(
    lines.sort(),
    ['', 'alpha', 'beta', 'delta', 'epsilon', 'gamma'],
    'an empty line is a record; hidden files skipped',
  );
  const one = await env()
    .readTextFile(join(d, 'a.txt'))
    .map((l: string) => l.length)
    .executeAndCollect();
  t.same(one.sort(), [0, 4, 5, 5]);
  await t.rejects(env().readTextFile(join(dir, 'missing.txt')).executeAndCollect(), /no such file/);
});

t.test('FileSource.forRecordStreamFormat with a charset', async (t) => {
  const p = join(dir, 'latin1.txt');
  writeFileSync(p, Buffer.from('caf\xe9\nna\xefve\n', 'latin1'));
  const src = FileSource.forRecordStreamFormat(new TextLineInputFormat('ISO-8859-1'), p).build();
  const lines = await env().fromSource(src, undefined, 'text').executeAndCollect();
  t.same(lines.sort(), ['café', 'naïve']);
  t.throws(() => new TextLineInputFormat('EBCDIC'), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => FileSource.forRecordStreamFormat({} as never, p), { code: 'API_INVALID_ARGUMENT' });
});

t.test('text split positions are the checkpointed state: a restored reader continues exactly', async (t) => {
  const p = join(dir, 'many.txt');
  const all = [...Array(2500).keys()].map((i) => `line ${i}`);
  writeFileSync(p, `${all.join('\n')}\n`);
  const src = new FileSource<string>([p], { format: 'text', batchSize: 700 });
  const ctx = { subtaskIndex: 0, parallelism: 1, jobConfig: {}, reportMalformed: () => {} };
  const seen: string[] = [];
  const r1 = src.createReader(ctx);
  r1.addSplits(src.createSplits());
  r1.pollNext({ collect: (v: string) => void seen.push(v), markIdle() {} });
  const snap: FileSplit[] = r1.snapshotState(1);
  t.same(
    snap.map((s) => s.next),
    [700],
  );
  const r2 = src.createReader(ctx);
  r2.addSplits(snap);
  const replay: string[] = [];
  while (r2.pollNext({ collect: (v: string) => void replay.push(v), markIdle() {} }) !== 'END_OF_INPUT');
  t.same([...seen, ...replay], all, 'each line exactly once across the restore');
});

t.test('FileSink.forRowFormat(path, SimpleStringEncoder): committed part files hold each record once', async (t) => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    toString() {
      return `Point(${this.x}, ${this.y})`;
    }
  }
  const out = join(dir, 'out');
  const records: unknown[] = [...[...Array(50).keys()].map((i) => `s${i}`), ['k', 1], { a: 1 }, new Point(1, 2), 42];
  const e = env();
  e.fromCollection(records).sinkTo(FileSink.forRowFormat(out, new SimpleStringEncoder()).build()).uid('sink');
  await e.execute('row format');
  const parts = readdirSync(out).filter((f) => f.startsWith('part-'));
  t.ok(parts.length >= 1, 'visible part files');
  t.same(
    readdirSync(out).filter((f) => f.startsWith('.')),
    [],
    'no in-progress or pending files left',
  );
  const lines = parts.flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').slice(0, -1));
  t.same(lines.sort(), records.map(flinkString).sort());
  t.ok(lines.includes('(k,1)') && lines.includes('{"a":1}') && lines.includes('Point(1, 2)') && lines.includes('42'));
  t.throws(() => FileSink.forRowFormat(out, {} as never), { code: 'API_INVALID_ARGUMENT' });
});
