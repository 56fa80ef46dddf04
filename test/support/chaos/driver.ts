/**
 * The chaos driver: runs the keyed exactly-once job (`jobs/keyed-sequence-check.ts`: generator → keyBy →
 * per-key sequence and count in keyed state → two-phase-commit FileSink) on a mini cluster of real
 * processes, applies a fault schedule, waits for the job to finish, and hands the output to the
 * independent checker. Faults hit only processes that run tasks of the job at that moment.
 *
 * The checkpoint disk fault uses the storage fault hook (SLUICE_FAULT_CHECKPOINT_ENOSPC: ENOSPC while a
 * marker file exists), not a real full file system. A schedule with a broker restart runs the job in Kafka
 * mode (`kafka-side.ts`); a schedule ending in a poison record runs under a bounded restart strategy and
 * must end FAILED, its root exception naming the record, with a clean committed prefix.
 *
 * Invariant: every process, temp directory and environment change is undone when run() settles (the
 * directory stays when SLUICE_CHAOS_KEEP=1 asks for it; SLUICE_CHAOS_LOG=file writes the cluster's log there).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessHandle } from '../../../runtime/cli/mini-cluster.js';
import { runCli, startCluster, waitFor, type TestCluster } from '../cluster-harness.js';
import { checkSequenceOutput, type Verdict } from './checker.js';
import { type KafkaSide, startKafkaSide } from './kafka-side.js';
import { type Fault, isKafkaSchedule, type Schedule } from './schedule.js';

export interface ChaosOptions {
  records?: number;
  recordsPerSecond?: number;
  keys?: number;
  checkpointIntervalMs?: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  status: string;
  /** FINISHED, or FAILED for a schedule with a poison record. */
  expectedStatus: 'FINISHED' | 'FAILED';
  /** Poison schedules: whether the job's root exception names the poison record. */
  causeNamed?: boolean;
  verdict: Verdict;
  faultsApplied: number;
  /** The first line of each failure in the job's exception history (what the faults caused): its restarts. */
  failures: string[];
  durationMs: number;
  notes: string[];
}

interface TaskManagers {
  taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }>;
}

