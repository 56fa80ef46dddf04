/**
 * `--kafka host:port` argument parsing of the jobs (jobs/kafka-mode.ts): the flags are split from the
 * positional arguments, and bad input gets a specific KAFKA_CONFIG error instead of a silent default.
 */
import t from 'tap';
import { parseJobArgs, topicName } from '../../../jobs/kafka-mode.js';

t.test('without --kafka the arguments pass through unchanged', async (t) => {
  t.same(parseJobArgs(['out', '100'], 'taxi'), { positional: ['out', '100'] });
});

t.test('--kafka and its companion flags, in either spelling, anywhere among the arguments', async (t) => {
  const a = parseJobArgs(['out', '--kafka', 'localhost:9092', '100', '--topic-prefix=run2', '--bounded'], 'taxi');
  t.same(a.positional, ['out', '100']);
  t.same(a.kafka, { bootstrap: 'localhost:9092', prefix: 'run2', feed: false, process: true, bounded: true });
  t.equal(topicName(a.kafka!, 'trip-events'), 'run2.trip-events');
  t.same(parseJobArgs(['--kafka=h:1', '--feed-only'], 'x').kafka, {
    bootstrap: 'h:1',
    prefix: 'x',
    feed: true,
    process: false,
    bounded: false,
  });
  t.same(
    parseJobArgs(['--kafka', 'h:1'], 'x').kafka,
    { bootstrap: 'h:1', prefix: 'x', feed: true, process: true, bounded: false },
    'default: feed and process',
  );
  t.same(parseJobArgs(['--kafka', 'h:1', '--no-feed'], 'x').kafka?.feed, false);
  t.same(
    parseJobArgs(['--kafka', 'h:1', '--kafka-property', 'retries=2', '--kafka-property=request.timeout.ms=a=b'], 'x')
      .kafka?.properties,
    { retries: '2', 'request.timeout.ms': 'a=b' },
    'client properties, repeatable; the value may contain "="',
  );
});

t.test('bad input: a specific KAFKA_CONFIG error', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [['--kafka'], /--kafka needs a value/],
    [['--kafka', 'localhost'], /--kafka expects host:port, got "localhost"/],
    [['--kafka', 'h:1', '--feed-only', '--bounded'], /exclude each other/],
    [['--bounded'], /need --kafka host:port/],
    [['--kafka-property', 'retries=2'], /need --kafka host:port/],
    [['--kafka', 'h:1', '--kafka-property', 'retries'], /--kafka-property expects key=value, got "retries"/],
    [
      ['--kafka', 'h:1', '--no-progress'],
      /unknown job option --no-progress .*options of sluice run itself go before the job module/,
    ],
  ];
  for (const [args, message] of bad)
    t.throws(() => parseJobArgs(args, 'x'), { code: 'KAFKA_CONFIG', message }, args.join(' '));
});
