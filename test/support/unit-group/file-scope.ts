/**
 * The `tap` a unit test file imports when the unit tier runs it inside a group (several test files in one
 * Node process, see scripts/build-unit-tests.mjs): a stand-in for tap's root `t` that forwards every property
 * to the subtest of the file that runs now, so a file's top-level tests, `t.teardown`, `t.before…` hooks and
 * assertions land under a subtest named by the file, as they land on the root of their own process when the
 * file runs alone. Invariants: files of a group run one after the other (tap runs a test's subtests in order),
 * and `enterFile` switches the target before a file's module is imported, so code of the running file, also
 * code that runs later in its tests, reaches that file's subtest; outside a group (a built file run alone)
 * the target is tap's root `t`, so the file behaves exactly as when it imports tap itself.
 */
import tap, { type Test } from 'tap';

let current: Test = tap;

/** Makes `t` of the file about to be imported the subtest `fileTest`. */
export function enterFile(fileTest: Test): void {
  current = fileTest;
}

const fileScope = new Proxy({} as Test, {
  get(_target, key) {
    const value = Reflect.get(current, key, current);
    return typeof value === 'function' ? value.bind(current) : value;
  },
  set(_target, key, value) {
    return Reflect.set(current, key, value, current);
  },
  has(_target, key) {
    return Reflect.has(current, key);
  },
});

export default fileScope;
