// A task's checkpoint is asynchronous: after the barrier the keyed count goes on processing records while its
// state is built, the acknowledgement comes later with both durations, and the state in the checkpoint is
// exactly the state at the barrier (counts sum to the source position in the same checkpoint).
import t from 'tap';
import {
  DataGeneratorSource,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type RuntimeContext,
  type ValueState,
} from '../../../runtime/exports/index.js';
import { startLocally } from '../../../runtime/executor/local-executor.js';
import { normalizeKeyedSnapshot, type SnapshotTiming } from '../../../runtime/state/index.js';

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// Enough keys that building the checkpoint takes several of the task's 2 ms build slices, between which it
// processes records, also when the process has run other tests before (warm code built 60 000 keys in 1.5 ms,
// one slice, and then no record could pass before the acknowledgement).
const KEYS = 200_000;

t.test(
  'the keyed count keeps processing while its checkpoint is built; the checkpoint is the barrier state',
  async (t) => {
    let processed = 0;
    class Count {
      private c!: ValueState<number>;
      open(ctx: RuntimeContext) {
        this.c = ctx.getState(new ValueStateDescriptor<number>('c', 0));
      }
      processElement(_v: number) {
        processed++;
        this.c.update((this.c.value() ?? 0) + 1);
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    env
      .fromSource(new DataGeneratorSource((i: number) => i, Infinity, { batchSize: 256 }), undefined, 'gen')
      .uid('gen')
      .keyBy((i: number) => i % KEYS)
      .process(new Count() as never)
      .uid('count');
    const job = await startLocally(env, 'async checkpoint');
    t.teardown(() => job.cancel());
    const acks: Array<{ uid: string[]; processedAtAck: number; timing?: SnapshotTiming }> = [];
    const acknowledge = job.checkpoints.acknowledge.bind(job.checkpoints);
    job.checkpoints.acknowledge = (key, id, snaps, timing) => {
      acks.push({ uid: snaps.map((s) => s.uid), processedAtAck: processed, timing });
      acknowledge(key, id, snaps, timing);
    };
    await until('every key counted', () => processed >= 2 * KEYS);
    const info = await job.checkpoints.coordinator.trigger('CHECKPOINT');
    const cp = job.checkpoints.completed.find((c) => c.checkpointId === info.id)!;
    const snaps = cp.tasks.flatMap((x) => x.snapshots);
    const position = (
      snaps.find((s) => s.uid === 'gen')!.operator as Record<string, { items: Array<{ next: number }> }>
    )['source-splits']!.items[0]!.next;
    const keyed = normalizeKeyedSnapshot(snaps.find((s) => s.uid === 'count')!.keyed);
    let sum = 0;
    let keys = 0;
    for (const g of Object.values(keyed.keyGroups))
      for (const [, , v] of g.states.c?.entries ?? []) {
        sum += v as number;
        keys++;
      }
    t.equal(keys, KEYS, 'every key in the checkpoint');
    t.equal(sum, position, 'the counts sum to the source position of the same checkpoint');
    const countAck = acks.find((a) => a.uid.includes('count'))!;
    t.ok(countAck.timing, 'the acknowledgement carries durations');
    t.ok(countAck.timing!.syncDurationMs >= 0 && countAck.timing!.asyncDurationMs > 0, JSON.stringify(countAck.timing));
    t.ok(
      countAck.processedAtAck > position,
      `records were processed after the barrier before the ack (${countAck.processedAtAck - position})`,
    );
  },
);
