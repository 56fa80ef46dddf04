/**
 * Fault schedules for the chaos driver: what to break and when, drawn from a seed with fast-check (so a
 * failing schedule shrinks to a smaller one), printable as one JSON line that replays it exactly
 * (`npm run chaos -- --replay '<json>'`).
 *
 * A schedule runs in one of two modes. File mode (the FileSink job): any fault but the broker restart, and
 * at most one poison record, always last (it ends the job). Kafka mode (input and output topics on the test
 * broker), chosen by a schedule holding a broker restart: no corrupt-latest (in Kafka mode a fallback past a
 * checkpoint repeats the skipped span, as Kafka transactions cannot be withdrawn) and no poison.
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
  /**
   * One input record throws in the keyed function on every attempt, under a bounded restart strategy: the job
   * must end FAILED naming the record, its committed output a clean prefix (nothing duplicated, no gap).
   */
  'poison',
  /** Kafka mode: the broker stops, the job notices (a failover or failed checkpoint), the broker restarts. */
  'broker-restart',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Wait after a new checkpoint completed before applying the fault. */
  afterCheckpointMs: number;
  /** How long a disk stays full (disk-full) or the cluster has no free slots (starve). */
  holdMs: number;
  /** poison only: where the poison record is, in per mille of the input (the record's index). */
  poisonAtPerMille?: number;
}

export type Schedule = Fault[];

const FILE_KINDS = FAULT_KINDS.filter((k) => k !== 'broker-restart' && k !== 'poison');
const KAFKA_KINDS = FAULT_KINDS.filter((k) => k !== 'corrupt-latest' && k !== 'poison');

const faultOf = (kinds: readonly FaultKind[]): fc.Arbitrary<Fault> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    afterCheckpointMs: fc.integer({ min: 0, max: 400 }),
    holdMs: fc.integer({ min: 300, max: 2000 }),
  });

const poisonArb: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constant('poison' as const),
  afterCheckpointMs: fc.integer({ min: 0, max: 400 }),
  holdMs: fc.constant(0),
  poisonAtPerMille: fc.integer({ min: 300, max: 900 }),
});

export const faultArb: fc.Arbitrary<Fault> = faultOf(FILE_KINDS);

/** File mode: 1–3 faults, one schedule in four followed by a poison record. */
const fileScheduleArb: fc.Arbitrary<Schedule> = fc
  .tuple(
    fc.array(faultArb, { minLength: 0, maxLength: 3 }),
    fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: poisonArb, weight: 1 }),
  )
  .filter(([faults, poison]) => faults.length > 0 || poison !== null)
  .map(([faults, poison]) => (poison ? [...faults, poison] : faults));

/** Kafka mode: a broker restart among up to two other faults. */
const kafkaScheduleArb: fc.Arbitrary<Schedule> = fc
  .tuple(
    fc.array(faultOf(KAFKA_KINDS), { minLength: 0, maxLength: 2 }),
    faultOf(['broker-restart']),
    fc.nat({ max: 2 }),
  )
  .map(([faults, restart, at]) => [...faults.slice(0, at), restart, ...faults.slice(at)]);

export const scheduleArb: fc.Arbitrary<Schedule> = fc.oneof(
  { arbitrary: fileScheduleArb, weight: 3 },
  { arbitrary: kafkaScheduleArb, weight: 1 },
);

/** Kafka mode when the schedule restarts the broker. */
export const isKafkaSchedule = (s: Schedule) => s.some((f) => f.kind === 'broker-restart');

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
    if (
      f.kind === 'poison' &&
      !(Number.isInteger(f.poisonAtPerMille) && f.poisonAtPerMille! >= 0 && f.poisonAtPerMille! < 1000)
    )
      throw new Error('a poison fault needs poisonAtPerMille, an integer in 0..999');
  }
  const s = v as Schedule;
  const kafka = isKafkaSchedule(s);
  if (kafka && s.some((f) => f.kind === 'corrupt-latest' || f.kind === 'poison'))
    throw new Error('a Kafka-mode schedule (with broker-restart) cannot hold corrupt-latest or poison');
  const p = s.findIndex((f) => f.kind === 'poison');
  if (p >= 0 && p !== s.length - 1) throw new Error('a poison fault must be the last of its schedule');
  return s;
}
