import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  loadConfiguration,
  parseDurationMs,
  parseMemoryBytes,
  Configuration,
  OPTION_SPECS,
  nearestKey,
} from '../../../runtime/config/index.js';
import { isSluiceError } from '../../../runtime/errors/catalogue.js';

function code(fn: () => unknown): { code?: string; message?: string } {
  try {
    fn();
  } catch (e) {
    if (isSluiceError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return {};
}

t.test('durations as Flink accepts them', async (t) => {
  t.equal(parseDurationMs('200 ms'), 200);
  t.equal(parseDurationMs('10 s'), 10_000);
  t.equal(parseDurationMs('1 min'), 60_000);
  t.equal(parseDurationMs('2h'), 7_200_000);
  t.equal(parseDurationMs('1 d'), 86_400_000);
  t.equal(parseDurationMs('1500'), 1500);
  t.equal(parseDurationMs('3 m'), 180_000);
  t.equal(parseDurationMs('fast'), undefined);
  t.equal(parseDurationMs('1.5 s'), undefined);
  t.equal(parseDurationMs('10 parsecs'), undefined);
  t.equal(parseMemoryBytes('64 mb'), 64 * 1024 * 1024);
  t.equal(parseMemoryBytes('1g'), 1024 ** 3);
  t.equal(parseMemoryBytes('12'), 12);
});

t.test('defaults, including the mini-cluster ones', async (t) => {
  const c = loadConfiguration({ file: false });
  t.equal(c.getDurationMs('heartbeat.interval'), 1000);
  t.equal(c.getDurationMs('heartbeat.timeout'), 5000);
  t.equal(c.get('rest.address'), '127.0.0.1');
  t.equal(c.getInt('rest.port'), 8081);
  t.equal(c.getInt('jobmanager.rpc.port'), 6123);
  t.equal(c.getInt('taskmanager.numberOfTaskSlots'), 2, 'mini cluster: 2 workers x 2 slots');
  t.equal(c.getDurationMs('pipeline.auto-watermark-interval'), 200);
  t.equal(c.getDurationMs('execution.checkpointing.timeout'), 600_000);
  t.equal(c.getBoolean('execution.checkpointing.unaligned.enabled'), false);
  t.equal(c.get('execution.checkpointing.interval'), undefined, 'checkpointing off unless set');
  t.equal(c.getInt('sluice.network.buffers-per-channel'), 8, 'as network/tcp-shuffle.ts');
  t.equal(c.isSet('rest.port'), false);
  t.equal(c.flat['heartbeat.timeout'], '5000 ms');
  t.equal(
    c.with({ 'state.checkpoints.dir': '/x' }).get('execution.checkpointing.dir'),
    '/x',
    'with() resolves aliases',
  );
  t.equal(c.getInt('sluice.mini-cluster.workers'), 2);
  t.equal(c.getDurationMs('execution.checkpointing.interval', 42), 42, 'fallback for unset keys without default');
  t.equal(code(() => c.getDurationMs('execution.checkpointing.interval')).code, 'CONFIG_INVALID');
  for (const [k, spec] of Object.entries(OPTION_SPECS)) {
    if (spec.default === undefined) continue;
    t.doesNotThrow(() => {
      if (spec.type === 'duration') c.getDurationMs(k);
      if (spec.type === 'int') c.getInt(k);
      if (spec.type === 'boolean') c.getBoolean(k);
      if (spec.type === 'memory') c.getMemoryBytes(k);
    }, `default of ${k} parses`);
  }
});

t.test('nested and flat YAML flatten to the same dotted keys', async (t) => {
  const nested = loadConfiguration({
    yamlText: 'rest:\n  port: 9091\nexecution:\n  checkpointing:\n    interval: 10 s\n    mode: AT_LEAST_ONCE\n',
  });
  const flat = loadConfiguration({
    yamlText: 'rest.port: 9091\nexecution.checkpointing.interval: 10 s\nexecution.checkpointing.mode: AT_LEAST_ONCE\n',
  });
  const mixed = loadConfiguration({
    yamlText: 'rest.port: 9091\nexecution.checkpointing:\n  interval: 10 s\n  mode: AT_LEAST_ONCE\n',
  });
  for (const c of [nested, flat, mixed]) {
    t.equal(c.getInt('rest.port'), 9091);
    t.equal(c.getDurationMs('execution.checkpointing.interval'), 10_000);
    t.equal(c.get('execution.checkpointing.mode'), 'AT_LEAST_ONCE');
  }
  t.same(nested.toFlatObject({ explicitOnly: true }), flat.toFlatObject({ explicitOnly: true }));
  t.same(Object.keys(nested.toFlatObject({ explicitOnly: true })), [
    'execution.checkpointing.interval',
    'execution.checkpointing.mode',
    'rest.port',
  ]);
});

t.test('deprecated 1.x keys map onto 2.x names', async (t) => {
  const c = loadConfiguration({
    yamlText:
      'state.checkpoints.dir: /tmp/ck\nstate.savepoints.dir: /tmp/sp\nexecution.checkpointing.unaligned: false\nstate.checkpoints.num-retained: 3\n',
  });
  t.equal(c.get('execution.checkpointing.dir'), '/tmp/ck');
  t.equal(c.get('state.checkpoints.dir'), '/tmp/ck', 'old name still readable');
  t.equal(c.get('execution.checkpointing.savepoint-dir'), '/tmp/sp');
  t.equal(c.isSet('execution.checkpointing.unaligned.enabled'), true);
  t.equal(c.typed['execution.checkpointing.unaligned.enabled'], false);
  const unaligned = code(() => loadConfiguration({ yamlText: 'execution.checkpointing.unaligned: true\n' }));
  t.equal(unaligned.code, 'CONFIG_UNSUPPORTED', 'the 1.x name of an unsupported setting is refused too');
  t.match(unaligned.message, /execution\.checkpointing\.unaligned\.enabled: true \(supported: false\)/);
  t.equal(c.getInt('execution.checkpointing.num-retained'), 3);
  t.notOk('state.checkpoints.dir' in c.toFlatObject(), 'flat view uses 2.x names');
  const clash = code(() =>
    loadConfiguration({ yamlText: 'state.checkpoints.dir: /a\nexecution.checkpointing.dir: /b\n' }),
  );
  t.equal(clash.code, 'CONFIG_INVALID');
  t.match(clash.message, /execution\.checkpointing\.dir is set twice/);
});

t.test('-D overrides the file, command-line overrides -D', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, 'rest.port: 9000\nparallelism.default: 2\nheartbeat.interval: 500 ms\n');
  const c = loadConfiguration({
    file,
    dynamicProperties: ['rest.port=9001', 'parallelism.default=3'],
    overrides: { 'parallelism.default': 4, 'rest.address': undefined },
  });
  t.equal(c.getInt('rest.port'), 9001);
  t.equal(c.getInt('parallelism.default'), 4);
  t.equal(c.getDurationMs('heartbeat.interval'), 500);
  t.equal(code(() => loadConfiguration({ file: join(dir, 'missing.yaml') })).code, 'CONFIG_INVALID');
  t.equal(
    loadConfiguration({ file: false, dynamicProperties: ['rest.port=1', 'rest.port=2'] }).getInt('rest.port'),
    2,
    'repeated -D: last wins',
  );
  t.equal(code(() => loadConfiguration({ file: false, dynamicProperties: ['novalue'] })).code, 'CONFIG_INVALID');
  t.equal(
    loadConfiguration({ file: false, dynamicProperties: ['sluice.security.secret=a=b'] }).get('sluice.security.secret'),
    'a=b',
  );
});

