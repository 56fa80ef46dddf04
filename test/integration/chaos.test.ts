/**
 * Seeded fault injection (the fixed seeds of `npm run chaos`): each seed draws a fault schedule — worker
 * SIGKILL, SIGSTOP past the heartbeat timeout, a kill while the job redeploys, every busy worker killed
 * (the job waits for slots), a corrupted latest checkpoint, a full checkpoint disk that is freed, a poison
 * record under a bounded restart strategy, a Kafka broker restart — applied to the keyed exactly-once job on
 * a mini cluster (in Kafka mode for a broker restart). The independent checker must find every record once
 * (after a poison record: a clean committed prefix, the job FAILED naming the record), per-key order kept and
 * the keyed counts consistent. Seed 3 (starve, corrupt-latest, disk-full, poison), seed 6 (broker-restart) and
 * seed 1 (broker-restart, kill during redeploy: in Kafka mode, a failure around the end of input must not
 * commit the last transaction twice) cover every kind but the plain kill (exactly-once-kills.test.ts) and the
 * freeze (frozen-worker.test.ts).
 */
import t from 'tap';
import { runSchedule } from '../support/chaos/driver.js';
import { formatSchedule, scheduleForSeed } from '../support/chaos/schedule.js';

for (const seed of [1, 3, 6]) {
  t.test(`chaos seed ${seed}: nothing lost, nothing duplicated`, async (t) => {
    const schedule = scheduleForSeed(seed);
    t.comment(`schedule: ${formatSchedule(schedule)}`);
    const r = await runSchedule(schedule);
    const replay = `replay: npm run chaos -- --replay '${formatSchedule(schedule)}'`;
    t.equal(r.status, r.expectedStatus, replay);
    if (r.causeNamed !== undefined) t.ok(r.causeNamed, `the job's root exception names the poison record (${replay})`);
    t.ok(r.faultsApplied >= 1, `faults applied: ${r.faultsApplied} of ${schedule.length} (${r.notes.join('; ')})`);
    t.same(
      r.verdict,
      { ...r.verdict, lost: 0, duplicated: 0, outOfOrder: 0, stateInconsistent: 0, unexpected: 0 },
      replay,
    );
    t.equal(r.verdict.committed, r.verdict.expected, 'every record owed committed once');
    if (r.expectedStatus === 'FINISHED') t.ok(r.verdict.expected > 0, 'the whole input is owed');
  });
}