export async function runSchedule(schedule: Schedule, o: ChaosOptions = {}): Promise<ChaosResult> {
  const records = o.records ?? 5000 * (schedule.length + 1);
  const keys = o.keys ?? 10;
  const kafkaMode = isKafkaSchedule(schedule);
  const poisonFault = schedule.find((f) => f.kind === 'poison');
  const poisonIndex = poisonFault ? Math.floor((records * poisonFault.poisonAtPerMille!) / 1000) : -1;
  const poison = poisonFault ? { key: `k${poisonIndex % keys}`, seq: Math.floor(poisonIndex / keys) } : undefined;
  const started = Date.now();
  const cleanups: Array<() => unknown> = [];
  const t = { teardown: (fn: () => unknown) => void cleanups.push(fn) };
  const base = mkdtempSync(join(tmpdir(), 'sluice-chaos-'));
  // SLUICE_CHAOS_KEEP=1 keeps the run's directory (checkpoints, broker log, output) to inspect a failure
  if (process.env.SLUICE_CHAOS_KEEP === '1') o.log?.(`keeping ${base}`);
  else cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const out = join(base, 'out');
  const diskFull = join(base, 'disk-full');
  const previousFault = process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC;
  process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC = diskFull; // inherited by the cluster processes
  const notes: string[] = [];
  const note = (s: string) => {
    notes.push(s);
    o.log?.(s);
  };
  try {
    const c = await startCluster(t, {
      workers: 2,
      slots: 2,
      extraArgs: [
        ...['-D', `execution.checkpointing.dir=${join(base, 'ckpt')}`],
        ...['-D', 'execution.checkpointing.num-retained=3'],
        ...['-D', 'heartbeat.interval=500 ms', '-D', 'heartbeat.timeout=3000 ms'],
        // checkpoints every 200 ms: a task stuck behind a fault fails over after 30 s (the default 10 min would
        // outlast the test); the seed test prints the failovers it saw, so an expiry is visible, not hidden
        ...['-D', 'execution.checkpointing.timeout=30 s'],
        ...(poison
          ? // bounded: room for the other faults' failovers, then the poison record's attempts run out
            [
              ...['-D', 'restart-strategy.type=fixed-delay'],
              ...['-D', `restart-strategy.fixed-delay.attempts=${4 * schedule.length}`],
              ...['-D', 'restart-strategy.fixed-delay.delay=100 ms'],
            ]
          : [
              ...['-D', 'restart-strategy.type=exponential-delay'],
              ...['-D', 'restart-strategy.exponential-delay.initial-backoff=100 ms'],
              ...['-D', 'restart-strategy.exponential-delay.max-backoff=1 s'],
            ]),
      ],
    });
    const kafka: KafkaSide | undefined = kafkaMode ? await startKafkaSide(t, base, records, keys) : undefined;
    const logFile = process.env.SLUICE_CHAOS_LOG; // the cluster's log lines, for a failing schedule
    if (logFile) cleanups.push(() => writeFileSync(logFile, c.lines.join('\n')));
    if (previousFault === undefined) delete process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC;
    else process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC = previousFault;
    const r = await runCli(t, [
      'run',
      '-d',
      '-m',
      c.restUrl,
      '-p',
      '2',
      'jobs/keyed-sequence-check.ts',
      kafka ? '-' : out,
      String(records),
      // Kafka mode: slower, so the input outlasts a broker restart's failover and a later fault still finds
      // the job running (at 2000/s the job often ended before seed 1's kill-during-redeploy)
      String(o.recordsPerSecond ?? (kafka ? 1000 : 2000)),
      String(keys),
      String(o.checkpointIntervalMs ?? 200),
      ...(kafka ? kafka.jobArgs() : []),
      ...(poison ? ['--poison', `${poison.key},${poison.seq}`] : []),
    ]);
    if (r.code !== 0) throw new Error(`sluice run failed: ${r.stderr}`);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    const ctx: Ctx = { c, jobId, ckptDir: join(base, 'ckpt', jobId), diskFull, note, hold: false, kafka };
    // a supervisor, as a real deployment has one: a worker that died (killed, or lost on a loaded machine and
    // shut down) is replaced, so the cluster keeps two workers except while a fault holds it without any
    let supervising = true;
    const supervisor = (async () => {
      while (supervising) {
        if (!ctx.hold) await keepWorkers(c, 2).catch((e: Error) => note(`supervisor: ${e.message}`));
        await sleep(200);
      }
    })();
    cleanups.push(async () => {
      supervising = false;
      await supervisor;
    });
    let applied = 0;
    for (const f of schedule) {
      if (f.kind === 'poison') {
        applied++; // in the input from the start: it fails the job once the source reaches it
        break;
      }
      if (!(await awaitCheckpoint(ctx))) {
        note(`job ended before fault ${applied + 1} (${f.kind})`);
        break;
      }
      await sleep(f.afterCheckpointMs);
      await applyFault(ctx, f);
      applied++;
    }
    const status = await c.rest.waitForTerminal(jobId, 180_000).catch((e: Error) => {
      // the job never ended: the schedule's notes and the cluster's last lines say where it stuck
      const tail = c.lines.filter((l) => !l.includes('"logger":"kafkajs"')).slice(-60);
      throw new Error(`${e.message}; notes: ${notes.join('; ')}\n${tail.join('\n')}`);
    });
    const ex = await c.rest.call<{
      exceptionHistory: { entries: Array<{ stacktrace: string }> };
      'root-exception'?: string;
    }>('GET', `/jobs/${jobId}/exceptions`);
    return {
      status,
      expectedStatus: poison ? 'FAILED' : 'FINISHED',
      ...(poison
        ? { causeNamed: (ex['root-exception'] ?? '').includes(`poison record ${poison.key},${poison.seq}`) }
        : {}),
      verdict: kafka ? await kafka.verdict(records, keys) : checkSequenceOutput(out, records, keys, poison),
      faultsApplied: applied,
      failures: ex.exceptionHistory.entries.map((e) => e.stacktrace.split('\n')[0]!),
      durationMs: Date.now() - started,
      notes,
    };
  } finally {
    if (existsSync(diskFull)) rmSync(diskFull);
    for (const fn of cleanups.reverse()) await fn();
  }
}

