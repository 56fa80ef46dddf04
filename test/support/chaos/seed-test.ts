/**
 * One fixed chaos seed as a tap test (used by the chaos test files of `npm test`): runs the seed's schedule
 * and asserts the checker's verdict — the expected job status, nothing lost, duplicated, out of order or
 * inconsistent, every record owed committed once — printing the replay command with every assertion.
 */
import type { Test } from 'tap';
import { runSchedule } from './driver.js';
import { formatSchedule, scheduleForSeed } from './schedule.js';

export async function checkSeed(t: Test, seed: number): Promise<void> {
  const schedule = scheduleForSeed(seed);
  t.comment(`schedule: ${formatSchedule(schedule)}`);
  const r = await runSchedule(schedule);
  for (const f of r.failures) t.comment(`failover: ${f}`);
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
}
