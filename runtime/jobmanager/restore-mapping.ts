/**
 * Maps a verified snapshot onto the tasks of a job graph: uses the checkpoint subsystem's restore
 * assignment (uid mapping, key-group re-split, operator state redistribution) and regroups it per task
 * (task key → uid → restore), the shape deployments carry to the workers.
 */
import { assignRestoreState, type ProgramOperator } from '../../checkpoints/restore-assignment.js';
import type { RestoredSnapshot } from '../../checkpoints/restored-snapshot.js';
import type { JobGraph } from '../graph/job-graph.js';
import { taskKey } from '../api/task-key.js';
import { operatorUid } from '../graph/job-graph.js';
import type { RestoreMap } from './job-master.js';

export function assignRestore(snap: RestoredSnapshot, jg: JobGraph, allowNonRestoredState: boolean): RestoreMap {
  const program: ProgramOperator[] = [];
  const vertexOfUid = new Map<string, string>();
  for (const v of jg.vertices) {
    for (const nid of v.chain) {
      const node = jg.streamGraph.node(nid);
      const uid = operatorUid(node);
      program.push({
        uid,
        parallelism: v.parallelism,
        maxParallelism: node.maxParallelism,
        maxParallelismConfigured: true,
      });
      vertexOfUid.set(uid, v.id);
    }
  }
  const a = assignRestoreState(snap, program, { allowNonRestoredState });
  const out: RestoreMap = {};
  for (const [uid, op] of a.operators) {
    const vid = vertexOfUid.get(uid)!;
    for (const st of op.subtasks) {
      (out[taskKey(vid, st.subtaskIndex)] ??= {})[uid] = {
        keyed: st.keyed.length ? st.keyed : undefined,
        operator: st.operator,
      };
    }
  }
  return out;
}
