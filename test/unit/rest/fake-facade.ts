/**
 * A fake ClusterFacade for REST tests: one running job with two vertices, two task managers, async
 * operations that complete when the test says so, and a record of every mutating call.
 *
 * This file holds the fake's state and decisions (which ids are known, what a mutating call records and
 * changes); the answers themselves are built next to it: fake-facade-ids.ts (the ids, re-exported here),
 * fake-cluster-json.ts (overview, task managers, process logs), fake-job-json.ts (the job, its vertices,
 * accumulators, models) and fake-checkpoint-json.ts (checkpoint statistics and configuration). Methods call
 * each other through `this`, so a subclass that overrides one (test/integration/dashboard.test.ts) changes
 * the others' answers too.
 */
import { readFileSync } from 'node:fs';
import type {
  ClusterFacade,
  JarData,
  JarRunRequest,
  ResourceRequirements,
  SavepointOperation,
  CheckpointOperation,
  MetricScope,
  ProcessTarget,
  LogFileRef,
} from '../../../runtime/rest/index.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { JOB, TM, TRIGGER, V1, V2 } from './fake-facade-ids.js';
import {
  environmentJson,
  initialLogs,
  logFileContent,
  logListJson,
  overviewJson,
  taskManagerDetailsJson,
  taskManagersJson,
  threadDumpJson,
} from './fake-cluster-json.js';
import {
  attemptAccumulatorsJson,
  jobAccumulatorsJson,
  jobConfigJson,
  jobDetailsJson,
  jobExceptionsJson,
  jobExecutionResultJson,
  jobModelsJson,
  jobsOverviewJson,
  plan,
  resourceRequirementsJson,
  subtaskTimesJson,
  subtasksAccumulatorsJson,
  vertexAccumulatorsJson,
  vertexBackPressureJson,
  vertexDetailsJson,
  vertexMetricsJson,
  vertexTaskManagersJson,
} from './fake-job-json.js';
import { checkpointConfigJson, checkpointStatsJson, completed } from './fake-checkpoint-json.js';

export { JOB, TM, TRIGGER, V1, V2 } from './fake-facade-ids.js';

