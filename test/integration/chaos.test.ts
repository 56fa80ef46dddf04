/**
 * Seeded fault injection (the fixed seeds of `npm test`; `npm run chaos` runs more): each seed draws a fault
 * schedule — worker SIGKILL, SIGSTOP past the heartbeat timeout, a kill while the job redeploys, every busy
 * worker killed (the job waits for slots), a corrupted latest checkpoint, a full checkpoint disk that is
 * freed, a poison record under a bounded restart strategy, a Kafka broker restart — applied to the keyed
 * exactly-once job on a mini cluster. The independent checker must find every record once (after a poison
 * record: a clean committed prefix, the job FAILED naming the record), per-key order kept and the keyed
 * counts consistent. Seed 3 (starve, corrupt-latest, disk-full, poison) runs here; the Kafka-mode seeds are
 * in chaos-kafka.test.ts (each file stays within the runner's timeout). Together they cover every kind but
 * the plain kill (exactly-once-kills.test.ts) and the freeze (frozen-worker.test.ts).
 */
import t from 'tap';
import { checkSeed } from '../support/chaos/seed-test.js';

t.test('chaos seed 3: nothing lost, nothing duplicated', (t) => checkSeed(t, 3));
