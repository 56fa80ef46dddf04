/**
 * The cluster-level answers of FakeFacade (fake-facade.ts): the overview, its two task managers (TM with one
 * slot in use by JOB, and a second one), and the processes' environment, log files and thread dump.
 * Invariant: every call builds fresh objects, so a test that changes an answer changes only its own copy.
 */
import type { LogFileRef } from '../../../runtime/rest/index.js';
import { JOB, TM } from './fake-facade-ids.js';

const res = (cpu: number) => ({
  cpuCores: cpu,
  taskHeapMemory: 0,
  taskOffHeapMemory: 0,
  managedMemory: 0,
  networkMemory: 0,
  extendedResources: {},
});
const tm = (id: string, free: number) => ({
  id,
  path: `sluice.tcp://${id}/taskworker`,
  dataPort: 40011,
  jmxPort: -1,
  timeSinceLastHeartbeat: 1_700_000_059_123,
  slotsNumber: 2,
  freeSlots: free,
  totalResource: res(2),
  freeResource: res(free),
  hardware: { cpuCores: 2, physicalMemory: 8e9, freeMemory: 4e9, managedMemory: 0 },
  memoryConfiguration: {
    frameworkHeap: 0,
    taskHeap: 0,
    frameworkOffHeap: 0,
    taskOffHeap: 0,
    networkMemory: 0,
    managedMemory: 0,
    jvmMetaspace: 0,
    jvmOverhead: 0,
    totalFlinkMemory: 0,
    totalProcessMemory: 0,
  },
});

export const overviewJson = () => ({
  taskManagers: 2,
  slotsTotal: 4,
  slotsAvailable: 2,
  jobsRunning: 1,
  jobsFinished: 0,
  jobsCancelled: 0,
  jobsFailed: 0,
  taskManagersBlocked: 0,
});

export const taskManagersJson = () => [tm(TM, 1), tm('127.0.0.1:40012-a1a1a1', 1)];

export const taskManagerDetailsJson = () => ({
  ...tm(TM, 1),
  metrics: { heapUsed: 1 },
  allocatedSlots: [{ jobId: JOB, resource: res(1) }],
});

/** Log files per process (name → content) a new fake starts with. */
export const initialLogs = (): Record<string, Record<string, string>> => ({
  jobmanager: { 'jobmanager-1.log': '{"msg":"jm started"}\n', 'jobmanager-1.out': 'printed\n' },
  [TM]: { 'taskworker-2.log': '{"msg":"tm started"}\n', 'taskworker-2.out': '' },
});

export const environmentJson = () => ({ jvm: { version: 'Node.js', arch: 'x64', options: [] }, classpath: [] });

export const logListJson = (files: Record<string, string>) =>
  Object.entries(files).map(([name, c]) => ({ name, size: c.length, mtime: 1000 }));

/** The content of one log file of a process (by name, or its main `.log`/`.out`), or undefined. */
export function logFileContent(files: Record<string, string>, file: LogFileRef) {
  const name =
    'name' in file ? file.name : Object.keys(files).find((n) => n.endsWith(file.main === 'log' ? '.log' : '.out'));
  const c = name === undefined ? undefined : files[name];
  return c === undefined ? undefined : Buffer.from(c);
}

export const threadDumpJson = () => ({ threadInfos: [{ threadName: 'main', stringifiedThreadInfo: '"main"' }] });