t.test('invalid values name the key and the value', async (t) => {
  const cases: [string, RegExp][] = [
    ['heartbeat.interval: fast\n', /heartbeat\.interval.*"fast"/],
    ['rest.port: eighty\n', /rest\.port.*integer.*"eighty"/],
    ['taskmanager.numberOfTaskSlots: 0\n', /numberOfTaskSlots must be at least 1.*"0"/],
    ['execution.checkpointing.mode: SOMETIMES\n', /execution\.checkpointing\.mode.*EXACTLY_ONCE.*"SOMETIMES"/],
    ['execution.checkpointing.unaligned.enabled: yes-please\n', /unaligned\.enabled.*true or false/],
    ['rest.server.max-content-length: lots\n', /max-content-length.*memory size/],
    [
      'heartbeat.interval: 5 s\nheartbeat.timeout: 2 s\n',
      /heartbeat\.timeout \(2000 ms\) must be larger than heartbeat\.interval \(5000 ms\)/,
    ],
    ['- a\n- b\n', /mapping/],
    ['rest: [\n', /not valid YAML/],
  ];
  for (const [yamlText, re] of cases) {
    const r = code(() => loadConfiguration({ yamlText }));
    t.equal(r.code, 'CONFIG_INVALID', yamlText);
    t.match(r.message, re, yamlText);
  }
});