interface Ctx {
  c: TestCluster;
  jobId: string;
  ckptDir: string;
  diskFull: string;
  note: (s: string) => void;
  /** Set while a fault keeps the cluster without workers (the supervisor waits). */
  hold: boolean;
  /** Kafka mode's broker and topics. */
  kafka: KafkaSide | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(ctx: Ctx): Promise<string> {
  return (await ctx.c.rest.call<{ status: string }>('GET', `/jobs/${ctx.jobId}/status`)).status;
}

function completedCheckpoints(ctx: Ctx): number[] {
  if (!existsSync(ctx.ckptDir)) return [];
  return readdirSync(ctx.ckptDir)
    .filter((d) => /^chk-\d+$/.test(d) && existsSync(join(ctx.ckptDir, d, '_metadata')))
    .map((d) => Number(d.slice(4)))
    .sort((a, b) => a - b);
}

/** Waits for a checkpoint newer than the current ones while the job runs; false when the job ended. */
async function awaitCheckpoint(ctx: Ctx): Promise<boolean> {
  const before = (await ctx.c.rest.call<{ counts: { completed: number } }>('GET', `/jobs/${ctx.jobId}/checkpoints`))
    .counts.completed;
  let last = 'unknown';
  const r = await waitFor(
    'a new completed checkpoint while running',
    async () => {
      const st = await status(ctx);
      last = st;
      if (st === 'FINISHED' || st === 'FAILED' || st === 'CANCELED') return 'ended';
      const n = (await ctx.c.rest.call<{ counts: { completed: number } }>('GET', `/jobs/${ctx.jobId}/checkpoints`))
        .counts.completed;
      return n > before && st === 'RUNNING' ? 'ok' : undefined;
    },
    60_000,
    20,
  ).catch((e: Error) => {
    throw new Error(`${e.message} (job ${ctx.jobId} last seen ${last})`);
  });
  return r === 'ok';
}

function alive(p: ProcessHandle): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** Live worker processes that run tasks of the job now (by /taskmanagers busy slots). */
async function busyWorkers(ctx: Ctx): Promise<ProcessHandle[]> {
  const tms = await ctx.c.rest.call<TaskManagers>('GET', '/taskmanagers');
  const busy = new Set(tms.taskmanagers.filter((tm) => tm.freeSlots < tm.slotsNumber).map((tm) => tm.id));
  return ctx.c.mini.workers.filter((w) => alive(w) && busy.has(String(w.ready.workerId)));
}

async function killBusy(ctx: Ctx, what: string): Promise<boolean> {
  const victim = (await busyWorkers(ctx))[0];
  if (!victim) {
    ctx.note(`${what}: no busy worker to kill`);
    return false;
  }
  victim.kill('SIGKILL');
  return true;
}

async function applyFault(ctx: Ctx, f: Fault): Promise<void> {
  switch (f.kind) {
    case 'kill':
      await killBusy(ctx, 'kill');
      return;
    case 'freeze': {
      const victim = (await busyWorkers(ctx))[0];
      if (!victim) return ctx.note('freeze: no busy worker');
      victim.child.kill('SIGSTOP');
      const id = String(victim.ready.workerId);
      try {
        await waitFor(
          'the frozen worker declared lost',
          async () =>
            !(await ctx.c.rest.call<TaskManagers>('GET', '/taskmanagers')).taskmanagers.some((tm) => tm.id === id),
          30_000,
        );
      } finally {
        victim.child.kill('SIGCONT'); // it finds its connection closed and registers again
      }
      return;
    }
    case 'kill-during-redeploy': {
      await keepWorkers(ctx.c, 3);
      const from = ctx.c.lines.length;
      if (!(await killBusy(ctx, 'kill-during-redeploy'))) return;
      // the job manager logs RESTARTING → CREATED as the next attempt takes its slots: kill a live worker
      // the moment that line arrives (slots spread over every live worker, so each one gets tasks)
      await waitFor(
        'the job redeploying',
        () =>
          ctx.c.lines.slice(from).some((l) => l.includes(`(${ctx.jobId}) switched from state RESTARTING to CREATED`)),
        30_000,
        1,
      );
      const live = ctx.c.mini.workers.filter(alive);
      live[0]?.kill('SIGKILL');
      const st = await status(ctx);
      if (st !== 'CREATED') ctx.note(`kill-during-redeploy: the second kill found the job ${st}`);
      return;
    }
    case 'starve': {
      ctx.hold = true;
      try {
        for (const w of ctx.c.mini.workers.filter(alive)) w.kill('SIGKILL');
        await waitFor('the job waiting for slots', async () => (await status(ctx)) === 'CREATED', 30_000, 20);
        await sleep(f.holdMs);
      } finally {
        ctx.hold = false;
      }
      return;
    }
    case 'corrupt-latest': {
      const ids = completedCheckpoints(ctx);
      const latest = ids.at(-1);
      if (latest === undefined || ids.length < 2) return ctx.note('corrupt-latest: fewer than 2 checkpoints');
      const dir = join(ctx.ckptDir, `chk-${latest}`);
      const file = readdirSync(dir).find((n) => n !== '_metadata' && statSync(join(dir, n)).size > 60);
      if (file) truncateSync(join(dir, file), 50);
      else writeFileSync(join(dir, '_metadata'), 'garbled');
      await killBusy(ctx, 'corrupt-latest');
      return;
    }
    case 'disk-full':
      writeFileSync(ctx.diskFull, '');
      await sleep(f.holdMs);
      rmSync(ctx.diskFull, { force: true });
      return;
    case 'broker-restart':
      if (!ctx.kafka) return ctx.note('broker-restart: not in Kafka mode');
      await ctx.kafka.restartBroker(ctx.c, ctx.jobId, ctx.note);
      return;
    case 'poison':
      return; // part of the input (see runSchedule)
  }
}

/** Starts workers until `n` are alive (a killed worker is replaced, as a supervisor would). */
async function keepWorkers(c: TestCluster, n: number): Promise<void> {
  while (c.mini.workers.filter(alive).length < n) await c.mini.addWorker();
}
