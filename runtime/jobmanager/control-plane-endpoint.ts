/**
 * The job manager's end of a task worker's control-plane connection: the handshake, then what the job
 * manager does with each message the worker sends — registration, heartbeats (metrics and user counters),
 * task reports, checkpoint acknowledgements, declines and final states, collect sinks opening and ending.
 *
 * Invariants: a connection is authenticated (HMAC handshake within 5 s) before any other message is handled;
 * checkpoint and collect messages of an attempt other than the job's current one are ignored.
 */
import { platform, type Socket } from '../platform/index.js';
import { type ConnectionToTaskWorker, jobManagerEnd, type ToJobManager } from '../rpc/messages.js';
import type { Handlers } from '../rpc/protocol.js';
import { acceptHandshake, RpcConnection } from '../rpc/rpc-connection.js';
import { taskKey } from '../api/task-key.js';
import type { JobManager } from './job-manager.js';

/** The parts of the job manager the control plane reaches. */
export type ControlPlaneTarget = Pick<
  JobManager,
  'o' | 'registry' | 'reactive' | 'jobs' | 'checkpointing' | 'collects'
>;

/** Takes a new control-plane connection: handlers only after the handshake succeeded, else it is refused. */
export function acceptTaskWorker(jm: ControlPlaneTarget, socket: Socket): void {
  const conn: ConnectionToTaskWorker = new RpcConnection(socket, jobManagerEnd);
  conn.onRefused = (e) => jm.o.log(`Refused a control-plane message from ${conn.peerId || 'a worker'}: ${e.message}`);
  acceptHandshake(conn, jm.o.secret, 5000).then(
    () => conn.setHandlers(taskWorkerHandlers(jm, conn)),
    (e: Error) =>
      jm.o.log(`Refused a control-plane connection from ${socket.remoteAddress}:${socket.remotePort}: ${e.message}`),
  );
}

/** What the job manager does with each message a task worker sends. */
function taskWorkerHandlers(jm: ControlPlaneTarget, conn: ConnectionToTaskWorker): Handlers<ToJobManager> {
  return {
    register: (b) => {
      const id = `${b.host}:${b.dataPort}-${platform.random.hex(6)}`;
      conn.peerId = id;
      jm.registry.register({
        id,
        host: b.host,
        dataPort: b.dataPort,
        numSlots: b.numSlots,
        conn,
        hardware: b.hardware,
        memory: { heapLimitBytes: b.memory?.heapLimitBytes ?? 0 },
      });
      jm.o.log(`Registered task worker ${id} with ${b.numSlots} slot(s).`);
      jm.reactive?.resourcesChanged();
      return { workerId: id };
    },
    heartbeat: (b) => {
      jm.registry.heartbeat(b.workerId, b.metrics, b.accumulators);
    },
    taskState: (b) => {
      jm.jobs
        .get(b.jobId)
        ?.onTaskState(b.attempt, b.vertexId, b.subtaskIndex, b.state, b.error, b.metrics, b.accumulators);
    },
    ackCheckpoint: (b) => {
      if (jm.jobs.get(b.jobId)?.attempt === b.attempt)
        jm.checkpointing
          .get(b.jobId)
          ?.acknowledge(taskKey(b.vertexId, b.subtaskIndex), b.checkpointId, b.snapshots, b.timing);
    },
    finalState: (b) => {
      if (jm.jobs.get(b.jobId)?.attempt === b.attempt)
        jm.checkpointing
          .get(b.jobId)
          ?.taskFinished(taskKey(b.vertexId, b.subtaskIndex), b.snapshots, b.firstCheckpointId);
    },
    declineCheckpoint: (b) => {
      if (jm.jobs.get(b.jobId)?.attempt === b.attempt)
        jm.checkpointing.get(b.jobId)?.decline(taskKey(b.vertexId, b.subtaskIndex), b.checkpointId, b.reason);
    },
    collectSinkOpened: (b) => {
      const c = jm.collects.get(b.jobId);
      if (c && jm.jobs.get(b.jobId)?.attempt === b.attempt) c.opened(b.sinkId, { attempt: b.attempt, worker: conn });
      return { maxBatchBytes: c?.maxBatchBytes ?? jm.o.config['collect-sink.batch-size.max'] };
    },
    collectSinkEnded: (b) => {
      const c = jm.collects.get(b.jobId);
      if (!c || jm.jobs.get(b.jobId)?.attempt !== b.attempt) return false; // a stale attempt's
      c.sinkEnded(b.sinkId, b.attempt, b.remaining);
      return true;
    },
  };
}
