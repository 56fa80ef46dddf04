import t from 'tap';
import {
  OPTION_SPECS,
  defaultSluiceConfig,
  loadConfiguration,
  type SluiceConfig,
} from '../../../runtime/config/index.js';
import { jobSettings } from '../../../runtime/config/job-settings.js';

const typed = (yamlText: string) => loadConfiguration({ yamlText }).typed;

t.test('one field per option, with its default parsed to its type', async (t) => {
  const c = defaultSluiceConfig();
  t.same(Object.keys(c).sort(), Object.keys(OPTION_SPECS).sort());
  t.ok(Object.isFrozen(c));
  t.same(c, loadConfiguration({ file: false }).typed, 'the same defaults as a load without a file');
  const heartbeat: number = c['heartbeat.interval'];
  t.equal(heartbeat, 1000, 'durations in ms');
  t.equal(c['rest.server.max-content-length'], 100 * 1024 * 1024, 'memory sizes in bytes');
  t.equal(c['restart-strategy.exponential-delay.backoff-multiplier'], 1.5, 'doubles');
  t.equal(c['execution.checkpointing.unaligned.enabled'], false, 'booleans');
  const mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' = c['execution.checkpointing.mode'];
  t.equal(mode, 'EXACTLY_ONCE', 'enums as their literal type');
  const interval: number | undefined = c['execution.checkpointing.interval'];
  t.equal(interval, undefined, 'an option without a default is undefined until set');
  t.equal(c['restart-strategy.type'], undefined);
  // @ts-expect-error the type has exactly the option keys; a misspelt key does not compile
  t.equal(c['execution.checkpointing.intervall'], undefined);
});

t.test("durations in Flink's forms", async (t) => {
  const cases: Array<[string, number]> = [
    ['10 s', 10_000],
    ['1 min', 60_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1 d', 86_400_000],
    ['250', 250],
    ['3 seconds', 3000],
  ];
  for (const [text, ms] of cases)
    t.equal(typed(`execution.checkpointing.interval: ${text}`)['execution.checkpointing.interval'], ms, text);
  t.throws(() => typed('execution.checkpointing.interval: soon'), {
    code: 'CONFIG_INVALID',
    message: /execution\.checkpointing\.interval: expected a duration/,
  });
  t.throws(() => typed('execution.checkpointing.interval: 0 ms'), { message: /must be at least 1/ });
});

t.test('enums: case-insensitive, with Flink aliases, typed as the canonical value', async (t) => {
  t.equal(typed('execution.checkpointing.mode: at_least_once')['execution.checkpointing.mode'], 'AT_LEAST_ONCE');
  t.equal(typed('restart-strategy.type: FixedDelay')['restart-strategy.type'], 'fixed-delay');
  t.equal(typed('restart-strategy: disable')['restart-strategy.type'], 'none', '1.x key and alias');
  t.equal(typed('state.backend: HashMap')['state.backend.type'], 'hashmap');
});

t.test('-D and flags reach the typed view, which is parsed once per configuration', async (t) => {
  const c = loadConfiguration({
    file: false,
    dynamicProperties: ['parallelism.default=4'],
    overrides: { 'rest.port': 0 },
  });
  t.equal(c.typed['parallelism.default'], 4);
  t.equal(c.typed['rest.port'], 0);
  t.equal(c.typed, c.typed, 'the same object on every read');
});

t.test('jobSettings: the program wins over the configuration, as in Flink', async (t) => {
  const config: SluiceConfig = typed(
    [
      'parallelism.default: 3',
      'pipeline.max-parallelism: 64',
      'pipeline.auto-watermark-interval: 1 s',
      'execution.checkpointing.interval: 10 s',
      'execution.checkpointing.mode: AT_LEAST_ONCE',
      'execution.checkpointing.timeout: 1 min',
      'execution.checkpointing.min-pause: 500ms',
      'execution.checkpointing.max-concurrent-checkpoints: 2',
      'execution.checkpointing.tolerable-failed-checkpoints: 5',
    ].join('\n'),
  );
  const env = (p = -1, maxP = -1, wm?: number, cp = { intervalMs: -1, mode: 'EXACTLY_ONCE' as const }) => ({
    getParallelism: () => p,
    getMaxParallelism: () => maxP,
    getConfig: () => ({ autoWatermarkIntervalIfSet: () => wm }),
    checkpointConfig: cp,
  });
  t.same(jobSettings(config, env()), {
    stateBackend: { type: 'hashmap' },
    defaultParallelism: 3,
    defaultMaxParallelism: 64,
    autoWatermarkIntervalMs: 1000,
    checkpointing: {
      intervalMs: 10_000,
      mode: 'AT_LEAST_ONCE',
      timeoutMs: 60_000,
      minPauseMs: 500,
      maxConcurrent: 2,
      tolerableFailures: 5,
    },
  });
  const own = jobSettings(config, env(2, 16, 50, { intervalMs: 100, mode: 'EXACTLY_ONCE' }));
  t.same(
    [own.defaultParallelism, own.defaultMaxParallelism, own.autoWatermarkIntervalMs],
    [2, 16, 50],
    'setParallelism, setMaxParallelism, setAutoWatermarkInterval win',
  );
  t.same([own.checkpointing.intervalMs, own.checkpointing.mode], [100, 'EXACTLY_ONCE'], 'enableCheckpointing wins');
  t.equal(own.checkpointing.timeoutMs, 60_000, 'what the program does not set still comes from the configuration');
  t.equal(jobSettings(config, env(2), 5).defaultParallelism, 5, 'a submission parallelism (-p, REST) wins over all');
  t.equal(jobSettings(defaultSluiceConfig(), env()).checkpointing.intervalMs, -1, 'checkpointing off by default');
});
