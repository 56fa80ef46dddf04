/**
 * The chaos suite's judge, independent of the job and of the test harness: reads the committed output of
 * the keyed exactly-once job (`part-*` files, lines `key,seq,n`) and counts what went wrong against what
 * the input was (`keys` keys, sequence numbers 0..count/keys-1 each).
 *
 * - lost: an input record with no output line; duplicated: an output line beyond the first per record;
 * - out of order: a key's sequence numbers not increasing in commit order (files in name order: one
 *   subtask's parts in checkpoint order, and a key lives in one subtask);
 * - state inconsistent: a line whose count n is not seq + 1 (the keyed count restored wrong).
 *
 * A job that ended FAILED on a poison record (`poison`) owes no complete output, only a clean prefix: per
 * key, the sequence numbers up to the highest committed one (a gap is lost), and nothing of the poison
 * record or after it on its key (unexpected: it can never have passed the keyed function).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Verdict {
  expected: number;
  committed: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  stateInconsistent: number;
  unexpected: number;
}

export function ok(v: Verdict): boolean {
  return v.lost === 0 && v.duplicated === 0 && v.outOfOrder === 0 && v.stateInconsistent === 0 && v.unexpected === 0;
}

export function checkSequenceOutput(
  dir: string,
  count: number,
  keys: number,
  poison?: { key: string; seq: number },
): Verdict {
  const perKey = Math.floor(count / keys) + (count % keys ? 1 : 0);
  const expectedSeqs = (k: number) => Math.floor(count / keys) + (k < count % keys ? 1 : 0);
  const seen = new Map<string, Uint8Array>();
  const last = new Map<string, number>();
  const v: Verdict = {
    expected: count,
    committed: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    stateInconsistent: 0,
    unexpected: 0,
  };
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .sort();
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      v.committed++;
      const [key, seqText, nText] = line.split(',');
      const k = /^k(\d+)$/.exec(key ?? '');
      const seq = Number(seqText);
      const pastPoison = poison !== undefined && key === poison.key && seq >= poison.seq;
      if (
        !k ||
        Number(k[1]) >= keys ||
        !Number.isInteger(seq) ||
        seq < 0 ||
        seq >= expectedSeqs(Number(k[1])) ||
        pastPoison
      ) {
        v.unexpected++;
        continue;
      }
      let marks = seen.get(key!);
      if (!marks) seen.set(key!, (marks = new Uint8Array(perKey)));
      if (Number(nText) !== seq + 1) v.stateInconsistent++;
      if (marks[seq]) {
        v.duplicated++;
        continue;
      }
      marks[seq] = 1;
      if (seq <= (last.get(key!) ?? -1)) v.outOfOrder++;
      last.set(key!, seq);
    }
  }
  if (poison) v.expected = 0;
  for (let k = 0; k < keys; k++) {
    const marks = seen.get(`k${k}`);
    // after a poison failure, the key's committed prefix is owed: up to its highest committed seq
    const owed = poison ? (marks ? marks.lastIndexOf(1) + 1 : 0) : expectedSeqs(k);
    if (poison) v.expected += owed;
    for (let s = 0; s < owed; s++) if (!marks?.[s]) v.lost++;
  }
  return v;
}
