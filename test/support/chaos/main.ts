/**
 * `npm run chaos -- [--seeds N] [--first S] [--records R] [--shrink] [--replay '<schedule json>']`: runs the
 * chaos driver for seeds S..S+N-1 (default 1..5), one schedule per seed, and prints one line per run and
 * a summary (seeds per minute, faults survived, lost/duplicated totals). A failing seed prints its
 * schedule and the command that replays it. `--shrink` runs the seeds as a fast-check property, which
 * on a failure shrinks the schedule to a smallest failing one (slow: every step is a cluster run).
 * Exit code 1 when any run lost, duplicated or reordered a record or did not finish.
 */
import fc from 'fast-check';
import { ok } from './checker.js';
import { runSchedule, type ChaosResult } from './driver.js';
import { formatSchedule, parseSchedule, scheduleArb, scheduleForSeed, type Schedule } from './schedule.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seeds = Number(arg('--seeds') ?? 5);
const first = Number(arg('--first') ?? 1);
const records = arg('--records') === undefined ? undefined : Number(arg('--records'));
const replay = arg('--replay');
const log = (s: string) => process.stderr.write(`chaos: ${s}\n`);

function line(label: string, schedule: Schedule, r: ChaosResult): string {
  const v = r.verdict;
  return `${label} ${r.status} faults=${r.faultsApplied} restarts=${r.failures.length} committed=${v.committed}/${v.expected} lost=${v.lost} duplicated=${v.duplicated} outOfOrder=${v.outOfOrder} stateInconsistent=${v.stateInconsistent} ${(r.durationMs / 1000).toFixed(1)}s ${formatSchedule(schedule)}`;
}

/** The job ended as it must (FINISHED, or FAILED naming a poison record), and the checker found nothing wrong. */
const passed = (r: ChaosResult) => r.status === r.expectedStatus && r.causeNamed !== false && ok(r.verdict);

if (replay) {
  const schedule = parseSchedule(replay);
  const r = await runSchedule(schedule, { records, log });
  console.log(line('replay', schedule, r));
  process.exit(passed(r) ? 0 : 1);
}

if (process.argv.includes('--shrink')) {
  await fc.assert(
    fc.asyncProperty(scheduleArb, async (schedule) => {
      const r = await runSchedule(schedule, { records, log });
      console.log(line('run', schedule, r));
      return passed(r);
    }),
    { seed: first, numRuns: seeds, verbose: true },
  );
  process.exit(0);
}

const started = Date.now();
let faults = 0;
let lost = 0;
let duplicated = 0;
const failed: number[] = [];
for (let seed = first; seed < first + seeds; seed++) {
  const schedule = scheduleForSeed(seed);
  let r: ChaosResult;
  try {
    r = await runSchedule(schedule, { records, log });
  } catch (e) {
    // the driver itself gave up (a deadline passed): a failed seed, reported with its schedule
    console.log(`seed ${seed} ERROR ${(e as Error).message} ${formatSchedule(schedule)}`);
    console.log(`  replay: npm run chaos -- --replay '${formatSchedule(schedule)}'  (or --first ${seed} --seeds 1)`);
    failed.push(seed);
    continue;
  }
  console.log(line(`seed ${seed}`, schedule, r));
  faults += r.faultsApplied;
  lost += r.verdict.lost;
  duplicated += r.verdict.duplicated;
  if (!passed(r)) {
    failed.push(seed);
    console.log(`  replay: npm run chaos -- --replay '${formatSchedule(schedule)}'  (or --first ${seed} --seeds 1)`);
  }
}
const minutes = (Date.now() - started) / 60_000;
console.log(
  `summary: ${seeds} seeds in ${minutes.toFixed(1)} min (${(seeds / minutes).toFixed(2)} seeds/min), ${faults} faults survived, lost=${lost} duplicated=${duplicated}, failed seeds: ${failed.length ? failed.join(' ') : 'none'}`,
);
process.exit(failed.length ? 1 : 0);
