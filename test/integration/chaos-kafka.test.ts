/**
 * The Kafka-mode fixed chaos seeds (see chaos.test.ts): the job reads and writes topics on the test broker
 * and the output is read back with read_committed. Seed 6: a broker restart. Seed 1: a broker restart, then
 * a kill while the job redeploys — a failure around the end of input must not commit the last transaction
 * twice (it commits only with the final checkpoint).
 */
import t from 'tap';
import { checkSeed } from '../support/chaos/seed-test.js';

for (const seed of [1, 6]) t.test(`chaos seed ${seed}: nothing lost, nothing duplicated`, (t) => checkSeed(t, seed));
