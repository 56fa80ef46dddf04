import t from 'tap';
import { NO_VALUE_KEY, ParameterTool } from '../../../runtime/api/parameter-tool.js';
import { StreamExecutionEnvironment } from '../../../runtime/exports/index.js';

t.test('fromArgs: --key value, -key value, flags, negative numbers as values', async (t) => {
  const p = ParameterTool.fromArgs([
    '--input',
    'in.txt',
    '-p',
    '4',
    '--verbose',
    '--offset',
    '-5',
    '-x',
    '-1.5e3',
    '--last',
  ]);
  t.equal(p.get('input'), 'in.txt');
  t.equal(p.getInt('p'), 4);
  t.equal(p.get('verbose'), NO_VALUE_KEY, 'a key followed by a key is a flag');
  t.ok(p.has('verbose'));
  t.equal(p.getInt('offset'), -5, 'a negative number is a value, not a key');
  t.equal(p.getDouble('x'), -1500);
  t.equal(p.get('last'), NO_VALUE_KEY, 'a trailing key is a flag');
  t.equal(p.getNumberOfParameters(), 6);
  t.same(p.toMap(), { input: 'in.txt', p: '4', verbose: NO_VALUE_KEY, offset: '-5', x: '-1.5e3', last: NO_VALUE_KEY });
});

t.test('fromArgs refuses values where keys are expected and empty keys', async (t) => {
  t.throws(() => ParameterTool.fromArgs(['input', 'x']), {
    message: "Error parsing arguments '[input, x]' on 'input'. Please prefix keys with -- or -.",
  });
  t.throws(() => ParameterTool.fromArgs(['--a', '1', '--']), /contains an empty argument/);
  t.throws(() => ParameterTool.fromArgs(['--a', 'x', 'y']), /on 'y'/);
});

t.test('get with default, getRequired, typed getters', async (t) => {
  const p = ParameterTool.fromMap({
    n: '12',
    big: '9007199254740993',
    d: '2.5',
    b: 'TRUE',
    s: 'abc',
    wide: '3000000000',
  });
  t.equal(p.get('missing'), undefined);
  t.equal(p.get('missing', 'dflt'), 'dflt');
  t.equal(p.get('n', 'dflt'), '12');
  t.throws(() => p.getRequired('missing'), {
    code: 'PARAMETER_REQUIRED_MISSING',
    message: "No data for required key 'missing'",
  });
  t.throws(() => p.getInt('missing'), { message: "No data for required key 'missing'" });
  t.equal(p.getInt('missing', 7), 7);
  t.equal(p.getInt('n', 7), 12);
  t.throws(() => p.getInt('s'), { code: 'PARAMETER_NOT_A_NUMBER', message: /For input string: "abc"/ });
  t.throws(() => p.getInt('d'), { code: 'PARAMETER_NOT_A_NUMBER' }, 'Integer.parseInt refuses decimals');
  t.throws(() => p.getInt('wide'), { code: 'PARAMETER_NOT_A_NUMBER' }, 'beyond 32 bits is not an int');
  t.equal(p.getLong('wide'), 3_000_000_000);
  t.throws(() => p.getLong('big'), { code: 'PARAMETER_NOT_A_NUMBER' }, 'beyond 2^53 cannot be a number exactly');
  t.equal(p.getDouble('d'), 2.5);
  t.equal(p.getDouble('missing', 0.5), 0.5);
  t.throws(() => p.getDouble('s'), { code: 'PARAMETER_NOT_A_NUMBER' });
  t.equal(p.getBoolean('b'), true);
  t.equal(p.getBoolean('s'), false, 'Boolean.valueOf: anything but "true" is false');
  t.equal(p.getBoolean('missing', true), true);
  t.throws(() => p.getBoolean('missing'), { code: 'PARAMETER_REQUIRED_MISSING' });
});

t.test('mergeWith: the argument wins; unrequested parameters are tracked', async (t) => {
  const a = ParameterTool.fromArgs(['--a', '1', '--b', '2']);
  const b = ParameterTool.fromMap(
    new Map([
      ['b', '20'],
      ['c', '30'],
    ]),
  );
  const m = a.mergeWith(b);
  t.same(m.toMap(), { a: '1', b: '20', c: '30' });
  t.same(a.toMap(), { a: '1', b: '2' }, 'the original is unchanged');
  m.get('a');
  m.has('c');
  t.same([...m.getUnrequestedParameters()], ['b']);
});

t.test('a ParameterTool as global job parameters reaches the runtime context', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const params = ParameterTool.fromArgs(['--factor', '3']);
  env.getConfig().setGlobalJobParameters(params);
  t.same(env.getConfig().getGlobalJobParameters(), { factor: '3' });
});