t.test('misspelled keys under known prefixes suggest the nearest key; foreign keys pass', async (t) => {
  const r = code(() => loadConfiguration({ yamlText: 'heartbeat.timout: 5 s\n' }));
  t.equal(r.code, 'CONFIG_UNKNOWN_KEY');
  t.match(r.message, /"heartbeat\.timout".*did you mean "heartbeat\.timeout"/);
  const d = code(() => loadConfiguration({ file: false, dynamicProperties: ['taskmanager.numberOfTaskSlot=2'] }));
  t.equal(d.code, 'CONFIG_UNKNOWN_KEY');
  t.match(d.message, /^-D: .*did you mean "taskmanager\.numberOfTaskSlots"/);
  const s = code(() => loadConfiguration({ yamlText: 'sluice.something.else: 1\n' }));
  t.equal(s.code, 'CONFIG_UNKNOWN_KEY', 'sluice.* is fully ours');
  const c = loadConfiguration({ yamlText: 'taskmanager.memory.process.size: 1728m\nmy.own.key: x\n' });
  t.equal(c.get('taskmanager.memory.process.size'), '1728m', 'Flink keys sluice does not interpret pass through');
  t.equal(c.get('my.own.key'), 'x');
  t.equal(nearestKey('rest.prot', ['rest.port', 'rest.address'])?.key, 'rest.port');
});

t.test('tokens: string and list forms, scopes validated, redacted in the flat view', async (t) => {
  const tok = 'abcdefghijklmnopqrstuvwxyz012345';
  const a = loadConfiguration({ yamlText: `sluice.security.tokens: "${tok}:read,mutate; ${tok}-ro:read"\n` });
  const b = loadConfiguration({
    yamlText: `sluice:\n  security:\n    tokens:\n      - token: ${tok}\n        scopes: [read, mutate]\n      - "${tok}-ro:read"\n`,
  });
  for (const c of [a, b]) {
    const ts = c.restTokens();
    t.equal(ts.length, 2);
    t.same([...ts[0]!.scopes].sort(), ['mutate', 'read']);
    t.same([...ts[1]!.scopes], ['read']);
    t.equal(ts[1]!.token, `${tok}-ro`);
    const flat = c.toFlatObject({ redactSensitive: true });
    t.equal(flat['sluice.security.tokens'], '******');
    t.equal(flat['sluice.security.secret'], '******');
    t.equal(flat['rest.port'], '8081');
  }
  t.equal(
    code(() => loadConfiguration({ yamlText: `sluice.security.tokens: "${tok}:admin"\n` })).code,
    'CONFIG_INVALID',
  );
  t.equal(code(() => loadConfiguration({ yamlText: 'sluice.security.tokens: "short:read"\n' })).code, 'CONFIG_INVALID');
  t.same(new Configuration().restTokens(), []);
});

t.test('the repository cluster.yaml loads and keeps loopback defaults', async (t) => {
  const c = loadConfiguration({ file: 'cluster.yaml' });
  t.equal(c.get('rest.address'), '127.0.0.1');
  t.equal(c.get('jobmanager.rpc.address'), '127.0.0.1');
  t.equal(c.get('execution.checkpointing.dir'), './.sluice/checkpoints');
  t.equal(c.get('execution.checkpointing.savepoint-dir'), './.sluice/savepoints');
  t.ok(c.getDurationMs('heartbeat.timeout') > c.getDurationMs('heartbeat.interval'));
});
