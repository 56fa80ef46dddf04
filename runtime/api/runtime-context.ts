/**
 * RuntimeContext (Flink's name and method names): what a rich user function sees of the parallel instance
 * it runs in — task information, keyed state, job parameters and its metric group — and the one adapter,
 * `createRuntimeContext`, that every operator wrapping user functions gives them (process/map/flatMap/…
 * through `AbstractUdfOperator`, window functions, interval join functions).
 *
 * Invariants: the context is a view over the operator's context, so state handles follow the current key;
 * keyed state on a non-keyed stream fails with API_NOT_KEYED naming the operator.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { KeyedStateBackend, MetricGroup, OperatorContext } from './operator.js';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  StateOf,
} from './state.js';

/** Flink's TaskInfo: the parallel instance a function runs in. */
export interface TaskInfo {
  getTaskName(): string;
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getAttemptNumber(): number;
  /** Flink's form: "name (index+1/parallelism)#attempt". */
  getTaskNameWithSubtasks(): string;
}

export interface RuntimeContext extends TaskInfo {
  getTaskInfo(): TaskInfo;
  /** Keyed state (only on keyed streams); any descriptor kind, as sluice's handles are typed by it. */
  getState<D extends StateDescriptor>(desc: D): StateOf<D>;
  getListState<T>(desc: ListStateDescriptor<T>): StateOf<ListStateDescriptor<T>>;
  getMapState<K, V>(desc: MapStateDescriptor<K, V>): StateOf<MapStateDescriptor<K, V>>;
  getReducingState<T>(desc: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(desc: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  /** A job parameter (flat Flink key or program argument), or `defaultValue`. */
  getJobParameter(key: string, defaultValue?: string): string | undefined;
  getMetricGroup(): MetricGroup;
}

/** The runtime context of user functions wrapped by the operator whose context is `ctx`. */
export function createRuntimeContext(ctx: OperatorContext): RuntimeContext {
  const keyed = (): KeyedStateBackend => {
    if (!ctx.keyedStateBackend)
      throw new SluiceError(
        'API_NOT_KEYED',
        `keyed state is only available on a keyed stream (operator "${ctx.operatorName}"); call keyBy() first`,
      );
    return ctx.keyedStateBackend;
  };
  const taskInfo: TaskInfo = {
    getTaskName: () => ctx.operatorName,
    getIndexOfThisSubtask: () => ctx.subtaskIndex,
    getNumberOfParallelSubtasks: () => ctx.parallelism,
    getMaxNumberOfParallelSubtasks: () => ctx.maxParallelism,
    getAttemptNumber: () => ctx.attemptNumber,
    getTaskNameWithSubtasks: () =>
      `${ctx.operatorName} (${ctx.subtaskIndex + 1}/${ctx.parallelism})#${ctx.attemptNumber}`,
  };
  // A handle of a descriptor declared queryable also registers it with the subtask's queryable states.
  const handle = <D extends StateDescriptor>(d: D): StateOf<D> => {
    const backend = keyed();
    const h = backend.getState(d);
    if (d.queryableStateName !== undefined) ctx.queryableStates?.registerKeyed(d, backend, ctx.operatorName);
    return h;
  };
  return {
    ...taskInfo,
    getTaskInfo: () => taskInfo,
    getState: handle,
    getListState: (d) => handle(d),
    getMapState: (d) => handle(d),
    getReducingState: (d) => handle(d),
    getAggregatingState: (d) => handle(d),
    getJobParameter: (k, dflt) => ctx.jobConfig[k] ?? dflt,
    // A user function's counters are user counters (also served as accumulators), never runtime counters.
    getMetricGroup: () => ({
      counter: (n) => ctx.metrics.userCounter(n),
      userCounter: (n) => ctx.metrics.userCounter(n),
      gauge: (n, read) => ctx.metrics.gauge(n, read),
    }),
  };
}

/** What a context without an operator (a legacy source or sink function's) knows of its task. */
export interface StatelessTaskFacts {
  name: string;
  subtaskIndex: number;
  parallelism: number;
  attemptNumber: number;
  jobConfig: Readonly<Record<string, string>>;
}

/**
 * The runtime context of a function that runs outside an operator (a Flink 1.x SourceFunction or
 * SinkFunction): task facts and job parameters; keyed state fails with API_NOT_KEYED naming `where`;
 * metrics are inert (such functions have no operator metric group).
 */
export function createStatelessRuntimeContext(facts: StatelessTaskFacts, where: string): RuntimeContext {
  const noKeyedState = (): never => {
    throw new SluiceError('API_NOT_KEYED', `keyed state is not available in ${where}`);
  };
  const taskInfo: TaskInfo = {
    getTaskName: () => facts.name,
    getIndexOfThisSubtask: () => facts.subtaskIndex,
    getNumberOfParallelSubtasks: () => facts.parallelism,
    getMaxNumberOfParallelSubtasks: () => facts.parallelism,
    getAttemptNumber: () => facts.attemptNumber,
    getTaskNameWithSubtasks: () =>
      `${facts.name} (${facts.subtaskIndex + 1}/${facts.parallelism})#${facts.attemptNumber}`,
  };
  const inert = () => ({ inc: () => {}, getCount: () => 0 });
  return {
    ...taskInfo,
    getTaskInfo: () => taskInfo,
    getState: noKeyedState,
    getListState: noKeyedState,
    getMapState: noKeyedState,
    getReducingState: noKeyedState,
    getAggregatingState: noKeyedState,
    getJobParameter: (k, dflt) => facts.jobConfig[k] ?? dflt,
    getMetricGroup: () => ({ counter: inert, userCounter: inert, gauge: () => {} }),
  };
}
