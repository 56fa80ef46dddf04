import t from 'tap';
import * as path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import {
  decodeStateFile,
  encodeStateFile,
  readStateFile,
  writeStateFile,
  STATE_FILE_HEADER_BYTES,
} from '../../../checkpoints/state-file.js';
import { isSluiceError } from '../../../runtime/errors/index.js';
import { tempDir } from './helpers.js';

const sample = {
  counts: new Map<unknown, unknown>([
    ['a', 1],
    [2, { nested: [1, 2, 3] }],
  ]),
  set: new Set(['x']),
  big: 2n ** 70n,
  undef: undefined,
  floats: new Float32Array([1.5, -2]),
  rows: [
    { k: 'a', v: 1 },
    { k: 'b', v: 2 },
  ],
};

t.test('round trip keeps Maps, Sets, bigints, typed arrays and objects', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'a.state');
  const digest = await writeStateFile(file, sample);
  const bytes = await readFile(file);
  t.equal(digest.sizeBytes, bytes.length);
  t.match(digest.sha256, /^[0-9a-f]{64}$/);
  const back = (await readStateFile(file, digest)) as typeof sample;
  t.same([...back.counts.entries()], [...sample.counts.entries()]);
  t.ok(back.counts instanceof Map);
  t.ok(back.set instanceof Set && back.set.has('x'));
  t.equal(back.big, sample.big);
  t.ok('undef' in back && back.undef === undefined);
  t.same(Array.from(back.floats), [1.5, -2]);
  t.same(back.rows, sample.rows);
});

t.test('a cyclic state value is written with references kept; acyclic values are written as values', async (t) => {
  const dir = await tempDir(t);
  const node: { name: string; self?: unknown } = { name: 'loop' };
  node.self = node;
  const digest = await writeStateFile(path.join(dir, 'cyclic.state'), { node });
  const back = (await readStateFile(path.join(dir, 'cyclic.state'), digest)) as {
    node: { name: string; self: unknown };
  };
  t.equal(back.node.name, 'loop');
  t.equal(back.node.self, back.node, 'the cycle survives');
  const shared = { v: 1 };
  const d2 = await writeStateFile(path.join(dir, 'shared.state'), [shared, shared]);
  const [a, b] = (await readStateFile(path.join(dir, 'shared.state'), d2)) as [{ v: number }, { v: number }];
  t.same(a, b);
  t.not(a, b, 'two references to one object restore as two equal objects, as with Flink serializers');
});

t.test('writing refuses to overwrite an existing file', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'a.state');
  await writeStateFile(file, 1);
  await t.rejects(writeStateFile(file, 2), { code: 'CHECKPOINT_STORAGE' });
});

t.test('a flipped body byte is CHECKPOINT_CORRUPT naming the file', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'b.state');
  await writeStateFile(file, sample);
  const bytes = await readFile(file);
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
  await writeFile(file, bytes);
  const err = await readStateFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isSluiceError(err));
  t.equal((err as { code: string }).code, 'CHECKPOINT_CORRUPT');
  t.match((err as Error).message, file);
  t.match((err as Error).message, /sha256 mismatch/);
});

t.test('truncation, bad magic, missing file and manifest mismatches are detected', async (t) => {
  const { bytes, sha256, sizeBytes } = encodeStateFile({ x: 1 });
  t.throws(() => decodeStateFile(bytes.subarray(0, bytes.length - 1), 'trunc'), {
    code: 'CHECKPOINT_CORRUPT',
    message: /trunc.*truncated/,
  });
  t.throws(() => decodeStateFile(bytes.subarray(0, 10), 'short'), { code: 'CHECKPOINT_CORRUPT' });
  const bad = Buffer.from(bytes);
  bad.write('XXXX', 0, 'latin1');
  t.throws(() => decodeStateFile(bad, 'magic'), { message: /bad magic/ });
  t.throws(() => decodeStateFile(bytes, 'size', { sizeBytes: sizeBytes + 1 }), { message: /manifest says/ });
  t.throws(() => decodeStateFile(bytes, 'swap', { sha256: '0'.repeat(64) }), { message: /manifest 0{64}/ });
  t.same(decodeStateFile(bytes, 'ok', { sha256, sizeBytes }), { x: 1 });
  t.equal(bytes.length - STATE_FILE_HEADER_BYTES, bytes.readUInt32BE(12));
  const dir = await tempDir(t);
  await t.rejects(readStateFile(path.join(dir, 'nope.state')), { code: 'CHECKPOINT_CORRUPT', message: /missing/ });
});
