/**
 * The local cluster's worker supervisor (`sluice supervisor`, started by `sluice cluster start`): keeps the
 * wanted number of task workers running. Workers are its child processes, so it learns each one's exit code or
 * signal; a worker that exits without being asked (crash, SIGKILL, out of memory) is logged with that code or
 * signal and started again under the same name after an exponential back-off (`initialBackoffMs` doubling up
 * to `maxBackoffMs`; a worker that ran `stableAfterMs` resets its name's back-off). The wanted count is read
 * from `.sluice/cluster/workers.wanted` (written by `cluster start` and `scale`); scaling in stops the newest
 * workers (highest index) first.
 *
 * Invariants: the supervisor alone writes the state file's `workers` (and its own `supervisor` entry), always
 * whole and atomically; a worker it stopped on purpose (scale-in, SIGTERM) is never restarted; on SIGTERM it
 * restarts nothing more, stops every worker (SIGTERM, then SIGKILL after a grace period) and exits; when the
 * job manager is gone it stops too (workers without a job manager only fail).
 */
import { type ChildProcess, platform, type TimerHandle } from '../platform/index.js';
import {
  isOwnProcess,
  type ProcessInfo,
  readState,
  readWanted,
  STATE_FILE,
  spawnServer,
  terminate,
  writeState,
} from './local-cluster.js';

export interface SupervisorOptions {
  /** Arguments of `sluice taskworker` after the command name (job manager address, `-D` overrides). */
  workerArgs: string[];
  config: string | undefined;
  initialBackoffMs: number;
  maxBackoffMs: number;
  stableAfterMs: number;
  /** How often the wanted count and the job manager are checked. */
  pollMs: number;
  log(line: string): void;
}

type WorkerInfo = ProcessInfo & { workerId: string };

interface Slot {
  index: number;
  phase: 'starting' | 'running' | 'backoff' | 'stopping';
  info?: WorkerInfo;
  child?: ChildProcess;
  startedAtMs: number;
  /** Consecutive unplanned exits of this name (the back-off exponent). */
  failures: number;
  restartTimer?: TimerHandle;
}

