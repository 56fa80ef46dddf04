/**
 * FileSink two-phase commit: commits are idempotent, and a restore from checkpoint M withdraws the parts
 * that later checkpoints (and end of input) committed, each subtask those of former subtasks s ≡ i (mod p).
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink, committedAfter } from '../../../operators/sinks/file-sink.js';

const ctx = (subtaskIndex: number, parallelism: number) => ({
  subtaskIndex,
  parallelism,
  attemptNumber: 0,
  jobId: 'j',
  jobConfig: {},
});

function tempDir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-file-sink-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Writes one line per checkpoint id in `ids` from `subtask` of `parallelism` and commits each. */
async function commitParts(sink: FileSink<string>, subtask: number, parallelism: number, ids: number[]) {
  const w = await sink.createWriter(ctx(subtask, parallelism));
  const committer = sink.createCommitter(ctx(subtask, parallelism));
  for (const id of ids) {
    await w.write(`s${subtask}-c${id}`, 0);
    const c = await w.prepareCommit!(id);
    await committer.commit(c);
    await committer.commit(c); // idempotent
  }
}

const visible = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('part-'));

t.test('committedAfter parses part names', async (t) => {
  t.same(committedAfter('part-1-000007-1-0-abcdef-0', 6), { subtask: 1 });
  t.equal(committedAfter('part-1-000007-1-0-abcdef-0', 7), undefined);
  t.same(committedAfter('part-3-final-3-0-abcdef-0', 1e9), { subtask: 3 });
  t.equal(committedAfter('.part-0-0-abcdef-0.pending', 0), undefined);
});

t.test('a restore withdraws parts of later checkpoints, per former subtask', async (t) => {
  const dir = tempDir(t);
  const sink = new FileSink<string>(dir, { encode: (s) => s });
  for (let s = 0; s < 3; s++) await commitParts(sink, s, 3, [1, 2, 3, Number.MAX_SAFE_INTEGER]);
  t.equal(visible(dir).length, 12);
  // restored at parallelism 2 from checkpoint 2: subtask 0 takes former subtasks 0 and 2, subtask 1 takes 1
  await sink.createCommitter(ctx(0, 2)).withdrawCommittedAfter!(2);
  const left = visible(dir).map((f) => f.split('-').slice(1, 3).join('-'));
  t.same(left.sort(), ['0-000001', '0-000002', '1-000001', '1-000002', '1-000003', '1-final', '2-000001', '2-000002']);
  await sink.createCommitter(ctx(1, 2)).withdrawCommittedAfter!(2);
  t.equal(visible(dir).length, 6, 'only the parts of checkpoints 1 and 2 stay visible');
  t.equal(
    readdirSync(dir).filter((f) => f.startsWith('.withdrawn-part-')).length,
    6,
    'withdrawn parts are kept hidden',
  );
});
