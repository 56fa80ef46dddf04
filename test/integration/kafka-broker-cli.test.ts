/**
 * The broker CLI (`test/support/kafka/main.ts`, run through tsx so no build is needed): prints its
 * listening line with the bound port, serves kafkajs, and after a SIGKILL a new process on the same
 * directory serves the same records (state is written before each response, not at exit).
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, consumer, kafka, producer } from '../support/kafka/test-kit.js';
import type { KafkaBroker } from '../support/kafka/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'test/support/kafka/main.ts');

async function startCli(
  t: { teardown(fn: () => unknown): void },
  dir: string,
): Promise<{ child: ChildProcess; broker: KafkaBroker }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--dir', dir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no listening line within 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /kafka broker listening on .*\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[0].trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}: ${out}`));
    });
  });
  const m = /^kafka broker listening on (127\.0\.0\.1):(\d+)$/.exec(line);
  if (m === null) throw new Error(`unexpected line ${line}`);
  const port = Number(m[2]);
  return { child, broker: { host: m[1]!, port, address: `${m[1]}:${port}`, close: async () => undefined } };
}

t.test('CLI prints its address, serves kafkajs, and keeps data across SIGKILL', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await startCli(t, dir);
  const p = await producer(t, kafka(first.broker));
  await p.send({ topic: 'cli', messages: [{ value: 'x' }, { value: 'y' }] });
  await p.disconnect();
  const exited = new Promise((r) => first.child.once('exit', r));
  first.child.kill('SIGKILL');
  await exited;
  const second = await startCli(t, dir);
  const c = consumer(t, kafka(second.broker), 'g-cli');
  const seen = await collect(c, ['cli'], 2, 'records after SIGKILL');
  t.same(
    seen.map((m) => m.value),
    ['x', 'y'],
  );
  await c.disconnect(); // before the broker goes: a consumer left running would retry against a dead port
  const code = new Promise((r) => second.child.once('exit', (c) => r(c)));
  second.child.kill('SIGTERM');
  t.equal(await code, 0, 'SIGTERM closes the broker and exits 0');
});
