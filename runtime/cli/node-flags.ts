/**
 * The Node (V8) flags a cluster process is started with, by role. A task worker gets a larger young
 * generation (`--max-semi-space-size`): a streaming worker keeps tens of thousands of records in flight
 * (channel buffers, pending and in-flight model batches, the sink's batch), and with V8's default 16 MiB
 * semi-space a scavenge runs every few tens of thousands of records, copies that whole in-flight set each
 * time and promotes it to the old generation, whose collections follow. With 64 MiB scavenges run a quarter
 * as often over the same live set. The cost is up to 96 MiB more young-generation memory per worker, taken
 * only as the worker allocates.
 *
 * Invariant: an operator's own `--max-semi-space-size` in NODE_OPTIONS wins (no flag is added then); other
 * roles get no flags.
 */

/** V8's semi-space for task workers, in MiB. */
export const TASK_WORKER_SEMI_SPACE_MIB = 64;

export function nodeFlagsFor(role: string | undefined, env: NodeJS.ProcessEnv): string[] {
  if (role !== 'taskworker') return [];
  if ((env.NODE_OPTIONS ?? '').includes('--max-semi-space-size')) return [];
  return [`--max-semi-space-size=${TASK_WORKER_SEMI_SPACE_MIB}`];
}