const nameOf = (index: number) => `taskworker-${index}`;

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export class WorkerSupervisor {
  private readonly slots = new Map<number, Slot>();
  private stopping = false;
  private poll?: TimerHandle;

  constructor(private readonly o: SupervisorOptions) {}

  /** Records itself in the state file and starts reconciling. */
  start(): void {
    const st = readState();
    // workers recorded before the supervisor ran (none after `cluster start`) stay counted under their index
    for (const w of st.workers.filter(isOwnProcess)) {
      const index = Number(/(\d+)$/.exec(w.name)?.[1] ?? 0);
      this.slots.set(index, {
        index,
        phase: 'running',
        info: w,
        startedAtMs: platform.clock.monotonicMs(),
        failures: 0,
      });
    }
    this.persist();
    this.poll = platform.clock.setInterval(() => this.reconcile(), this.o.pollMs);
    this.reconcile();
  }

  /** Restarts nothing more, stops every worker, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.poll) platform.clock.clear(this.poll);
    const running: Array<Promise<unknown>> = [];
    for (const s of this.slots.values()) {
      if (s.restartTimer) platform.clock.clear(s.restartTimer);
      if (s.info) running.push(terminate(s.info));
      s.phase = 'stopping';
    }
    await Promise.all(running);
  }

  private reconcile(): void {
    if (this.stopping) return;
    if (!platform.files.exists(STATE_FILE)) {
      this.o.log('the cluster state file is gone (cluster stop); stopping the workers');
      void this.stop().finally(() => process.exit(0));
      return;
    }
    let st: ReturnType<typeof readState>;
    try {
      st = readState();
    } catch {
      return; // being rewritten by someone else: next poll
    }
    if (!isOwnProcess(st.jobmanager)) {
      this.o.log(`the job manager (pid ${st.jobmanager.pid}) is gone; stopping the workers`);
      void this.stop().finally(() => process.exit(0));
      return;
    }
    let wanted: number;
    try {
      wanted = readWanted();
    } catch {
      return; // not written yet, or mid-replace: next poll
    }
    if (!Number.isInteger(wanted) || wanted < 0) return;
    const active = [...this.slots.values()].filter((s) => s.phase !== 'stopping').sort((a, b) => a.index - b.index);
    if (active.length < wanted) {
      // one start at a time, so workers register in index order (the job manager fills slots in
      // registration order, and scale-in removes the highest index: the last to register)
      if (!active.some((s) => s.phase === 'starting')) this.launch(Math.max(-1, ...this.slots.keys()) + 1, 0);
    } else if (active.length > wanted) {
      for (const s of active.slice(wanted).reverse()) {
        if (s.phase === 'starting') continue; // stopped on a later poll, once it has announced itself
        this.retire(s);
      }
    }
  }

  /** Starts (or restarts) the worker `taskworker-<index>`. */
  private launch(index: number, failures: number): void {
    const slot: Slot = { index, phase: 'starting', startedAtMs: platform.clock.monotonicMs(), failures };
    this.slots.set(index, slot);
    const name = nameOf(index);
    spawnServer(name, ['taskworker', ...this.o.workerArgs], this.o.config).then(
      ({ info, child }) => {
        slot.info = info as WorkerInfo;
        slot.child = child;
        child.once('exit', (code, signal) => this.exited(slot, code, signal));
        if (child.exitCode !== null || child.signalCode !== null) return; // exit already reported
        if (slot.phase === 'stopping') {
          void terminate(slot.info);
          return;
        }
        slot.phase = 'running';
        slot.startedAtMs = platform.clock.monotonicMs();
        this.o.log(
          `${failures ? 'restarted' : 'started'} ${name} as task worker ${slot.info.workerId} (pid ${info.pid})`,
        );
        this.persist();
        this.reconcile(); // a scale-in may have waited for this start
      },
      (e: Error) => {
        this.o.log(`${name} did not start: ${e.message}`);
        this.scheduleRestart(slot);
      },
    );
  }

  private exited(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.slots.get(slot.index) !== slot) return;
    if (slot.phase === 'stopping' || this.stopping) {
      this.o.log(`${nameOf(slot.index)} (pid ${slot.info?.pid}) stopped (${describeExit(code, signal)})`);
      this.slots.delete(slot.index);
      this.persist();
      return;
    }
    const ranMs = platform.clock.monotonicMs() - slot.startedAtMs;
    if (ranMs >= this.o.stableAfterMs) slot.failures = 0;
    this.o.log(
      `${nameOf(slot.index)} (task worker ${slot.info?.workerId}, pid ${slot.info?.pid}) exited with ${describeExit(code, signal)} after ${Math.round(ranMs)} ms`,
    );
    this.scheduleRestart(slot);
  }

  private scheduleRestart(slot: Slot): void {
    if (this.stopping || slot.phase === 'stopping') {
      this.slots.delete(slot.index);
      this.persist();
      return;
    }
    const failures = slot.failures + 1;
    const delayMs = Math.min(this.o.initialBackoffMs * 2 ** (failures - 1), this.o.maxBackoffMs);
    slot.phase = 'backoff';
    delete slot.info;
    delete slot.child;
    this.persist();
    this.o.log(`restarting ${nameOf(slot.index)} in ${delayMs} ms (restart ${failures} in a row)`);
    slot.restartTimer = platform.clock.setTimeout(() => {
      if (this.stopping || this.slots.get(slot.index) !== slot || slot.phase !== 'backoff') return;
      this.launch(slot.index, failures);
    }, delayMs);
  }

  /** Scale-in: stops a worker for good (or cancels its pending restart). */
  private retire(slot: Slot): void {
    if (slot.restartTimer) platform.clock.clear(slot.restartTimer);
    const wasRunning = slot.phase === 'running';
    slot.phase = 'stopping';
    if (wasRunning && slot.info) {
      this.o.log(`stopping ${nameOf(slot.index)} (task worker ${slot.info.workerId}): fewer workers wanted`);
      void terminate(slot.info).then((signalled) => {
        if (!signalled && this.slots.get(slot.index) === slot) {
          this.slots.delete(slot.index);
          this.persist();
        }
      });
    } else {
      this.slots.delete(slot.index);
      this.persist();
    }
  }

  /** Writes the state file's `workers` (the running ones, by index) and the supervisor's own entry. */
  private persist(): void {
    let st: ReturnType<typeof readState>;
    try {
      st = readState();
    } catch {
      return; // cluster stop removed it
    }
    st.supervisor = { pid: process.pid, name: 'supervisor' };
    st.workers = [...this.slots.values()]
      .filter((s) => s.phase === 'running' && s.info)
      .sort((a, b) => a.index - b.index)
      .map((s) => s.info!);
    writeState(st);
  }
}
