/**
 * The execution states a subtask reports to the job manager (Flink's ExecutionState names as far as a
 * task reaches them itself): CREATED → INITIALIZING → RUNNING → FINISHED, or CANCELING → CANCELED, or
 * FAILED. FINISHED, CANCELED and FAILED are terminal.
 */
export const TASK_STATES = [
  'CREATED',
  'INITIALIZING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
] as const;
export type TaskState = (typeof TASK_STATES)[number];
