/**
 * CLI for the test broker: `node dist/test/support/kafka/main.js [--port 9092] [--dir <path>] [--partitions N]`.
 * Prints `kafka broker listening on 127.0.0.1:<port>` once it accepts connections; SIGINT/SIGTERM close it
 * (log files closed, state saved) and exit 0.
 */
import { parseArgs } from 'node:util';
import { startKafkaBroker } from './broker.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9092' },
    dir: { type: 'string' },
    partitions: { type: 'string', default: '1' },
  },
});

const broker = await startKafkaBroker({
  port: Number(values.port),
  ...(values.dir !== undefined ? { dir: values.dir } : {}),
  defaultPartitions: Number(values.partitions),
});
process.stdout.write(`kafka broker listening on ${broker.address}\n`);
const stop = () => {
  void broker.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
