/**
 * Shared by the every-key tests (every-key.test.ts: the cluster and process options, and the check that the
 * tables cover the schema; every-key-job.test.ts: the job options): the shape of a table entry, the
 * configuration every check starts from, and the test each entry makes. An entry holds either a non-default
 * value that must be refused (an error naming the key) or a non-default value and an observation through the
 * code that reads it: the typed field must change and the observation must differ from the default's.
 */
import type { Test } from 'tap';
import { freePort } from '../../support/free-port.js';
import { isDeepStrictEqual } from 'node:util';
import { type Configuration, type OptionKey, loadConfiguration } from '../../../runtime/config/index.js';
import { tempDirs } from '../../support/cluster-harness.js';
import { makeTestCerts, type TestCerts } from '../../support/tls-certs.js';

export type Tap = Test;
export type Check =
  | { refused: string }
  | { value: string; observe: (c: Configuration, t: Tap) => unknown | Promise<unknown> };
/** The entries of one section (every-key.test.ts joins the sections into one table over every option). */
export type Checks = Partial<Record<OptionKey, Check>>;
export type Load = (extra?: Record<string, string>) => Configuration;

/**
 * The loader of one test file's checks, and the certificates (openssl, at test time, in a directory removed
 * at `t`'s teardown) the TLS keys point at; TLS itself is off unless a check turns it on.
 */
export function everyKeyBase(t: Tap): { certs: TestCerts; load: Load } {
  const [certDir] = tempDirs(t, 'every-key-tls');
  const certs = makeTestCerts(certDir!);
  const TLS_FILES = {
    'security.ssl.internal.key': certs.worker.key,
    'security.ssl.internal.cert': certs.worker.cert,
    'security.ssl.internal.truststore': certs.ca,
    'security.ssl.rest.key': certs.jobManager.key,
    'security.ssl.rest.cert': certs.jobManager.cert,
    'security.ssl.rest.truststore': certs.ca,
  };

  /** Every check starts from the defaults with the REST port ephemeral (nothing binds 8081). */
  const BASE = { 'rest.port': '0', ...TLS_FILES };
  const load = (extra: Record<string, string> = {}) =>
    loadConfiguration({ file: false, overrides: { ...BASE, ...extra } });
  return { certs, load };
}

/** The test of each entry of `checks`, in table order. */
export function testChecks(t: Tap, checks: Checks, load: Load): void {
  for (const [key, check] of Object.entries(checks) as Array<[OptionKey, Check]>) {
    if ('refused' in check) {
      t.test(`${key}: ${check.refused} is refused, naming the key`, async (t) => {
        let error: { code?: string; message?: string } | undefined;
        try {
          load({ [key]: check.refused });
        } catch (e) {
          error = e as { code?: string; message?: string };
        }
        t.equal(error?.code, 'CONFIG_UNSUPPORTED', String(error?.message));
        t.match(error?.message, key);
        t.match(error?.message, /supported|available/, 'says what is supported');
        t.doesNotThrow(() => load(), 'the default loads');
      });
      continue;
    }
    t.test(`${key}: ${check.value} is read`, async (t) => {
      const value = check.value === 'FREE_PORT' ? String(await freePort()) : check.value;
      const base = load();
      const changed = load({ [key]: value });
      t.not(
        changed.typed[key],
        base.typed[key],
        `the typed field changes (${String(base.typed[key])} → ${String(changed.typed[key])})`,
      );
      const before = await check.observe(base, t);
      const after = await check.observe(changed, t);
      t.notOk(
        isDeepStrictEqual(before, after),
        `its reader sees it: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
      );
    });
  }
}
