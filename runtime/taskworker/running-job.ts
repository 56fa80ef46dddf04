/**
 * RunningJob: what a task worker holds of one deployed job attempt — its tasks by subtask and the job graph
 * they were built from (the checkpoint trigger finds the source tasks in it).
 *
 * Invariant: a worker holds at most one attempt of a job; its tasks and its channels are released together
 * (TaskWorker.cancelJob).
 */
import type { TaskKey } from '../api/task-key.js';
import type { JobGraph } from '../graph/job-graph.js';
import type { StreamTask } from '../task/stream-task.js';

export interface RunningJob {
  jobId: string;
  attempt: number;
  tasks: Map<TaskKey, StreamTask>;
  graph: JobGraph;
}
