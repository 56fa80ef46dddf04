/**
 * Seeded fault injection (the fixed seeds of `npm run chaos`): each seed draws a fault schedule — worker
 * SIGKILL, SIGSTOP past the heartbeat timeout, a kill while the job redeploys, every busy worker killed
 * (the job waits for slots), a corrupted latest checkpoint, a full checkpoint disk that is freed — applied
 * to the keyed exactly-once job on a mini cluster. The independent checker must find every record once,
 * per-key order kept and the keyed counts consistent. Seeds 4 and 13 together cover every fault kind but
 * the plain kill (exactly-once-kills.test.ts has three of those).
 */
import t from 'tap';
import { runSchedule } from '../support/chaos/driver.js';
import { formatSchedule, scheduleForSeed } from '../support/chaos/schedule.js';

for (const seed of [4, 13]) {
  t.test(`chaos seed ${seed}: nothing lost, nothing duplicated`, async (t) => {
    const schedule = scheduleForSeed(seed);
    t.comment(`schedule: ${formatSchedule(schedule)}`);
    const r = await runSchedule(schedule);
    const replay = `replay: npm run chaos -- --replay '${formatSchedule(schedule)}'`;
    t.equal(r.status, 'FINISHED', replay);
    t.ok(r.faultsApplied >= 1, `faults applied: ${r.faultsApplied} of ${schedule.length} (${r.notes.join('; ')})`);
    t.same(
      r.verdict,
      { ...r.verdict, lost: 0, duplicated: 0, outOfOrder: 0, stateInconsistent: 0, unexpected: 0 },
      replay,
    );
    t.equal(r.verdict.committed, r.verdict.expected, 'every record committed once');
  });
}
