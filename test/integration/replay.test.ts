/**
 * Replay from a retained checkpoint: `sluice run -s <dir>/<jobId>/chk-N` re-runs
 * from that checkpoint and produces, byte for byte, the output the original run produced after it.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCluster, waitFor } from '../support/cluster-harness.js';

/** Committed output per subtask after checkpoint `afterId` (part files are named part-<subtask>-<cid>-…). */
function outputAfter(dir: string, afterId: number): Map<string, string> {
  const per = new Map<string, string>();
  for (const f of readdirSync(dir)
    .filter((x) => x.startsWith('part-'))
    .sort()) {
    const [, subtask, cid] = f.split('-');
    if (cid !== 'final' && Number(cid) <= afterId) continue;
    per.set(subtask!, (per.get(subtask!) ?? '') + readFileSync(join(dir, f), 'utf8'));
  }
  return per;
}

t.test('replay from chk-N reproduces the original output after it', async (t) => {
  const out2 = mkdtempSync(join(tmpdir(), 'sluice-rp2-'));
  const ckpt = mkdtempSync(join(tmpdir(), 'sluice-rp-ckpt-'));
  t.teardown(() => [out2, ckpt].forEach((d) => rmSync(d, { recursive: true, force: true })));
  const c = await startCluster(t, {
    workers: 2,
    conf: {
      'execution.checkpointing.dir': ckpt,
      'execution.checkpointing.num-retained': '100',
      'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    },
  });
  const N = '12000';
  const r2 = await runCli(t, [
    'run',
    '-d',
    '-m',
    c.restUrl,
    '-p',
    '2',
    'jobs/keyed-sequence-check.ts',
    out2,
    N,
    '4000',
    '10',
    '250',
  ]);
  const j2 = /JobID ([0-9a-f]{32})/.exec(r2.stdout)![1]!;
  const stats = () => c.rest.call<{ counts: { completed: number } }>('GET', `/jobs/${j2}/checkpoints`);
  await waitFor('4 completed checkpoints', async () => (await stats()).counts.completed >= 4, 30_000);
  await c.rest.call('PATCH', `/jobs/${j2}?mode=cancel`);
  await waitFor(
    'cancelled',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${j2}/status`)).status === 'CANCELED',
  );
  const chks = readdirSync(join(ckpt, j2))
    .filter((d) => /^chk-\d+$/.test(d))
    .map((d) => Number(d.slice(4)))
    .sort((a, b) => a - b);
  t.ok(chks.length >= 2, `retained checkpoints after cancel: ${chks.join(', ')}`);
  const n = chks[0]!;

  const out3 = mkdtempSync(join(tmpdir(), 'sluice-rp3-'));
  t.teardown(() => rmSync(out3, { recursive: true, force: true }));
  // the replay writes where the original wrote: same job arguments except the output directory
  const r3 = await runCli(t, [
    'run',
    '-m',
    c.restUrl,
    '-p',
    '2',
    '-s',
    join(ckpt, j2, `chk-${n}`),
    'jobs/keyed-sequence-check.ts',
    out3,
    N,
    '4000',
    '10',
    '250',
  ]);
  t.equal(r3.code, 0, r3.stderr);
  const original = outputAfter(out2, n);
  const replay = outputAfter(out3, 0);
  t.equal(original.size, 2);
  for (const [subtask, text] of original) {
    t.ok(text.length > 0, `original output after chk-${n} on subtask ${subtask}`);
    t.equal(
      replay.get(subtask)!.slice(0, text.length),
      text,
      `subtask ${subtask}: replay reproduces the original output after chk-${n} byte for byte`,
    );
  }
});
