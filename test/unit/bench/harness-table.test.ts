/**
 * The benchmark report table: each row's status against its target, and a line after the table that names
 * every missed target with its measured value (a benchmark that misses says so, with the number).
 */
import t from 'tap';
import { table } from '../../../bench/harness.js';

t.test('met, missed and untargeted rows; misses are listed after the table', async (t) => {
  const text = table([
    { name: 'rate', value: 1_234_567, unit: 'records/s', target: { op: '>=', value: 1_000_000 } },
    { name: 'p99', value: 57.8, unit: 'ms', target: { op: '<=', value: 50 } },
    { name: 'ratio', value: 0.8, unit: '×', target: { op: '>=', value: 0.9 } },
    { name: 'size', value: 7.64, unit: 'MiB' },
  ]);
  const lines = text.split('\n');
  t.equal(lines[2], '| rate | 1,234,567 records/s | >= 1,000,000 | met |  |');
  t.equal(lines[3], '| p99 | 57.8 ms | <= 50.0 | **missed** |  |');
  t.equal(lines[5], '| size | 7.64 MiB |  |  |  |');
  const missed = lines.at(-1)!;
  t.match(missed, /^Missed: p99: 57\.8 ms, target <= 50\.0; ratio: 0\.80 ×, target >= 0\.90\./);
  t.match(missed, /--profile/);
  t.notMatch(missed, /rate: /, 'a met target is not listed');
});

t.test('no line after the table when every target is met', async (t) => {
  const text = table([{ name: 'rate', value: 2, unit: 'x', target: { op: '>=', value: 1 } }]);
  t.equal(text.split('\n').length, 3);
  t.notMatch(text, /Missed/);
});
