/**
 * Fault schedules for the chaos driver: what to break and when, drawn from a seed with fast-check (so a
 * failing schedule shrinks to a smaller one), printable as one JSON line that replays it exactly
 * (`npm run chaos -- --replay '<json>'`).
 *
 * Invariant: a schedule is plain data (kind + timings); the driver alone decides which process a fault
 * hits, always one that runs tasks of the job at that moment.
 */
import fc from 'fast-check';

export const FAULT_KINDS = [
  /** SIGKILL a worker that runs tasks, then start a replacement. */
  'kill',
  /** SIGSTOP a worker for longer than heartbeat.timeout (declared lost), then SIGCONT it (it exits). */
  'freeze',
  /** Kill a worker, then kill another while the job redeploys (CREATED). */
  'kill-during-redeploy',
  /** Kill every worker that runs tasks: the job waits for slots (CREATED) for holdMs, then workers return. */
  'starve',
  /** Truncate a state file of the latest completed checkpoint, then kill a worker: recovery falls back. */
  'corrupt-latest',
  /** The checkpoint disk is full for holdMs (ENOSPC through the storage fault hook), then freed. */
  'disk-full',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Wait after a new checkpoint completed before applying the fault. */
  afterCheckpointMs: number;
  /** How long a disk stays full (disk-full) or the cluster has no free slots (starve). */
  holdMs: number;
}

export type Schedule = Fault[];

export const faultArb: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constantFrom(...FAULT_KINDS),
  afterCheckpointMs: fc.integer({ min: 0, max: 400 }),
  holdMs: fc.integer({ min: 300, max: 2000 }),
});

export const scheduleArb: fc.Arbitrary<Schedule> = fc.array(faultArb, { minLength: 1, maxLength: 3 });

/** The schedule a seed draws (the same seed always gives the same schedule). */
export function scheduleForSeed(seed: number): Schedule {
  return fc.sample(scheduleArb, { seed, numRuns: 1 })[0]!;
}

export function formatSchedule(s: Schedule): string {
  return JSON.stringify(s);
}

/** Parses a printed schedule, refusing anything that is not one. */
export function parseSchedule(json: string): Schedule {
  const v = JSON.parse(json) as unknown;
  if (!Array.isArray(v)) throw new Error('a schedule is a JSON array of faults');
  for (const f of v as Fault[]) {
    if (!FAULT_KINDS.includes(f?.kind)) throw new Error(`unknown fault kind ${JSON.stringify(f?.kind)}`);
    if (!Number.isInteger(f.afterCheckpointMs) || !Number.isInteger(f.holdMs))
      throw new Error('afterCheckpointMs and holdMs must be integers');
  }
  return v as Schedule;
}
