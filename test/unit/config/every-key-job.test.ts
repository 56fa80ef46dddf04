/**
 * Every job option is honoured or refused: the entries of every-key-job-checks.ts (parallelism, pipeline,
 * checkpointing, state backend, state recovery, restart strategy), each tested as every-key-support.ts says.
 * The cluster and process options, and the check that the entries cover every option: every-key.test.ts.
 */
import t from 'tap';
import { JOB_KEY_CHECKS } from './every-key-job-checks.js';
import { everyKeyBase, testChecks } from './every-key-support.js';

const { load } = everyKeyBase(t);

testChecks(t, JOB_KEY_CHECKS, load);
