/**
 * How DataStream.executeAndCollect() and collectAsync() bring a stream's results to the program: a collect
 * sink (parallelism 1) on the stream, fed to a list or bounded queue in this process when the job runs here,
 * or published through the job manager when an execution host (the client, or a cluster process rebuilding
 * the graph) runs it.
 *
 * Invariants: the sink's id (`collect-<node id>`) follows from the graph, so every process that rebuilds the
 * graph names the same sink; the in-process collector registered under the sink's token is released when
 * executeAndCollect returns or fails.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { CollectSinkOperator, registerCollector, releaseCollector } from '../../operators/core/collect-sink.js';
import { getExecutionHost } from './execution-host.js';
import { type CloseableIterator, CollectIterator } from './collect-iterator.js';
import { LocalCollectQueue } from './local-collect-queue.js';
import type { DataStream } from './data-stream.js';

/** Adds the collect sink named `sinkId` (in-process collector under `token`) fed by `stream`. */
function addCollectSink<T>(stream: DataStream<T>, sinkId: string, token: string): void {
  stream
    .transform<any>({
      name: 'Collect Sink',
      kind: 'sink',
      factory: () => new CollectSinkOperator(sinkId, token),
    })
    .setParallelism(1);
}

/** DataStream.executeAndCollect(limit): runs the job and returns every element of the (bounded) stream. */
export async function executeAndCollect<T>(stream: DataStream<T>, limit?: number): Promise<T[]> {
  const sinkId = `collect-${stream.nodeId}`;
  // Only a run in this process appends to a list here; under a host (the client, or a cluster process
  // rebuilding the graph) the sink publishes through the job manager.
  const host = getExecutionHost();
  const token = `${sinkId}-${platform.random.hex(12)}`;
  const list = host ? [] : (registerCollector(token) as T[]);
  addCollectSink(stream, sinkId, token);
  try {
    if (host?.executeAndCollect) {
      stream.env.graph.jobName = 'collect';
      const all = (await host.executeAndCollect(stream.env, 'collect', sinkId)) as T[];
      return limit === undefined ? all : all.slice(0, limit);
    }
    await stream.env.execute('collect');
    return limit === undefined ? list : list.slice(0, limit);
  } finally {
    releaseCollector(token);
  }
}

/** DataStream.collectAsync(): the iterator over the stream's results, bound once the job starts. */
export function collectAsync<T>(stream: DataStream<T>): CloseableIterator<T> {
  const sinkId = `collect-${stream.nodeId}`;
  const host = getExecutionHost();
  const token = `${sinkId}-${platform.random.hex(12)}`;
  const queue = host ? undefined : registerCollector(token, new LocalCollectQueue());
  addCollectSink(stream, sinkId, token);
  const iterator = new CollectIterator<T>();
  stream.env.onJobStarted((client) => {
    if (queue) {
      client.getJobExecutionResult().then(
        () => queue.finish(),
        (e: unknown) => queue.finish(e),
      );
      iterator.bind(client, queue);
      return;
    }
    if (!host?.collectFeed)
      throw new SluiceError('API_UNSUPPORTED', 'collectAsync(): this execution host cannot fetch collect results');
    iterator.bind(client, host.collectFeed(client.getJobID(), sinkId));
  });
  return iterator;
}
