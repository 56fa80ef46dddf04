import t from 'tap';
import { jsonSafe, parseStateKey } from '../../../runtime/rest/state-key.js';

t.test('keys are read by their declared type', async (t) => {
  t.equal(parseStateKey('42', undefined), '42', 'string by default');
  t.equal(parseStateKey('42', 'number'), 42);
  t.same(parseStateKey('["a",1]', 'json'), ['a', 1]);
  t.throws(() => parseStateKey(undefined, undefined), { code: 'REST_BAD_REQUEST', message: /"key" is required/ });
  t.throws(() => parseStateKey('x', 'number'), { message: /not a number/ });
  t.throws(() => parseStateKey(' ', 'number'), { message: /not a number/ });
  t.throws(() => parseStateKey('{', 'json'), { message: /not valid JSON/ });
  t.throws(() => parseStateKey('a', 'long'), { message: /must be one of string, number, json/ });
});

t.test('values become JSON-safe', async (t) => {
  t.same(jsonSafe(new Map([['a', 1n]])), [['a', '1']]);
  t.same(jsonSafe({ s: new Set([1, 2]), b: new Uint8Array([1, 2, 3]) }), { s: [1, 2], b: 'AQID' });
  t.equal(jsonSafe(null), null);
});