export class FakeFacade implements ClusterFacade {
  calls: { method: string; args: unknown[] }[] = [];
  jarList: JarData[] = [];
  savepointOps = new Map<string, SavepointOperation>();
  checkpointOps = new Map<string, CheckpointOperation>();
  jobMetrics: Record<string, number | string> = { numRestarts: 0, uptime: 1234, lastCheckpointExternalPath: 'file:/x' };
  shutdownCalled = false;
  failNext: Error | undefined;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
  }
  private isJob = (id: string) => id === JOB;

  overview() {
    this.record('overview');
    return overviewJson();
  }
  taskManagers() {
    return taskManagersJson();
  }
  taskManager(id: string) {
    return id === TM ? taskManagerDetailsJson() : undefined;
  }
  jobs() {
    return [{ id: JOB, status: 'RUNNING' as const }];
  }
  jobsOverview() {
    return jobsOverviewJson();
  }
  jobDetails(id: string) {
    return this.isJob(id) ? jobDetailsJson() : undefined;
  }
  jobStatus(id: string) {
    return this.isJob(id) ? ('RUNNING' as const) : undefined;
  }
  jobPlan(id: string) {
    return this.isJob(id) ? plan : undefined;
  }
  jobExceptions(id: string, opts: { maxExceptions: number; failureLabelFilter: Record<string, string> }) {
    this.record('jobExceptions', id, opts);
    return this.isJob(id) ? jobExceptionsJson(opts.maxExceptions) : undefined;
  }
  jobExecutionResult(id: string) {
    return this.isJob(id) ? jobExecutionResultJson() : undefined;
  }
  jobConfig(id: string) {
    return this.isJob(id) ? jobConfigJson() : undefined;
  }
  cancelJob(id: string) {
    this.record('cancelJob', id);
  }
  triggerSavepoint(id: string, req: unknown) {
    this.record('triggerSavepoint', id, req);
    const t = (req as { triggerId?: string }).triggerId ?? TRIGGER;
    this.savepointOps.set(t, { status: 'IN_PROGRESS' });
    return t;
  }
  triggerStop(id: string, req: unknown) {
    this.record('triggerStop', id, req);
    this.savepointOps.set(TRIGGER, { status: 'IN_PROGRESS' });
    return TRIGGER;
  }
  savepointStatus(_id: string, t: string) {
    return this.savepointOps.get(t);
  }
  triggerCheckpoint(id: string, req: unknown) {
    this.record('triggerCheckpoint', id, req);
    this.checkpointOps.set(TRIGGER, { status: 'IN_PROGRESS' });
    return TRIGGER;
  }
  checkpointStatus(_id: string, t: string) {
    return this.checkpointOps.get(t);
  }
  checkpointStats(id: string) {
    return this.isJob(id) ? checkpointStatsJson() : undefined;
  }
  checkpointConfig(id: string) {
    return this.isJob(id) ? checkpointConfigJson() : undefined;
  }
  checkpointDetails(id: string, cid: number) {
    return this.isJob(id) && cid === 3 ? completed : undefined;
  }
  vertexDetails(id: string, vid: string) {
    if (!this.isJob(id) || (vid !== V1 && vid !== V2)) return undefined;
    return vertexDetailsJson(vid, () => this.jobDetails(id)!.vertices[0]!.metrics);
  }
  private vertex = (id: string, vid: string) => this.isJob(id) && (vid === V1 || vid === V2);
  private isTm = (tmid: string) => this.taskManagers().some((t) => t.id === tmid);
  /** Log files per process (name → content); the facade's own check keeps to these names. */
  logs: Record<string, Record<string, string>> = initialLogs();
  subtaskAttempt(id: string, vid: string, i: number, attempt?: number) {
    const v = this.vertexDetails(id, vid);
    const s = v?.subtasks[i];
    return s && (attempt === undefined || attempt === 0) ? s : undefined;
  }
  subtaskTimes(id: string, vid: string) {
    return this.vertex(id, vid) ? subtaskTimesJson(vid) : undefined;
  }
  vertexTaskManagers(id: string, vid: string) {
    return this.vertex(id, vid) ? vertexTaskManagersJson(vid) : undefined;
  }
  vertexBackPressure(id: string, vid: string) {
    return this.vertex(id, vid) ? vertexBackPressureJson() : undefined;
  }
  vertexAccumulators(id: string, vid: string) {
    return this.vertex(id, vid) ? vertexAccumulatorsJson(vid) : undefined;
  }
  subtasksAccumulators(id: string, vid: string) {
    return this.vertex(id, vid) ? subtasksAccumulatorsJson(vid) : undefined;
  }
  attemptAccumulators(id: string, vid: string, i: number, attempt: number) {
    return this.vertex(id, vid) && i < 2 && attempt === 0 ? attemptAccumulatorsJson(i, attempt) : undefined;
  }
  jobAccumulators(id: string) {
    return this.isJob(id) ? jobAccumulatorsJson() : undefined;
  }
  vertexFlameGraph(id: string, vid: string, o: { type: string; subtaskIndex?: number }) {
    this.record('vertexFlameGraph', id, vid, o);
    return this.vertex(id, vid) && (o.subtaskIndex ?? 0) < 2 ? { endTimestamp: -2 } : undefined;
  }
  private files(t: ProcessTarget) {
    return t.kind === 'jobmanager'
      ? this.logs.jobmanager
      : this.isTm(t.taskManagerId)
        ? this.logs[t.taskManagerId]
        : undefined;
  }
  processEnvironment(t: ProcessTarget) {
    return this.files(t) ? environmentJson() : undefined;
  }
  processLogs(t: ProcessTarget) {
    const f = this.files(t);
    return f ? logListJson(f) : undefined;
  }
  processLogFile(t: ProcessTarget, file: LogFileRef) {
    const f = this.files(t);
    return f ? logFileContent(f, file) : undefined;
  }
  processThreadDump(t: ProcessTarget) {
    return this.files(t) ? threadDumpJson() : undefined;
  }
  clientHeartbeat(id: string, ts: number) {
    this.record('clientHeartbeat', id, ts);
  }
  metrics(scope: MetricScope) {
    switch (scope.kind) {
      case 'jobmanager':
        return { 'Status.JVM.Memory.Heap.Used': 100 };
      case 'job':
        return this.isJob(scope.jobId) ? this.jobMetrics : undefined;
      case 'vertex':
        return this.vertexDetails(scope.jobId, scope.vertexId) ? vertexMetricsJson() : undefined;
      case 'subtask':
        return this.vertexDetails(scope.jobId, scope.vertexId) && scope.subtaskIndex < 2
          ? { numRecordsIn: scope.subtaskIndex === 0 ? 5 : 7 }
          : undefined;
      case 'taskmanager':
        return this.taskManagers().some((t) => t.id === scope.taskManagerId)
          ? { 'Status.JVM.CPU.Load': scope.taskManagerId === TM ? 0.5 : 0.25 }
          : undefined;
    }
  }
  storeJar(jar: { id: string; name: string; file: string; sizeBytes: number }) {
    this.record('storeJar', { ...jar, bytes: readFileSync(jar.file) });
    this.jarList.push({ id: jar.id, name: jar.name, uploaded: 1000 });
    return { path: `/tmp/sluice-web-upload/${jar.id}` };
  }
  jars() {
    return this.jarList;
  }
  deleteJar(id: string) {
    this.record('deleteJar', id);
    const n = this.jarList.length;
    this.jarList = this.jarList.filter((j) => j.id !== id);
    return this.jarList.length < n;
  }
  runJar(id: string, req: JarRunRequest) {
    this.record('runJar', id, req);
    if (!this.jarList.some((j) => j.id === id))
      throw new SluiceError('REST_NOT_FOUND', `Jar file ${id} does not exist.`);
    return req.jobId ?? JOB;
  }
  disposals = new Map<string, SavepointOperation>();
  triggerSavepointDisposal(path: string, triggerId?: string) {
    this.record('triggerSavepointDisposal', path, triggerId);
    const t = triggerId ?? TRIGGER;
    this.disposals.set(t, { status: 'COMPLETED' });
    return t;
  }
  savepointDisposalStatus(t: string) {
    return this.disposals.get(t);
  }
  jobModels(id: string) {
    return this.isJob(id) ? jobModelsJson() : undefined;
  }
  resourceRequirements(id: string) {
    return this.isJob(id) ? resourceRequirementsJson() : undefined;
  }
  updateResourceRequirements(id: string, req: ResourceRequirements) {
    this.record('updateResourceRequirements', id, req);
  }
  shutdown() {
    this.shutdownCalled = true;
  }
}
