import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { startLocally } from '../../../runtime/executor/local-executor.js';

/** Waits for `ok()` on the event loop, failing after `timeoutMs`. */
async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const drain of [false, true]) {
  t.test(
    `stop with savepoint (drain: ${drain}) ends every task after the savepoint, with no record past it`,
    async (t) => {
      const seen: number[] = [];
      const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
      env
        .fromSource(
          new DataGeneratorSource((i: number) => i, Infinity, { recordsPerSecond: 2000, batchSize: 10 }),
          undefined,
          'gen',
        )
        .uid('gen')
        .process<number>({
          processElement: (v: number, _ctx: unknown, out: { collect(v: number): void }) => {
            seen.push(v);
            out.collect(v);
          },
        } as never)
        .uid('seen')
        .print('ignored');
      const job = await startLocally(env, 'stop with savepoint');
      const dir = mkdtempSync(join(tmpdir(), 'stop-with-savepoint-'));
      t.teardown(async () => {
        await job.cancel();
        rmSync(dir, { recursive: true, force: true });
      });
      await until('records', () => seen.length >= 50);
      const info = await job.checkpoints.coordinator.trigger('SYNC_SAVEPOINT', dir, drain);
      await job.result;
      t.ok(
        job.tasks.every((task) => task.state === 'FINISHED'),
        'every task FINISHED',
      );
      const cp = job.checkpoints.completed.find((c) => c.checkpointId === info.id)!;
      const split = cp.tasks
        .flatMap((x) => x.snapshots)
        .filter((s) => s.uid === 'gen')
        .flatMap(
          (s) => (s.operator as Record<string, { items: Array<{ next: number }> }>)['source-splits']?.items ?? [],
        );
      t.equal(split.length, 1);
      t.equal(seen.length, split[0]!.next, 'the records processed are exactly those before the savepoint barrier');
    },
  );
}
