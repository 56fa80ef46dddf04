/**
 * What the heap's per-key-group copy-on-write costs and keeps: a write to a row a frozen version still has to
 * read saves its content in the row (same row object, same group Map: nothing copied for an update); once
 * the version has read the key group, writes there are plain in-place writes; a finished version leaves no
 * saved content behind, and the content an abandoned version left is dropped at the row's next write.
 */
import t from 'tap';
import { StateTable, type KeyRow } from '../../../runtime/state/state-table.js';

const clock = { nowMs: () => 0 };

function table(keys: number, groups = 4): StateTable {
  const tb = new StateTable('count', 'value', groups, clock);
  for (let k = 0; k < keys; k++) tb.put(k % groups, k, k, '', k);
  return tb;
}

function rows(tb: StateTable): KeyRow[] {
  const out: KeyRow[] = [];
  tb.forEachRow((row) => out.push(row));
  return out;
}

const slots = (tb: StateTable) => rows(tb).filter((r) => r.pver !== -1).length;

t.test('an update before the key group is read keeps row and Map, and the read sees the old value', async (t) => {
  const tb = table(40);
  const f = tb.freeze();
  const mapBefore = tb.groups[1];
  const rowBefore = tb.groups[1]!.get(1);
  tb.put(1, 1, 1, '', 100);
  t.equal(tb.groups[1], mapBefore, 'the group Map is not copied for an update');
  t.equal(tb.groups[1]!.get(1), rowBefore, 'the row is updated in place');
  t.equal(tb.get(1, 1, ''), 100, 'the live value is the new one');
  t.equal(slots(tb), 1, 'its old content is saved in the row');
  const c = tb.frozenColumnsOfGroup(f, 1, 0)!;
  const at1 = [...(c.keys as Int32Array)].indexOf(1);
  t.equal(c.values[at1], 1, 'the frozen version reads the value as of the freeze');
  t.equal(slots(tb), 0, 'the slot it consumed is dropped');
  tb.put(1, 5, 5, '', 500);
  t.equal(tb.groups[1], mapBefore, 'after the read, writes there go in place');
  t.equal(slots(tb), 0, 'and save nothing');
  for (const gi of [0, 2, 3]) tb.frozenColumnsOfGroup(f, gi, 0);
  tb.release(f.version);
  t.throws(() => tb.frozenColumnsOfGroup(f, 0, 0), /released/);
});

t.test('adding a key before the key group is read copies nothing; the frozen version skips the new key', async (t) => {
  const tb = table(40);
  const f = tb.freeze();
  const mapBefore = tb.groups[2]!;
  const rowBefore = mapBefore.get(2);
  tb.put(2, 1002, 1002, '', 7);
  t.equal(tb.groups[2], mapBefore, 'the same Map');
  t.equal(tb.groups[2]!.get(2), rowBefore, 'the same rows');
  t.equal(tb.get(2, 1002, ''), 7, 'the live table has the new key');
  const c = tb.frozenColumnsOfGroup(f, 2, 0)!;
  t.equal(c.n, 10, 'the frozen version has the keys of the freeze only');
  t.notOk([...c.keys].includes(1002), 'not the key added after it');
  t.throws(() => tb.frozenColumnsOfGroup(f, 2, 0), /already read/, 'a key group is read once');
  tb.release(f.version);
  t.equal(slots(tb), 0, 'no slot left');
});

t.test('removing a key before the key group is read copies the Map, not the rows', async (t) => {
  const tb = table(40);
  const f = tb.freeze();
  const mapBefore = tb.groups[2]!;
  tb.remove(2, 2, '');
  t.not(tb.groups[2], mapBefore, 'the live group is a new Map');
  t.equal(tb.groups[2]!.get(6), mapBefore.get(6), 'sharing the other rows');
  t.equal(tb.get(2, 2, ''), undefined, 'the key is gone from the live table');
  const c = tb.frozenColumnsOfGroup(f, 2, 0)!;
  t.equal(c.n, 10, 'the frozen version still has it');
  tb.release(f.version);
});

t.test('every row written while a version was built holds no saved content once it is done', async (t) => {
  const tb = table(400);
  const f = tb.freeze();
  for (let gi = 0; gi < 4; gi++) {
    for (let k = 0; k < 400; k++) tb.put(k % 4, k, k, '', k + 1); // the task writes every key between reads
    t.ok(tb.frozenColumnsOfGroup(f, gi, 0));
  }
  tb.release(f.version);
  t.equal(slots(tb), 0, 'no slot left');
  t.equal(tb.versionsInFlight(), 0);
});

t.test('an abandoned version: its slots go at the next write of each row', async (t) => {
  const tb = table(40);
  const f = tb.freeze();
  for (let k = 0; k < 40; k++) tb.put(k % 4, k, k, '', -k);
  t.equal(slots(tb), 40);
  tb.release(f.version); // abandoned before reading anything
  for (let k = 0; k < 40; k += 2) tb.put(k % 4, k, k, '', k);
  t.equal(slots(tb), 20, 'rewritten rows dropped theirs');
});

t.test('two versions in flight: a row whose saved content is still needed is copied instead', async (t) => {
  const tb = table(8, 1);
  const f1 = tb.freeze();
  tb.put(0, 3, 3, '', 30); // saves 3 for f1
  const f2 = tb.freeze();
  const row = tb.groups[0]!.get(3);
  tb.put(0, 3, 3, '', 300); // f1 needs the slot (3), f2 needs the current content (30)
  t.not(tb.groups[0]!.get(3), row, 'the row is left to the frozen versions');
  const value = (f: typeof f1) => {
    const c = tb.frozenColumnsOfGroup(f, 0, 0)!;
    return c.values[[...(c.keys as Int32Array)].indexOf(3)];
  };
  t.equal(value(f2), 30, 'the newer version sees the value at its freeze');
  t.equal(value(f1), 3, 'the older one too');
  t.equal(tb.get(0, 3, ''), 300);
  tb.release(f1.version);
  tb.release(f2.version);
});
