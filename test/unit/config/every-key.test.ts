/**
 * Every configuration key is honoured or refused. For each option of the schema, the tables of
 * every-key-cluster-checks.ts (cluster and process options) and every-key-job-checks.ts (job options) hold
 * either a non-default value that must be refused (an error naming the key) or a non-default value and an
 * observation through the code that reads it: the test asserts that the typed field changes and that the
 * consumer's observable result differs from the one with the default (every-key-support.ts). A new option
 * without an entry fails to compile (CHECKS below is a Record over the option keys) and fails the coverage
 * assertion here. This file runs the cluster and process entries; every-key-job.test.ts runs the job ones.
 */
import t from 'tap';
import { type OptionKey, OPTION_SPECS } from '../../../runtime/config/index.js';
import { clusterKeyChecks } from './every-key-cluster-checks.js';
import { JOB_KEY_CHECKS } from './every-key-job-checks.js';
import { type Check, everyKeyBase, testChecks } from './every-key-support.js';

const { certs, load } = everyKeyBase(t);
const CLUSTER_KEY_CHECKS = clusterKeyChecks(certs);
const CHECKS: Record<OptionKey, Check> = { ...CLUSTER_KEY_CHECKS, ...JOB_KEY_CHECKS };
/** No option in both sections (the spread would hide one of its entries); fails to compile otherwise. */
const _disjoint: [keyof typeof CLUSTER_KEY_CHECKS & keyof typeof JOB_KEY_CHECKS] extends [never] ? true : never = true;

t.test('the table covers exactly the options of the schema', async (t) => {
  t.same(Object.keys(CHECKS).sort(), Object.keys(OPTION_SPECS).sort());
  for (const [key, spec] of Object.entries(OPTION_SPECS))
    if (spec.supported)
      t.ok('refused' in CHECKS[key as OptionKey], `${key} has supported values, so its entry is a refusal`);
});

testChecks(t, CLUSTER_KEY_CHECKS, load);
