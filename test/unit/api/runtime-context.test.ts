import t from 'tap';
import type { OperatorContext } from '../../../runtime/api/operator.js';
import { createRuntimeContext } from '../../../runtime/api/runtime-context.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../runtime/api/state.js';
import { createKeyedStateBackend, createOperatorStateStore } from '../../../runtime/state/index.js';
import { MetricRegistry } from '../../../runtime/task/task-metrics.js';

function operatorContext(keyed: boolean): { ctx: OperatorContext; metrics: MetricRegistry } {
  const metrics = new MetricRegistry();
  const ctx: OperatorContext = {
    operatorUid: 'counts',
    operatorName: 'Keyed Process',
    subtaskIndex: 2,
    parallelism: 4,
    maxParallelism: 128,
    attemptNumber: 1,
    output: { collect() {}, collectSide() {}, emitWatermark() {}, emitWatermarkStatus() {} },
    keyedStateBackend: keyed
      ? createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } })
      : undefined,
    operatorStateStore: createOperatorStateStore(),
    processingTimeService: { currentProcessingTime: () => 0, registerTimer: () => () => {} },
    getInternalTimerService: () => {
      throw new Error('not used');
    },
    metrics: metrics.group('v.2.counts'),
    jobConfig: { 'model.name': 'wine' },
    keySelectors: [],
    currentWatermark: () => 0,
  };
  return { ctx, metrics };
}

t.test('task information with Flink names, also through getTaskInfo()', async (t) => {
  const rc = createRuntimeContext(operatorContext(false).ctx);
  for (const info of [rc, rc.getTaskInfo()]) {
    t.equal(info.getTaskName(), 'Keyed Process');
    t.equal(info.getIndexOfThisSubtask(), 2);
    t.equal(info.getNumberOfParallelSubtasks(), 4);
    t.equal(info.getMaxNumberOfParallelSubtasks(), 128);
    t.equal(info.getAttemptNumber(), 1);
    t.equal(info.getTaskNameWithSubtasks(), 'Keyed Process (3/4)#1');
  }
  t.equal(rc.getJobParameter('model.name'), 'wine');
  t.equal(rc.getJobParameter('missing', 'dflt'), 'dflt');
  t.equal(rc.getJobParameter('missing'), undefined);
});

t.test('keyed state of every kind follows the current key', async (t) => {
  const { ctx } = operatorContext(true);
  const rc = createRuntimeContext(ctx);
  const backend = ctx.keyedStateBackend!;
  const value = rc.getState(new ValueStateDescriptor<number>('v', 0));
  const list = rc.getListState(new ListStateDescriptor<string>('l'));
  const map = rc.getMapState(new MapStateDescriptor<string, number>('m'));
  const sum = rc.getReducingState(new ReducingStateDescriptor<number>('r', (a, b) => a + b));
  const avg = rc.getAggregatingState(
    new AggregatingStateDescriptor<number, [number, number], number>('a', {
      createAccumulator: () => [0, 0],
      add: (v, [s, n]) => [s + v, n + 1],
      getResult: ([s, n]) => s / n,
    }),
  );
  for (const [key, xs] of [
    ['a', [1, 2, 3]],
    ['b', [10]],
  ] as const) {
    backend.setCurrentKey(key);
    for (const x of xs) {
      value.update((value.value() ?? 0) + 1);
      list.add(`${key}${x}`);
      map.put(`${x}`, x);
      sum.add(x);
      avg.add(x);
    }
  }
  backend.setCurrentKey('a');
  t.equal(value.value(), 3);
  t.same([...list.get()], ['a1', 'a2', 'a3']);
  t.equal(map.get('2'), 2);
  t.equal(sum.get(), 6);
  t.equal(avg.get(), 2);
  backend.setCurrentKey('b');
  t.equal(value.value(), 1);
  t.equal(sum.get(), 10);
  t.equal(map.get('2'), undefined);
});

t.test('keyed state on a non-keyed stream is refused with the operator named', async (t) => {
  const rc = createRuntimeContext(operatorContext(false).ctx);
  t.throws(() => rc.getState(new ValueStateDescriptor<number>('v', 0)), {
    code: 'API_NOT_KEYED',
    message: /operator "Keyed Process".*keyBy/,
  });
  t.throws(() => rc.getReducingState(new ReducingStateDescriptor<number>('r', (a, b) => a + b)), {
    code: 'API_NOT_KEYED',
  });
});

t.test('the metric group is the operator scope of the task metrics', async (t) => {
  const { ctx, metrics } = operatorContext(false);
  const rc = createRuntimeContext(ctx);
  rc.getMetricGroup().counter('numThings').inc(3);
  rc.getMetricGroup().gauge('lag', () => 7);
  t.equal(metrics.values()['v.2.counts.numThings'], 3);
  t.equal(metrics.values()['v.2.counts.lag'], 7);
});
