/**
 * The chaos suite's own judges can fail: the checker counts a lost, duplicated, reordered or miscounted line
 * (and, after a poison record, a gap in a key's prefix or a line past the poison), and a printed schedule that
 * breaks the mode rules (poison not last; corrupt-latest or poison in Kafka mode) is refused on replay.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { checkSequenceOutput } from '../../support/chaos/checker.js';
import { formatSchedule, isKafkaSchedule, parseSchedule, scheduleForSeed } from '../../support/chaos/schedule.js';

function outputDir(t: { teardown(fn: () => void): void }, parts: string[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-checker-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  parts.forEach((lines, i) => writeFileSync(join(dir, `part-${i}`), lines.map((l) => `${l}\n`).join('')));
  return dir;
}

/** Lines `k<key>,<seq>,<seq+1>` for seqs [from, to). */
const lines = (key: number, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `k${key},${from + i},${from + i + 1}`);

t.test('complete output is clean; each kind of error is counted', async (t) => {
  const clean = checkSequenceOutput(outputDir(t, [lines(0, 0, 5), lines(1, 0, 5)]), 10, 2);
  t.same(clean, {
    expected: 10,
    committed: 10,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    stateInconsistent: 0,
    unexpected: 0,
  });
  const bad = checkSequenceOutput(
    outputDir(t, [
      [...lines(0, 0, 3), 'k0,1,2', 'k0,4,9'],
      ['k1,1,2', 'k1,0,1', 'k7,0,1'],
    ]),
    10,
    2,
  );
  t.equal(bad.duplicated, 1, 'k0 seq 1 twice');
  t.equal(bad.stateInconsistent, 1, 'k0 seq 4 with count 9');
  t.equal(bad.outOfOrder, 1, 'k1 seq 0 after seq 1');
  t.equal(bad.unexpected, 1, 'a key outside the input');
  t.equal(bad.lost, 1 + 3, 'k0 seq 3 and k1 seqs 2..4');
});

t.test('after a poison record: only a clean prefix is owed, nothing past the poison', async (t) => {
  const poison = { key: 'k1', seq: 3 };
  const prefix = checkSequenceOutput(outputDir(t, [lines(0, 0, 4), lines(1, 0, 3)]), 20, 2, poison);
  t.same(prefix, {
    expected: 7,
    committed: 7,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    stateInconsistent: 0,
    unexpected: 0,
  });
  const gap = checkSequenceOutput(
    outputDir(t, [[...lines(0, 0, 2), ...lines(0, 3, 4)], lines(1, 0, 3)]),
    20,
    2,
    poison,
  );
  t.equal(gap.lost, 1, 'k0 seq 2 missing below a committed seq');
  const past = checkSequenceOutput(outputDir(t, [lines(0, 0, 2), lines(1, 0, 5)]), 20, 2, poison);
  t.equal(past.unexpected, 2, 'k1 seqs 3 and 4 cannot have passed the poison record');
});

t.test('schedules: seeds replay exactly, and the mode rules hold on replay', async (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const s = scheduleForSeed(seed);
    t.same(parseSchedule(formatSchedule(s)), s);
    const poisonAt = s.findIndex((f) => f.kind === 'poison');
    if (poisonAt >= 0) t.equal(poisonAt, s.length - 1, `seed ${seed}: poison last`);
    if (isKafkaSchedule(s))
      t.notOk(
        s.some((f) => f.kind === 'corrupt-latest' || f.kind === 'poison'),
        `seed ${seed}`,
      );
  }
  const poison = { kind: 'poison', afterCheckpointMs: 0, holdMs: 0, poisonAtPerMille: 500 };
  const kill = { kind: 'kill', afterCheckpointMs: 0, holdMs: 300 };
  t.throws(() => parseSchedule(JSON.stringify([poison, kill])), /must be the last/);
  t.throws(() => parseSchedule(JSON.stringify([{ ...poison, poisonAtPerMille: undefined }])), /needs poisonAtPerMille/);
  t.throws(
    () =>
      parseSchedule(
        JSON.stringify([
          { kind: 'broker-restart', afterCheckpointMs: 0, holdMs: 300 },
          { ...kill, kind: 'corrupt-latest' },
        ]),
      ),
    /cannot hold corrupt-latest/,
  );
});
